#!/usr/bin/env bash
# Installs every Debian package leukoscope builds, tests and benchmarks with. Idempotent: when all
# are present it only checks. Needs root (or sudo) on Debian 12.
set -euo pipefail
packages=(
  cmake g++ make ccache pkg-config
  libtorch-dev libgloo-dev libopenblas0-pthread libtcmalloc-minimal4
  libopencv-dev nlohmann-json3-dev libcli11-dev libgtest-dev libssl-dev libxxhash-dev
  gnuplot-nox
  python3-torch python3-torchvision   # the Python references of the cross-checks and benchmarks
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
