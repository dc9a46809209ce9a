#!/usr/bin/env python3
"""Checks that firmware switching the runahead prefetcher off through CTRL.nvr_enable takes effect
(firmware/tests/nvr_switch, run with --prefetcher nvr).

  check_switch.py SWITCH.json KEPT_OFF.json SWITCH.uart NONE.uart

SWITCH: phase 1 with NVR off, phase 2 on. KEPT_OFF: the same program keeping NVR off in both
phases. NONE: the program with --prefetcher none. The NVR prefetcher must have seen the toggles,
issued lines in SWITCH and none at all in KEPT_OFF, and phase 1 (NVR off) must take exactly the
cycles it takes without a prefetcher, while phase 2 (NVR on) does not."""
import json
import re
import sys


def prefetcher(path):
    with open(path) as f:
        stats = json.load(f)
    try:
        nsb = stats["soc"]["npu"]["memory"]["nsb"]
        return nsb["prefetcher"], nsb["prefetch"]
    except KeyError as e:
        sys.exit("%s: no NSB prefetcher statistics (%s)" % (path, e))


def phases(path):
    with open(path) as f:
        text = f.read()
    lines = re.findall(r"^  (nvr o(?:n|ff)) +(PASS|FAIL) +(\d+) NPU cycles$", text, re.M)
    if len(lines) != 2 or any(ok != "PASS" for _, ok, _ in lines):
        sys.exit("%s: expected two PASS phase lines, got %s" % (path, lines))
    return [(name, int(cycles)) for name, _, cycles in lines]


def expect(condition, message):
    if not condition:
        sys.exit("check_switch: " + message)
    print("ok: " + message)


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    switch, switch_nsb = prefetcher(sys.argv[1])
    kept_off, kept_off_nsb = prefetcher(sys.argv[2])
    for p in (switch, kept_off):
        expect(p["name"] == "nvr", "the NSB's prefetcher is nvr")
    # CTRL.nvr_enable: 0 at reset, on in npu_init, then off and on again (or kept off).
    expect(switch["enable_toggles"] >= 2, "the switching run toggled NVR %d times" % switch["enable_toggles"])
    expect(switch["enable_toggles"] == 4, "reset off, npu_init on, npu_set_nvr off, on: 4 toggles")
    expect(switch["enabled_at_end"], "NVR on at the end of the switching run")
    expect(kept_off["enable_toggles"] == 3, "reset off, npu_init on, npu_set_nvr off: 3 toggles")
    expect(not kept_off["enabled_at_end"], "NVR off at the end of the kept-off run")
    expect(switch["lines"]["issued"] > 0, "NVR issued %d lines in the on phase" % switch["lines"]["issued"])
    expect(switch_nsb["issued"] > 0, "the NSB counted its prefetches")
    expect(kept_off["lines"]["issued"] == 0 and kept_off["index_loads"]["issued"] == 0
           and kept_off["instructions_snooped"] == 0 and kept_off_nsb["issued"] == 0,
           "nothing snooped, loaded or prefetched while off")
    nvr, none = phases(sys.argv[3]), phases(sys.argv[4])
    expect(nvr[0] == ("nvr off", none[0][1]),
           "phase 1 (off) takes the cycles of no prefetcher: %d" % none[0][1])
    expect(nvr[1][0] == "nvr on" and nvr[1][1] != none[1][1],
           "phase 2 (on) differs: %d cycles with NVR, %d without" % (nvr[1][1], none[1][1]))


main()
