#!/usr/bin/env bash
# The main job: installs what is missing, builds evh, and generates and validates a corpus of
# events for every event source into evh-out/ (one JSONL file per source plus a summary).
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
  $evh generate "$source" -n 30 --seed "$seed" --mutate legal --with-meta -o "$out/events/$source.legal.jsonl" 2>/dev/null
  $evh generate "$source" -n 30 --seed "$seed" --mutate illegal --with-meta -o "$out/events/$source.illegal.jsonl" 2>/dev/null
  echo "| $source | $model | 200 | $valid | 30 | 30 |" >> "$summary"
done
cat "$summary"
echo
echo "evh: corpus written to $out/ (valid events, legal edges and illegal inputs per source, with seeds)"
exit $status
