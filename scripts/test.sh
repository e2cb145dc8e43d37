#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds evh with its tests, runs ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh -DEVH_BUILD_TESTS=ON -DEVH_BUILD_BENCH=ON
cd build
ctest --output-on-failure -j2 --timeout 600
