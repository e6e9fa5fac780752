#!/usr/bin/env python3
"""Compares a dmasim results tree with a baseline tree and writes a regression report.

usage: dmasim_report.py BASELINE CURRENT --out DIR [--tolerances FILE.yaml]

Both trees hold results of `dmasim run` (summary.csv), `dmasim compare` (compare.csv) or
`dmasim sweep` (sweep.csv), found anywhere below them; files are matched by their path relative
to the tree. Rows are matched by strategy (compare), by point and varied keys (sweep), or are the
single row of a run. Every numeric column is a metric.

Simulated figures are deterministic, so the default tolerance is exact: any change fails. A
tolerance file relaxes metrics by name (fnmatch patterns, first match wins):

    metrics:
      "*_ns": {relative: 0.01}      # within 1 %
      dram_energy_nj: {absolute: 5}
      "host_*": {ignore: true}

Writes DIR/summary.md (a table per results file: metric, baseline, current, change, status;
under 60 KB), DIR/junit.xml (a test case per metric), DIR/benchmark-smaller.json and
DIR/benchmark-bigger.json (github-action-benchmark's customSmallerIsBetter /
customBiggerIsBetter input) and DIR/bencher.json (Bencher Metric Format). Exit status 0 when
every metric is within tolerance, 1 otherwise, 2 on bad input.
"""
import argparse
import csv
import fnmatch
import json
import math
import os
import sys
from xml.sax.saxutils import escape, quoteattr

RESULT_FILES = ("summary.csv", "compare.csv", "sweep.csv")
SUMMARY_LIMIT = 60 * 1024
# Metrics where a larger value is better; everything else is better smaller (times, energy,
# misses, violations).
BIGGER_IS_BETTER = ("throughput", "bandwidth", "hit_rate", "_per_s", "frames", "packets", "consumed", "uploads")
# Columns that describe a row rather than measure it.
KEY_COLUMNS = ("scenario", "platform", "strategy", "status", "error", "point")


class BadInput(Exception):
    pass


def find_results(root):
    """{relative path: absolute path} of every results file below root."""
    if not os.path.isdir(root):
        raise BadInput(f"{root}: not a directory")
    found = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            if name in RESULT_FILES:
                full = os.path.join(dirpath, name)
                found[os.path.relpath(full, root)] = full
    return found


def read_rows(path):
    """({row key: row}, columns that describe rows rather than measure them)."""
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        header = reader.fieldnames or []
    name = os.path.basename(path)
    keys = set(KEY_COLUMNS)
    if name == "sweep.csv" and "status" in header:
        keys |= set(header[1:header.index("status")])  # the varied keys
    keyed = {}
    for i, row in enumerate(rows):
        if name == "compare.csv":
            key = row.get("strategy", str(i))
        elif name == "sweep.csv":
            varied = header[1:header.index("status")] if "status" in header else []
            key = "point " + row.get("point", str(i)) + "".join(f" {k}={row[k]}" for k in varied)
        else:
            key = ""
        keyed[key] = row
    return keyed, keys


def is_number(text):
    try:
        float(text)
        return text.strip() != ""
    except (TypeError, ValueError):
        return False


def load_tolerances(path):
    if path is None:
        return []
    try:
        import yaml
    except ImportError:
        raise BadInput("--tolerances needs python3-yaml (apt install python3-yaml)")
    try:
        with open(path) as f:
            doc = yaml.safe_load(f) or {}
    except (OSError, yaml.YAMLError) as e:
        raise BadInput(f"{path}: {e}")
    if not isinstance(doc, dict) or set(doc) - {"metrics"}:
        raise BadInput(f"{path}: expected one key, 'metrics'")
    rules = []
    for pattern, rule in (doc.get("metrics") or {}).items():
        if not isinstance(rule, dict) or not rule or set(rule) - {"relative", "absolute", "ignore"}:
            raise BadInput(f"{path}: metrics.{pattern}: expected relative, absolute or ignore")
        for k in ("relative", "absolute"):
            if k in rule and (not isinstance(rule[k], (int, float)) or rule[k] < 0):
                raise BadInput(f"{path}: metrics.{pattern}.{k}: a number >= 0")
        rules.append((str(pattern), rule))
    return rules


def tolerance_for(metric, rules):
    for pattern, rule in rules:
        if fnmatch.fnmatchcase(metric, pattern):
            return rule
    return {}


def within(base, cur, rule):
    if rule.get("ignore"):
        return True
    diff = abs(cur - base)
    if diff == 0:
        return True
    if "absolute" in rule and diff <= rule["absolute"]:
        return True
    if "relative" in rule and base != 0 and diff / abs(base) <= rule["relative"]:
        return True
    return False


def bigger_is_better(metric):
    return any(s in metric for s in BIGGER_IS_BETTER)


def compare_trees(baseline, current, rules):
    """A list of results: (file, row key, metric, baseline, current, status)."""
    base_files, cur_files = find_results(baseline), find_results(current)
    out = []
    for rel in sorted(set(base_files) | set(cur_files)):
        if rel not in cur_files:
            out.append((rel, "", "(file)", "present", "missing", "missing"))
            continue
        if rel not in base_files:
            out.append((rel, "", "(file)", "missing", "present", "new"))
            continue
        (base_rows, key_columns), (cur_rows, _) = read_rows(base_files[rel]), read_rows(cur_files[rel])
        for key in sorted(set(base_rows) | set(cur_rows)):
            if key not in cur_rows or key not in base_rows:
                out.append((rel, key, "(row)", "present" if key in base_rows else "missing",
                            "present" if key in cur_rows else "missing", "missing" if key not in cur_rows else "new"))
                continue
            b, c = base_rows[key], cur_rows[key]
            for metric in b:
                if metric in key_columns or not is_number(b[metric]):
                    if metric == "status" and b[metric] != c.get(metric):  # a point or strategy that ran, or no longer
                        out.append((rel, key, metric, b[metric], c.get(metric, ""), "changed"))
                    continue
                if metric not in c or not is_number(c[metric]):
                    out.append((rel, key, metric, b[metric], c.get(metric, ""), "missing"))
                    continue
                bv, cv = float(b[metric]), float(c[metric])
                rule = tolerance_for(metric, rules)
                if within(bv, cv, rule):
                    status = "ok" if bv == cv else "within tolerance"
                else:
                    better = (cv > bv) == bigger_is_better(metric)
                    status = "improved" if better else "regressed"
                out.append((rel, key, metric, b[metric], c[metric], status))
    return out


def failing(status):
    return status not in ("ok", "within tolerance")


def change_text(base, cur):
    if not (is_number(base) and is_number(cur)):
        return "-"
    b, c = float(base), float(cur)
    if b == c:
        return "0"
    if b == 0:
        return "new value"
    return f"{(c - b) / abs(b) * 100:+.3g} %"


def write_summary(results, path):
    failures = sum(failing(r[5]) for r in results)
    lines = ["# dmasim regression report", "",
             f"{len(results)} metrics compared, {failures} outside tolerance.", ""]
    by_file = {}
    for r in results:
        by_file.setdefault(r[0], []).append(r)
    truncated = False
    for rel, rows in by_file.items():
        # Files whose metrics all match get one line; the others a table of what changed.
        bad = [r for r in rows if r[5] != "ok"]
        if not bad:
            lines.append(f"- `{rel}`: {len(rows)} metrics, all identical")
            continue
        section = ["", f"## `{rel}`", "", "| row | metric | baseline | current | change | status |", "|---|---|---|---|---|---|"]
        for r in bad:
            section.append(f"| {r[1] or '-'} | {r[2]} | {r[3]} | {r[4]} | {change_text(r[3], r[4])} | {r[5]} |")
        section.append(f"\n{len(rows) - len(bad)} other metrics identical.")
        if sum(len(x) + 1 for x in lines + section) > SUMMARY_LIMIT - 200:
            truncated = True
            break
        lines += section
    if truncated:
        lines += ["", "(truncated to stay under 60 KB: junit.xml has every metric)"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def write_junit(results, path):
    suites = {}
    for r in results:
        suites.setdefault(r[0], []).append(r)
    total = len(results)
    fails = sum(failing(r[5]) for r in results)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuites name="dmasim" tests="{total}" failures="{fails}">']
    for rel, rows in suites.items():
        nfail = sum(failing(r[5]) for r in rows)
        out.append(f"  <testsuite name={quoteattr(rel)} tests=\"{len(rows)}\" failures=\"{nfail}\">")
        for r in rows:
            name = f"{r[1]}: {r[2]}" if r[1] else r[2]
            out.append(f"    <testcase classname={quoteattr(rel)} name={quoteattr(name)}>")
            if failing(r[5]):
                msg = f"{r[2]} {r[5]}: baseline {r[3]}, current {r[4]} ({change_text(r[3], r[4])})"
                out.append(f"      <failure message={quoteattr(msg)}>{escape(msg)}</failure>")
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def write_benchmarks(results, out_dir):
    smaller, bigger, bencher = [], [], {}
    for rel, key, metric, _, cur, _ in results:
        if not is_number(cur):
            continue
        name = " ".join(x for x in (os.path.dirname(rel) or ".", key, metric) if x)
        value = float(cur)
        if math.isnan(value) or math.isinf(value):
            continue
        entry = {"name": name, "unit": metric.rsplit("_", 1)[-1] if "_" in metric else "", "value": value}
        (bigger if bigger_is_better(metric) else smaller).append(entry)
        bench = " ".join(x for x in (os.path.dirname(rel) or ".", key) if x)
        bencher.setdefault(bench, {})[metric] = {"value": value}
    for name, data in (("benchmark-smaller.json", smaller), ("benchmark-bigger.json", bigger), ("bencher.json", bencher)):
        with open(os.path.join(out_dir, name), "w") as f:
            json.dump(data, f, indent=1, sort_keys=isinstance(data, dict))
            f.write("\n")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("baseline")
    p.add_argument("current")
    p.add_argument("--out", required=True, help="report directory")
    p.add_argument("--tolerances", help="YAML file of per-metric tolerances")
    a = p.parse_args(argv)
    try:
        rules = load_tolerances(a.tolerances)
        results = compare_trees(a.baseline, a.current, rules)
        if not results:
            raise BadInput(f"no results files ({', '.join(RESULT_FILES)}) under {a.baseline} or {a.current}")
    except BadInput as e:
        print(f"dmasim_report: error: {e}", file=sys.stderr)
        return 2
    os.makedirs(a.out, exist_ok=True)
    write_summary(results, os.path.join(a.out, "summary.md"))
    write_junit(results, os.path.join(a.out, "junit.xml"))
    write_benchmarks(results, a.out)
    bad = [r for r in results if failing(r[5])]
    print(f"dmasim_report: {len(results)} metrics, {len(bad)} outside tolerance; report in {a.out}/")
    for r in bad[:20]:
        print(f"  {r[0]} {r[1]} {r[2]}: {r[3]} -> {r[4]} ({r[5]})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
