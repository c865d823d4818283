#!/usr/bin/env bash
# Assembles a relocatable prefix (default: .devdeps in the repository root) holding what a
# machine without our Debian 12 build dependencies needs to build and run leukoscope against a
# LibTorch it has (the pip `torch` of a GPU machine): OpenCV 4.6 (core, imgproc, imgcodecs, photo)
# headers, a CMake config and the shared libraries with their runtime dependency closure,
# nlohmann-json, CLI11, GoogleTest, OpenSSL (headers, libcrypto, libssl), xxHash (its header) and
# tcmalloc.
#
# Run it here (Debian 12, with scripts/install-deps.sh done). The target needs glibc >= 2.36 and a
# libstdc++ at least as new as Debian 12's (GLIBCXX_3.4.30); glibc, libstdc++, libgcc_s and libm
# are not carried. libopencv_imgcodecs needs GDAL, GDCM and OpenEXR (over 100 MiB with what they
# pull) and is linked with BIND_NOW, so those are replaced by generated stub libraries of the same
# SONAME that define every symbol imgcodecs imports from them: constructors, destructors and GDAL's
# registration (run when imgcodecs builds its decoder list) do nothing, anything else aborts with
# its name: leukoscope decodes BMP, PNG, JPEG and TIFF, which never reach them.
#
# Use: CMAKE_PREFIX_PATH=DEST, OPENSSL_ROOT_DIR=DEST, LD_LIBRARY_PATH=DEST/lib at run time
# (scripts/device/gpu-check.sh does all three).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
DEST="$(realpath -m "${1:-$repo/.devdeps}")"
ML=/usr/lib/x86_64-linux-gnu

for f in /usr/include/opencv4/opencv2/core.hpp $ML/libopencv_imgcodecs.so.406 /usr/include/nlohmann/json.hpp \
         /usr/include/CLI/CLI.hpp /usr/include/xxhash.h $ML/libgtest.a /usr/include/openssl/ssl.h $ML/libtcmalloc_minimal.so.4 \
         $ML/lapack/liblapack.so.3 $ML/blas/libblas.so.3; do
  [ -e "$f" ] || { echo "make-sysroot: $f is missing (run scripts/install-deps.sh; liblapack3 and libblas3 give the reference LAPACK/BLAS)" >&2; exit 1; }
done
command -v gcc >/dev/null && command -v nm >/dev/null && command -v readelf >/dev/null || { echo "make-sysroot: needs gcc and binutils" >&2; exit 1; }

rm -rf "$DEST"
mkdir -p "$DEST"/{include/opencv4/opencv2,lib/cmake/opencv4,lib/x86_64-linux-gnu/cmake,share/cmake,stubs}

# ---- headers
cv=/usr/include/opencv4/opencv2
for m in core imgproc imgcodecs photo; do cp -a "$cv/$m.hpp" "$cv/$m" "$DEST/include/opencv4/opencv2/"; done
cp -a "$cv/opencv_modules.hpp" "$DEST/include/opencv4/opencv2/"
cp -a /usr/include/nlohmann /usr/include/CLI /usr/include/gtest "$DEST/include/"   # no gmock: unused
cp -a /usr/include/openssl "$DEST/include/"
cp -a /usr/include/xxhash.h "$DEST/include/"   # used header-only (XXH_INLINE_ALL)
cp -a /usr/include/x86_64-linux-gnu/openssl/. "$DEST/include/openssl/"   # opensslconf.h, configuration.h

# ---- CMake package configs (these compute their prefix from their own location)
cp -a /usr/share/cmake/nlohmann_json /usr/share/cmake/CLI11 "$DEST/share/cmake/"
cp -a $ML/cmake/GTest "$DEST/lib/x86_64-linux-gnu/cmake/"
cp -a $ML/libgtest.a $ML/libgtest_main.a $ML/libgmock.a $ML/libgmock_main.a "$DEST/lib/x86_64-linux-gnu/"

# ---- shared libraries: the closure, stubs for the optional codecs
python3 - "$DEST" <<'PY'
import os, re, subprocess, sys
dest = sys.argv[1]
lib = os.path.join(dest, "lib")
ML = "/usr/lib/x86_64-linux-gnu"
roots = [f"{ML}/libopencv_{m}.so.406" for m in ("core", "imgproc", "imgcodecs", "photo")] + \
        [f"{ML}/libcrypto.so.3", f"{ML}/libssl.so.3", f"{ML}/libtcmalloc_minimal.so.4"]
# Provided by the target's C/C++ runtime: never carried.
system = {"libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "ld-linux-x86-64.so.2", "libpthread.so.0",
          "libdl.so.2", "librt.so.1", "libresolv.so.2", "libutil.so.1", "libmvec.so.1", "libanl.so.1"}
stubbed = ["libgdal.so.32", "libgdcmMSFF.so.3.0", "libgdcmDSED.so.3.0", "libOpenEXR-3_1.so.30"]
# Debian's default BLAS/LAPACK is OpenBLAS (36 MiB): the reference ones are small and enough for OpenCV.
pinned = {"liblapack.so.3": f"{ML}/lapack/liblapack.so.3", "libblas.so.3": f"{ML}/blas/libblas.so.3"}

def out(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout

ldcache = {}
for line in out("ldconfig", "-p").splitlines():
    m = re.match(r"\s*(\S+) \((libc6,x86-64[^)]*)\) => (\S+)", line)
    if m and m.group(1) not in ldcache:
        ldcache[m.group(1)] = m.group(3)

def needed(path):
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out("readelf", "-d", path))

def resolve(name):
    p = pinned.get(name) or ldcache.get(name)
    if not p:
        raise SystemExit(f"make-sysroot: cannot resolve {name}")
    return p

carried = {}          # soname -> path
stub_users = {}       # carried soname -> the stubbed libs it needs
todo = [(os.path.basename(r), r) for r in roots]
while todo:
    name, path = todo.pop()
    if name in carried:
        continue
    carried[name] = path
    for n in needed(path):
        if n in system:
            continue
        if n in stubbed:
            stub_users.setdefault(name, set()).add(n)
            continue
        if n not in carried:
            todo.append((n, resolve(n)))

def symbols(path, defined):
    flag = "--defined-only" if defined else "--undefined-only"
    syms = {}
    for line in out("nm", "-D", flag, "-S", path).splitlines():
        parts = line.split()
        if defined and len(parts) >= 3:
            size = int(parts[1], 16) if len(parts) == 4 else 0
            syms[parts[-1].split("@")[0]] = (parts[-2], size)
        elif not defined and len(parts) >= 2:
            syms[parts[-1].split("@")[0]] = (parts[-2], 0)
    return syms

available = set()
for soname in list(carried) + sorted(system):
    p = carried.get(soname) or ldcache.get(soname)
    if p and os.path.exists(p):
        available |= set(symbols(p, True))

# The real stubbed libraries and what they pull, to attribute (and type) each missing symbol.
def real_closure(name):
    seen, todo, res = set(), [name], []
    while todo:
        n = todo.pop()
        if n in seen or n in system or n in carried:
            continue
        seen.add(n)
        p = resolve(n)
        res.append(p)
        todo += needed(p)
    return res
real_defs = {s: {} for s in stubbed}
for s in stubbed:
    for p in real_closure(s):
        for k, v in symbols(p, True).items():
            real_defs[s].setdefault(k, v)

wanted = {s: {} for s in stubbed}
for user, stubs in sorted(stub_users.items()):
    for sym, (typ, _) in symbols(carried[user], False).items():
        if typ in ("w", "v") or sym in available:
            continue
        owner = next((s for s in stubs if sym in real_defs[s]), None) or \
                next((s for s in stubbed if sym in real_defs[s]), None) or sorted(stubs)[0]
        wanted[owner][sym] = real_defs[owner].get(sym, ("T", 0))

os.makedirs(lib, exist_ok=True)
import shutil
for soname, path in sorted(carried.items()):
    shutil.copy2(os.path.realpath(path), os.path.join(lib, soname))
for soname in stubbed:
    src = os.path.join(dest, "stubs", soname + ".c")
    with open(src, "w") as f:
        f.write(f"/* Generated by make-sysroot.sh: stands in for {soname}, which leukoscope never calls. */\n")
        f.write("#include <stdio.h>\n#include <stdlib.h>\n")
        f.write(f'static void leuko_stub_called(const char* s) {{ fprintf(stderr, "{soname} stub: %s called\\n", s); abort(); }}\n')
        for i, (sym, (typ, size)) in enumerate(sorted(wanted[soname].items())):
            esc = sym.replace("\\", "\\\\").replace('"', '\\"')
            if typ.upper() in ("T", "W", "I"):
                # imgcodecs builds every decoder when it first decodes anything: constructors,
                # destructors and the registration call run then and must return quietly.
                quiet = re.search(r"[CD][0-2]E", sym) or sym.startswith("GDALAllRegister")
                body = "" if quiet else f'leuko_stub_called("{esc}");'
                f.write(f'void leuko_f{i}(void) __asm__("{esc}");\nvoid leuko_f{i}(void) {{ {body} }}\n')
            else:  # data (typeinfo, vtables, globals): zero-filled storage of the real size
                f.write(f'__attribute__((aligned(16))) char leuko_d{i}[{max(size, 8)}] __asm__("{esc}");\n')
    subprocess.run(["gcc", "-shared", "-fPIC", "-O1", "-o", os.path.join(lib, soname), f"-Wl,-soname,{soname}", src],
                   check=True)
    print(f"stub {soname}: {len(wanted[soname])} symbols")
print(f"carried {len(carried)} libraries")
PY

# Link-time names (FindOpenSSL and find_library look for unversioned ones).
ln -sf libcrypto.so.3 "$DEST/lib/libcrypto.so"
ln -sf libssl.so.3 "$DEST/lib/libssl.so"
ln -sf libtcmalloc_minimal.so.4 "$DEST/lib/libtcmalloc_minimal.so"
for m in core imgproc imgcodecs photo; do ln -sf "libopencv_$m.so.406" "$DEST/lib/libopencv_$m.so"; done

# ---- OpenCV CMake config: Debian's lists every module and fails when one is absent; this one
# declares the four carried modules, relative to its own location.
cp /usr/lib/x86_64-linux-gnu/cmake/opencv4/OpenCVConfig-version.cmake "$DEST/lib/cmake/opencv4/"
cat > "$DEST/lib/cmake/opencv4/OpenCVConfig.cmake" <<'EOF'
# Written by scripts/device/make-sysroot.sh: OpenCV 4.6.0 (Debian 12 build), modules core, imgproc,
# imgcodecs, photo. Sets OpenCV_FOUND, OpenCV_VERSION, OpenCV_INCLUDE_DIRS, OpenCV_LIBS and the
# imported targets opencv_<module>.
get_filename_component(_ocv_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(OpenCV_VERSION 4.6.0)
set(OpenCV_VERSION_MAJOR 4)
set(OpenCV_VERSION_MINOR 6)
set(OpenCV_VERSION_PATCH 0)
set(OpenCV_INSTALL_PATH "${_ocv_prefix}")
set(OpenCV_INCLUDE_DIRS "${_ocv_prefix}/include/opencv4")
set(_ocv_modules core imgproc imgcodecs photo)
set(_ocv_deps_imgproc core)
set(_ocv_deps_imgcodecs imgproc core)
set(_ocv_deps_photo imgproc core)
foreach(_m IN LISTS _ocv_modules)
  if(NOT TARGET opencv_${_m})
    add_library(opencv_${_m} SHARED IMPORTED)
    set(_ocv_link "")
    foreach(_d IN LISTS _ocv_deps_${_m})
      list(APPEND _ocv_link opencv_${_d})
    endforeach()
    set_target_properties(opencv_${_m} PROPERTIES
      IMPORTED_LOCATION "${_ocv_prefix}/lib/libopencv_${_m}.so.406"
      IMPORTED_SONAME "libopencv_${_m}.so.406"
      INTERFACE_INCLUDE_DIRECTORIES "${OpenCV_INCLUDE_DIRS}"
      INTERFACE_LINK_LIBRARIES "${_ocv_link}")
  endif()
endforeach()
set(OpenCV_LIBS "")
set(OpenCV_FOUND TRUE)
set(_ocv_wanted ${OpenCV_FIND_COMPONENTS})
if(NOT _ocv_wanted)
  set(_ocv_wanted ${_ocv_modules})
endif()
foreach(_c IN LISTS _ocv_wanted)
  string(REGEX REPLACE "^opencv_" "" _c "${_c}")
  if(_c IN_LIST _ocv_modules)
    list(APPEND OpenCV_LIBS opencv_${_c})
    set(OpenCV_${_c}_FOUND TRUE)
  else()
    set(OpenCV_${_c}_FOUND FALSE)
    if(OpenCV_FIND_REQUIRED_${_c})
      set(OpenCV_FOUND FALSE)
      set(OpenCV_NOT_FOUND_MESSAGE "module ${_c} is not in this OpenCV (only ${_ocv_modules})")
    endif()
  endif()
endforeach()
EOF

# ---- checks: every carried library resolves all its symbols from the prefix (stubs included)
bad=0
for f in "$DEST"/lib/*.so.*; do
  [ -L "$f" ] && continue
  if LD_LIBRARY_PATH="$DEST/lib" ldd -r "$f" 2>&1 | grep -E "undefined symbol|not found" | grep -v "__gmon_start__"; then
    echo "make-sysroot: $f has unresolved dependencies" >&2; bad=1
  fi
done
[ "$bad" = 0 ] || exit 1
echo "make-sysroot: $(du -sh "$DEST" | cut -f1) in $DEST"
