#!/usr/bin/env python3
"""Checks the memory hierarchy's VCD signals of an NPU run: soc.npu.memory.{nsb,l2}.* (group
cache) and soc.npu.memory.dram.ch0.* (group dram) are declared, the NSB's MSHR count rises and
returns to 0, every miss strobe is a clean 0/1 pulse, and the DRAM saw row misses."""
import sys


def read(path):
    ids, scope, changes, now = {}, [], {}, 0
    with open(path) as f:
        tokens = f.read().split()
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t == "$scope":
            scope.append(tokens[i + 2])
            i += 3
        elif t == "$upscope":
            scope.pop()
            i += 1
        elif t == "$var":
            ids[tokens[i + 3]] = ".".join(scope + [tokens[i + 4]])
            i += 5
        elif t.startswith("#"):
            now = int(t[1:])
            i += 1
        elif t.startswith("b") and i + 1 < len(tokens) and tokens[i + 1] in ids:
            changes.setdefault(ids[tokens[i + 1]], []).append((now, int(t[1:], 2)))
            i += 2
        elif t[0] in "01" and t[1:] in ids:
            changes.setdefault(ids[t[1:]], []).append((now, int(t[0])))
            i += 1
        else:
            i += 1
    return set(ids.values()), changes


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
