#!/usr/bin/env python3
"""The SYSMMU and device figures issue 4 sets, checked by running the shipped scenarios.

usage: iommu_figures.py DMASIM SCENARIOS_DIR WORK_DIR CHECK
CHECK is one of:
  page-size-reach  scenarios/iommu/stream-8mib.yaml makes exactly 2048 / 128 / 8 walks with 4 KiB /
                   64 KiB / 1 MiB pages (stats key ending in ".walks"), and every walk read shows up
                   in the DRAM's read count
  walk-reduction   the same stream with 64-byte burst fill makes 128 walks with 4 KiB pages, and with
                   v7 entries of 4 pages 512
  display          a 1080p60 display on LPDDR3 has zero underruns alone and underruns against two
                   DMA masters saturating the DRAM
Exit status 0 when the check holds; the figures are printed either way.
"""
import json
import os
import sys

import figure_runs


def run(dmasim, scenario, out, *sets):
    """Runs the scenario; returns its stats.json flattened."""
    figure_runs.run(dmasim, scenario, out, *sets)
    with open(os.path.join(out, "stats.json")) as f:
        return flatten(json.load(f))


def flatten(tree, prefix=""):
    """stats.json as {dotted name: value}, values of counters and scalars only."""
    out = {}
    for k, v in tree.items():
        name = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict) and "count" not in v:
            out.update(flatten(v, name))
        elif not isinstance(v, dict):
            out[name] = v
    return out


def only(stats, suffix):
    keys = [k for k in stats if k.endswith(suffix) and stats[k]]
    if len(keys) != 1:
        sys.exit(f"FAILED: expected one non-zero statistic ending in {suffix}, found {keys}")
    return stats[keys[0]]


def dram(stats, leaf):
    return sum(v for k, v in stats.items() if k.startswith("soc.dram.ch") and k.endswith("." + leaf)
               and k.count(".") == 3)


def main():
    dmasim, scenarios, work, check = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    stream = os.path.join(scenarios, "iommu", "stream-8mib.yaml")
    ok = True
    if check == "page-size-reach":
        for page, expect in (("4KiB", 2048), ("64KiB", 128), ("1MiB", 8)):
            s = run(dmasim, stream, f"{work}/{page}", f"iommu.page_size={page}")
            walks = only(s, ".walks")
            walk_reads = only(s, ".walk_reads")
            reads, read_bytes = dram(s, "reads"), dram(s, "bytes_read")
            burst = read_bytes // reads
            data_reads = (8 << 20) // burst
            print(f"{page}: {walks} walks ({walk_reads} walk reads), DRAM reads {reads} = {data_reads} data + "
                  f"{reads - data_reads} (must be {expect} walks, every walk read a DRAM read)")
            ok = ok and walks == expect and reads - data_reads == walk_reads
            ok = ok and walk_reads == expect * (1 if page == "1MiB" else 2)
    elif check == "walk-reduction":
        s = run(dmasim, stream, f"{work}/burst", "iommu.sysmmu.walk_burst=64B", "iommu.sysmmu.burst_fill=true")
        burst = only(s, ".walks")
        s = run(dmasim, stream, f"{work}/v7", "iommu.sysmmu.version=v7", "iommu.sysmmu.pages_per_entry=4",
                "iommu.sysmmu.walk_burst=16B")
        v7 = only(s, ".walks")
        print(f"4 KiB pages: 64-byte burst fill {burst} walks (must be 128), v7 4-page entries {v7} (must be 512)")
        ok = burst == 128 and v7 == 512
    elif check == "display":
        alone = run(dmasim, os.path.join(scenarios, "devices", "display-1080p60.yaml"), f"{work}/alone")
        busy = run(dmasim, os.path.join(scenarios, "devices", "display-contended.yaml"), f"{work}/busy",
                   "dma.1.jobs=6", "dma.2.jobs=6")
        a = alone["soc.fimd.display.underruns"]
        b = busy["soc.fimd.display.underruns"]
        print(f"1080p60 underruns: alone {a} (must be 0), against two DMA masters {b} (must be > 0)")
        ok = a == 0 and b > 0 and alone["soc.fimd.bytes_read"] == 2 * 1920 * 1080 * 4
    else:
        sys.exit(f"unknown check {check}")
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
