# Fuzz targets (STYLE.md §7.14, the simdjson / httplib / OSS-Fuzz way).
#
# EVH_FUZZ_LDFLAGS   the fuzzing engine's link flags: "-fsanitize=fuzzer" with clang, or
#                    $LIB_FUZZING_ENGINE under ClusterFuzzLite / OSS-Fuzz. Empty = no engine.
# EVH_FUZZ_LINKMAIN  link fuzz/replay_main.cpp instead of an engine, so every target builds with
#                    any compiler and replays its corpus as a ctest. ON unless EVH_FUZZ_LDFLAGS
#                    names an engine.
#
# evh_add_fuzzer(NAME [SOURCES more.cpp ...] [LIBS lib ...])
#   Builds fuzz/NAME_fuzzer.cpp (plus SOURCES) as the executable NAME_fuzzer, linked with
#   evh::generators, evh::harness and LIBS. With LINKMAIN it also registers the ctest
#   fuzz.NAME_fuzzer (label "fuzz") that runs every file of corpus/NAME_fuzzer/ once.
#   Engine and sanitizer flags go on fuzz targets only: on the libraries they would break
#   configuration checks and the ordinary binaries.

set(EVH_FUZZ_LDFLAGS "" CACHE STRING "Fuzzing engine link flags (-fsanitize=fuzzer, or $LIB_FUZZING_ENGINE)")
if(EVH_FUZZ_LDFLAGS)
  set(_evh_linkmain_default OFF)
else()
  set(_evh_linkmain_default ON)
endif()
option(EVH_FUZZ_LINKMAIN "Link fuzz targets with the standalone corpus runner (fuzz/replay_main.cpp)" ${_evh_linkmain_default})

# FuzzedDataProvider.h ships with clang (Debian: libclang-rt-14-dev, pulled in by libfuzzer-14-dev),
# not with gcc: a gcc LINKMAIN build finds it there.
find_path(EVH_FUZZED_DATA_PROVIDER_DIR fuzzer/FuzzedDataProvider.h
  HINTS /usr/lib/llvm-14/lib/clang/14.0.6/include
  PATHS /usr/lib/llvm-16/lib/clang/16/include /usr/lib/llvm-15/lib/clang/15.0.6/include)
if(NOT EVH_FUZZED_DATA_PROVIDER_DIR)
  file(GLOB _evh_fdp_candidates /usr/lib/llvm-*/lib/clang/*/include/fuzzer/FuzzedDataProvider.h)
  if(_evh_fdp_candidates)
    list(GET _evh_fdp_candidates 0 _evh_fdp)
    get_filename_component(_evh_fdp_dir "${_evh_fdp}" DIRECTORY)
    get_filename_component(_evh_fdp_dir "${_evh_fdp_dir}" DIRECTORY)
    set(EVH_FUZZED_DATA_PROVIDER_DIR "${_evh_fdp_dir}" CACHE PATH "" FORCE)
  else()
    message(FATAL_ERROR "fuzzer/FuzzedDataProvider.h not found: install the Debian package libfuzzer-14-dev (scripts/install-deps.sh does)")
  endif()
endif()

# That directory also holds clang's own stddef.h, limits.h, ...: on gcc's include path they would
# shadow gcc's. Only the header is copied into the build tree, and that copy is what targets see.
set(EVH_FUZZ_INCLUDE_DIR ${PROJECT_BINARY_DIR}/fuzz-include)
configure_file(${EVH_FUZZED_DATA_PROVIDER_DIR}/fuzzer/FuzzedDataProvider.h
               ${EVH_FUZZ_INCLUDE_DIR}/fuzzer/FuzzedDataProvider.h COPYONLY)

function(evh_add_fuzzer name)
  cmake_parse_arguments(F "" "" "SOURCES;LIBS" ${ARGN})
  set(target ${name}_fuzzer)
  set(main_src)
  if(EVH_FUZZ_LINKMAIN)
    set(main_src ${PROJECT_SOURCE_DIR}/fuzz/replay_main.cpp)
  endif()
  add_executable(${target} ${CMAKE_CURRENT_SOURCE_DIR}/${target}.cpp ${F_SOURCES} ${main_src})
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR})
  target_include_directories(${target} SYSTEM PRIVATE ${EVH_FUZZ_INCLUDE_DIR})
  target_link_libraries(${target} PRIVATE evh::generators evh::harness ${F_LIBS})
  evh_target_warnings(${target})
  if(EVH_FUZZ_LDFLAGS)
    separate_arguments(_flags UNIX_COMMAND "${EVH_FUZZ_LDFLAGS}")
    target_link_options(${target} PRIVATE ${_flags})
  endif()
  set_property(GLOBAL APPEND PROPERTY EVH_ALL_FUZZERS ${target})
  if(EVH_FUZZ_LINKMAIN AND EVH_BUILD_TESTS)
    add_test(NAME fuzz.${target} COMMAND ${target} ${PROJECT_SOURCE_DIR}/corpus/${target})
    set_tests_properties(fuzz.${target} PROPERTIES LABELS fuzz TIMEOUT 300)
  endif()
endfunction()
