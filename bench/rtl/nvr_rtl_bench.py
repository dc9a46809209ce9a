#!/usr/bin/env python3
"""Host-time slowdown of --nvr=rtl against --nvr=tlm on the 2048x2048 SpMM of the sparse suite
(issue #7): generates the case's image, runs nvr-vp with each, checks they give the same outputs
and statistics, prints and writes the figures as JSON.

usage: nvr_rtl_bench.py VP KERNEL_IMAGES FIRMWARE_ELF WORKDIR OUTPUT.json [CASE]
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "rtl"))
import check_rtl_platform  # noqa: E402


def main(vp, images, elf, work, output, case="spmm_d64_uni_2048x2048x128"):
    os.makedirs(work, exist_ok=True)
    image = os.path.join(work, case + ".img")
    subprocess.run([images, "--set", "sparse", "--case", case, image], check=True, stdout=subprocess.DEVNULL)
    runs = {}
    for impl in ("tlm", "rtl"):
        stats = os.path.join(work, "%s-%s.json" % (case, impl))
        uart = os.path.join(work, "%s-%s.uart" % (case, impl))
        subprocess.run([vp, "--prefetcher", "nvr", "--nvr=" + impl, "--load", image + "@0x88000000",
                        "--uart-out", uart, "--stats", stats, elf], check=True)
        runs[impl] = (stats, uart)
    check_rtl_platform.same(runs["tlm"][0], runs["rtl"][0], runs["tlm"][1], runs["rtl"][1])
    with open(runs["tlm"][0]) as f:
        tlm = json.load(f)
    with open(runs["rtl"][0]) as f:
        rtl = json.load(f)
    unit = rtl["soc"]["nvr"]["runahead"]
    result = {
        "case": case,
        "tlm_host_seconds": tlm["run"]["host_seconds"],
        "rtl_host_seconds": rtl["run"]["host_seconds"],
        "slowdown": rtl["run"]["host_seconds"] / tlm["run"]["host_seconds"],
        "core_cycles": unit["model"]["rtl"]["cycles"],
        "core_operations": unit["model"]["rtl"]["operations"],
        "prefetches_issued": unit["lines"]["issued"],
    }
    with open(output, "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    if len(sys.argv) not in (6, 7):
        sys.exit(__doc__)
    main(*sys.argv[1:])
