"""tools/nvr-report and tools/nvr-timeline: reports from hand-made sweep tables (numbers against the
table, files, validity of PNG/SVG, determinism, a capacity axis, missing metrics, malformed
tables) and the timeline of a real short run (episodes against the VCD read independently).

Usage: test_nvr_report.py TOOLS_DIR WORK_DIR NVR_VP [unittest arguments, e.g. a test class]
Run with /usr/bin/python3 (Debian's, with matplotlib).
"""

import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
sys.path.insert(0, os.path.join(HERE, "..", "..", "trace"))
import vcd_reader  # noqa: E402

TOOLS = WORK = NVR_VP = None
PYTHON = sys.executable


def run(tool, *args):
    return subprocess.run([PYTHON, os.path.join(TOOLS, tool)] + list(args), capture_output=True, text=True,
                          timeout=120)


def workdir(name):
    path = os.path.join(WORK, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def write_table(path, doc):
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
    return path


def md_tables(text):
    """Every Markdown table as (header, rows of cells), in order."""
    tables, lines = [], text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("| ") and i + 1 < len(lines) and lines[i + 1].startswith("|---"):
            header = [c.strip() for c in lines[i].strip("|").split("|")]
            rows = []
            i += 2
            while i < len(lines) and lines[i].startswith("| "):
                rows.append([c.strip() for c in lines[i].strip("|").split("|")])
                i += 1
            tables.append((header, rows))
        else:
            i += 1
    return tables


def table_with(text, column):
    for header, rows in md_tables(text):
        if column in header:
            return [dict(zip(header, r)) for r in rows]
    raise AssertionError(f"no table with column '{column}'")


class files_mixin:
    def check_png(self, path):
        with open(path, "rb") as f:
            data = f.read()
        self.assertEqual(data[:8], b"\x89PNG\r\n\x1a\n", path)
        self.assertEqual(data[12:16], b"IHDR", path)
        width, height = struct.unpack(">II", data[16:24])
        self.assertGreater(width, 100)
        self.assertGreater(height, 100)
        self.assertEqual(data[-8:-4], b"IEND", path)

    def check_svg(self, path):
        root = ET.parse(path).getroot()
        self.assertEqual(root.tag, "{http://www.w3.org/2000/svg}svg", path)
        self.assertNotIn("dc:date", open(path).read(), "a date makes the SVG differ from run to run")

    def check_plot(self, stem):
        self.check_png(stem + ".png")
        self.check_svg(stem + ".svg")

    def check_clean_failure(self, res, code, pattern):
        self.assertEqual(res.returncode, code, res.stderr)
        self.assertNotIn("Traceback", res.stderr)
        lines = res.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, res.stderr)
        self.assertRegex(lines[0], pattern)


class report_fixture(unittest.TestCase, files_mixin):
    """Two prefetchers x two workloads, hand-made: the report's numbers are the table's."""

    @classmethod
    def setUpClass(cls):
        cls.out = workdir("fixture")
        cls.table = os.path.join(FIXTURES, "two_by_two.json")
        cls.res = run("nvr-report", cls.table, "-o", cls.out)
        with open(cls.table) as f:
            cls.doc = json.load(f)
        cls.md = open(os.path.join(cls.out, "report.md")).read() if cls.res.returncode == 0 else ""

    def setUp(self):
        self.assertEqual(self.res.returncode, 0, self.res.stderr)

    def run_of(self, workload, prefetcher):
        return next(r["metrics"] for r in self.doc["runs"]
                    if r["params"] == {"workload": workload, "prefetcher": prefetcher})

    def test_files(self):
        for name in ("nsb_misses", "speedup", "utilisation", "timeliness"):
            self.check_plot(os.path.join(self.out, "plots", name))
            self.assertIn(f"(plots/{name}.svg)", self.md)
        self.assertFalse(os.path.exists(os.path.join(self.out, "plots", "capacity.svg")))
        self.assertIn("no capacity plot", self.md)

    def test_misses_and_speedup(self):
        rows = table_with(self.md, "speedup")
        self.assertEqual([(r["group"], r["prefetcher"]) for r in rows],
                         [("occ", "none"), ("occ", "nvr"), ("det", "none"), ("det", "nvr")])
        for r in rows:
            m = self.run_of(r["group"], r["prefetcher"])
            base = self.run_of(r["group"], "none")
            self.assertEqual(r["NPU cycles"], str(m["npu.cycles"]))
            self.assertEqual(r["NSB misses"], str(m["npu.memory.nsb.misses"]))
            self.assertEqual(r["L2 misses"], str(m["npu.memory.l2.misses"]))
            self.assertEqual(r["speedup"], f"{base['npu.cycles'] / m['npu.cycles']:.3f}x")
            red = 1 - m["npu.memory.nsb.misses"] / base["npu.memory.nsb.misses"]
            self.assertEqual(r["miss red."], f"{100 * red:.1f}%")
        summary = table_with(self.md, "geomean speedup")
        geo = math.sqrt((1e6 / 8e5) * (3e5 / 2.4e5))
        self.assertEqual(summary, [{"prefetcher": "nvr", "groups": "2", "geomean speedup": f"{geo:.3f}x",
                                    "min": "1.250x", "max": "1.250x"}])

    def test_utilisation(self):
        for r in table_with(self.md, "utilisation"):
            m = self.run_of(r["group"], r["prefetcher"])
            u = (m["npu.busy_cycles.execute"] + m["npu.busy_cycles.sparse"]) / m["npu.cycles"]
            self.assertEqual(r["utilisation"], f"{100 * u:.1f}%")

    def test_timeliness(self):
        rows = table_with(self.md, "on time")
        # none issues no prefetch: no bar; nvr per workload, then over all workloads.
        self.assertEqual([(r["group"], r["prefetcher"]) for r in rows],
                         [("occ", "nvr"), ("det", "nvr"), ("all", "nvr")])
        for r in rows:
            ms = [self.run_of(w, "nvr") for w in (("occ", "det") if r["group"] == "all" else (r["group"],))]
            total = lambda k: sum(m[f"npu.memory.nsb.prefetch.{k}"] for m in ms)  # noqa: E731
            self.assertEqual(r["issued"], str(total("issued")))
            self.assertEqual(r["late"], str(total("late")))
            self.assertEqual(r["on time"], str(total("useful") - total("late")))
            self.assertEqual(r["useless"], str(total("useless")))
            self.assertEqual(r["unused at end"], str(total("unused_resident")))
            self.assertEqual(r["accuracy"], f"{100 * total('useful') / total('issued'):.1f}%")
            self.assertEqual(r["on time / issued"], f"{100 * (total('useful') - total('late')) / total('issued'):.1f}%")
            # The four outcomes partition the issued prefetches.
            self.assertEqual(sum(int(r[k]) for k in ("on time", "late", "useless", "unused at end")), total("issued"))
        self.assertEqual(rows[2]["redundant"], "7")

    def test_html_has_the_same_content(self):
        page = open(os.path.join(self.out, "report.html")).read()
        self.assertTrue(page.startswith("<!DOCTYPE html>"))
        self.assertEqual(page.count("data:image/svg+xml;base64,"), 4)
        self.assertNotIn("src=\"plots/", page)  # self-contained
        self.assertTrue(page.rstrip().endswith("</html>"))
        for header, rows in md_tables(self.md):
            for row in rows:
                self.assertIn("".join(f"<td>{c}</td>" for c in row), page)

    def test_sweep_facts(self):
        self.assertIn("Axis `workload` (2): `occ`, `det`.", self.md)
        self.assertIn("nvr-vp 0.1.0 (fixture)", self.md)
        self.assertIn("Runs: 4 (4 usable", self.md)


class report_determinism(unittest.TestCase, files_mixin):
    def test_same_table_same_bytes(self):
        outs = [workdir(f"determinism-{i}") for i in range(2)]
        for o in outs:
            res = run("nvr-report", os.path.join(FIXTURES, "two_by_two.json"), "-o", o)
            self.assertEqual(res.returncode, 0, res.stderr)
        names = ["report.md", "report.html"] + [os.path.join("plots", n) for n in
                                                sorted(os.listdir(os.path.join(outs[0], "plots")))]
        self.assertGreaterEqual(len(names), 10)
        for n in names:
            with open(os.path.join(outs[0], n), "rb") as a, open(os.path.join(outs[1], n), "rb") as b:
                self.assertEqual(a.read(), b.read(), f"{n} differs between two runs")


def capacity_table():
    """prefetcher x nsb-size x l2-size x seed, one workload: cycles made up by a formula."""
    runs = []
    for p in ("none", "nvr"):
        for nsb in ("0", "16K"):
            for l2 in ("256K", "272K"):
                for seed in (1, 2):
                    cycles = 1000000 - (100000 if p == "nvr" else 0) - (50000 if nsb == "16K" else 0) \
                        - (10000 if l2 == "272K" else 0) + 1000 * seed
                    runs.append({"id": f"{p}-{nsb}-{l2}-{seed}",
                                 "params": {"workload": "sparse", "prefetcher": p, "nsb-size": nsb, "l2-size": l2,
                                            "seed": seed},
                                 "status": "ok", "exit_code": 0, "check": None, "host_seconds": 1.0,
                                 "metrics": {"npu.cycles": cycles, "npu.memory.nsb.misses": cycles // 100,
                                             "npu.memory.l2.misses": cycles // 1000}})
    return {"sweep": {"name": "capacity", "grid": {}, "created": "x", "nvr_vp": "v"}, "runs": runs}


class report_capacity(unittest.TestCase, files_mixin):
    def test_capacity_axis(self):
        out = workdir("capacity")
        doc = capacity_table()
        table = write_table(os.path.join(out, "table.json"), doc)
        res = run("nvr-report", table, "-o", os.path.join(out, "report"))
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertNotIn("Traceback", res.stderr)
        md = open(os.path.join(out, "report", "report.md")).read()
        self.check_plot(os.path.join(out, "report", "plots", "capacity"))
        self.assertIn("## NSB vs L2 capacity", md)
        self.assertIn("Fixed: `workload` = `sparse`.", md)
        self.assertIn("means over the 2 seeds", md)
        rows = table_with(md, "l2-size")
        self.assertEqual(len(rows), 8)  # 2 NSB sizes x 2 prefetchers x 2 L2 sizes
        for r in rows:
            cycles = [x["metrics"]["npu.cycles"] for x in doc["runs"]
                      if x["params"]["prefetcher"] == r["prefetcher"] and x["params"]["nsb-size"] == r["nsb-size"]
                      and x["params"]["l2-size"] == r["l2-size"]]
            self.assertEqual(r["NPU cycles"], str(int(round(sum(cycles) / len(cycles)))))
        # Groups of the misses table: the capacity combinations, sizes in numeric order.
        groups = [r["group"] for r in table_with(md, "speedup") if r["prefetcher"] == "nvr"]
        self.assertEqual(groups, ["nsb-size=0 l2-size=256K", "nsb-size=0 l2-size=272K",
                                  "nsb-size=16K l2-size=256K", "nsb-size=16K l2-size=272K"])
        # No busy or prefetch metrics: said, not drawn.
        self.assertIn("no utilisation", md)
        self.assertIn("no timeliness histogram", md)


class report_partial(unittest.TestCase, files_mixin):
    def test_single_point(self):
        out = workdir("single")
        doc = json.load(open(os.path.join(FIXTURES, "two_by_two.json")))
        doc["runs"] = doc["runs"][1:2]
        res = run("nvr-report", write_table(os.path.join(out, "table.json"), doc), "-o", out)
        self.assertEqual(res.returncode, 0, res.stderr)
        md = open(os.path.join(out, "report.md")).read()
        self.assertIn("single usable run", md)
        self.assertIn("no `prefetcher` axis", md)
        self.assertIn("| all | nvr | 240000 |", md)
        self.check_plot(os.path.join(out, "plots", "timeliness"))

    def test_missing_metrics_and_failed_runs(self):
        out = workdir("missing")
        doc = json.load(open(os.path.join(FIXTURES, "two_by_two.json")))
        for r in doc["runs"]:
            r["metrics"] = {"npu.cycles": r["metrics"]["npu.cycles"]}
        doc["runs"][3].update(status="timeout", exit_code=124, metrics={})
        doc["runs"][2]["check"] = "FAIL"
        res = run("nvr-report", write_table(os.path.join(out, "table.json"), doc), "-o", out)
        self.assertEqual(res.returncode, 0, res.stderr)
        md = open(os.path.join(out, "report.md")).read()
        self.assertIn("No `npu.memory.nsb.misses` in the table", md)
        self.assertIn("`b2` (workload=det prefetcher=nvr): timeout, exit code 124", md)
        self.assertIn("`b1` (workload=det prefetcher=none): check FAIL", md)
        rows = table_with(md, "speedup")
        self.assertEqual([(r["group"], r["prefetcher"], r["speedup"], r["NSB misses"]) for r in rows],
                         [("occ", "none", "1.000x", "–"), ("occ", "nvr", "1.250x", "–")])
        self.check_plot(os.path.join(out, "plots", "speedup"))

    def test_time_metric(self):
        out = workdir("time-metric")
        res = run("nvr-report", os.path.join(FIXTURES, "two_by_two.json"), "-o", out, "--time-metric",
                  "run.simulated_time_ps")
        self.assertEqual(res.returncode, 0, res.stderr)
        rows = table_with(open(os.path.join(out, "report.md")).read(), "run.simulated_time_ps")
        self.assertEqual([(r["group"], r["prefetcher"], r["run.simulated_time_ps"], r["speedup"]) for r in rows],
                         [("occ", "none", "29000000000", "1.000x"), ("occ", "nvr", "28000000000", f"{29 / 28:.3f}x"),
                          ("det", "none", "90000000000", "1.000x"), ("det", "nvr", "88000000000", f"{90 / 88:.3f}x")])
        res = run("nvr-report", os.path.join(FIXTURES, "two_by_two.json"), "-o", out, "--time-metric", "no.such")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("No `no.such` in the table", open(os.path.join(out, "report.md")).read())

    def test_no_runs(self):
        out = workdir("empty")
        res = run("nvr-report", write_table(os.path.join(out, "table.json"), {"sweep": {}, "runs": []}), "-o", out)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("no usable run", open(os.path.join(out, "report.md")).read())


class report_malformed(unittest.TestCase, files_mixin):
    CASES = {
        "not_json": ("{\"runs\": [", r"not JSON"),
        "empty_file": ("", r"not JSON"),
        "top_level_list": ("[]", r"top level is not an object"),
        "no_runs": ("{\"sweep\": {}}", r"no \"runs\" list"),
        "runs_not_list": ("{\"runs\": {}}", r"\"runs\" is not a list"),
        "row_not_object": ("{\"runs\": [1]}", r"runs\[0\] is not an object"),
        "no_id": ("{\"runs\": [{\"params\": {}, \"status\": \"ok\"}]}", r"runs\[0\] has no \"id\""),
        "duplicate_id": ("{\"runs\": [{\"id\": \"a\", \"params\": {}, \"status\": \"ok\"}, "
                         "{\"id\": \"a\", \"params\": {}, \"status\": \"ok\"}]}", r"id 'a' appears twice"),
        "params_not_object": ("{\"runs\": [{\"id\": \"a\", \"params\": [], \"status\": \"ok\"}]}", r"no \"params\""),
        "param_value": ("{\"runs\": [{\"id\": \"a\", \"params\": {\"x\": [1]}, \"status\": \"ok\"}]}",
                        r"param 'x' is not a string or an integer"),
        "bad_status": ("{\"runs\": [{\"id\": \"a\", \"params\": {}, \"status\": \"done\"}]}",
                       r"status \"done\" is not ok, failed or timeout"),
        "metric_string": ("{\"runs\": [{\"id\": \"a\", \"params\": {}, \"status\": \"ok\", "
                          "\"metrics\": {\"npu.cycles\": \"12\"}}]}", r"metric 'npu.cycles' is not a finite number"),
        "bad_check": ("{\"runs\": [{\"id\": \"a\", \"params\": {}, \"status\": \"ok\", \"check\": 1}]}",
                      r"check 1 is not PASS, FAIL or null"),
        "binary": (b"\xff\xfe\x00garbage", r"not UTF-8|not JSON"),
    }

    def test_malformed_tables(self):
        out = workdir("malformed")
        for name, (content, pattern) in self.CASES.items():
            with self.subTest(name):
                path = os.path.join(out, name + ".json")
                with open(path, "wb") as f:
                    f.write(content if isinstance(content, bytes) else content.encode())
                res = run("nvr-report", path, "-o", os.path.join(out, "r-" + name))
                self.check_clean_failure(res, 65, r"^nvr-report: '.*': malformed table: .*" + pattern)

    def test_missing_table(self):
        res = run("nvr-report", os.path.join(WORK, "no-such-table.json"))
        self.check_clean_failure(res, 65, r"^nvr-report: cannot read '.*no-such-table.json'")

    def test_bad_arguments(self):
        self.check_clean_failure(run("nvr-report"), 64, r"^nvr-report: .*required")
        self.check_clean_failure(run("nvr-report", "a.json", "--bogus"), 64, r"^nvr-report: unrecognized")

    def test_unwritable_output(self):
        out = workdir("unwritable")
        blocker = os.path.join(out, "file")
        open(blocker, "w").close()
        res = run("nvr-report", os.path.join(FIXTURES, "two_by_two.json"), "-o", os.path.join(blocker, "sub"))
        self.check_clean_failure(res, 74, r"^nvr-report: ")


class timeline_run(unittest.TestCase, files_mixin):
    """A real short run (occ with NVR) drawn from its VCD; the summary checked against the VCD."""

    @classmethod
    def setUpClass(cls):
        cls.out = workdir("timeline")
        cls.vcd = os.path.join(cls.out, "occ.vcd")
        cls.stats = os.path.join(cls.out, "occ.json")
        cls.vp = subprocess.run([NVR_VP, "--workload", "occ", "--prefetcher", "nvr", "--vcd", cls.vcd,
                                 "--vcd-groups", "npu,nvr,cache", "--stats", cls.stats, "--uart-out",
                                 os.path.join(cls.out, "occ.uart")], capture_output=True, text=True, timeout=120)
        cls.res = run("nvr-timeline", cls.vcd, "--stats", cls.stats, "-o", os.path.join(cls.out, "tl"),
                      "--bins", "300")

    def setUp(self):
        self.assertEqual(self.vp.returncode, 0, self.vp.stderr)
        self.assertEqual(self.res.returncode, 0, self.res.stderr)

    def test_pictures(self):
        self.check_plot(os.path.join(self.out, "tl"))

    def test_summary_against_the_vcd(self):
        _, changes = vcd_reader.read(self.vcd)  # the independent reader
        m = re.search(r"(\d+) runahead episodes", self.res.stdout)
        self.assertIsNotNone(m, self.res.stdout)
        active = changes["soc.nvr.active"]
        edges = sum(1 for (_, prev), (_, v) in zip([(0, 0)] + active, active) if v and not prev)
        self.assertGreater(edges, 0)
        self.assertEqual(int(m.group(1)), edges)
        m = re.search(r"(\d+) NSB miss strobes", self.res.stdout)
        self.assertIsNotNone(m, self.res.stdout)
        miss = changes["soc.npu.memory.nsb.miss"]
        self.assertEqual(int(m.group(1)), sum(1 for (_, prev), (_, v) in zip([(0, 0)] + miss, miss) if v and not prev))
        self.assertIn("300 bins", self.res.stdout)
        stats = json.load(open(self.stats))["soc"]["npu"]
        self.assertIn(f"statistics: {stats['cycles']} NPU cycles, {stats['memory']['nsb']['misses']} NSB misses",
                      self.res.stdout)
        # Strobes closer than 1 ns merge: at most the statistics' misses.
        self.assertLessEqual(int(m.group(1)), stats["memory"]["nsb"]["misses"])
        self.assertRegex(self.res.stdout, r"busy load \d+\.\d%, execute \d+\.\d%")

    def test_fast_reader_agrees(self):
        self.assertEqual(vcd_reader.read_signals(self.vcd), vcd_reader.read(self.vcd))

    def test_deterministic(self):
        res = run("nvr-timeline", self.vcd, "--stats", self.stats, "-o", os.path.join(self.out, "tl2"), "--bins",
                  "300")
        self.assertEqual(res.returncode, 0, res.stderr)
        with open(os.path.join(self.out, "tl.svg"), "rb") as a, open(os.path.join(self.out, "tl2.svg"), "rb") as b:
            self.assertEqual(a.read(), b.read())


class experiment_plots(unittest.TestCase):
    """nvr-experiment draws with nvr-report's functions in-process under Debian's python3: the same
    files as docs/plots (which the experiment's from_json test also checks through the fallback)."""

    def test_in_process(self):
        out = workdir("experiment")
        docs = os.path.join(TOOLS, "..", "docs")
        shutil.copy(os.path.join(docs, "results-discussion.md"), out)
        res = subprocess.run([PYTHON, os.path.join(TOOLS, "nvr-experiment"), "--from-json",
                              os.path.join(docs, "results.json"), "--output", os.path.join(out, "results.md")],
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(open(os.path.join(out, "results.md")).read(), open(os.path.join(docs, "results.md")).read())
        for name in sorted(os.listdir(os.path.join(docs, "plots"))):
            with open(os.path.join(out, "plots", name), "rb") as a, open(os.path.join(docs, "plots", name), "rb") as b:
                self.assertEqual(a.read(), b.read(), name)


SMALL_VCD = """$timescale 1 ps $end
$scope module soc $end
$scope module npu $end
$var wire 1 ! load_busy $end
$var wire 4 " load_queue [3:0] $end
$upscope $end
$scope module nvr $end
$var wire 1 # active $end
$upscope $end
$upscope $end
$enddefinitions $end
#0
$dumpvars
0!
b0 "
0#
$end
#1000
1!
1#
#2000
0!
b1 "
0#
#3000
1#
#4000
1!
#5000
0!
b0 "
0#
"""


class timeline_small(unittest.TestCase, files_mixin):
    """A hand-written VCD: busy half of [1000, 5000] ps, two episodes, queued-while-idle a quarter."""

    def test_numbers(self):
        out = workdir("timeline-small")
        vcd = os.path.join(out, "small.vcd")
        open(vcd, "w").write(SMALL_VCD)
        res = run("nvr-timeline", vcd, "--bins", "4", "--window", "1ns:5ns", "-o", os.path.join(out, "s"))
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("2 runahead episodes (active 75.0% of the time)", res.stdout)
        self.assertIn("busy load 50.0%", res.stdout)
        self.assertIn("no cache signals", res.stdout)
        self.check_plot(os.path.join(out, "s"))

    def test_errors(self):
        out = workdir("timeline-errors")
        garbage = os.path.join(out, "garbage.vcd")
        open(garbage, "w").write("hello\n")
        uart = os.path.join(out, "uart.vcd")
        open(uart, "w").write("$timescale 1 ps $end\n$scope module soc $end\n$var wire 1 ! tx $end\n$upscope $end\n"
                              "$enddefinitions $end\n#0\n0!\n")
        bad_time = os.path.join(out, "bad_time.vcd")
        open(bad_time, "w").write(SMALL_VCD.replace("#3000", "#3x00"))
        small = os.path.join(out, "small.vcd")
        open(small, "w").write(SMALL_VCD)
        bad_stats = os.path.join(out, "stats.json")
        open(bad_stats, "w").write("{\"soc\": ")
        o = ["-o", os.path.join(out, "x")]
        self.check_clean_failure(run("nvr-timeline", os.path.join(out, "none.vcd"), *o), 65, r"cannot read")
        self.check_clean_failure(run("nvr-timeline", garbage, *o), 65, r"malformed VCD")
        self.check_clean_failure(run("nvr-timeline", bad_time, *o), 65, r"malformed VCD")
        self.check_clean_failure(run("nvr-timeline", uart, *o), 65, r"no NPU or NVR signals")
        self.check_clean_failure(run("nvr-timeline", small, "--stats", bad_stats, *o), 65, r"not a statistics JSON")
        self.check_clean_failure(run("nvr-timeline", small, "--bins", "0", *o), 64, r"--bins")
        self.check_clean_failure(run("nvr-timeline", small, "--bins", "x", *o), 64, r"--bins")
        self.check_clean_failure(run("nvr-timeline", small, "--window", "5ns", *o), 64, r"--window")
        self.check_clean_failure(run("nvr-timeline", small, "--window", "5ns:1ns", *o), 64, r"--window: empty")
        self.check_clean_failure(run("nvr-timeline", small, "-o", os.path.join(garbage, "x")), 74, r"cannot write")


if __name__ == "__main__":
    TOOLS, WORK, NVR_VP = sys.argv[1:4]
    os.makedirs(WORK, exist_ok=True)
    unittest.main(argv=[sys.argv[0]] + sys.argv[4:], verbosity=2)
