#!/usr/bin/env python3
"""Prints `holdfast-bench run --json` output as the Markdown table docs/benchmarks.md uses.

    python3 scripts/bench-table.py docs/bench-results/harness-1m.json
"""
import json
import sys


def number(v):
    if isinstance(v, (int, float)) and abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:g}"


def main(path):
    with open(path) as f:
        run = json.load(f)
    print("| figure | Holdfast | baseline | ratio | unit |")
    print("|---|---:|---|---:|---|")
    for f in run["figures"]:
        print(
            f"| `{f['name']}` | {number(f['value'])} | {number(f['baseline_value'])} "
            f"({f['baseline']}) | {f['ratio']:g} | {f['unit']} |"
        )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: bench-table.py RESULT.json")
    main(sys.argv[1])
