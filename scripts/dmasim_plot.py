#!/usr/bin/env python3
"""Plots dmasim results: where each strategy's CPU time goes, or one metric across a sweep.

usage: dmasim_plot.py compare DIR_OR_compare.csv [--out PREFIX]
       dmasim_plot.py sweep DIR_OR_sweep.csv --x KEY [--metric COLUMN] [--series KEY] [--out PREFIX]

compare: one stacked bar per strategy of a `dmasim compare` compare.csv: its CPU time (cpu_busy_ns,
summed over cores, in ms) split into the disjoint self-time columns (cache maintenance, kernel
copies, IOMMU API, allocators, the rest of the DMA-API) and what remains, the driver and
application. The simulated run time (total_ns) is written above each bar. A strategy that did
not run cleanly (n/a, errors, failed) keeps an empty slot labelled with its status. Default
PREFIX: DIR/compare-cpu-time.

sweep: METRIC (default total_ns; *_ns columns in ms) of a `dmasim sweep` sweep.csv against the
varied key X, one line per value of the varied key SERIES (default: strategy, when it is varied
and is not X). X values that are numbers, or sizes, times or frequencies with a unit (4KiB, 2ms),
are placed by value and sorted; other values keep the sweep's order. Other varied keys with more
than one value are averaged over (the y label says so). Failed points are skipped and counted in
the title. Default PREFIX: DIR/sweep-METRIC-vs-X.

Each writes PREFIX.png and PREFIX.svg (text kept as text, no dates or version stamps, so that
reruns give identical files). Needs python3-matplotlib. Exit status 0, or 2 on bad input.
"""
import argparse
import csv
import os
import re
import sys
import textwrap

# The self-time columns dmasim writes: disjoint parts of cpu_busy_ns, in stacking order.
SEGMENTS = (
    ("self_maintenance_ns", "cache maintenance"),
    ("self_copy_ns", "kernel copies"),
    ("self_iommu_ns", "IOMMU API"),
    ("self_allocator_ns", "allocators"),
    ("self_dma_api_ns", "rest of the DMA-API"),
)
REST = "driver and application"
COLORS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#c7c7c7")
# The units dmasim's parser accepts for sizes, times (ns base) and frequencies, to a common base.
UNITS = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40, "kB": 1e3, "KB": 1e3, "MB": 1e6,
         "GB": 1e9, "ps": 1e-3, "ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9, "Hz": 1, "kHz": 1e3, "MHz": 1e6,
         "GHz": 1e9}
VALUE = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z]*)\s*$")
MAX_TICK_LABELS = 12


class BadInput(Exception):
    pass


def locate(arg, name):
    path = os.path.join(arg, name) if os.path.isdir(arg) else arg
    if not os.path.isfile(path):
        raise BadInput(f"{path}: no such file (give {name} or the directory that holds it)")
    return path


def read_csv(path):
    """(header, rows), each row a dict by column name. sweep.csv files written before the varied
    keys were de-duplicated repeat `strategy` as a summary column; the first occurrence wins."""
    try:
        with open(path, newline="") as f:
            lines = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise BadInput(f"{path}: {e}")
    if not lines:
        raise BadInput(f"{path}: empty")
    first = {}
    for i, name in enumerate(lines[0]):
        first.setdefault(name, i)
    rows = [{name: (r[i] if i < len(r) else "") for name, i in first.items()} for r in lines[1:] if r]
    return lines[0], rows


def number(row, column):
    try:
        return float(row.get(column, ""))
    except ValueError:
        raise BadInput(f"{row.get('strategy', 'a row')}: {column} is {row.get(column, 'missing')!r}, not a number")


def parse_value(text):
    """The number a varied value stands for (4KiB -> 4096, 0x1000 -> 4096), or None."""
    text = text.strip()
    if text.lower().startswith("0x"):
        try:
            return float(int(text, 16))
        except ValueError:
            return None
    m = VALUE.match(text)
    if not m or (m.group(2) and m.group(2) not in UNITS):
        return None
    return float(m.group(1)) * UNITS.get(m.group(2), 1)


def is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def fmt_ms(ms):
    return f"{ms:.0f}" if abs(ms) >= 100 else f"{ms:.3g}"


def cpu_time_segments(row):
    """[(label, ms)] of a compare.csv row's CPU time: the self-time segments, then the rest of
    cpu_busy_ns. The rest is clamped at 0 so that rounding in the CSV cannot draw a negative bar."""
    parts = [(label, number(row, column)) for column, label in SEGMENTS]
    rest = max(0.0, number(row, "cpu_busy_ns") - sum(ns for _, ns in parts))
    return [(label, ns / 1e6) for label, ns in parts + [(REST, rest)]]


def pyplot():
    # Imported here so that the CSV logic above works (and can be tested) without matplotlib.
    try:
        import matplotlib
    except ImportError:
        # A pyenv or virtualenv Python does not see Debian's packages; Debian's own does. Nothing
        # has been written yet, so running the whole command again under it is safe.
        debian = "/usr/bin/python3"
        if (os.path.exists(debian) and os.path.realpath(sys.executable) != os.path.realpath(debian)
                and not os.environ.get("DMASIM_PLOT_REEXEC")):
            os.environ["DMASIM_PLOT_REEXEC"] = "1"
            os.execv(debian, [debian, os.path.abspath(__file__)] + sys.argv[1:])
        raise BadInput(f"needs python3-matplotlib (scripts/install-deps installs it), which {sys.executable} "
                       "cannot import; a Python other than Debian's (pyenv, a virtualenv) does not see Debian's "
                       "packages: run the script with /usr/bin/python3")
    matplotlib.use("Agg")
    # Text as <text> (searchable, small) and fixed ids, so that the same results give the same SVG.
    matplotlib.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "dmasim-plot"})
    import matplotlib.pyplot as plt
    return plt


def save(plt, fig, prefix):
    prefix = re.sub(r"\.(png|svg)$", "", prefix)
    os.makedirs(os.path.dirname(prefix) or ".", exist_ok=True)
    fig.savefig(prefix + ".png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    fig.savefig(prefix + ".svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return [prefix + ".png", prefix + ".svg"]


def where(rows, column, fallback):
    """The first non-empty value of a column: n/a rows leave scenario and platform empty."""
    return next((r[column] for r in rows if r.get(column)), fallback)


def plot_compare(arg, out):
    path = locate(arg, "compare.csv")
    header, rows = read_csv(path)
    # A sweep.csv of strategies has every column below but starts with point.
    if header[:1] != ["strategy"] or any(c not in header for c in ("status", "total_ns", "cpu_busy_ns")):
        raise BadInput(f"{path}: not a dmasim compare.csv (expected strategy, status, total_ns, cpu_busy_ns, ...)")
    missing = [c for c, _ in SEGMENTS if c not in header]
    if missing:
        raise BadInput(f"{path}: no {', '.join(missing)} column{'s' if len(missing) > 1 else ''}: these results "
                       "predate the self-time columns; re-run `dmasim compare` with a current dmasim")
    if not rows:
        raise BadInput(f"{path}: no strategies")
    segments = {i: cpu_time_segments(r) for i, r in enumerate(rows) if r["status"] == "ok"}
    busy = {i: sum(ms for _, ms in s) for i, s in segments.items()}
    height = max(busy.values(), default=0) or 1.0

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(max(6.0, 1.2 * len(rows) + 2), 5.5))
    ok = sorted(segments)
    for k, label in enumerate([label for _, label in SEGMENTS] + [REST]):
        bottoms = [sum(ms for _, ms in segments[i][:k]) for i in ok]
        ax.bar(ok, [segments[i][k][1] for i in ok], 0.6, bottom=bottoms, label=label, color=COLORS[k])
    for i, r in enumerate(rows):
        if i in segments:
            ax.text(i, busy[i] + 0.01 * height, f"run {fmt_ms(number(r, 'total_ns') / 1e6)} ms",
                    ha="center", va="bottom", fontsize=8)
        else:
            ax.text(i, 0.02 * height, textwrap.fill(r["status"], 18), ha="center", va="bottom", fontsize=7,
                    color="dimgray")
    ax.set_xticks(range(len(rows)), [r["strategy"] for r in rows])
    ax.set_xlim(-0.6, len(rows) - 0.4)
    ax.set_ylim(0, 1.12 * height)
    ax.set_ylabel("CPU time, ms (summed over cores)")
    ax.set_xlabel("strategy (above each bar: simulated run time, total_ns)")
    # When no strategy ran, the CSV names no scenario; compare's default directory is named after it.
    scenario = where(rows, "scenario", os.path.basename(os.path.dirname(os.path.abspath(path))))
    platform = where(rows, "platform", "")
    ax.set_title(f"{scenario}{' on ' + platform if platform else ''}: CPU time per strategy")
    if segments:
        # Reversed so that the legend stacks like the bars.
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    prefix = out or os.path.join(os.path.dirname(path), "compare-cpu-time")
    return save(plt, fig, prefix)


def sweep_lines(path, x, metric="total_ns", series=None):
    """What the sweep plot draws: {"lines": {series value: [(x label, x position, y)]}, "numeric_x",
    "averaged" (keys averaged over), "failed" (points skipped), "series", "ylabel", "title"}."""
    header, rows = read_csv(path)
    if header[:1] != ["point"] or "status" not in header:
        raise BadInput(f"{path}: not a dmasim sweep.csv (expected point, the varied keys, status, error, metrics)")
    varied = header[1:header.index("status")]
    ok = [r for r in rows if r["status"] == "ok"]
    start = header.index("error" if "error" in header else "status") + 1
    columns = [c for c in dict.fromkeys(header[start:]) if c not in varied]
    numeric = [c for c in columns if all(is_number(r[c]) for r in ok)]
    if x not in varied:
        raise BadInput(f"--x {x}: not a varied key of {path}; varied keys: {', '.join(varied) or 'none'}")
    if series is None:
        series = "strategy" if "strategy" in varied and x != "strategy" else None
    elif series not in varied or series == x:
        others = [k for k in varied if k != x]
        raise BadInput(f"--series {series}: not a varied key other than --x; available: {', '.join(others) or 'none'}")
    if metric not in numeric:
        why = "not numeric" if metric in columns else f"no such column in {path}"
        raise BadInput(f"--metric {metric}: {why}; numeric columns: {', '.join(numeric) or 'none'}")
    if not ok:
        raise BadInput(f"{path}: all {len(rows)} points failed: nothing to plot")

    divisor, unit = (1e6, " (ms)") if metric.endswith("_ns") else (1.0, "")
    averaged = [k for k in varied if k not in (x, series) and len({r[k] for r in ok}) > 1]
    labels = list(dict.fromkeys(r[x] for r in ok))
    values = [parse_value(v) for v in labels]
    numeric_x = all(v is not None for v in values)
    if numeric_x:
        position = dict(zip(labels, values))
        labels.sort(key=position.get)
    else:
        position = {v: i for i, v in enumerate(labels)}
    sums = {}
    for r in ok:
        cell = sums.setdefault(r[series] if series else metric, {}).setdefault(r[x], [0.0, 0])
        cell[0] += float(r[metric]) / divisor
        cell[1] += 1
    names = list(sums)
    if series and all(parse_value(n) is not None for n in names):
        names.sort(key=parse_value)
    lines = {name: [(v, position[v], sums[name][v][0] / sums[name][v][1]) for v in labels if v in sums[name]]
             for name in names}
    ylabel = metric + unit + (f", mean over {', '.join(averaged)}" if averaged else "")
    title = f"{where(ok, 'scenario', '?')} on {where(ok, 'platform', '?')}: {metric} vs {x}"
    failed = len(rows) - len(ok)
    if failed:
        title += f"\n({failed} failed point{'s' if failed > 1 else ''} of {len(rows)} skipped)"
    return {"lines": lines, "numeric_x": numeric_x, "averaged": averaged, "failed": failed,
            "series": series, "ylabel": ylabel, "title": title}


def plot_sweep(arg, x, metric, series, out):
    path = locate(arg, "sweep.csv")
    data = sweep_lines(path, x, metric, series)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 5))
    ticks = {}
    for name, points in data["lines"].items():
        ax.plot([p for _, p, _ in points], [y for _, _, y in points], marker="o", label=name)
        ticks.update((p, label) for label, p, _ in points)
    positions = sorted(ticks)
    # Sizes and the like usually grow geometrically (4KiB..1MiB): on a linear axis the small ones collapse.
    if data["numeric_x"] and positions[0] > 0 and positions[-1] / positions[0] >= 16:
        ax.set_xscale("log")
    step = -(-len(positions) // MAX_TICK_LABELS)
    shown = positions[::step]
    long_labels = sum(len(ticks[p]) + 2 for p in shown) > 60
    ax.set_xticks(shown, [ticks[p] for p in shown], rotation=30 if long_labels else 0,
                  ha="right" if long_labels else "center")
    ax.minorticks_off()
    if not data["numeric_x"]:
        ax.set_xlim(-0.5, len(positions) - 0.5)
    ax.set_xlabel(x)
    ax.set_ylabel(data["ylabel"])
    ax.set_title(data["title"])
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    if data["series"]:
        ax.legend(title=data["series"], fontsize=8)
    safe = re.sub(r"[^\w.=-]", "_", f"sweep-{metric}-vs-{x}")
    prefix = out or os.path.join(os.path.dirname(path), safe)
    return save(plt, fig, prefix)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compare", help="stacked bars of each strategy's CPU time")
    c.add_argument("results", help="a compare.csv or the directory that holds it")
    c.add_argument("--out", help="output prefix: writes PREFIX.png and PREFIX.svg (default DIR/compare-cpu-time)")
    s = sub.add_parser("sweep", help="a metric against a varied key")
    s.add_argument("results", help="a sweep.csv or the directory that holds it")
    s.add_argument("--x", required=True, help="the varied key on the x axis")
    s.add_argument("--metric", default="total_ns", help="the summary column to plot (default total_ns)")
    s.add_argument("--series", help="the varied key drawn as one line per value (default strategy, when varied)")
    s.add_argument("--out", help="output prefix (default DIR/sweep-METRIC-vs-X)")
    a = p.parse_args(argv)
    try:
        if a.command == "compare":
            written = plot_compare(a.results, a.out)
        else:
            written = plot_sweep(a.results, a.x, a.metric, a.series, a.out)
    except BadInput as e:
        print(f"dmasim_plot: error: {e}", file=sys.stderr)
        return 2
    print(f"dmasim_plot: wrote {' and '.join(written)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
