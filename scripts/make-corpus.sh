#!/usr/bin/env bash
# Regenerates corpus/events/<source>/<sha1>.json: three valid events per source, seed 1.
set -euo pipefail
cd "$(dirname "$0")/.."
evh=${1:-build/cli/evh}
rm -rf corpus/events
for source in $($evh list sources --json | sed -n 's/.*"id": "\(.*\)".*/\1/p'); do
  mkdir -p "corpus/events/$source"
  $evh generate "$source" -n 3 --seed 1 2>/dev/null | while IFS= read -r line; do
    sum=$(printf '%s' "$line" | sha1sum | cut -c1-40)
    printf '%s\n' "$line" > "corpus/events/$source/$sum.json"
  done
done
echo "evh: corpus/events written"
