"""Running dmasim for the figures checks: one scenario run with overrides, its summary row."""
import csv
import os
import subprocess
import sys


def run(dmasim, scenario, out, *sets):
    """Runs `dmasim run SCENARIO --out OUT --set ...`; exits the check on failure; returns the
    summary.csv row as a dict."""
    cmd = [dmasim, "run", scenario, "--out", out, "--quiet"]
    for s in sets:
        cmd += ["--set", s]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"FAILED: {' '.join(cmd)} (exit {proc.returncode})\n{proc.stdout}\n{proc.stderr}")
    with open(os.path.join(out, "summary.csv")) as f:
        rows = list(csv.DictReader(f))
    if len(rows) != 1:
        sys.exit(f"FAILED: {out}/summary.csv has {len(rows)} rows, expected 1")
    return rows[0]
