#!/usr/bin/env python3
"""scripts/dmasim_report.py end to end: a baseline run and a run whose DRAM timing changed are
compared; the report must flag exactly the metrics whose values differ (read here from the two
summary.csv files), junit.xml must hold one failure for each, identical trees must pass, a
tolerance file must relax what it names, and bad input must exit 2.

usage: test_report.py DMASIM WORK_DIR
"""
import csv
import json
import os
import shutil
import subprocess
import sys
import unittest
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REPORT = os.path.join(ROOT, "scripts", "dmasim_report.py")
SCENARIO = os.path.join(ROOT, "tests", "data", "scenarios", "script-from-device.yaml")
DMASIM, WORK = sys.argv[1], sys.argv[2]


def dmasim_run(out, *sets):
    cmd = [DMASIM, "run", SCENARIO, "--out", out, "--quiet"]
    for s in sets:
        cmd += ["--set", s]
    subprocess.run(cmd, check=True)


def report(base, cur, out, *extra):
    return subprocess.run([sys.executable, REPORT, base, cur, "--out", out, *extra], capture_output=True, text=True)


def row(path):
    with open(path) as f:
        return next(csv.DictReader(f))


class Report(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(WORK, ignore_errors=True)
        cls.base = os.path.join(WORK, "baseline")
        cls.cur = os.path.join(WORK, "current")
        dmasim_run(os.path.join(cls.base, "script"))
        dmasim_run(os.path.join(cls.cur, "script"), "platform.dram.memspec.timing.tRCD=20")

    def test_flags_exactly_the_metrics_that_moved(self):
        b = row(os.path.join(self.base, "script", "summary.csv"))
        c = row(os.path.join(self.cur, "script", "summary.csv"))
        moved = set()
        for k, v in b.items():
            try:
                if float(v) != float(c[k]):
                    moved.add(k)
            except ValueError:
                pass
        self.assertTrue(moved, "the timing change moved nothing: the test would prove nothing")
        out = os.path.join(WORK, "report")
        p = report(self.base, self.cur, out)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        failures = {tc.get("name") for tc in ET.parse(os.path.join(out, "junit.xml")).getroot().iter("testcase")
                    if tc.find("failure") is not None}
        self.assertEqual(failures, moved)
        with open(os.path.join(out, "summary.md")) as f:
            summary = f.read()
        self.assertLess(len(summary.encode()), 60 * 1024)
        for m in moved:
            self.assertIn(f"| {m} |", summary)
        with open(os.path.join(out, "benchmark-smaller.json")) as f:
            smaller = {e["name"]: e["value"] for e in json.load(f)}
        self.assertEqual(smaller["script total_ns"], float(c["total_ns"]))
        with open(os.path.join(out, "benchmark-bigger.json")) as f:
            self.assertIn("script dram_bandwidth_gbps", {e["name"] for e in json.load(f)})
        with open(os.path.join(out, "bencher.json")) as f:
            self.assertEqual(json.load(f)["script"]["total_ns"]["value"], float(c["total_ns"]))

    def test_identical_trees_pass(self):
        p = report(self.base, self.base, os.path.join(WORK, "same"))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        root = ET.parse(os.path.join(WORK, "same", "junit.xml")).getroot()
        self.assertEqual(root.get("failures"), "0")

    def test_a_tolerance_relaxes_what_it_names(self):
        tol = os.path.join(WORK, "tolerances.yaml")
        with open(tol, "w") as f:
            f.write('metrics:\n  "*": {relative: 0.05}\n')
        p = report(self.base, self.cur, os.path.join(WORK, "tolerant"), "--tolerances", tol)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_bad_input_exits_2(self):
        self.assertEqual(report(os.path.join(WORK, "nowhere"), self.cur, os.path.join(WORK, "x")).returncode, 2)
        tol = os.path.join(WORK, "bad.yaml")
        with open(tol, "w") as f:
            f.write("metrics:\n  total_ns: {within: 3}\n")
        p = report(self.base, self.cur, os.path.join(WORK, "y"), "--tolerances", tol)
        self.assertEqual(p.returncode, 2)
        self.assertIn("metrics.total_ns", p.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
