# Every dependency comes from a Debian 12 package; a missing one stops the configure step
# with the package to install (no FetchContent: nothing is downloaded at build time).

macro(evh_require_package name debian_package)
  find_package(${name} ${ARGN} QUIET)
  if(NOT ${name}_FOUND)
    message(FATAL_ERROR "evh needs ${name}: install the Debian package '${debian_package}' "
                        "(apt-get install ${debian_package}), or run scripts/install-deps.sh")
  endif()
endmacro()

evh_require_package(nlohmann_json nlohmann-json3-dev 3.10)
evh_require_package(ZLIB zlib1g-dev)
evh_require_package(OpenSSL libssl-dev)
evh_require_package(CLI11 libcli11-dev)
evh_require_package(Threads libc6-dev)

if(EVH_BUILD_TESTS)
  evh_require_package(GTest libgtest-dev)
  evh_require_package(rapidcheck librapidcheck-dev)
endif()
if(EVH_BUILD_BENCH)
  evh_require_package(benchmark libbenchmark-dev)
endif()
# RapidCheck is also used by the generators library (rc::Gen over the schema engine).
if(NOT rapidcheck_FOUND)
  evh_require_package(rapidcheck librapidcheck-dev)
endif()

# cpp-httplib: Debian ships it compiled (libcpp-httplib.so, with OpenSSL, zlib and brotli) and
# without a CMake config; its pkg-config file carries the -D flags the header must see.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(HTTPLIB QUIET IMPORTED_TARGET cpp-httplib)
endif()
if(NOT HTTPLIB_FOUND)
  message(FATAL_ERROR "evh needs cpp-httplib: install the Debian packages 'libcpp-httplib-dev' and "
                      "'pkg-config' (apt-get install libcpp-httplib-dev pkg-config), or run scripts/install-deps.sh")
endif()
