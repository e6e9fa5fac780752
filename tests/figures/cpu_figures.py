#!/usr/bin/env python3
"""The CPU-side figures issue 3 sets, checked by running the shipped scenarios through dmasim.

usage: cpu_figures.py DMASIM SCENARIOS_DIR WORK_DIR CHECK
CHECK is one of:
  read-asymmetry   reading 8 MiB with 4-byte loads takes 5-20x longer from a Normal non-cacheable
                   buffer than from a cacheable one (REFERENCE.md section 7)
  write-full-line  writing it with full-line stores to a non-cacheable buffer takes at most 2x the
                   time of cacheable write-back (write-combining makes it no slower)
  so-not-merged    64 KiB of 4-byte stores to Strongly-ordered memory take measurably longer
                   (at least 1.5x) than to Normal non-cacheable memory
  outputs          `dmasim run --out DIR` writes stats.json, summary.csv (with total_ns) and
                   resolved.yaml, and the same run twice gives identical figures
Exit status 0 when the check holds; the figures are printed either way.
"""
import filecmp
import os
import sys

import figure_runs


def run(dmasim, scenario, out, *sets):
    row = figure_runs.run(dmasim, scenario, out, *sets)
    print(f"  {' '.join(sets) or 'default'}: total_ns {row['total_ns']}, violations {row['violations']}")
    return row


def main():
    dmasim, scenarios, work, check = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    read = os.path.join(scenarios, "cpu", "read-8mib.yaml")
    write = os.path.join(scenarios, "cpu", "write-64kib.yaml")
    ok = True
    if check == "read-asymmetry":
        c = float(run(dmasim, read, f"{work}/rc", "buffer.type=cacheable")["total_ns"])
        n = float(run(dmasim, read, f"{work}/rn", "buffer.type=noncacheable")["total_ns"])
        ratio = n / c
        print(f"noncacheable / cacheable read time: {ratio:.2f} (must be 5 to 20)")
        ok = 5.0 <= ratio <= 20.0
    elif check == "write-full-line":
        full = ["cpu_pattern.pattern=write", "cpu_pattern.access_size=32B"]
        c = float(run(dmasim, read, f"{work}/wc", "buffer.type=cacheable", *full)["total_ns"])
        n = float(run(dmasim, read, f"{work}/wn", "buffer.type=noncacheable", *full)["total_ns"])
        ratio = n / c
        print(f"noncacheable / cacheable full-line write time: {ratio:.2f} (must be at most 2)")
        ok = ratio <= 2.0
    elif check == "so-not-merged":
        n = float(run(dmasim, write, f"{work}/sn", "buffer.type=noncacheable")["total_ns"])
        s = float(run(dmasim, write, f"{work}/ss", "buffer.type=strongly-ordered")["total_ns"])
        print(f"strongly-ordered / noncacheable 64 KiB write time: {s / n:.2f} (must be >= 1.5)")
        ok = s >= 1.5 * n
    elif check == "outputs":
        a = run(dmasim, write, f"{work}/o1")
        b = run(dmasim, write, f"{work}/o2")
        for name in ("stats.json", "summary.csv", "resolved.yaml", "violations.txt"):
            for d in ("o1", "o2"):
                if not os.path.exists(f"{work}/{d}/{name}"):
                    print(f"missing {work}/{d}/{name}")
                    ok = False
        ok = ok and "total_ns" in a and a == b
        ok = ok and filecmp.cmp(f"{work}/o1/stats.json", f"{work}/o2/stats.json", shallow=False)
        print("two runs identical" if ok else "outputs missing or runs differ")
    else:
        sys.exit(f"unknown check {check}")
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
