#!/usr/bin/env bash
# Configures and builds evh in build/ (Ninja, -j2, ccache when present). Extra arguments go to
# CMake, e.g. scripts/build.sh -DEVH_BUILD_TESTS=OFF.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEVH_WERROR=ON "$@" >/dev/null
cmake --build build -j2
