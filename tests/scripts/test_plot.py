#!/usr/bin/env python3
"""scripts/dmasim_plot.py end to end on real results: a compare of four strategies (io-coherent is
n/a on the 4412, so one slot is empty) and a sweep of strategy by buffer size. Both plots must be
a PNG and an SVG that parses, with the strategies and the segment names in the SVG's text; each
ok strategy's segments must add up to its cpu_busy_ns and none be negative; the sweep's lines
must hold sweep.csv's figures, sorted by size; bad input must exit 2.

usage: test_plot.py DMASIM WORK_DIR
"""
import csv
import importlib.util
import os
import shutil
import subprocess
import sys
import unittest
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLOT = os.path.join(ROOT, "scripts", "dmasim_plot.py")
SCENARIO = os.path.join(ROOT, "tests", "data", "scenarios", "script-from-device.yaml")
SIZE_KEY = "drivers.0.script.buffers.0.size"
DMASIM, WORK = sys.argv[1], sys.argv[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def python_with_matplotlib():
    # CMake may have found a Python (pyenv, a virtualenv) that does not see Debian's
    # python3-matplotlib; Debian's own interpreter does.
    for exe in (sys.executable, "/usr/bin/python3"):
        if os.path.exists(exe):
            if subprocess.run([exe, "-c", "import matplotlib"], capture_output=True).returncode == 0:
                return exe
    return None


def load_plot_module():
    spec = importlib.util.spec_from_file_location("dmasim_plot", PLOT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def svg_text(path):
    """Every string of the SVG's <text> elements (the script keeps text as text)."""
    texts = ET.parse(path).getroot().iter("{http://www.w3.org/2000/svg}text")
    return [" ".join("".join(e.itertext()).split()) for e in texts]


class Plot(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(WORK, ignore_errors=True)
        os.makedirs(WORK)
        cls.python = python_with_matplotlib()
        if cls.python is None:
            raise RuntimeError("no Python here imports matplotlib: install python3-matplotlib (scripts/install-deps)")
        cls.mod = load_plot_module()
        cls.compare = os.path.join(WORK, "compare")
        cls.sweep = os.path.join(WORK, "sweep")
        subprocess.run([DMASIM, "compare", SCENARIO, "--strategies", "coherent,streaming,iommu,io-coherent",
                        "--out", cls.compare, "--quiet"], check=True)
        subprocess.run([DMASIM, "sweep", SCENARIO, "--vary", "strategy=coherent,streaming",
                        "--vary", f"{SIZE_KEY}=4KiB,16KiB,64KiB", "--jobs", "2", "--out", cls.sweep, "--quiet"],
                       check=True)

    def plot(self, *args):
        return subprocess.run([self.python, PLOT, *args], capture_output=True, text=True)

    def check_files(self, prefix):
        with open(prefix + ".png", "rb") as f:
            self.assertEqual(f.read(8), PNG_SIGNATURE)
        return svg_text(prefix + ".svg")

    def test_compare_plot(self):
        p = self.plot("compare", self.compare)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        text = self.check_files(os.path.join(self.compare, "compare-cpu-time"))
        for name in ("coherent", "streaming", "iommu", "io-coherent"):
            self.assertIn(name, text)
        for _, label in self.mod.SEGMENTS:
            self.assertIn(label, text)
        self.assertIn(self.mod.REST, text)
        self.assertIn("script-from-device on exynos4412: CPU time per strategy", text)
        self.assertTrue(any(t.startswith("n/a") for t in text), "io-coherent's slot does not show its status")
        with open(os.path.join(self.compare, "compare.csv"), newline="") as f:
            streaming = next(r for r in csv.DictReader(f) if r["strategy"] == "streaming")
        self.assertIn(f"run {self.mod.fmt_ms(float(streaming['total_ns']) / 1e6)} ms", text)

    def test_segments_add_up_to_cpu_busy(self):
        _, rows = self.mod.read_csv(os.path.join(self.compare, "compare.csv"))
        ok = [r for r in rows if r["status"] == "ok"]
        self.assertEqual(len(ok), 3)
        self.assertEqual(len(rows), 4, "io-coherent's n/a row is missing: the test would not exercise it")
        labels = [label for _, label in self.mod.SEGMENTS] + [self.mod.REST]
        for r in ok:
            segments = self.mod.cpu_time_segments(r)
            self.assertEqual([label for label, _ in segments], labels)
            for label, ms in segments:
                self.assertGreaterEqual(ms, 0, f"{r['strategy']}: {label}")
            busy = float(r["cpu_busy_ns"]) / 1e6
            self.assertLessEqual(abs(sum(ms for _, ms in segments) - busy), 1e-9 * busy, r["strategy"])
        # Streaming maintains the cache around each transfer: a zero would mean the columns are not filled.
        streaming = dict(self.mod.cpu_time_segments(next(r for r in ok if r["strategy"] == "streaming")))
        self.assertGreater(streaming["cache maintenance"], 0)

    def test_sweep_plot(self):
        p = self.plot("sweep", self.sweep, "--x", SIZE_KEY)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        text = self.check_files(os.path.join(self.sweep, f"sweep-total_ns-vs-{SIZE_KEY}"))
        for t in ("coherent", "streaming", "4KiB", "16KiB", "64KiB", "strategy"):
            self.assertIn(t, text)
        data = self.mod.sweep_lines(os.path.join(self.sweep, "sweep.csv"), SIZE_KEY)
        with open(os.path.join(self.sweep, "sweep.csv"), newline="") as f:
            rows = list(csv.DictReader(f))  # strategy's first occurrence is the varied key, the same value
        self.assertEqual(sorted(data["lines"]), ["coherent", "streaming"])
        for strategy, points in data["lines"].items():
            self.assertEqual([(label, pos) for label, pos, _ in points],
                             [("4KiB", 4096), ("16KiB", 16384), ("64KiB", 65536)])
            for label, _, y in points:
                row = next(r for r in rows if r["strategy"] == strategy and r[SIZE_KEY] == label)
                self.assertEqual(y, float(row["total_ns"]) / 1e6)
        self.assertEqual(data["averaged"], [])
        self.assertEqual(data["failed"], 0)

    def test_sweep_averages_the_other_keys(self):
        p = self.plot("sweep", self.sweep, "--x", "strategy", "--metric", "cpu_busy_ns", "--out",
                      os.path.join(WORK, "by-strategy"))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        text = self.check_files(os.path.join(WORK, "by-strategy"))
        self.assertIn(f"cpu_busy_ns (ms), mean over {SIZE_KEY}", text)
        data = self.mod.sweep_lines(os.path.join(self.sweep, "sweep.csv"), "strategy", "cpu_busy_ns")
        self.assertIsNone(data["series"])
        self.assertFalse(data["numeric_x"])
        [points] = data["lines"].values()
        self.assertEqual([label for label, _, _ in points], ["coherent", "streaming"])

    def test_bad_input_exits_2(self):
        p = self.plot("compare", os.path.join(WORK, "nowhere"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("nowhere", p.stderr)
        p = self.plot("sweep", self.sweep, "--x", "buffer_size")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--x buffer_size", p.stderr)
        self.assertIn(SIZE_KEY, p.stderr)
        p = self.plot("sweep", self.sweep, "--x", SIZE_KEY, "--metric", "speed")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--metric speed", p.stderr)
        self.assertIn("total_ns", p.stderr)
        p = self.plot("sweep", self.sweep, "--x", SIZE_KEY, "--series", SIZE_KEY)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--series", p.stderr)
        old = os.path.join(WORK, "old")
        os.makedirs(old)
        with open(os.path.join(old, "compare.csv"), "w") as f:
            f.write("strategy,status,total_ns,cpu_busy_ns,cpu_maintenance_ns,scenario,platform\n"
                    "streaming,ok,314006.562,231491,125251,script-from-device,exynos4412\n")
        p = self.plot("compare", old)
        self.assertEqual(p.returncode, 2)
        self.assertIn("predate the self-time columns", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(old, "compare-cpu-time.png")))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
