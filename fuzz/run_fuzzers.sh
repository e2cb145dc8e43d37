#!/usr/bin/env bash
# Builds every fuzz target with clang, libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer,
# runs each for SECONDS on a copy of its corpus, and fails on any crash, leak, timeout or OOM.
#
#   fuzz/run_fuzzers.sh [SECONDS] [TARGET...]    # default 20 s each; evh's own parsers (fuzz/*_fuzzer)
#
# Environment: EVH_FUZZ_BUILD_DIR (default build-fuzz), EVH_FUZZ_JOBS (default 2),
# EVH_FUZZ_CC / EVH_FUZZ_CXX (default clang / clang++).
# Coverage instrumentation (fuzzer-no-link) is on every library; the engine (-fsanitize=fuzzer)
# is linked into the fuzz targets only (cmake/EvhFuzz.cmake). New inputs go to a temporary copy
# of corpus/<target>/, never into the repository; crash, leak, timeout and OOM inputs are kept in
# <build dir>/fuzz-artifacts/. Without clang or libFuzzer it says so in one line and exits 0.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECONDS_EACH=${1:-20}
shift || true
BUILD=${EVH_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
JOBS=${EVH_FUZZ_JOBS:-2}
CC_BIN=${EVH_FUZZ_CC:-clang}
CXX_BIN=${EVH_FUZZ_CXX:-clang++}
SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
# -g1: line tables for the sanitizers' stack traces, at a fraction of full debug info's build time.
FLAGS="$SANITIZE -fsanitize=fuzzer-no-link -O1 -g1"
# Per-input timeout (s) and memory cap (MB): past them libFuzzer reports a timeout or an OOM.
TIMEOUT_S=10
RSS_LIMIT_MB=2048

if ! [[ $SECONDS_EACH =~ ^[0-9]+$ ]] || ((SECONDS_EACH < 1)); then
  echo "usage: fuzz/run_fuzzers.sh [SECONDS] [TARGET...]" >&2
  exit 2
fi

# clang with libFuzzer, or nothing to do.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' >"$probe/p.cpp"
if ! command -v "$CXX_BIN" >/dev/null 2>&1 || ! command -v "$CC_BIN" >/dev/null 2>&1; then
  echo "run_fuzzers.sh: $CXX_BIN not found: fuzzing skipped (install clang and libfuzzer-14-dev)"
  exit 0
fi
if ! "$CXX_BIN" $SANITIZE -fsanitize=fuzzer "$probe/p.cpp" -o "$probe/p" >/dev/null 2>&1; then
  echo "run_fuzzers.sh: $CXX_BIN cannot link -fsanitize=fuzzer (libFuzzer missing): fuzzing skipped (install libfuzzer-14-dev)"
  exit 0
fi

# Which targets: those named, else evh's own parsers (fuzz/*_fuzzer.cpp). The handler fuzzers
# (fuzz/handlers/) are run by name: those of the buggy example handlers exist to find their bugs,
# so they fail by design (fuzz/handlers/measure.sh measures them).
if (($# > 0)); then
  targets=("$@")
else
  read -r -a targets <<<"$(find "$ROOT/fuzz" -maxdepth 1 -type f -name '*_fuzzer.cpp' -printf '%f\n' | sed 's/\.cpp$//' | sort | tr '\n' ' ')"
fi
if ((${#targets[@]} == 0)); then
  echo "run_fuzzers.sh: no *_fuzzer target"
  exit 1
fi

# Build: those targets only (the libraries they need, instrumented; not the CLI, tests or benches).
start=$(date +%s)
mkdir -p "$BUILD"
if ! CC=$CC_BIN CXX=$CXX_BIN CFLAGS="$FLAGS" CXXFLAGS="$FLAGS" cmake -S "$ROOT" -B "$BUILD" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEVH_BUILD_FUZZERS=ON -DEVH_FUZZ_LDFLAGS=-fsanitize=fuzzer \
  -DEVH_BUILD_TESTS=OFF -DEVH_BUILD_BENCH=OFF >"$BUILD/fuzz-configure.log" 2>&1; then
  tail -n 30 "$BUILD/fuzz-configure.log"
  echo "run_fuzzers.sh: configuring $BUILD failed (log: $BUILD/fuzz-configure.log)"
  exit 1
fi
if ! ninja -C "$BUILD" -j "$JOBS" "${targets[@]}" >"$BUILD/fuzz-build.log" 2>&1; then
  tail -n 40 "$BUILD/fuzz-build.log"
  echo "run_fuzzers.sh: building ${targets[*]} failed (log: $BUILD/fuzz-build.log)"
  exit 1
fi
echo "run_fuzzers.sh: built ${#targets[@]} target(s) in $(($(date +%s) - start)) s ($BUILD)"

ARTIFACTS=$BUILD/fuzz-artifacts
WORK=$(mktemp -d)
trap 'rm -rf "$probe" "$WORK"' EXIT
mkdir -p "$ARTIFACTS"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

rows=()
failed=0
for t in "${targets[@]}"; do
  bin=$(find "$BUILD" -type f -name "$t" -perm -u+x | head -n 1)
  if [[ -z $bin ]]; then
    rows+=("$t|missing|-|-|-|-|-")
    failed=1
    continue
  fi
  corpus=$WORK/$t
  mkdir -p "$corpus"
  [[ -d $ROOT/corpus/$t ]] && cp -R "$ROOT/corpus/$t/." "$corpus/"
  args=(-max_total_time="$SECONDS_EACH" -timeout="$TIMEOUT_S" -rss_limit_mb="$RSS_LIMIT_MB" -print_final_stats=1
        -artifact_prefix="$ARTIFACTS/$t-")
  [[ -f $ROOT/corpus/$t.dict ]] && args+=(-dict="$ROOT/corpus/$t.dict")
  # corpus/<target>.options (OSS-Fuzz format): "[libfuzzer]" then "flag = value" lines.
  if [[ -f $ROOT/corpus/$t.options ]]; then
    while IFS='=' read -r k v; do
      k=${k//[[:space:]]/}
      v=${v//[[:space:]]/}
      [[ -n $k && -n $v && $k != \[* ]] && args+=("-$k=$v")
    done <"$ROOT/corpus/$t.options"
  fi
  log=$BUILD/fuzz-$t.log
  echo "run_fuzzers.sh: $t for ${SECONDS_EACH} s ($(find "$corpus" -type f | wc -l) seeds)"
  status=ok
  if ! "$bin" "${args[@]}" "$corpus" >"$log" 2>&1; then
    failed=1
    status=FAIL
    if grep -q "ERROR: libFuzzer: timeout" "$log"; then status=TIMEOUT
    elif grep -q "out-of-memory" "$log"; then status=OOM
    elif grep -q "ERROR: LeakSanitizer" "$log"; then status=LEAK
    elif grep -q "runtime error:" "$log"; then status=UB
    elif grep -qE "ERROR: (AddressSanitizer|libFuzzer)" "$log"; then status=CRASH
    fi
    grep -E "ERROR: |runtime error:|SUMMARY:|Test unit written to|^fuzz: " "$log" | head -n 8 | sed "s/^/  $t: /"
    echo "  $t: log $log; reproduce with: $bin <artifact>"
  fi
  # The last status line: "#N DONE cov: C ft: F corp: N/S lim: L exec/s: E rss: R".
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  field() { sed -n "s/.* $1: \\([^ ]*\\).*/\\1/p" <<<"$last"; }
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  rows+=("$t|$status|${execs:--}|${rate:--}|$(field cov)|$(field ft)|$(field corp)")
done

printf '\n%-30s %-8s %12s %9s %7s %8s %12s\n' target status execs "exec/s" cov ft corp
for r in "${rows[@]}"; do
  IFS='|' read -r t s e x c f p <<<"$r"
  printf '%-30s %-8s %12s %9s %7s %8s %12s\n' "$t" "$s" "$e" "$x" "${c:--}" "${f:--}" "${p:--}"
done
if ((failed)); then
  echo "run_fuzzers.sh: FAILED (inputs in $ARTIFACTS)"
  exit 1
fi
echo "run_fuzzers.sh: ${#targets[@]} target(s), ${SECONDS_EACH} s each: no crash, leak, timeout or OOM"
