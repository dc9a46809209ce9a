#!/usr/bin/env python3
"""Tests of tools/nvr-sweep (unittest), one class per ctest test:

    test_nvr_sweep.py TOOL WORKDIR NVR_VP OCC_IMAGE_GENERATOR TEST

TEST: end_to_end (a tiny sweep: rows, params, metrics against the statistics, CSV, a second
invocation runs nothing; the progress bar on a terminal), images (a seed axis makes one image per
seed), resume (a sweep killed after its first results, and the --stop-after hook: finished runs are
not run again, the table is complete), failing_runs (a failed and a timed-out run are rows, exit 1),
parallel (the job list run by GNU parallel gives the local pool's table), slurm (the array script's
range and line selection), malformed (each kind of bad grid or argument: one line, exit 64, nothing
run; unwritable outputs, exit 74)."""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import unittest

TOOL, WORK, VP, OCC_GEN, TEST = sys.argv[1:6]
# Figures of the host, not of the simulated machine: differ between two runs of the same point.
HOST_METRICS = {"run.host_seconds", "run.mips"}


def fresh(name):
    path = os.path.join(WORK, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def write_grid(directory, text, name="grid.toml"):
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def sweep(*args, timeout=50):
    cmd = [sys.executable, TOOL, "--nvr-vp", VP] + list(args)
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    print(f"$ {' '.join(cmd)}\n-> exit {res.returncode}\n{res.stdout}{res.stderr}")
    return res


def table(out):
    with open(os.path.join(out, "table.json"), encoding="utf-8") as f:
        return json.load(f)


def comparable(t):
    """The table without what the host decides (timings, creation time)."""
    rows = []
    for r in t["runs"]:
        metrics = {k: v for k, v in r["metrics"].items() if k not in HOST_METRICS}
        rows.append((r["id"], r["params"], r["status"], r["exit_code"], r["check"], metrics))
    return rows


TINY = """name = "tiny"
timeout = 60
[axes]
workload = ["occ"]
prefetcher = ["none", "nvr"]
[options]
quantum = "1us"
"""


class end_to_end(unittest.TestCase):
    def test(self):
        work = fresh("e2e")
        out = os.path.join(work, "out")
        res = sweep(write_grid(work, TINY), "--out", out, "-j", "2")
        self.assertEqual(res.returncode, 0)
        t = table(out)
        self.assertEqual(t["sweep"]["name"], "tiny")
        self.assertEqual(t["sweep"]["grid"]["axes"]["prefetcher"], ["none", "nvr"])
        self.assertTrue(t["sweep"]["nvr_vp"].startswith("nvr-vp"))
        self.assertTrue(t["sweep"]["created"])
        rows = t["runs"]
        self.assertEqual([r["params"] for r in rows],
                         [{"workload": "occ", "prefetcher": "none"}, {"workload": "occ", "prefetcher": "nvr"}])
        for r in rows:
            self.assertEqual((r["status"], r["exit_code"], r["check"]), ("ok", 0, "PASS"))
            self.assertGreater(r["host_seconds"], 0)
            run = os.path.join(out, "runs", r["id"])
            stats = json.load(open(os.path.join(run, "stats.json"), encoding="utf-8"))
            self.assertEqual(r["metrics"]["npu.cycles"], stats["soc"]["npu"]["cycles"])
            nsb = stats["soc"]["npu"]["memory"]["nsb"]
            self.assertEqual(r["metrics"]["npu.memory.nsb.miss_rate"], nsb["miss_rate"])
            self.assertEqual(r["metrics"]["run.exit_code"], 0)
            self.assertNotIn("soc.npu.cycles", r["metrics"])
            self.assertFalse(any(isinstance(v, str) for v in r["metrics"].values()))
            cmd = open(os.path.join(run, "cmd"), encoding="utf-8").read()
            self.assertIn(f"--prefetcher {r['params']['prefetcher']}", cmd)
            self.assertIn("--quantum 1us", cmd)
            self.assertIn("occ: check PASS", open(os.path.join(run, "uart.txt"), encoding="utf-8").read())
            self.assertEqual(json.load(open(os.path.join(run, "result.json"), encoding="utf-8")), r)
        self.assertNotEqual(rows[0]["metrics"]["npu.cycles"], rows[1]["metrics"]["npu.cycles"])
        self.assertEqual(rows[0]["metrics"]["npu.memory.nsb.prefetch.issued"], 0)

        with open(os.path.join(out, "table.csv"), encoding="utf-8") as f:
            lines = list(csv.reader(f))
        header = lines[0]
        self.assertEqual(header[:7], ["id", "workload", "prefetcher", "status", "exit_code", "check", "host_seconds"])
        self.assertEqual(header[7:], sorted(header[7:]))
        self.assertEqual(len(lines), 3)
        for line, r in zip(lines[1:], rows):
            d = dict(zip(header, line))
            self.assertEqual((d["id"], d["prefetcher"], d["status"], d["check"]), (r["id"], r["params"]["prefetcher"],
                                                                                   "ok", "PASS"))
            self.assertEqual(int(d["npu.cycles"]), r["metrics"]["npu.cycles"])

        # Again: everything is finished, nothing runs, the same table.
        mtimes = {r["id"]: os.stat(os.path.join(out, "runs", r["id"], "result.json")).st_mtime_ns for r in rows}
        res = sweep(write_grid(work, TINY), "--out", out)
        self.assertEqual(res.returncode, 0)
        self.assertIn("2 finished before, 0 to run", res.stderr)
        self.assertEqual(table(out), t)
        for rid, m in mtimes.items():
            self.assertEqual(os.stat(os.path.join(out, "runs", rid, "result.json")).st_mtime_ns, m)


    def test_progress_on_a_terminal(self):
        # stderr a terminal: one bar redrawn in place with count, failures and ETA.
        import pty
        work = fresh("tty")
        master, slave = pty.openpty()
        proc = subprocess.Popen([sys.executable, TOOL, "--nvr-vp", VP, write_grid(work, TINY), "--out",
                                 os.path.join(work, "out")], stdout=subprocess.DEVNULL, stderr=slave)
        os.close(slave)
        text = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            text += chunk
        os.close(master)
        self.assertEqual(proc.wait(timeout=50), 0)
        text = text.decode(errors="replace")
        print(text)
        self.assertIn("\r\x1b[K[", text)
        self.assertIn("2/2  0 failed  ETA 0:00", text)
        self.assertNotIn("[1/2,", text)  # not the plain lines


class images(unittest.TestCase):
    def test(self):
        work = fresh("images")
        out = os.path.join(work, "out")
        grid = write_grid(work, f"""[axes]
workload = ["occ"]
seed = [1, 2]
[images]
occ = "{OCC_GEN} --grid small --seed {{seed}} -o {{image}}"
""")
        res = sweep(grid, "--out", out, "-j", "2")
        self.assertEqual(res.returncode, 0)
        rows = table(out)["runs"]
        self.assertEqual([r["params"] for r in rows], [{"workload": "occ", "seed": 1}, {"workload": "occ", "seed": 2}])
        made = sorted(os.listdir(os.path.join(out, "images")))
        self.assertEqual(len(made), 2)
        for r, image in zip(rows, made):
            self.assertEqual(r["check"], "PASS")
            cmd = open(os.path.join(out, "runs", r["id"], "cmd"), encoding="utf-8").read()
            self.assertIn("--workload-image " + os.path.join(out, "images", image), cmd)
            self.assertNotIn("--seed", cmd)  # the seed went to the generator, not to nvr-vp
        # Seed 1's image is the built one: the same NPU cycles as the plain workload.
        plain = os.path.join(work, "plain.json")
        subprocess.run([VP, "--workload", "occ", "--stats", plain, "--uart-out", os.devnull], check=True)
        self.assertEqual(rows[0]["metrics"]["npu.cycles"], json.load(open(plain))["soc"]["npu"]["cycles"])
        self.assertNotEqual(rows[0]["metrics"]["npu.cycles"], rows[1]["metrics"]["npu.cycles"])
        # The ids do not depend on the output folder.
        res = sweep(grid, "--out", os.path.join(work, "elsewhere"), "--stop-after", "0")
        self.assertEqual(sorted(os.listdir(os.path.join(work, "elsewhere", "runs"))),
                         sorted(r["id"] for r in rows))


RESUME = """name = "resume"
[axes]
workload = ["occ", "occ_panoptic"]
prefetcher = ["none", "stride", "nvr"]
"""


def results(out):
    runs = os.path.join(out, "runs")
    found = {}
    for rid in os.listdir(runs) if os.path.isdir(runs) else []:
        path = os.path.join(runs, rid, "result.json")
        if os.path.exists(path):
            found[rid] = os.stat(path).st_mtime_ns
    return found


class resume(unittest.TestCase):
    def test_killed(self):
        work = fresh("resume-killed")
        out = os.path.join(work, "out")
        grid = write_grid(work, RESUME)
        proc = subprocess.Popen([sys.executable, TOOL, "--nvr-vp", VP, grid, "--out", out, "-j", "1"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 40
        while not results(out) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=30)[0]
        print(output)
        self.assertEqual(proc.returncode, 130)
        self.assertIn("interrupted", output)
        before = results(out)
        self.assertGreaterEqual(len(before), 1)
        self.assertLess(len(before), 6)
        # No run is left behind: nothing writes into the runs' folders any more.
        time.sleep(0.5)
        self.assertEqual(results(out), before)

        res = sweep(grid, "--out", out, "-j", "2")
        self.assertEqual(res.returncode, 0)
        self.assertIn(f"{len(before)} finished before, {6 - len(before)} to run", res.stderr)
        after = results(out)
        for rid, m in before.items():
            self.assertEqual(after[rid], m, f"{rid} ran again")
        rows = table(out)["runs"]
        self.assertEqual(len(rows), 6)
        self.assertTrue(all(r["status"] == "ok" and r["check"] == "PASS" for r in rows))

    def test_stop_after(self):
        work = fresh("resume-hook")
        out = os.path.join(work, "out")
        grid = write_grid(work, RESUME)
        res = sweep(grid, "--out", out, "-j", "2", "--stop-after", "2")
        self.assertEqual(res.returncode, 1)  # the table lacks four runs
        before = results(out)
        self.assertEqual(len(before), 2)
        rows = table(out)["runs"]
        self.assertEqual(sum(r["status"] == "ok" for r in rows), 2)
        self.assertTrue(all(r["error"] == "not run (no result.json)" for r in rows if r["status"] != "ok"))
        res = sweep(grid, "--out", out, "-j", "2")
        self.assertEqual(res.returncode, 0)
        self.assertIn("2 finished before, 4 to run", res.stderr)
        after = results(out)
        self.assertEqual(len(after), 6)
        for rid, m in before.items():
            self.assertEqual(after[rid], m, f"{rid} ran again")


class failing_runs(unittest.TestCase):
    def test(self):
        work = fresh("failing")
        out = os.path.join(work, "out")
        grid = write_grid(work, """timeout = 30
[axes]
workload = ["occ"]
max-instructions = ["1000", "100000000"]
""")
        res = sweep(grid, "--out", out)
        self.assertEqual(res.returncode, 1)
        rows = table(out)["runs"]
        self.assertEqual([(r["status"], r["exit_code"]) for r in rows], [("failed", 124), ("ok", 0)])
        self.assertIn("instruction limit", rows[0]["error"])
        self.assertIsNone(rows[0]["check"])
        self.assertGreater(rows[0]["metrics"]["cpu.instructions"], 0)  # statistics of a failed run are kept
        # A failed run is finished: not run again, unless asked.
        res = sweep(grid, "--out", out)
        self.assertIn("2 finished before, 0 to run", res.stderr)
        res = sweep(grid, "--out", out, "--retry-failed")
        self.assertIn("1 finished before, 1 to run", res.stderr)

        out = os.path.join(work, "timeout")
        res = sweep(write_grid(work, """timeout = 0.05
[axes]
workload = ["det"]
""", "t.toml"), "--out", out)
        self.assertEqual(res.returncode, 1)
        r = table(out)["runs"][0]
        self.assertEqual((r["status"], r["exit_code"]), ("timeout", None))
        self.assertIn("no result after 0.05 s", r["error"])


    def test_run_one(self):
        # A job line by hand: a crash is a failed run; a run stopped by a signal leaves no result.
        work = fresh("run-one")
        for name, script, expect in (("crash", "kill -SEGV $$", "failed"), ("term", "exit 143", None),
                                     ("killed", "kill -KILL $$", None), ("fine", "exit 0", "failed")):
            run = os.path.join(work, name)
            os.makedirs(run)
            with open(os.path.join(run, "job.json"), "w") as f:
                json.dump({"id": name, "params": {"x": name}, "argv": ["sh", "-c", script], "timeout": 10}, f)
            res = subprocess.run([sys.executable, TOOL, "--run-one", run], capture_output=True, text=True, timeout=30)
            print(name, res.returncode, res.stderr)
            if expect is None:
                self.assertEqual(res.returncode, 130)
                self.assertFalse(os.path.exists(os.path.join(run, "result.json")))
                continue
            self.assertEqual(res.returncode, 1)
            row = json.load(open(os.path.join(run, "result.json")))
            self.assertEqual((row["id"], row["params"], row["status"]), (name, {"x": name}, expect))
        self.assertEqual(json.load(open(os.path.join(work, "crash", "result.json")))["error"], "killed by SIGSEGV")
        # exit 0 without statistics is no success.
        self.assertEqual(json.load(open(os.path.join(work, "fine", "result.json")))["error"], "no statistics written")

    def test_output_files(self):
        # Files a run writes (--vcd, traces) land in its own folder.
        work = fresh("outputs")
        out = os.path.join(work, "out")
        res = sweep(write_grid(work, '[axes]\nworkload = ["occ"]\nprefetcher = ["none", "nvr"]\n'
                               '[options]\nvcd = "run.vcd"\nvcd-groups = "npu"\n'), "--out", out)
        self.assertEqual(res.returncode, 0)
        for r in table(out)["runs"]:
            self.assertTrue(os.path.getsize(os.path.join(out, "runs", r["id"], "run.vcd")) > 0)
        self.assertFalse(os.path.exists(os.path.join(work, "run.vcd")))


def same_rows(test, a, b):
    test.assertEqual(comparable(a), comparable(b))
    test.assertEqual(a["sweep"]["grid"], b["sweep"]["grid"])


class parallel(unittest.TestCase):
    def test(self):
        if not shutil.which("parallel"):
            self.skipTest("GNU parallel is not installed")
        work = fresh("parallel")
        grid = write_grid(work, TINY.replace('["occ"]', '["occ", "occ_panoptic"]'))
        local = os.path.join(work, "local")
        self.assertEqual(sweep(grid, "--out", local, "-j", "2").returncode, 0)

        cluster = os.path.join(work, "cluster")
        jobs = os.path.join(work, "jobs.txt")
        res = sweep(grid, "--out", cluster, "--emit", "parallel", jobs)
        self.assertEqual(res.returncode, 0)
        lines = open(jobs, encoding="utf-8").read().splitlines()
        self.assertEqual(len(lines), 4)
        self.assertEqual(results(cluster), {})  # emitting runs nothing
        # Collected before anything ran: every run is missing.
        res = sweep("--collect", cluster)
        self.assertEqual(res.returncode, 1)
        self.assertTrue(all(r["status"] == "failed" for r in table(cluster)["runs"]))

        res = subprocess.run(["parallel", "-j", "2"], stdin=open(jobs), capture_output=True, text=True, timeout=50)
        print(res.stdout, res.stderr)
        self.assertEqual(res.returncode, 0)
        res = sweep("--collect", cluster)
        self.assertEqual(res.returncode, 0)
        same_rows(self, table(cluster), table(local))
        with open(os.path.join(cluster, "table.csv")) as a, open(os.path.join(local, "table.csv")) as b:
            self.assertEqual(next(csv.reader(a)), next(csv.reader(b)))
        # The normal run over the same folder finds everything finished.
        res = sweep(grid, "--out", cluster)
        self.assertIn("4 finished before, 0 to run", res.stderr)
        # A job line again: its run is finished, nothing happens.
        before = results(cluster)
        self.assertEqual(subprocess.run(lines[0], shell=True).returncode, 0)
        self.assertEqual(results(cluster), before)

        # parallel's multi-host mode, with this machine as the one host (":", no ssh needed).
        hosts = os.path.join(work, "hosts")
        jobs = os.path.join(work, "hosts-jobs.txt")
        self.assertEqual(sweep(grid, "--out", hosts, "--emit", "parallel", jobs).returncode, 0)
        res = subprocess.run(["parallel", "--sshlogin", "2/:"], stdin=open(jobs), capture_output=True, text=True,
                             timeout=50)
        print(res.stdout, res.stderr)
        self.assertEqual(res.returncode, 0)
        self.assertEqual(sweep("--collect", hosts).returncode, 0)
        same_rows(self, table(hosts), table(local))


class slurm(unittest.TestCase):
    def test(self):
        work = fresh("slurm")
        grid = write_grid(work, TINY.replace('["none", "nvr"]', '["none", "stride", "nvr"]'))
        out = os.path.join(work, "out")
        script = os.path.join(work, "sweep.sbatch")
        res = sweep(grid, "--out", out, "--emit", "slurm", script)
        self.assertEqual(res.returncode, 0)
        text = open(script, encoding="utf-8").read()
        lines = text.splitlines()
        self.assertEqual(lines[0], "#!/bin/bash")
        directives = [i for i, line in enumerate(lines) if line.startswith("#SBATCH")]
        first_command = next(i for i, line in enumerate(lines) if line.strip() and not line.startswith("#"))
        self.assertLess(max(directives), first_command, "sbatch reads #SBATCH lines only before the first command")
        self.assertIn("#SBATCH --array=0-2", lines)
        jobs = open(os.path.join(out, "jobs.txt"), encoding="utf-8").read().splitlines()
        self.assertEqual(len(jobs), 3)
        # Task 1 runs line 2 of the job list, and only it.
        env = dict(os.environ, SLURM_ARRAY_TASK_ID="1")
        res = subprocess.run(["bash", script], env=env, capture_output=True, text=True, timeout=50)
        print(res.stdout, res.stderr)
        self.assertEqual(res.returncode, 0)
        ran = list(results(out))
        self.assertEqual(len(ran), 1)
        self.assertIn(ran[0], jobs[1])
        row = json.load(open(os.path.join(out, "runs", ran[0], "result.json")))
        self.assertEqual(row["params"]["prefetcher"], "stride")
        # A task beyond the list is an error, not a silent success.
        env["SLURM_ARRAY_TASK_ID"] = "3"
        self.assertNotEqual(subprocess.run(["bash", script], env=env, capture_output=True).returncode, 0)


class malformed(unittest.TestCase):
    def expect(self, grid_text, fragment, *extra, notes=0):
        work = fresh("malformed")
        args = list(extra)
        if grid_text is not None:
            args = [write_grid(work, grid_text)] + args
        out = os.path.join(work, "out")
        res = sweep(*args, "--out", out)
        self.assertEqual(res.returncode, 64, grid_text)
        lines = res.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1 + notes, res.stderr)  # notes: progress lines before the error
        self.assertTrue(lines[-1].startswith("nvr-sweep: "), lines[-1])
        self.assertIn(fragment, lines[-1])
        self.assertFalse(os.path.exists(os.path.join(out, "runs")), "nothing ran")

    def test_bad_toml(self):
        self.expect('[axes\nprefetcher = ["none"]\n', "bad TOML")

    def test_unknown_key(self):
        self.expect('bogus = 1\n[axes]\nprefetcher = ["none"]\n', "unknown key 'bogus'")
        self.expect('prefetcher = ["none"]\n', "axes go under [axes]")
        self.expect('[axes]\nprefetcher = ["none"]\nexclude = [{prefetcher = "none"}]\n', "not an axis")

    def test_empty_axis(self):
        self.expect('[axes]\nprefetcher = []\n', "[axes] prefetcher: empty axis")
        self.expect('name = "x"\n', "no [axes]")
        self.expect('[axes]\nprefetcher = "none"\n', "not a list")
        self.expect('[axes]\nprefetcher = ["none", "none"]\n', "listed twice")

    def test_unknown_option(self):
        self.expect('[axes]\nprefetchr = ["none"]\n', "unknown nvr-vp option '--prefetchr'")
        self.expect('[axes]\nprefetcher = ["none"]\n[options]\nqantum = "1us"\n', "unknown nvr-vp option '--qantum'")
        self.expect('[axes]\nstats = ["x.json"]\n', "--stats cannot be set")

    def test_bad_value(self):
        self.expect('[axes]\nnsb-size = ["16K", "abc"]\n', "nsb-size = 'abc': nvr-vp says: --nsb-size")
        self.expect('[axes]\nprefetcher = ["none", "bogus"]\n', "unknown prefetcher 'bogus'")
        self.expect('[axes]\nprefetcher = ["none"]\n[options]\nquantum = "xyz"\n', "[options]: nvr-vp says: --quantum")
        self.expect('[axes]\nworkload = ["occ", "nope"]\n', "'nope' is unknown to nvr-vp")
        self.expect('[axes]\nseed = ["one"]\n', "not a non-negative integer")
        self.expect('timeout = -1\n[axes]\nprefetcher = ["none"]\n', "timeout")

    def test_points(self):
        base = '[axes]\nworkload = ["occ"]\nprefetcher = ["none"]\n'
        self.expect('exclude = [{prefetcher = "none"}]\n' + base, "no points left")
        self.expect('exclude = [{prefetchr = "none"}]\n' + base, "'prefetchr' is not an axis")
        self.expect('include = [{prefetcher = "nvr"}]\n' + base, "lacks workload")

    def test_images(self):
        self.expect('[axes]\nworkload = ["occ"]\nseed = [1]\n[images]\nocc = "gen -o {imag}"\n', "{image}")
        self.expect('[axes]\nworkload = ["occ"]\n[images]\nocc = "gen --seed {seed} -o {image}"\n', "no seed axis")
        self.expect('[axes]\nworkload = ["occ", "det"]\nseed = [1]\n[images]\nocc = "gen -o {image}"\n',
                    "no generator for workload 'det'")
        self.expect('[axes]\nworkload = ["occ"]\nseed = [1]\n[images]\nocc = "no-such-generator -o {image}"\n',
                    "no program 'no-such-generator'")

    def test_arguments(self):
        self.expect(None, "cannot read grid", os.path.join(WORK, "no-such-grid.toml"))
        self.expect(None, "give one of")
        self.expect('[axes]\nprefetcher = ["none"]\n', "neither parallel nor slurm", "--emit", "pbs", "x")
        self.expect('[axes]\nprefetcher = ["none"]\n', "cannot run nvr-vp", "--nvr-vp", "/no/such/nvr-vp")
        self.expect(None, "holds no sweep", "--collect", os.path.join(WORK, "nowhere"))
        self.expect('[axes]\nprefetcher = ["none"]\n', "-j", "-j", "0")
        self.expect(None, "no usable job.json", "--run-one", os.path.join(WORK, "nowhere"))

    def test_image_generator_fails(self):
        self.expect('[axes]\nworkload = ["occ"]\nseed = [1]\n[images]\nocc = "false {image}"\n',
                    "[images] occ seed 1:", notes=1)
        self.expect('include = [{workload = "det", seed = 1}]\n[axes]\nworkload = ["occ"]\nseed = [1]\n[images]\n'
                    'occ = "gen -o {image}"\n', "no generator for workload 'det'")

    def test_unwritable(self):
        # Root ignores permissions: a directory where a file must go, or a file where a folder must.
        work = fresh("unwritable")
        grid = write_grid(work, TINY)
        blocker = os.path.join(work, "file")
        open(blocker, "w").close()
        res = sweep(grid, "--out", os.path.join(blocker, "out"))
        self.assertEqual(res.returncode, 64)
        self.assertIn("--out: cannot create", res.stderr)
        res = sweep(grid, "--out", os.path.join(work, "out"), "--emit", "parallel", os.path.join(blocker, "jobs"))
        self.assertEqual(res.returncode, 74)
        self.assertIn("cannot write", res.stderr)
        out = os.path.join(work, "out")
        os.makedirs(os.path.join(out, "table.json"))
        res = sweep(grid, "--out", out)
        self.assertEqual(res.returncode, 74)
        self.assertIn("cannot write the table", res.stderr)


if __name__ == "__main__":
    os.makedirs(WORK, exist_ok=True)
    unittest.main(argv=[sys.argv[0], "-v", TEST])
