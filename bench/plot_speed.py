"""Bar chart (PNG) of training words/s per mode and tool from bench_train.py JSON lines.

    python bench/plot_speed.py bench/results/train.jsonl -o bench/results/speed.png

One group of bars per mode (and thread count, when several were measured), one bar per tool,
using the latest record of each mode/tool/threads; the bar label is words/s in thousands.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _summary  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("jsonl", type=Path, nargs="+", help="JSON-lines files written by bench_train.py --out")
    ap.add_argument("-o", "--output", type=Path, default=Path("speed.png"), help="PNG path (default: %(default)s)")
    args = ap.parse_args(argv)

    import matplotlib
    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt

    latest = _summary.latest(_summary.read_records(args.jsonl))
    if not latest:
        print("no successful runs in the given files", file=sys.stderr)
        return 1
    groups = sorted({(m, t) for (m, _tool, t) in latest},
                    key=lambda g: (_summary._order(_summary.MODE_ORDER, g[0]), -g[1]))
    multi_threads = len({t for _m, t in groups}) > 1
    tools = sorted({tool for (_m, tool, _t) in latest}, key=lambda t: _summary._order(_summary.TOOL_ORDER, t))

    width = 0.8 / len(tools)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * len(groups) + 2), 4.5))
    for k, tool in enumerate(tools):
        xs, ys = [], []
        for g, (mode, threads) in enumerate(groups):
            rec = latest.get((mode, tool, threads))
            if rec is not None:
                xs.append(g - 0.4 + width * (k + 0.5))
                ys.append(rec["words_per_sec"] / 1e3)
        bars = ax.bar(xs, ys, width, label=tool)
        ax.bar_label(bars, fmt="%.0f", fontsize=7, padding=1)
    labels = [f"{m}\n{t} thr" if multi_threads else m for m, t in groups]
    ax.set_xticks(range(len(groups)), labels)
    ax.set_ylabel("training speed (thousand words/s)")
    any_rec = next(iter(latest.values()))
    ax.set_title(f"word2vec training speed, {any_rec['corpus']}")
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.output, dpi=120)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
