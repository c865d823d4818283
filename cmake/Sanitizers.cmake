# Sanitizer and fuzzing builds (issue 12; the figures and commands are in RELIABILITY.md).
# Included at the end of the top-level CMakeLists.txt, once every target exists. Both options are
# off in the normal build and add targets only; nothing the normal build makes changes. Use a
# build folder of their own (scripts/fuzz-ci.sh does this):
#
#   cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
#         -DLEUKO_SANITIZE=ON -DLEUKO_FUZZ=ON
#   cmake --build build-fuzz -j1 --target leuko_sanitized_tests leuko_fuzzers
#
# LEUKO_SANITIZE: leuko_base_san, leuko_base compiled with -fsanitize=address,undefined (plus the
#   torch-free model table, safetensors reader and study configuration reader, which live in
#   leuko_torch only by folder), and <test>_san, a copy of each torch-free test executable
#   (test_data, test_eval, test_report, test_study, test_run) built with the same flags and linked
#   to it. They are CTest tests labelled `sanitize` (`ctest -L sanitize`). test_run drives the
#   leukoscope binary as a user would; its copy runs the normal build's binary
#   (LEUKO_SANITIZE_BINARY, default build/leukoscope): only the torch-free readers it checks
#   in-process are sanitized, the torch binary is not rebuilt.
# LEUKO_FUZZ (clang only): one libFuzzer executable per fuzz/fuzz_*.cpp, named after the file,
#   with leuko_base_san also instrumented for coverage (-fsanitize=fuzzer-no-link); and
#   fuzz_make_image_seeds and fuzz_make_pack_seeds, which remake fuzz/corpus/image-decode and
#   fuzz/corpus/cache-pack from the bundled data.
# Either option configures the whole project (so torch must be installed, as everywhere) but
# builds no torch code when only the targets above are built.

option(LEUKO_SANITIZE "Also build the torch-free tests with ASan+UBSan (<test>_san targets)" OFF)
option(LEUKO_FUZZ "Also build the libFuzzer targets of fuzz/ (needs clang)" OFF)

if(NOT LEUKO_SANITIZE AND NOT LEUKO_FUZZ)
  return()
endif()

if(LEUKO_FUZZ AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "LEUKO_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++")
endif()

# -O1 keeps reports readable and runs fast enough; _GLIBCXX_ASSERTIONS adds bounds checks to
# std::vector/std::string operator[] (ABI-neutral), which ASan misses inside a vector's capacity.
# Every UBSan finding aborts (-fno-sanitize-recover), so a test or fuzz run cannot pass over one.
set(LEUKO_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
    -g -O1 -D_GLIBCXX_ASSERTIONS)
set(LEUKO_SANITIZER_LINK_FLAGS -fsanitize=address,undefined)
set(LEUKO_COVERAGE_FLAGS)
if(LEUKO_FUZZ)
  set(LEUKO_COVERAGE_FLAGS -fsanitize=fuzzer-no-link)
endif()

# leuko_base_san: leuko_base's sources, include folders, definitions and libraries, sanitized.
get_target_property(_leuko_base_sources leuko_base SOURCES)
get_target_property(_leuko_base_defs leuko_base COMPILE_DEFINITIONS)
get_target_property(_leuko_base_libs leuko_base LINK_LIBRARIES)
get_target_property(_leuko_base_includes leuko_base INCLUDE_DIRECTORIES)
add_library(leuko_base_san STATIC EXCLUDE_FROM_ALL ${_leuko_base_sources}
  ${CMAKE_SOURCE_DIR}/src/models/safetensors.cpp
  ${CMAKE_SOURCE_DIR}/src/models/presets.cpp
  ${CMAKE_SOURCE_DIR}/src/models/model_config.cpp
  ${CMAKE_SOURCE_DIR}/src/study/study_config.cpp)
target_include_directories(leuko_base_san PUBLIC ${_leuko_base_includes})
target_compile_definitions(leuko_base_san PRIVATE ${_leuko_base_defs})
target_link_libraries(leuko_base_san PUBLIC ${_leuko_base_libs})
target_compile_options(leuko_base_san PRIVATE -Wall -Wextra)
target_compile_options(leuko_base_san PUBLIC ${LEUKO_SANITIZER_FLAGS})
target_compile_options(leuko_base_san PRIVATE ${LEUKO_COVERAGE_FLAGS})
target_link_options(leuko_base_san PUBLIC ${LEUKO_SANITIZER_LINK_FLAGS})

# What the sanitized tests and fuzzers run with: every report fatal and with a stack; leaks are
# findings too.
set(LEUKO_SANITIZER_ENV
  "ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
  "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")

if(LEUKO_SANITIZE AND LEUKO_BUILD_TESTS)
  find_package(GTest REQUIRED)  # its imported targets are local to tests/
  set(LEUKO_SANITIZE_BINARY "${CMAKE_SOURCE_DIR}/build/leukoscope" CACHE FILEPATH
      "The leukoscope binary the sanitized test_run drives (the normal build's)")
  add_custom_target(leuko_sanitized_tests)
  foreach(t test_data test_eval test_report test_study test_run)
    if(NOT TARGET ${t})
      continue()
    endif()
    get_target_property(_sources ${t} SOURCES)
    get_target_property(_includes ${t} INCLUDE_DIRECTORIES)
    get_target_property(_defs ${t} COMPILE_DEFINITIONS)
    get_target_property(_libs ${t} LINK_LIBRARIES)
    list(FILTER _defs EXCLUDE REGEX "^LEUKO_BINARY=")
    list(APPEND _defs "LEUKO_BINARY=\"${LEUKO_SANITIZE_BINARY}\"")
    list(TRANSFORM _libs REPLACE "^leuko_base$" leuko_base_san)
    add_executable(${t}_san EXCLUDE_FROM_ALL ${_sources})
    target_include_directories(${t}_san PRIVATE ${_includes})
    target_compile_definitions(${t}_san PRIVATE ${_defs})
    target_link_libraries(${t}_san PRIVATE ${_libs})
    add_dependencies(leuko_sanitized_tests ${t}_san)
    add_test(NAME ${t}_san COMMAND ${t}_san)
    set_tests_properties(${t}_san PROPERTIES LABELS sanitize TIMEOUT 1800 ENVIRONMENT "${LEUKO_SANITIZER_ENV}")
  endforeach()
endif()

if(LEUKO_FUZZ)
  add_custom_target(leuko_fuzzers)
  file(GLOB _fuzz_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/fuzz/fuzz_*.cpp)
  foreach(source ${_fuzz_sources})
    get_filename_component(name ${source} NAME_WE)
    add_executable(${name} EXCLUDE_FROM_ALL ${source})
    target_compile_options(${name} PRIVATE ${LEUKO_COVERAGE_FLAGS})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(${name} PRIVATE leuko_base_san)
    add_dependencies(leuko_fuzzers ${name})
  endforeach()
  add_executable(fuzz_make_image_seeds EXCLUDE_FROM_ALL ${CMAKE_SOURCE_DIR}/fuzz/make_image_seeds.cpp)
  target_link_libraries(fuzz_make_image_seeds PRIVATE ${OpenCV_LIBS})
  add_executable(fuzz_make_pack_seeds EXCLUDE_FROM_ALL ${CMAKE_SOURCE_DIR}/fuzz/make_pack_seeds.cpp)
  target_link_libraries(fuzz_make_pack_seeds PRIVATE leuko_base_san)
endif()
