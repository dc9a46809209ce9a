#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main demo: the three workloads (the integer
# stories260K LLM, dense and 30% CSR; FlashOcc-style occupancy; PillarHist detection on a KITTI
# scan) as firmware on the CPU driving the NPU through its runtime, with the NVR runahead
# prefetcher beside the NPU. Each firmware checks its outputs bit for bit against the host
# reference and prints a per-layer cycle profile; each also runs without a prefetcher for the
# speedup column. Prints one summary table and the story the LLM wrote; writes statistics (JSON)
# and a VCD timeline per workload into out/, drawn by tools/nvr-timeline. Extra arguments go to
# every nvr-vp run (e.g. --nsb-size 0).
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh
cmake --preset default >/dev/null
cmake --build --preset default
out=out/demo
mkdir -p "$out"
vp=./build/platform/nvr-vp
workloads=(llm llm_sparse occ det)

summary=()
for w in "${workloads[@]}"; do
  echo "== $w on the NPU with NVR (--prefetcher nvr): per-layer profile from the firmware"
  "$vp" --workload "$w" --prefetcher nvr --stats "$out/$w-nvr.json" --uart-out "$out/$w-nvr.txt" \
    --vcd "$out/$w.vcd" --vcd-groups npu,nvr "$@" || true
  sed -n '/^layer /,/^total /p' "$out/$w-nvr.txt"
  tail -n 1 "$out/$w-nvr.txt"
  /usr/bin/python3 tools/nvr-timeline "$out/$w.vcd" --stats "$out/$w-nvr.json" -o "$out/$w-timeline" | sed -n 1p || true
  echo "   (the same without a prefetcher, for the speedup column)"
  "$vp" --workload "$w" --prefetcher none --stats "$out/$w-none.json" --uart-out "$out/$w-none.txt" "$@" || true
  summary+=("$w:$out/$w-nvr.json:$out/$w-nvr.txt:$out/$w-none.json")
done

echo
echo "== summary (NVR on; speedup = NPU cycles without a prefetcher / with NVR)"
tools/workload-summary "${summary[@]}" --story "$out/llm-nvr.txt" --json "$out/summary.json"
echo
echo "== firmware output in $out/<workload>-nvr.txt, statistics in $out/<workload>-nvr.json,"
echo "   timelines in $out/<workload>.vcd (groups npu, nvr: the runahead position against the NPU's);"
echo "   open one with: gtkwave $out/det.vcd $out/det.gtkw; drawn (tools/nvr-timeline) in $out/<workload>-timeline.svg"
echo "   docs/results.md has the NVR experiment on the sparse kernel suite (tools/nvr-experiment)."

echo "== nvr-vp running firmware/bench/compute (about 200 million instructions): simulation speed"
"$vp" --firmware build/firmware/bin/compute.elf --stats out/compute-stats.json "$@"
