#!/usr/bin/env python3
"""Checks the memory hierarchy's VCD signals of an NPU run: soc.npu.memory.{nsb,l2}.* (group
cache) and soc.npu.memory.dram.ch0.* (group dram) are declared, the NSB's MSHR count rises and
returns to 0, every miss strobe is a clean 0/1 pulse, and the DRAM saw row misses."""
import sys

from vcd_reader import read


def main():
    names, changes = read(sys.argv[1])
    base = "soc.npu.memory."
    expected = [base + level + "." + s for level in ("nsb", "l2")
                for s in ("mshrs_in_use", "miss", "prefetch_issued", "prefetch_late")]
    expected += [base + "dram.ch0.in_flight", base + "dram.ch0.row_miss"]
    missing = [n for n in expected if n not in names]
    if missing:
        sys.exit("missing signals: " + ", ".join(missing))
    mshrs = changes.get(base + "nsb.mshrs_in_use", [])
    if max((v for _, v in mshrs), default=0) < 1 or mshrs[-1][1] != 0:
        sys.exit("nsb.mshrs_in_use does not rise and return to 0: %s" % mshrs[:10])
    if any(t2 < t1 for (t1, _), (t2, _) in zip(mshrs, mshrs[1:])):
        sys.exit("nsb.mshrs_in_use changes out of time order")
    misses = [v for _, v in changes.get(base + "nsb.miss", [])]
    if misses.count(1) < 1:
        sys.exit("no nsb.miss strobe")
    if not any(v for _, v in changes.get(base + "dram.ch0.row_miss", [])):
        sys.exit("no dram.ch0.row_miss strobe")
    print("memory VCD ok: %d nsb MSHR changes, %d nsb miss strobes" % (len(mshrs), misses.count(1)))


main()
