#!/usr/bin/env python3
"""Runs every shipped use-case scenario and compares its summary with results/baseline/ exactly
(scripts/dmasim_report.py): a simulated figure that changes without the baseline being updated in
the same commit fails the build. Refresh on purpose with `scripts/update-baseline`.

usage: check_baseline.py DMASIM WORK_DIR
"""
import glob
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    dmasim, work = sys.argv[1:3]
    shutil.rmtree(work, ignore_errors=True)
    current = os.path.join(work, "current")
    for path in sorted(glob.glob(os.path.join(ROOT, "scenarios", "usecases", "*.yaml"))):
        name = os.path.splitext(os.path.basename(path))[0]
        out = os.path.join(work, "runs", name)
        subprocess.run([dmasim, "run", path, "--out", out, "--quiet"], check=True)
        os.makedirs(os.path.join(current, name))
        shutil.copy(os.path.join(out, "summary.csv"), os.path.join(current, name, "summary.csv"))
    p = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "dmasim_report.py"),
                        os.path.join(ROOT, "results", "baseline"), current, "--out", os.path.join(work, "report")])
    if p.returncode != 0:
        print("simulated figures differ from results/baseline/ (see the report above and "
              f"{work}/report/summary.md); if the change is intended: scripts/update-baseline")
    sys.exit(p.returncode)


if __name__ == "__main__":
    main()
