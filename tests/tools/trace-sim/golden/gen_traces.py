#!/usr/bin/env python3
"""Writes the small traces of the golden-statistics regression test (run once; the traces are
checked in, so the test never depends on this script or on Python)."""
import random


def indirect(path):
    # SpMV-like: 64 B index vector loads (16 int32 column indices, instruction 1), the 16 rows of x
    # they select (instruction 2), a streaming write of y (instruction 3).
    rng = random.Random(11)
    with open(path, "w") as f:
        f.write("# golden: indirect x[col_idx[i]] gathers (IMP learns base + (idx << 6))\n")
        for v in range(160):
            idx = sorted(rng.randrange(6144) for _ in range(16))
            f.write("R 0x%x 64 1 %s\n" % (0x100000 + 64 * v, " ".join(map(str, idx))))
            for i in idx:
                f.write("R 0x%x 64 2\n" % (0x800000 + 64 * i))
            f.write("W 0x%x 64 3\n" % (0x4000000 + 64 * v))


def mixed(path):
    # Strided and streaming reads, random reads and partial / cross-line writes, hot reuse: every
    # cache path (hits, merges, evictions, write-backs, forwarded writes, MSHR stalls).
    rng = random.Random(7)
    lines = ["# golden: strides, streams, random reads and writes, cross-line accesses"]
    stride_at, stream_at = 0x200000, 0x300000
    for step in range(3000):
        kind = rng.randrange(10)
        if kind < 3:
            lines.append("R 0x%x 64 10" % stride_at)
            stride_at += 192
        elif kind < 5:
            lines.append("R 0x%x 32 11" % stream_at)
            stream_at += 32
        elif kind < 7:
            lines.append("R 0x%x %d 12" % (0x1000000 + rng.randrange(1 << 20), rng.choice([4, 8, 64])))
        elif kind < 9:
            size = rng.choice([8, 64, 128])
            lines.append("W 0x%x %d 13" % (0x2000000 + 8 * rng.randrange(1 << 16), size))
        else:
            lines.append("R 0x%x 16 14" % (0x5000000 + 64 * rng.randrange(64)))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


indirect("indirect.trace")
mixed("mixed.trace")
