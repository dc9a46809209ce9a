#!/usr/bin/env python3
"""Checks of nvr-vp runs with --nvr=rtl (issue #7).

same TLM.json RTL.json TLM.uart RTL.uart [PASS_TEXT]
    The firmware printed the same (and PASS_TEXT, by default " 0 failure(s)"), and the statistics are the same apart from
    the host figures and the RTL's own block (model.rtl: core cycles and operations).
vcd CORE.vcd RTL.json
    The core's own waveform (--rtl-vcd) has its ports, and as many finished operations (op_done
    pulses) as the statistics count.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "trace"))
import vcd_reader  # noqa: E402


def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in ("host_seconds", "mips", "rtl")}
    return node


def diff(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            out += diff(a.get(k), b.get(k), path + "." + k)
        return out
    return [] if a == b else ["%s: tlm %r, rtl %r" % (path, a, b)]


def runahead(stats):
    return stats["soc"]["nvr"]["runahead"]


def same(tlm_json, rtl_json, tlm_uart, rtl_uart, pass_text=" 0 failure(s)"):
    with open(tlm_uart) as f:
        t = f.read()
    with open(rtl_uart) as f:
        r = f.read()
    if t != r:
        sys.exit("the firmware printed differently with --nvr=rtl")
    if pass_text not in r:
        sys.exit("the firmware did not print %r" % pass_text)
    with open(tlm_json) as f:
        a = json.load(f)
    with open(rtl_json) as f:
        b = json.load(f)
    if "rtl" not in runahead(b)["model"]:
        sys.exit("the --nvr=rtl run has no model.rtl block: was the RTL used?")
    d = diff(strip(a), strip(b))
    if d:
        sys.exit("statistics differ:\n" + "\n".join(d[:40]))
    ta, tb = a["run"]["host_seconds"], b["run"]["host_seconds"]
    print("same outputs and statistics; %d prefetches issued; core %d cycles, %d operations; host %.2f s (tlm) vs %.2f s (rtl): %.1fx"
          % (runahead(b)["lines"]["issued"], runahead(b)["model"]["rtl"]["cycles"],
             runahead(b)["model"]["rtl"]["operations"], ta, tb, tb / ta if ta else 0))


def vcd(path, rtl_json):
    signals, changes = vcd_reader.read(path)
    # the core module's own signals (its instances below have their own clk and the like)
    names = {n.split(".")[-1]: n for n in signals if n.count(".") == 2}
    for port in ("op_done", "op_ready", "pf_valid", "pf_count", "mem_req_valid", "mem_req_kind"):
        if port not in names:
            sys.exit("the core's VCD has no %s (signals: %s)" % (port, ", ".join(sorted(names)[:20])))
    pulses = sum(1 for _, v in changes.get(names["op_done"], []) if v == 1)
    with open(rtl_json) as f:
        ops = runahead(json.load(f))["model"]["rtl"]["operations"]
    if pulses != ops or ops == 0:
        sys.exit("op_done pulses %d, operations in the statistics %d" % (pulses, ops))
    print("%d operations in the core's waveform and in the statistics" % ops)


if __name__ == "__main__":
    if len(sys.argv) in (6, 7) and sys.argv[1] == "same":
        same(*sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == "vcd":
        vcd(*sys.argv[2:])
    else:
        sys.exit(__doc__)
