#!/usr/bin/env python3
"""Checks the NVR signals (group nvr) in the VCD of firmware/tests/nvr_switch run with
--prefetcher nvr --vcd-groups npu,nvr: they are declared, stay at rest while the first SpMM runs
with NVR switched off (the first busy period of soc.npu.sparse_busy), and in the second one the
runahead position rises and prefetches go in flight and all complete."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "trace"))
from vcd_reader import read  # noqa: E402


def fail(message):
    sys.exit("check_nvr_vcd: " + message)


def main():
    names, changes = read(sys.argv[1])
    base = "soc.nvr."  # the runahead unit beside the NPU
    signals = ["active", "runahead_position", "npu_position", "instructions_ahead", "unused_lines",
               "prefetches_in_flight"]
    missing = [s for s in signals if base + s not in names]
    if missing or "soc.npu.sparse_busy" not in names:
        fail("missing signals: %s" % ", ".join(missing or ["soc.npu.sparse_busy"]))
    busy = changes["soc.npu.sparse_busy"]
    rises = [t for t, v in busy if v == 1]
    falls = [t for t, v in busy if v == 0 and t > 0]
    if len(rises) != 2 or len(falls) != 2:
        fail("expected two sparse busy periods (two SpMM phases), got %s" % busy)
    off_end, on_start = falls[0], rises[1]
    for s in signals:
        early = [(t, v) for t, v in changes.get(base + s, []) if t > 0 and t <= off_end]
        if early:
            fail("%s changes while NVR is off: %s" % (s, early[:5]))
    # The row the unit walks: rising through the SpMM's rows (held once it has nothing left).
    position = [v for t, v in changes[base + "runahead_position"] if t >= on_start]
    rising = position[:position.index(max(position)) + 1] if position else []
    if not position or max(position) < 16 or rising != sorted(rising):
        fail("runahead_position does not rise in the on phase: %s" % position[:20])
    flight = changes[base + "prefetches_in_flight"]
    if any(t2 < t1 for (t1, _), (t2, _) in zip(flight, flight[1:])):
        fail("prefetches_in_flight changes out of time order")
    peak = max(v for _, v in flight)
    if peak < 1 or flight[-1][1] != 0:
        fail("prefetches_in_flight does not rise and return to 0: peak %d, last %d" % (peak, flight[-1][1]))
    if max(v for _, v in changes[base + "npu_position"]) < 1:
        fail("npu_position never moves")
    # Every DMA request ends: the level returns to 0 by the end of the run (the NPU writes the
    # changes it holds back at the end of the simulation).
    dma = changes.get("soc.npu.dma_outstanding", [])
    if not dma or dma[-1][1] != 0:
        fail("soc.npu.dma_outstanding does not end at 0: %s" % dma[-3:])
    print("nvr VCD ok: runahead position up to %d, up to %d prefetches in flight, %d changes"
          % (max(position), peak, len(flight)))


main()
