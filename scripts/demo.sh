#!/usr/bin/env bash
# The main job: installs what is missing, builds evh, generates and validates a corpus of events
# for every event source into evh-out/ (one JSONL file per source plus a summary), then runs the
# bundled example handlers through the harness (in-process and, with node, through evh's
# Runtime API server) and writes a report per run under evh-out/runs/.
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

# The harness against the example handlers: correct ones must pass, buggy ones must be caught.
{
  echo
  echo "## Example handlers through the harness (sync, async and poll modes), seed $seed"
  echo
  echo "| run | target | expected | verdict | findings | report |"
  echo "|---|---|---|---|---|---|"
} >> "$summary"
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
mkdir -p "$out/runs"
run_example http-echo builtin:apigw-echo pass --source apigw-http --mode sync --faults duplicate-delivery,lost-response,throttle,cold-start
run_example rest-fragile builtin:apigw-fragile fail --source apigw-rest --mode sync
run_example rest-string-status builtin:apigw-string-status fail --source apigw-rest --mode sync --mutate none
run_example sqs-partial builtin:sqs-partial pass --source sqs --mode sync
run_example s3-async-destinations builtin:noop pass examples/scenarios/s3-async-destinations.json --mutate none
run_example sqs-poll-redrive builtin:sqs-partial pass examples/scenarios/sqs-partial-batch.json --mutate none
if command -v node >/dev/null; then
  run_example rest-fragile-node "runtime-api:node examples/node/runtime_client.js apigw-fragile" fail --source apigw-rest --mode sync
  run_example sqs-partial-node "runtime-api:node examples/node/runtime_client.js sqs-partial" pass --source sqs --mode sync
fi

cat "$summary"
echo
echo "evh: corpus written to $out/events/ (valid events, legal edges and illegal inputs per source, with seeds)"
echo "evh: harness reports written to $out/runs/ (result.json, trace.jsonl, findings/ per run)"
exit $status
