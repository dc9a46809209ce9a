#!/usr/bin/env python3
"""The NPU memory trace and the oracle on the platform, on the npu_kernels firmware.

check_oracle_trace.py VP TRACE_SIM FIRMWARE IMAGE@ADDRESS WORKDIR

1. nvr-vp --trace-npu-memory records the run (binary and text: the same records; other timing
   gives the same DMA requests at other times);
2. nvr-trace-sim replays the trace: its NSB demand accesses and misses and its L2 demand accesses
   equal the platform's statistics of the recorded run;
3. nvr-vp --prefetcher oracle --oracle-trace: the firmware still passes, the oracle consumes its
   whole future without a resync at the NSB, and the NSB demand misses fall well below those of
   --prefetcher none (to at most 55 %: the NSB's 16 MSHRs, which the NPU's 16 DMA slots keep busy,
   drop many prefetches; with 64 MSHRs (and 64 prefetch MSHRs) and distance 32, to at most 10 %);
4. a truncated binary trace is a clear error (exit code 65);
5. the oracle at the L2 (--prefetch-level l2, and --nsb-size 0) cuts the L2 misses to at most
   15 % (6 % and 13 % measured); its few resyncs come from the NPU's fetch, whose refetches of a ring line depend on timing.
"""
import json
import subprocess
import sys

vp, trace_sim, firmware, load, work = sys.argv[1:6]
PASS = "0 failure(s)"


def run_vp(name, *options):
    stats = f"{work}/{name}.json"
    uart = f"{work}/{name}.uart"
    command = [vp, "--load", load, "--uart-out", uart, "--stats", stats, *options, firmware]
    result = subprocess.run(command, capture_output=True, text=True)
    output = open(uart).read()
    if result.returncode != 0 or PASS not in output:
        sys.exit(f"{' '.join(command)}: exit {result.returncode}\n{result.stderr}\n{output[-2000:]}")
    return json.load(open(stats))["soc"]["npu"]["memory"]


def replay(trace, name):
    out = f"{work}/{name}.json"
    subprocess.run([trace_sim, "-q", "--json", out, trace], check=True)
    return json.load(open(out))["memory"]


def check(condition, message):
    print(("ok: " if condition else "FAILED: ") + message)
    if not condition:
        sys.exit(1)


recorded = run_vp("record", "--trace-npu-memory", f"{work}/npu.bin")
run_vp("record_text", "--trace-npu-memory", f"{work}/npu.trace")
check(open(f"{work}/npu.trace").readline().startswith("# nvr-vp "), "the text trace starts with its header comment")
# Other timing (a prefetcher, fewer DMA slots, a slower clock) changes the times, not the DMA
# requests: the basis of the oracle's future.
run_vp("record_other_timing", "--prefetcher", "stride", "--npu-outstanding", "4", "--npu-clock", "800MHz",
       "--trace-npu-memory", f"{work}/npu_other_timing.trace")


def dma_requests(path):
    lines = [line.split(" ", 1)[1] for line in open(path) if line.startswith("@")]
    return [line for line in lines if not line.startswith("F ")]


same = dma_requests(f"{work}/npu.trace") == dma_requests(f"{work}/npu_other_timing.trace")
check(same, "another timing gives the same DMA request sequence")
binary, text = replay(f"{work}/npu.bin", "replay_bin"), replay(f"{work}/npu.trace", "replay_text")
check(binary == text, "the binary and the text trace replay to identical statistics")

nsb, l2 = recorded["nsb"], recorded["l2"]
for level, key in (("nsb", "accesses"), ("nsb", "misses"), ("l2", "accesses")):
    check(binary[level][key] == recorded[level][key],
          f"replayed {level}.{key} {binary[level][key]} == platform {recorded[level][key]}")

oracle = run_vp("oracle", "--prefetcher", "oracle", "--oracle-trace", f"{work}/npu.bin")
figures = oracle["nsb"]["prefetcher"]
check(figures["resyncs"] == 0, f"NSB oracle: no resyncs ({figures['resyncs']})")
check(figures["position"] == nsb["accesses"], f"NSB oracle: consumed its future ({figures['position']} lines)")
check(oracle["nsb"]["accesses"] == nsb["accesses"], "the oracle run makes the same NSB demand accesses")
check(oracle["nsb"]["misses"] <= 0.55 * nsb["misses"],
      f"NSB oracle: misses {oracle['nsb']['misses']} <= 55 % of none's {nsb['misses']}")
oracle_text = run_vp("oracle_text", "--prefetcher", "oracle", "--oracle-trace", f"{work}/npu.trace")
check(oracle_text == oracle, "the text trace gives the oracle the same future")

wide_none = run_vp("wide_none", "--nsb-mshrs", "64", "--nsb-prefetch-mshrs", "64")
wide = run_vp("wide_oracle", "--nsb-mshrs", "64", "--nsb-prefetch-mshrs", "64", "--prefetcher", "oracle", "--prefetcher-param", "distance=32",
              "--oracle-trace", f"{work}/npu.bin")
check(wide["nsb"]["prefetcher"]["resyncs"] == 0, "NSB oracle, 64 MSHRs: no resyncs")
check(wide["nsb"]["misses"] <= 0.10 * wide_none["nsb"]["misses"],
      f"NSB oracle, 64 MSHRs: misses {wide['nsb']['misses']} <= 10 % of none's {wide_none['nsb']['misses']}")

# A binary trace cut inside its second record: a clear error, exit code 65.
data = open(f"{work}/npu.bin", "rb").read()
open(f"{work}/truncated.bin", "wb").write(data[:16 + 32 + 20])
result = subprocess.run([vp, "--load", load, "--prefetcher", "oracle", "--oracle-trace", f"{work}/truncated.bin",
                         firmware], capture_output=True, text=True)
check(result.returncode == 65 and "truncated.bin: record 2 at byte 48: truncated" in result.stderr,
      f"a truncated trace is refused (exit {result.returncode}: {result.stderr.strip()})")

# 32 prefetch MSHRs at the L2 (the default is 16), so that the oracle is not limited by them.
for name, options in (("l2", ["--prefetch-level", "l2", "--l2-prefetch-mshrs", "32"]),
                      ("nsb0", ["--nsb-size", "0", "--l2-prefetch-mshrs", "32"])):
    none = run_vp(f"{name}_none", *options)
    result = run_vp(f"{name}_oracle", *options, "--prefetcher", "oracle", "--oracle-trace", f"{work}/npu.bin")
    figures = result["l2"]["prefetcher"]
    check(result["l2"]["misses"] <= 0.15 * none["l2"]["misses"],
          f"L2 oracle ({name}): misses {result['l2']['misses']} <= 15 % of none's {none['l2']['misses']}")
    check(figures["resyncs"] <= 0.01 * figures["position"],
          f"L2 oracle ({name}): {figures['resyncs']} resyncs over {figures['position']} lines (fetch timing)")
