#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main demo on the platform.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh
cmake --preset default >/dev/null
cmake --build --preset default
mkdir -p out
echo "== nvr-vp running firmware/tests/hello (UART output follows)"
./build/platform/nvr-vp --firmware build/firmware/bin/hello.elf --stats out/hello-stats.json "$@"
echo "== statistics written to out/hello-stats.json"
echo "== nvr-vp running firmware/bench/compute (about 200 million instructions)"
./build/platform/nvr-vp --firmware build/firmware/bin/compute.elf --stats out/compute-stats.json "$@"
echo "== statistics written to out/compute-stats.json"
