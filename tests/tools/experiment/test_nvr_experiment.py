#!/usr/bin/env python3
"""Tests of tools/nvr-experiment, one per invocation:

    test_nvr_experiment.py TEST TOOL WORKDIR NVR_VP GENERATOR FIRMWARE

TEST: end_to_end (tables present, numbers equal to the JSON and CSV), resume (a second invocation
runs nothing and writes the same document), failing_run (a run that fails is reported and makes
the tool exit 1), bad_arguments (each gives exit 64 and a clear message)."""

import csv
import json
import os
import re
import shutil
import subprocess
import sys

TEST, TOOL, WORK, VP, GEN, FW = sys.argv[1:7]
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL: " + message)


def tool(*args, programs=True):
    cmd = [sys.executable, TOOL] + list(args)
    if programs:
        cmd += ["--nvr-vp", VP, "--generator", GEN, "--firmware", FW]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=110)
    print("$ " + " ".join(cmd) + f"\n-> exit {res.returncode}\n{res.stdout}{res.stderr}")
    return res


def fresh(name):
    path = os.path.join(WORK, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


# The tool's number formats (fmt_x, fmt_int in tools/nvr-experiment).
def fx(v):
    return "–" if v is None else f"{v:.3f}x"


def fi(v):
    return "–" if v is None else str(int(v))


def table_rows(md, first_header_cell):
    """Rows (lists of cells) of every Markdown table whose header starts with the given cell."""
    rows, inside = [], False
    for line in md.splitlines():
        if not line.startswith("|"):
            inside = False
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == first_header_cell and not inside:
            inside = "header"
        elif inside == "header":
            inside = True  # the |---| line
        elif inside:
            rows.append(cells)
    return rows


def cases():
    res = tool("--quick", "--list-cases", "--out", fresh("list"))
    names = res.stdout.split()
    check(res.returncode == 0 and len(names) >= 2, "--list-cases gives at least two cases")
    return names[:2]


def help_text():
    return " ".join(subprocess.run([VP, "--help"], capture_output=True, text=True).stdout.split())


def end_to_end():
    work = fresh("e2e")
    out, md_path = os.path.join(work, "out"), os.path.join(work, "results.md")
    two = cases()
    res = tool("--quick", "--cases", ",".join(two), "--prefetchers", "none,next_line,stride,oracle,nvr",
               "--subject", "stride", "--ablation", "d4:distance=4", "-j", "2", "--out", out, "--output", md_path)
    check(res.returncode == 0, "the experiment succeeds")
    md = open(md_path, encoding="utf-8").read()
    doc = json.load(open(os.path.join(work, "results.json"), encoding="utf-8"))
    for section in ("## Configuration", "## Headline", "## Summary", "## Main comparison", "## Ablation",
                    "## Capacity experiment", "## Where this differs from the paper", "PLACEHOLDER", "## Definitions"):
        check(section in md, f"the document has '{section}'")
    check("tools/nvr-experiment --quick --cases" in md, "the document names the command")

    available = help_text()
    listed = re.search(r"prefetcher: ((?:[a-z_]+, )*[a-z_]+)", available).group(1).split(", ")
    expected = ["none", "next_line", "stride"] + (["nvr"] if "nvr" in listed else [])
    if "--oracle-trace" in available:
        expected.append("oracle")
    else:
        check("`oracle` skipped" in md, "the document says why the oracle is missing")
    main = {(r["case"], r["prefetcher"]): r for r in doc["main"]}
    check(set(main) == {(c, p) for c in two for p in expected},
          f"main runs are every case x prefetcher: {sorted(main)}")

    # Every number of the main table equals the JSON's.
    md_main = {(r[0], r[1]): r for r in table_rows(md, "case") if len(r) == 16}
    for key, r in main.items():
        row = md_main.get(key)
        check(row is not None, f"the main table has a row for {key}")
        if row:
            check(row[2] == fi(r["cycles"]) and row[3] == fx(r["speedup"]) and row[4] == fi(r["nsb_misses"])
                  and row[5] == fi(r["l2_misses"]) and row[8] == fi(r["pf_issued"])
                  and row[14] == fi(r["offchip_bytes"]), f"the main table's row {key} matches the JSON: {row}")
        check(r["cycles"] > 0 and r["nsb_accesses"] > 0, f"{key} has cycles and accesses")
    check(all(main[(c, "none")]["speedup"] == 1.0 for c in two), "none's speedup is 1")

    summary = {r[0]: r for r in table_rows(md, "prefetcher") if len(r) == 7}
    for s in doc["summary"]:
        row = summary.get(s["variant"])
        check(row is not None and row[2] == fx(s["geomean_speedup"]), f"summary row of {s['variant']} matches")
    h = doc["headline"]
    check(h and h["subject"] == "stride" and len(h["per_case"]) == 2, "the headline covers both cases")
    check(fx(h["geomean_speedup_vs_none"]) in md, "the headline's speedup is in the document")

    abl = {(r["case"], r["prefetcher"]) for r in doc["ablation"]}
    check(abl == {(c, v) for c in two for v in ("stride", "stride d4")}, f"ablation runs: {sorted(abl)}")
    cap = doc["capacity"]
    check(cap and len(cap["per_case"]) == 2, "the capacity experiment covers both cases")
    total = cap["total"]
    check(total["gain_b"] == total["a_stride_cycles"] - total["b_stride_cycles"], "gain_b is cycles(a) - cycles(b)")
    cap_rows = {r[0]: r for r in table_rows(md, "case") if len(r) == 11}
    check("all cases (sum)" in cap_rows and cap_rows["all cases (sum)"][1] == fi(total["a_stride_cycles"]),
          "the capacity table's total matches the JSON")
    check(len(doc["capacity_runs"]) == 2 * 3 * 2, "capacity: 2 cases x 3 configurations x 2 prefetchers")

    rows = list(csv.DictReader(open(os.path.join(work, "results.csv"), encoding="utf-8")))
    check(len(rows) == len(doc["main"]) + len(doc["ablation"]) + len(doc["capacity_runs"]), "CSV: one row per run")
    check(all(int(r["cycles"]) == main[(r["case"], r["prefetcher"])]["cycles"] for r in rows if r["part"] == "main"),
          "CSV cycles equal the JSON's")


def resume():
    work = fresh("resume")
    out, md_path = os.path.join(work, "out"), os.path.join(work, "results.md")
    args = ["--quick", "--cases", cases()[0], "--prefetchers", "none,stride", "--subject", "stride", "--parts",
            "main,capacity", "--out", out, "--output", md_path]
    first = tool(*args)
    check(first.returncode == 0 and "0 cached, 8 to run" in first.stdout, "the first invocation runs 8 runs")
    runs = os.path.join(out, "runs")
    stamps = {f: os.stat(os.path.join(runs, f)).st_mtime_ns for f in os.listdir(runs)}
    doc = open(md_path, encoding="utf-8").read()
    second = tool(*args)
    check(second.returncode == 0 and "8 cached, 0 to run" in second.stdout, "the second invocation runs nothing")
    check(stamps == {f: os.stat(os.path.join(runs, f)).st_mtime_ns for f in os.listdir(runs)},
          "no run file was rewritten")
    check(open(md_path, encoding="utf-8").read() == doc, "the same document, byte for byte")
    # Interrupted: one result lost -> only that run again.
    victim = sorted(f for f in os.listdir(runs) if f.endswith(".json") and not f.endswith(".stats.json"))[0]
    os.remove(os.path.join(runs, victim))
    third = tool(*args)
    check(third.returncode == 0 and "7 cached, 1 to run" in third.stdout, "a lost result is run again, alone")
    check(open(md_path, encoding="utf-8").read() == doc, "and the document is the same")


def failing_run():
    work = fresh("fail")
    md_path = os.path.join(work, "results.md")
    res = tool("--quick", "--cases", cases()[0], "--prefetchers", "none", "--parts", "main",
               "--vp-option=--max-instructions=1000", "--out", os.path.join(work, "out"), "--output", md_path)
    check(res.returncode == 1, "a failing run makes the tool exit 1")
    check("FAILED (exit 124)" in res.stdout and "1 run(s) failed" in res.stdout, "the failure is reported")
    check("**Failed runs**" in open(md_path, encoding="utf-8").read(), "the document lists the failed run")
    again = tool("--quick", "--cases", cases()[0], "--prefetchers", "none", "--parts", "main",
                 "--vp-option=--max-instructions=1000", "--out", os.path.join(work, "out"), "--output", md_path)
    check("0 cached, 1 to run" in again.stdout, "a failed run is not cached")


def bad_arguments():
    work = fresh("bad")
    out = ["--out", os.path.join(work, "out"), "--output", os.path.join(work, "r.md")]
    cases_ = [
        (["--prefetchers", "bogus"], "--prefetchers: unknown prefetcher 'bogus'"),
        (["--prefetchers", "none,,stride"], "--prefetchers: 'none,,stride' has an empty item"),
        (["-j", "0"], "--jobs: must be at least 1"),
        (["-j", "x"], "--jobs: 'x' is not a number"),
        (["--seed", "-1"], "--seed: must be a 32-bit number"),
        (["--quick", "--cases", "nosuch"], "--cases: no case 'nosuch' in set 'sparse-small'"),
        (["--set", "nosuch-set"], "nosuch-set"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--parts", "main,plots"], "--parts: unknown part 'plots'"),
        (["--subject", "none"], "--subject: 'none' is not a prefetcher to study"),
        (["--ablation", "nolabel"], "--ablation: 'nolabel' is not LABEL:KEY=VALUE"),
        (["--quick", "--set", "sparse"], "--quick and --set exclude each other"),
    ]
    for args, message in cases_:
        res = tool(*(args + (out if "--output" not in args else out[:2])))
        check(res.returncode == 64 and message in res.stderr, f"{args}: exit 64 and '{message}'")
        check("Traceback" not in res.stderr, f"{args}: no Python traceback")
    res = tool("--quick", "--cases", cases()[0], "--prefetchers", "none", "--parts", "main", "--out",
               os.path.join(work, "out"), "--output", "/dev/null/r.md")
    check(res.returncode == 74 and "cannot write '/dev/null/r.md'" in res.stderr, "an unwritable output: exit 74")
    res = tool("--nvr-vp", "/nonexistent/nvr-vp", *out, programs=False)
    check(res.returncode == 64 and "no nvr-vp program at '/nonexistent/nvr-vp'" in res.stderr,
          "a missing nvr-vp is named")
    res = tool("--build", "/nonexistent-build", *out, programs=False)
    check(res.returncode == 64 and "/nonexistent-build/platform/nvr-vp" in res.stderr, "a missing build is named")


WRAPPER = """#!/usr/bin/env python3
# nvr-vp with the oracle's trace options the platform gains with issue #6: records a token trace,
# checks the oracle run reads it, passes everything else to the real nvr-vp.
import os, subprocess, sys
vp = {vp!r}
args = sys.argv[1:]
if "--help" in args:
    sys.stdout.write(subprocess.run([vp, "--help"], capture_output=True, text=True).stdout)
    print("  --trace-npu-memory FILE   record\\n  --oracle-trace FILE   replay")
    sys.exit(0)
rest = []
replay = False
i = 0
while i < len(args):
    if args[i] == "--trace-npu-memory":
        open(args[i + 1], "w").write("token\\n")
    elif args[i] == "--oracle-trace":
        if open(args[i + 1]).read() != "token\\n":
            sys.exit(99)
        replay = True
    else:
        rest.append(args[i])
        i += 1
        continue
    i += 2
if replay:  # this nvr-vp's oracle needs a trace-driven run: stride stands in
    rest = ["stride" if a == "oracle" else a for a in rest]
os.execv(vp, [vp] + rest)
"""


def oracle_flow():
    work = fresh("oracle")
    wrapper = os.path.join(work, "nvr-vp")
    with open(wrapper, "w") as f:
        f.write(WRAPPER.format(vp=os.path.abspath(VP)))
    os.chmod(wrapper, 0o755)
    out = os.path.join(work, "out")
    args = ["--quick", "--cases", cases()[0], "--prefetchers", "none,oracle", "--parts", "main", "--out", out,
            "--output", os.path.join(work, "r.md"), "--generator", GEN, "--firmware", FW, "--nvr-vp", wrapper]
    res = tool(*args, programs=False)
    check(res.returncode == 0 and "0 cached, 2 to run" in res.stdout, "none and oracle run")
    doc = json.load(open(os.path.join(work, "r.json"), encoding="utf-8"))
    check({r["prefetcher"] for r in doc["main"]} == {"none", "oracle"}, "the oracle is in the table")
    runs = os.path.join(out, "runs")
    results = [json.load(open(os.path.join(runs, f))) for f in os.listdir(runs)
               if f.endswith(".json") and not f.endswith(".stats.json")]
    by = {r["prefetcher"]: r["command"] for r in results}
    traces = [f for f in os.listdir(runs) if f.endswith(".npu-memory.trace")]
    check(len(traces) == 1 and "--trace-npu-memory" in by.get("none", "") and traces[0] in by["none"],
          "the none run records the trace")
    check("--oracle-trace" in by.get("oracle", "") and traces[0] in by["oracle"], "the oracle run reads it")
    os.remove(os.path.join(runs, traces[0]))
    again = tool(*args, programs=False)
    check(again.returncode == 0 and "1 cached, 1 to run" in again.stdout, "a lost trace reruns the none run")


GENERATOR = """#!/usr/bin/env python3
# nvr-kernel-images with the --set/--list/--case interface of issue #6, logging its calls: two
# cases, each image the real generator's standard image.
import subprocess, sys
args = sys.argv[1:]
open({log!r}, "a").write(" ".join(args) + "\\n")
if args[args.index("--set") + 1] != "sparse-small":
    sys.stderr.write("nvr-kernel-images: unknown set\\n")
    sys.exit(64)
if "--list" in args:
    print("case_one\\ncase_two")
    sys.exit(0)
case = args[args.index("--case") + 1]
if case not in ("case_one", "case_two"):
    sys.exit(64)
sys.exit(subprocess.run([{gen!r}, "--seed", args[args.index("--seed") + 1], args[-1]]).returncode)
"""


def generator_interface():
    work = fresh("generator")
    gen, log = os.path.join(work, "nvr-kernel-images"), os.path.join(work, "calls.log")
    with open(gen, "w") as f:
        f.write(GENERATOR.format(log=log, gen=os.path.abspath(GEN)))
    os.chmod(gen, 0o755)
    common = ["--prefetchers", "none", "--parts", "main", "--out", os.path.join(work, "out"), "--output",
              os.path.join(work, "r.md"), "--nvr-vp", VP, "--firmware", FW, "--generator", gen, "--seed", "7"]
    res = tool("--quick", *common, programs=False)
    check(res.returncode == 0 and "0 cached, 2 to run" in res.stdout, "both cases of the list run")
    calls = open(log).read().splitlines()
    check(calls[0] == "--seed 7 --set sparse-small --list", f"the list is asked first: {calls}")
    check(sum(c.startswith("--seed 7 --set sparse-small --case case_one ") for c in calls) == 1
          and sum(c.startswith("--seed 7 --set sparse-small --case case_two ") for c in calls) == 1,
          "each case's image is made once")
    doc = json.load(open(os.path.join(work, "r.json"), encoding="utf-8"))
    check([r["case"] for r in doc["main"]] == ["case_one", "case_two"], "the table has the listed cases")
    res = tool("--set", "other", *common, programs=False)
    check(res.returncode == 64 and "--set other --list' failed (exit 64): nvr-kernel-images: unknown set"
          in res.stderr, "an unknown set is reported with the generator's message")


def from_json():
    # The committed docs/results.md again from docs/results.json: the same bytes, plots included (drawn
    # by Debian's python3 when this one has no matplotlib); bad inputs are exit 65.
    work = fresh("from_json")
    docs = os.path.join(os.path.dirname(os.path.abspath(TOOL)), "..", "docs")
    shutil.copy(os.path.join(docs, "results-discussion.md"), work)
    md_path = os.path.join(work, "results.md")
    res = tool("--from-json", os.path.join(docs, "results.json"), "--output", md_path, programs=False)
    check(res.returncode == 0, "--from-json succeeds")
    check(open(md_path, encoding="utf-8").read() == open(os.path.join(docs, "results.md"), encoding="utf-8").read(),
          "docs/results.md is what --from-json docs/results.json writes")
    check(open(os.path.join(work, "results.csv")).read() == open(os.path.join(docs, "results.csv")).read(),
          "and so is docs/results.csv")
    for name in ("speedup", "nsb_misses", "timeliness", "ablation", "capacity"):
        path = os.path.join(work, "plots", name + ".svg")
        check(os.path.exists(path) and f"(plots/{name}.svg)" in open(md_path).read(), f"plot {name} drawn, linked")
        if os.path.exists(path):
            check(open(path, "rb").read() == open(os.path.join(docs, "plots", name + ".svg"), "rb").read(),
                  f"plot {name} equals docs/plots/{name}.svg")
    bad = os.path.join(work, "bad.json")
    for content, message in (("{", "is not JSON"), ("[]", "is not a results JSON"),
                             ('{"configuration": {}, "summary": []}', "is not a results JSON")):
        open(bad, "w").write(content)
        res = tool("--from-json", bad, "--output", os.path.join(work, "bad.md"), programs=False)
        check(res.returncode == 65 and message in res.stderr and "Traceback" not in res.stderr,
              f"--from-json {content}: exit 65 and '{message}'")
    res = tool("--from-json", os.path.join(work, "missing.json"), "--output", os.path.join(work, "m.md"),
               programs=False)
    check(res.returncode == 65 and "cannot read" in res.stderr, "a missing --from-json file: exit 65")


{"from_json": from_json, "generator_interface": generator_interface, "oracle_flow": oracle_flow, "end_to_end": end_to_end, "resume": resume, "failing_run": failing_run, "bad_arguments": bad_arguments}[TEST]()
print(f"{TEST}: {len(failures)} failure(s)")
sys.exit(1 if failures else 0)
