#!/usr/bin/env bash
# Configures and builds evh in build/ (Ninja, -j2, ccache when present). Extra arguments go to
# CMake, e.g. scripts/build.sh -DEVH_BUILD_TESTS=OFF.
#
# -O2 without debug info: full debug info (-g) costs about a third of the build time on the
# nlohmann::json-heavy sources, and the suite has to build and run on 2 cores in CI. For a
# debugger, configure a build of your own: cmake -S . -B build-debug -DCMAKE_BUILD_TYPE=Debug.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" -DEVH_WERROR=ON "$@" >/dev/null
cmake --build build -j2
