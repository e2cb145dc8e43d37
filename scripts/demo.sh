#!/usr/bin/env bash
# The main job: installs what is missing, builds evh, generates and validates a corpus of events
# for every event source into evh-out/ (one JSONL file per source plus a summary), runs the Node.js
# example handlers through evh's Runtime API server (with node), then `evh demo`: the bundled
# correct and buggy handlers over six sources, every report format, into evh-out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh -DEVH_BUILD_TESTS=OFF -DEVH_BUILD_BENCH=OFF
evh=build/cli/evh
out=evh-out
mkdir -p "$out/events"
seed=${EVH_SEED:-20261123}
summary="$out/summary.md"
{
  echo "# evh corpus, seed $seed"
  echo
  echo "| source | model | events | valid | legal edges | illegal |"
  echo "|---|---|---|---|---|---|"
} > "$summary"
status=0
for source in $($evh list sources --json | sed -n 's/.*"id": "\(.*\)".*/\1/p'); do
  model=$($evh list sources | awk -v s="$source" '$1 == s {print $2}')
  f="$out/events/$source.jsonl"
  $evh generate "$source" -n 200 --seed "$seed" -o "$f" 2>/dev/null
  if $evh validate "$source" --strict "$f" >"$out/events/$source.problems" 2>/dev/null; then valid=200; else valid=fail; status=1; fi
  $evh generate "$source" -n 20 --seed "$seed" --mutate legal --with-meta -o "$out/events/$source.legal.jsonl" 2>/dev/null
  $evh generate "$source" -n 20 --seed "$seed" --mutate illegal --with-meta -o "$out/events/$source.illegal.jsonl" 2>/dev/null
  echo "| $source | $model | 200 | $valid | 20 | 20 |" >> "$summary"
done

# Out-of-process: the same example handlers in JavaScript, through evh's Lambda Runtime API
# server and the Node.js runtime client (skipped without node).
run_example() {  # name target expected(pass|fail) [run arguments: --source S --mode M or a scenario file]
  local name=$1 target=$2 expected=$3; shift 3
  local dir="$out/runs/$name" code=0
  $evh run "$@" --target "$target" --cases 100 --seed "$seed" \
    --report-dir "$dir" >"$out/runs/$name.txt" 2>&1 || code=$?
  local verdict=pass findings
  [ $code -eq 1 ] && verdict=fail
  [ $code -gt 1 ] && verdict="error (exit $code)"
  findings=$(sed -n 's/.*"findings": \([0-9]*\),*$/\1/p' "$dir/result.json" 2>/dev/null | head -1)
  echo "| $name | \`$target\` | $expected | $verdict | ${findings:-?} | $dir/result.json |" >> "$summary"
  [ "$verdict" = "$expected" ] || status=1
}
if command -v node >/dev/null; then
  {
    echo
    echo "## Example handlers in Node.js through evh's Runtime API server, seed $seed"
    echo
    echo "| run | target | expected | verdict | findings | report |"
    echo "|---|---|---|---|---|---|"
  } >> "$summary"
  mkdir -p "$out/runs"
  run_example rest-fragile-node "runtime-api:node examples/node/runtime_client.js apigw-fragile" fail --source apigw-rest --mode sync
  run_example sqs-partial-node "runtime-api:node examples/node/runtime_client.js sqs-partial" pass --source sqs --mode sync
fi
cat "$summary"
echo
echo "evh: corpus written to $out/events/ (valid events, legal edges and illegal inputs per source, with seeds)"
[ -d "$out/runs" ] && echo "evh: Runtime API runs written to $out/runs/ (result.json, trace.jsonl, findings/ per run)"

# The demo: the correct and buggy example handlers (in-process) over SQS, SQS FIFO, Kinesis,
# DynamoDB Streams, API Gateway HTTP and S3 (async); correct ones must pass, buggy ones must be
# caught by their invariant. Every report format per run, and an index.
echo
$evh demo --report-dir "$out/demo" --seed "$seed" || status=1
echo
echo "evh: demo reports in $out/demo/: open $out/demo/index.html (or read $out/demo/index.md)"
exit $status
