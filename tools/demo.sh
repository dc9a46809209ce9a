#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main demo on the platform: firmware on the CPU
# driving the NPU through its runtime (dense, convolution, sparse and vector kernels checked
# against golden outputs of the host reference) with the NVR runahead prefetcher, with statistics
# and a VCD timeline; then sparse kernels without and with NVR side by side.
# Extra arguments go to every nvr-vp run (e.g. --nsb-size 0).
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
echo "== nvr-vp running firmware/tests/npu_kernels on the NPU, with NVR (--prefetcher nvr)"
"$vp" --firmware "$fw/npu_kernels.elf" --load out/npu-kernels.img@0x88000000 --prefetcher nvr \
  --stats out/npu-kernels-stats.json --vcd out/npu-kernels.vcd "$@"
echo "== statistics in out/npu-kernels-stats.json; timeline in out/npu-kernels.vcd (group nvr: runahead"
echo "   position against the NPU's, prefetches in flight); open it with:"
echo "   gtkwave out/npu-kernels.vcd out/npu-kernels.gtkw"

echo "== sparse kernels (2048 x 2048 CSR at 1/64 times 2048 x 128, SpMV 256 x 65536 at 1/64, embedding"
echo "   lookup) without a prefetcher and with NVR; docs/results.md has the whole experiment"
cases=(spmm_d64_uni_2048x2048x128 spmv_d64_uni_256x65536 embed_pl_16384_of_32768x16)
case_args=()
for c in "${cases[@]}"; do case_args+=(--case "$c"); done
./build/workloads/gen/nvr-kernel-images --seed 1 --set sparse "${case_args[@]}" out/sparse-demo.img
for prefetcher in none nvr; do
  "$vp" --firmware "$fw/npu_kernels.elf" --load out/sparse-demo.img@0x88000000 --prefetcher "$prefetcher" \
    --stats "out/sparse-$prefetcher-stats.json" "$@" > "out/sparse-$prefetcher.txt"
done
python3 - <<'PY'
import json, re
def cycles(name):
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^\s*(\S+)\s+PASS\s+(\d+) cycles", open(f"out/sparse-{name}.txt").read(), re.M)}
def nsb(name):
    return json.load(open(f"out/sparse-{name}-stats.json"))["soc"]["npu"]["memory"]["nsb"]
none, nvr = cycles("none"), cycles("nvr")
print(f"   {'case':32} {'none cycles':>12} {'nvr cycles':>12} {'speedup':>8}")
for case in none:
    print(f"   {case:32} {none[case]:12d} {nvr[case]:12d} {none[case] / nvr[case]:7.2f}x")
a, b = nsb("none"), nsb("nvr")
print(f"   NSB demand misses: {a['misses']} without, {b['misses']} with NVR; NVR prefetch accuracy "
      f"{b['prefetch']['accuracy']:.1%}, coverage {b['prefetch']['coverage']:.1%}")
PY

echo "== nvr-vp running firmware/bench/compute (about 200 million instructions)"
"$vp" --firmware "$fw/compute.elf" --stats out/compute-stats.json "$@"
echo "== statistics written to out/compute-stats.json"
