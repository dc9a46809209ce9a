#!/usr/bin/env python3
"""Checks the NVR signals (group nvr) in the VCD of firmware/tests/nvr_switch run with
--prefetcher nvr --vcd-groups npu,nvr: they are declared, stay at rest while the first SpMM runs
with NVR switched off (the first busy period of soc.npu.sparse_busy), and in the second one the
runahead position rises and prefetches go in flight and all complete."""
import sys


def read(path):
    """Signal names and their value changes [(time, value)], parsed independently of nvr-vp."""
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
    # The row the unit walks: rising through the SpMM's rows (back to 0 once it has nothing left).
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
    print("nvr VCD ok: runahead position up to %d, up to %d prefetches in flight, %d changes"
          % (max(position), peak, len(flight)))


main()
