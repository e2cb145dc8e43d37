#!/usr/bin/env bash
# Installs what evh needs from Debian 12's packages, and only what is missing.
# Run as root (it calls apt-get). Safe to run again: it does nothing when all is there.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  nlohmann-json3-dev libcpp-httplib-dev librapidcheck-dev libgtest-dev libgmock-dev
  libcli11-dev libbenchmark-dev zlib1g-dev libssl-dev
  clang libfuzzer-14-dev ccache
  nodejs  # the example handlers in JavaScript: out-of-process targets in the demo and e2e tests
  libtinyxml2-dev libxml2-utils python3-jsonschema chromium  # report tests: JUnit XML parse, SARIF schema, HTML render
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "evh: missing Debian packages: ${missing[*]}; run this script as root to install them" >&2
  exit 2
fi

echo "evh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
