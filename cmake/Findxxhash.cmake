# Debian's libxxhash-dev ships a header, a library and a pkg-config file but no CMake package
# configuration; this module makes `find_package(xxhash REQUIRED)` work and defines
# xxhash::xxhash. leukoscope uses it header-only (XXH_INLINE_ALL in src/common/content_hash.cpp):
# nothing to link, and a machine without the package (scripts/device/make-sysroot.sh) needs only
# the header.
find_path(XXHASH_INCLUDE_DIR NAMES xxhash.h)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(xxhash REQUIRED_VARS XXHASH_INCLUDE_DIR)
if(xxhash_FOUND AND NOT TARGET xxhash::xxhash)
  add_library(xxhash::xxhash INTERFACE IMPORTED)
  set_target_properties(xxhash::xxhash PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${XXHASH_INCLUDE_DIR}")
endif()
mark_as_advanced(XXHASH_INCLUDE_DIR)
