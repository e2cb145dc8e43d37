#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds evh with its tests, runs ctest, then
# fuzzes evh's own parsers (fuzz/*_fuzzer.cpp) with clang, libFuzzer, ASan and UBSan for
# EVH_FUZZ_SECONDS each (default 10; 0 skips): any crash, leak, timeout or OOM in evh fails the
# suite. Without clang the fuzz stage says so in one line and is skipped; the corpus-replay ctests
# (label "fuzz") still run every target under g++.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh -DEVH_BUILD_TESTS=ON -DEVH_BUILD_BENCH=ON
(cd build && ctest --output-on-failure -j2 --timeout 600)
if [ "${EVH_FUZZ_SECONDS:-10}" != 0 ]; then
  fuzz/run_fuzzers.sh "${EVH_FUZZ_SECONDS:-10}"
fi
