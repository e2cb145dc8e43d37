#!/bin/sh
# Measures the handler fuzzers (docs/fuzzing.md "Handler fuzzers") and prints a table:
#  - each buggy example handler is fuzzed from an empty corpus for at most BUDGET seconds (60):
#    the time to its first finding and the invariant reported, which must be the one the handler
#    was written to trip (the crash input is kept in OUT/<fuzzer>/);
#  - each correct twin is fuzzed for TWIN_SECONDS (300) and must not fire.
# One fuzzer runs at a time. Needs the clang build of the fuzzers (libFuzzer, ASan + UBSan):
#
#   CC=clang CXX=clang++ CXXFLAGS="-fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer -O1 -g" \
#     cmake -S . -B build-fuzz -G Ninja -DEVH_FUZZ_LDFLAGS=-fsanitize=fuzzer -DEVH_BUILD_TESTS=OFF -DEVH_BUILD_BENCH=OFF
#   ninja -C build-fuzz all_fuzzers
#   fuzz/handlers/measure.sh                      # everything: about 9 × ≤60 s + 6 × 300 s
#   fuzz/handlers/measure.sh buggy                # only the buggy handlers
#   fuzz/handlers/measure.sh twins                # only the correct twins
#   fuzz/handlers/measure.sh handler_sqs_swallow  # named fuzzers (without _fuzzer)
#
# Environment: EVH_FUZZ_BUILD_DIR (default build-fuzz), BUDGET, TWIN_SECONDS, SEED (libFuzzer
# -seed, default 1), OUT (default a new temporary directory). Exit 1 when a buggy handler is not
# found by its invariant in time or a twin fires.
set -u

here=$(cd "$(dirname "$0")" && pwd)
build=${EVH_FUZZ_BUILD_DIR:-$here/../../build-fuzz}
budget=${BUDGET:-60}
twin_seconds=${TWIN_SECONDS:-300}
seed=${SEED:-1}
out=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/evh-handler-fuzz.XXXXXX")}

# fuzzer (without _fuzzer) | invariant it must report ("" = a correct twin: must not fire)
table="handler_sqs_wrong_id|batch.identifiers
handler_sqs_swallow|batch.failures-reported
handler_sqs_throw_one|batch.partial-not-whole
handler_sqs_not_idempotent|idempotency.effects
handler_sqs_ack_unprocessed|delivery.no-loss
handler_fifo_reorder|order.per-key
handler_empty_body_crash|robust.no-crash
handler_unicode_hang|robust.no-hang
handler_alexa_oversize|limits.payload
handler_sqs_correct|
handler_sqs_fifo_correct|
handler_kinesis_correct|
handler_s3_correct|
handler_alexa_correct|
handler_apigw_echo|"

selected=""
case "${1:-all}" in
  all) selected=$(printf '%s\n' "$table") ;;
  buggy) selected=$(printf '%s\n' "$table" | grep -v '|$') ;;
  twins) selected=$(printf '%s\n' "$table" | grep '|$') ;;
  *) for name in "$@"; do selected="$selected$(printf '%s\n' "$table" | grep "^$name|")
"; done ;;
esac

now() { date +%s.%N; }
status=0
rows=""
for row in $selected; do
  [ -n "$row" ] || continue
  name=${row%%|*}
  expected=${row#*|}
  bin="$build/fuzz/handlers/${name}_fuzzer"
  if [ ! -x "$bin" ]; then
    echo "measure.sh: $bin is missing: build the fuzzers with clang first (see the top of this script)" >&2
    exit 2
  fi
  dir="$out/$name"
  mkdir -p "$dir/corpus" "$dir/findings"
  if [ -n "$expected" ]; then limit=$budget; else limit=$twin_seconds; fi
  echo "measure.sh: $name (${expected:-must not fire}, up to $limit s) ..." >&2
  start=$(now)
  EVH_FINDINGS_DIR="$dir/findings" "$bin" -seed="$seed" -max_total_time="$limit" -timeout=25 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$dir/" "$dir/corpus" >"$dir/log" 2>&1
  rc=$?
  end=$(now)
  seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
  reported=$(sed -n 's/^=== evh: invariant violated: //p' "$dir/log" | head -n 1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -n 1)
  artifact=$(ls "$dir"/crash-* "$dir"/timeout-* "$dir"/oom-* "$dir"/leak-* 2>/dev/null | head -n 1)
  if [ -n "$expected" ]; then
    if [ "$reported" = "$expected" ] && [ -n "$artifact" ]; then verdict="found"; else verdict="NOT FOUND"; status=1; fi
  else
    if [ "$rc" -eq 0 ] && [ -z "$artifact" ]; then verdict="clean"; seconds="$seconds"; else verdict="FIRED"; status=1; fi
  fi
  rows="$rows$name|${expected:--}|${reported:--}|$seconds|${execs:-?}|${rate:-?}|$verdict|${artifact:-}
"
done

printf '\n%-28s %-24s %-24s %8s %9s %7s  %s\n' "fuzzer" "expected" "reported" "seconds" "execs" "exec/s" "verdict"
printf '%s' "$rows" | while IFS='|' read -r name expected reported seconds execs rate verdict artifact; do
  printf '%-28s %-24s %-24s %8s %9s %7s  %s\n' "$name" "$expected" "$reported" "$seconds" "$execs" "$rate" "$verdict"
done
printf '\nlogs, findings and crash inputs: %s/<fuzzer>/\n' "$out"
exit $status
