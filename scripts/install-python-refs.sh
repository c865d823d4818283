#!/usr/bin/env bash
# Installs timm and safetensors from PyPI for Debian's /usr/bin/python3 (whose torch 1.13 and
# torchvision 0.14 come from python3-torch / python3-torchvision, scripts/install-deps.sh) into a
# folder of their own, for the tests that check leukoscope against checkpoints written by the real
# libraries (tests/models/timm_reference.py, test_timm_weights.cpp). Nothing outside the folder
# changes: no system or user site-packages, no virtual environment.
#
#   folder   $LEUKO_PYREFS, else ${XDG_CACHE_HOME:-$HOME/.cache}/leukoscope/pyrefs (the tests look
#            in the same place and put it on PYTHONPATH)
#   versions $LEUKO_PYREFS_PACKAGES, else the pins below (the versions the tests were written on;
#            set it to "timm safetensors" for the newest)
#
# --no-deps on purpose: timm needs torch, torchvision and pyyaml (Debian's), and huggingface_hub
# only to download from the hub, which it imports optionally. Idempotent: a folder installed with
# the same pins is only checked. Always exits 0: without PyPI (or pip) it says so and the tests
# that need timm skip.
set -uo pipefail

PY=/usr/bin/python3
packages=${LEUKO_PYREFS_PACKAGES:-"timm==1.0.31 safetensors==0.8.0"}
dir=${LEUKO_PYREFS:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/leukoscope/pyrefs}
stamp="$dir/.leukoscope-pyrefs"
check='import timm, safetensors.torch; print("timm", timm.__version__, "safetensors", safetensors.__version__)'

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$packages" ] && have=$(PYTHONPATH="$dir" "$PY" -c "$check" 2>/dev/null); then
  echo "install-python-refs: $have present in $dir"
  exit 0
fi
if ! "$PY" -c 'import torch, torchvision' >/dev/null 2>&1; then
  echo "install-python-refs: $PY lacks torch/torchvision (scripts/install-deps.sh installs them); nothing installed"
  exit 0
fi
if ! "$PY" -m pip --version >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "install-python-refs: installing python3-pip"
  { $SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends python3-pip; } >/dev/null 2>&1
  if ! "$PY" -m pip --version >/dev/null 2>&1; then
    echo "install-python-refs: no pip for $PY (apt-get install python3-pip); nothing installed, the timm tests will skip"
    exit 0
  fi
fi

mkdir -p "$(dirname "$dir")"
tmp=$(mktemp -d "$dir.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2086  # $packages is a list of requirement specifiers
if ! PIP_ROOT_USER_ACTION=ignore "$PY" -m pip install --quiet --disable-pip-version-check --no-input \
      --timeout 20 --retries 1 --no-deps --target "$tmp" $packages; then
  echo "install-python-refs: pip could not install $packages (PyPI unreachable?); nothing changed in $dir, the timm tests will skip"
  exit 0
fi
if ! have=$(PYTHONPATH="$tmp" "$PY" -c "$check" 2>&1); then
  echo "install-python-refs: $packages installed but do not import under $PY:"
  echo "$have"
  exit 0
fi
printf '%s' "$packages" > "$tmp/.leukoscope-pyrefs"
rm -rf "$dir"
mv "$tmp" "$dir"
echo "install-python-refs: $have installed in $dir"
