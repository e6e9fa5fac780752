#!/usr/bin/env python3
"""The DMA-mapping figures issue 5 sets, checked by running scenarios end to end.

usage: dma_api_figures.py DMASIM SCENARIOS_DIR WORK_DIR CHECK
CHECK is one of:
  missing-sync       a driver that reads a buffer the device wrote without dma_sync_single_for_cpu
                     gets coherence violations and a dma-debug report; the correct driver none
  bufferable         a CPU filling a coherent and a writecombine buffer costs the same (within 1%)
                     with dma_mem_bufferable, and not without it
  maintenance-linear streaming maintenance time doubles when the buffer size doubles (within 5%)
  camera             the camera scenario runs faster with streaming than with coherent mappings
  gpu                GPU texture upload is faster with writecombine than with streaming
  nic                NIC receive costs more CPU time per packet with iommu than with streaming
  skip-cpu-sync      buffer sharing: importers mapping with DMA_ATTR_SKIP_CPU_SYNC pay no maintenance
                     for their mappings; without it they do
  cma                a 32 MiB cma_alloc costs more the more pages it must migrate; with a pinned page
                     in every window it fails after its retries and the run reports it
  shipped            every shipped use-case scenario runs with zero violations of either kind
Exit status 0 when the check holds; the figures are printed either way.
"""
import glob
import json
import os
import sys

import figure_runs

TESTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "scenarios")


def stats_of(out):
    with open(os.path.join(out, "stats.json")) as f:
        tree = json.load(f)
    flat = {}

    def walk(t, prefix):
        for k, v in t.items():
            name = f"{prefix}.{k}" if prefix else k
            if isinstance(v, dict):
                walk(v, name)
            else:
                flat[name] = v
    walk(tree, "")
    return flat


def run(dmasim, work, tag, scenario, *sets):
    out = os.path.join(work, tag)
    row = figure_runs.run(dmasim, scenario, out, *sets)
    return row, stats_of(out)


def check(ok, message):
    print(("ok: " if ok else "FAILED: ") + message)
    return ok


def main():
    dmasim, scenarios, work, what = sys.argv[1:5]
    usecases = os.path.join(scenarios, "usecases")
    ok = True
    if what == "missing-sync":
        good, _ = run(dmasim, work, "good", os.path.join(TESTS, "script-from-device.yaml"))
        bad, _ = run(dmasim, work, "bad", os.path.join(TESTS, "script-missing-sync.yaml"))
        print(f"correct: violations {good['violations']}, dma-debug {good['debug_violations']}")
        print(f"missing sync: violations {bad['violations']}, dma-debug {bad['debug_violations']}")
        ok &= check(int(good["violations"]) == 0 and int(good["debug_violations"]) == 0, "the correct driver is clean")
        ok &= check(int(bad["violations"]) > 0, "the missing sync gives coherence violations")
        ok &= check(int(bad["debug_violations"]) > 0, "and a dma-debug report")
        with open(os.path.join(work, "bad", "violations.txt")) as f:
            text = f.read()
        ok &= check("DMA-API" in text, "violations.txt holds the dma-debug message")
    elif what == "bufferable":
        t = {}
        for buf in ("true", "false"):
            for s in ("coherent", "writecombine"):
                run(dmasim, work, f"{s}-{buf}", os.path.join(TESTS, "script-cpu-write.yaml"),
                            f"strategy={s}", f"kernel.dma_mem_bufferable={buf}")
                t[(s, buf)] = float(figure_runs_value(work, f"{s}-{buf}", "script_cpu_access_ns"))
        print("CPU write time (ns):", {f"{k[0]}/bufferable={k[1]}": v for k, v in t.items()})
        same = abs(t[("coherent", "true")] - t[("writecombine", "true")]) / t[("writecombine", "true")]
        ok &= check(same <= 0.01, f"bufferable: coherent and writecombine within 1% ({same:.2%})")
        diff = abs(t[("coherent", "false")] - t[("writecombine", "false")]) / t[("writecombine", "false")]
        ok &= check(diff > 0.10, f"not bufferable: they differ ({diff:.0%})")
    elif what == "maintenance-linear":
        ps = []
        for kib in (64, 128, 256):
            _, st = run(dmasim, work, f"size-{kib}", os.path.join(TESTS, "script-from-device.yaml"),
                        f"drivers.0.script.buffers.0.size={kib}KiB")
            ps.append(st["sw.time.maintenance_ps"])
        print("maintenance ps for 64/128/256 KiB:", ps)
        for a, b in zip(ps, ps[1:]):
            ok &= check(abs(b / a - 2.0) <= 0.10, f"doubling the size doubles the maintenance time ({b / a:.3f}x)")
    elif what == "camera":
        rows = {s: run(dmasim, work, s, os.path.join(usecases, "camera-1080p30.yaml"), f"strategy={s}")[0]
                for s in ("streaming", "coherent")}
        for s, r in rows.items():
            print(f"{s}: total {r['total_ns']} ns, consumer {r['camera_consumer_ns']} ns, dropped {r['camera_dropped']}")
        ok &= check(float(rows["streaming"]["camera_consumer_ns"]) < float(rows["coherent"]["camera_consumer_ns"]),
                    "the CPU processes frames faster from streaming (cached) buffers than from coherent ones")
        ok &= check(float(rows["streaming"]["total_ns"]) <= float(rows["coherent"]["total_ns"]),
                    "and the scenario ends no later")
    elif what == "gpu":
        rows = {s: run(dmasim, work, s, os.path.join(usecases, "gpu-upload-4412.yaml"), f"strategy={s}")[0]
                for s in ("writecombine", "streaming")}
        for s, r in rows.items():
            print(f"{s}: total {r['total_ns']} ns, cpu write {r['gpu_cpu_write_ns']} ns")
        ok &= check(float(rows["writecombine"]["total_ns"]) < float(rows["streaming"]["total_ns"]),
                    "writecombine uploads faster than streaming")
    elif what == "nic":
        rows = {s: run(dmasim, work, s, os.path.join(usecases, "nic-receive-4412.yaml"), f"strategy={s}")[0]
                for s in ("streaming", "iommu")}
        for s, r in rows.items():
            print(f"{s}: cpu per packet {r['nic_cpu_ns_per_packet']} ns, map+unmap {r['nic_map_unmap_ns_per_packet']} ns")
        ok &= check(float(rows["iommu"]["nic_cpu_ns_per_packet"]) > float(rows["streaming"]["nic_cpu_ns_per_packet"]),
                    "iommu costs more CPU time per packet")
    elif what == "skip-cpu-sync":
        rows = {v: run(dmasim, work, f"skip-{v}", os.path.join(usecases, "sharing-1080p-4412.yaml"),
                       f"drivers.0.sharing.skip_cpu_sync={v}")[0] for v in ("true", "false")}
        for v, r in rows.items():
            print(f"skip_cpu_sync={v}: import mappings {r['sharing_import_ns']} ns, maintenance {r['cpu_maintenance_ns']} ns")
        ok &= check(float(rows["true"]["sharing_import_ns"]) == 0.0,
                    "with SKIP_CPU_SYNC the importers' mappings cost no maintenance")
        ok &= check(float(rows["false"]["sharing_import_ns"]) > 0.0, "without it they do")
        ok &= check(float(rows["true"]["cpu_maintenance_ns"]) < float(rows["false"]["cpu_maintenance_ns"]),
                    "and the run's maintenance time drops")
    elif what == "cma":
        cma = os.path.join(TESTS, "cma-32mib.yaml")
        times, migrated = [], []
        for anon in ("0.1", "0.3", "0.6"):
            r, st = run(dmasim, work, f"anon-{anon}", cma, f"memory.population={{anon: {anon}}}")
            times.append(float(r["map_unmap_ns"]))
            migrated.append(st["sw.mm.cma.reserved.pages_migrated"])
            ok &= check(int(r["driver_errors"]) == 0, f"anon {anon}: the 32 MiB allocation succeeds")
        print("pages migrated:", migrated, "dma_alloc_attrs ns:", times)
        ok &= check(migrated[0] < migrated[1] < migrated[2], "more movable pages, more pages migrated")
        ok &= check(times[0] < times[1] < times[2], "and the allocation takes longer")
        r, st = run(dmasim, work, "pinned", cma, "memory.population.pinned_in_cma_every=512")
        with open(os.path.join(work, "pinned", "violations.txt")) as f:
            text = f.read()
        ok &= check(int(r["driver_errors"]) == 1, "a pinned page in every window: the allocation fails")
        ok &= check("reserved: alloc failed, req-size: 8192 pages, ret: -16" in text, "with the kernel's message")
        ok &= check(st["sw.mm.cma.reserved.retries"] > 0, f"after {st['sw.mm.cma.reserved.retries']} retries")
    elif what == "shipped":
        for path in sorted(glob.glob(os.path.join(usecases, "*.yaml"))):
            name = os.path.splitext(os.path.basename(path))[0]
            r, _ = run(dmasim, work, name, path)
            ok &= check(int(r["violations"]) == 0 and int(r["debug_violations"]) == 0 and int(r["driver_errors"]) == 0,
                        f"{name}: violations {r['violations']}, dma-debug {r['debug_violations']}, "
                        f"driver errors {r['driver_errors']}")
    else:
        sys.exit(f"unknown check {what}")
    sys.exit(0 if ok else 1)


def figure_runs_value(work, tag, column):
    import csv
    with open(os.path.join(work, tag, "summary.csv")) as f:
        return next(csv.DictReader(f))[column]


if __name__ == "__main__":
    main()
