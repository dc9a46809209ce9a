#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main demo on the platform: firmware on the CPU
# driving the NPU through its runtime (dense, convolution, sparse and vector kernels checked
# against golden outputs of the host reference), with statistics and a VCD timeline.
# Extra arguments go to every nvr-vp run (e.g. --prefetcher imp).
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh
cmake --preset default >/dev/null
cmake --build --preset default
mkdir -p out
vp=./build/platform/nvr-vp
fw=build/firmware/bin

echo "== nvr-vp running firmware/tests/hello (UART output follows)"
"$vp" --firmware "$fw/hello.elf" --stats out/hello-stats.json "$@"

echo "== generating the NPU kernel image (inputs and golden outputs from workloads/ref)"
./build/workloads/gen/nvr-kernel-images --seed 1 out/npu-kernels.img
echo "== nvr-vp running firmware/tests/npu_kernels on the NPU"
"$vp" --firmware "$fw/npu_kernels.elf" --load out/npu-kernels.img@0x88000000 \
  --stats out/npu-kernels-stats.json --vcd out/npu-kernels.vcd "$@"
echo "== statistics in out/npu-kernels-stats.json; timeline in out/npu-kernels.vcd"
echo "   (open it with: gtkwave out/npu-kernels.vcd out/npu-kernels.gtkw)"

echo "== nvr-vp running firmware/bench/compute (about 200 million instructions)"
"$vp" --firmware "$fw/compute.elf" --stats out/compute-stats.json "$@"
echo "== statistics written to out/compute-stats.json"
