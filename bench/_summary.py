"""Markdown summary of bench_train.py JSON lines: a mode x tool table and fastembed/gensim ratios.

Ratios are taken only between records of the same invocation (same ``run_id``), so both sides
were measured on the same machine state; the table shows the latest record per mode/tool/threads.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

MODE_ORDER = ["sg-ns", "cbow-ns", "sg-hs", "cbow-hs"]
TOOL_ORDER = ["fastembed-file", "fastembed-iter", "gensim-file", "gensim-iter", "fasttext"]
BASELINE = "gensim-file"


def read_records(paths: Iterable[Path | str]) -> list[dict]:
    """All successful run records from JSON-lines files (error records and junk lines skipped)."""
    records = []
    for p in paths:
        with open(p, encoding="utf8") as f:
            for line in f:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if "error" not in rec and "words_per_sec" in rec:
                    records.append(rec)
    return records


def _threads(rec: dict) -> int:
    return int(rec.get("settings", {}).get("workers", 0))


def _order(seq: list[str], key: str) -> int:
    base = key.split(" (")[0]
    return seq.index(base) if base in seq else len(seq)


def _row_key(mode: str, tool: str, threads: int) -> tuple:
    """Table order: modes as MODE_ORDER, more threads first, tools as TOOL_ORDER."""
    return _order(MODE_ORDER, mode), -threads, _order(TOOL_ORDER, tool)


def _fmt(x: float | None, spec: str) -> str:
    return "—" if x is None else format(x, spec)


def _ratio(a: float | None, b: float | None) -> str:
    return "—" if not a or not b else f"{a / b:.2f}×"


def label(rec: dict) -> str:
    """Tool name, plus the kernel that trained and any extra fastembed arguments, so variants
    get their own rows."""
    extra = dict(rec.get("fastembed_kwargs") or {})
    if rec.get("kernels_requested") and rec["kernels_requested"] != "auto":
        extra["kernels"] = rec["kernel"]
    elif rec.get("kernel"):
        extra["auto"] = rec["kernel"]
    if rec.get("blas_coretype"):
        extra["blas"] = rec["blas_coretype"]
    if not extra:
        return rec["tool"]
    return rec["tool"] + " (" + ", ".join(f"{k}={v}" for k, v in sorted(extra.items())) + ")"


def mode_label(rec: dict) -> str:
    """The mode, plus the vector size when not 100 and whether a core was kept busy."""
    notes = []
    dim = rec.get("settings", {}).get("vector_size", 100)
    if dim != 100:
        notes.append(f"{dim}d")
    if rec.get("busy_core"):
        notes.append("busy core")
    return rec["mode"] + (f" ({', '.join(notes)})" if notes else "")


def latest(records: list[dict]) -> dict[tuple[str, str, int], dict]:
    """The last record (file order) for each (mode, tool, threads)."""
    out: dict[tuple[str, str, int], dict] = {}
    for rec in records:
        out[(mode_label(rec), label(rec), _threads(rec))] = rec
    return out


def table(records: list[dict]) -> str:
    """Markdown table, one row per mode/tool/threads."""
    rows = sorted(latest(records).items(), key=lambda kv: _row_key(*kv[0]))
    lines = [
        "| mode | tool | threads | epochs | wall s | vocab s | train s | words/s | words/CPU-s | analogy % (coverage %) | WS353 ρ | SimLex ρ | peak RSS MB |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for (mode, tool, threads), r in rows:
        wpc = r.get("words_per_cpu_sec")
        lines.append(
            f"| {mode} | {tool} | {threads} | {r['settings'].get('epochs')} | {r['wall_seconds']:.1f} "
            f"| {_fmt(r.get('vocab_seconds'), '.1f')} | {r['train_seconds']:.1f} "
            f"| {r['words_per_sec'] / 1e3:,.0f}k | {_fmt(wpc and wpc / 1e3, ',.0f')}{'k' if wpc else ''} "
            f"| {100 * r['analogy_accuracy']:.1f} ({100 * r['analogy_coverage']:.0f}) "
            f"| {r['ws353_spearman']:.3f} | {r['simlex_spearman']:.3f} | {r['peak_rss_mb']:.0f} |")
    return "\n".join(lines)


def ratios(records: list[dict]) -> str:
    """Per mode/threads: each other tool against gensim-file from the same run (latest run that
    has both). Speed ratio > 1 means faster than gensim; RSS ratio < 1 means leaner."""
    by_run: dict[tuple[str, int, str], dict[str, dict]] = {}
    for rec in records:
        key = (mode_label(rec), _threads(rec), rec.get("run_id") or "")
        by_run.setdefault(key, {})[label(rec)] = rec
    best: dict[tuple[str, str, int], tuple[dict, dict]] = {}
    for (mode, threads, _run), tools in by_run.items():  # dicts keep file order: later runs win
        base = tools.get(BASELINE)
        if base is None:
            continue
        for tool, rec in tools.items():
            if tool != BASELINE:
                best[(mode, tool, threads)] = (rec, base)
    if not best:
        return "(no run measured a tool together with gensim-file)"
    lines = [
        f"| mode | tool vs {BASELINE} | threads | words/s ratio | words/CPU-s ratio | wall ratio | peak RSS ratio | analogy Δ pp | WS353 Δ | SimLex Δ |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for (mode, tool, threads), (r, b) in sorted(best.items(), key=lambda kv: _row_key(*kv[0])):
        lines.append(
            f"| {mode} | {tool} | {threads} | {r['words_per_sec'] / b['words_per_sec']:.2f}× "
            f"| {_ratio(r.get('words_per_cpu_sec'), b.get('words_per_cpu_sec'))} "
            f"| {r['wall_seconds'] / b['wall_seconds']:.2f}× | {r['peak_rss_mb'] / b['peak_rss_mb']:.2f}× "
            f"| {100 * (r['analogy_accuracy'] - b['analogy_accuracy']):+.1f} "
            f"| {r['ws353_spearman'] - b['ws353_spearman']:+.3f} | {r['simlex_spearman'] - b['simlex_spearman']:+.3f} |")
    return "\n".join(lines)


def seed_table(records: list[dict]) -> str:
    """Mean and sample standard deviation over the given records, per mode, tool and threads: the
    accuracy of one Hogwild run moves by tenths of a point from seed to seed, so a single-seed
    difference of that size says little."""
    groups: dict[tuple[str, str, int], list[dict]] = {}
    for rec in records:
        groups.setdefault((mode_label(rec), label(rec), _threads(rec)), []).append(rec)

    def stat(rs: list[dict], key: str, scale: float, spec: str) -> str:
        xs = [scale * r[key] for r in rs]
        mean = sum(xs) / len(xs)
        sd = (sum((x - mean) ** 2 for x in xs) / (len(xs) - 1)) ** 0.5 if len(xs) > 1 else 0.0
        return f"{mean:{spec}} ± {sd:{spec}}"

    lines = ["| mode | tool | threads | seeds | analogy % | WS353 ρ | SimLex ρ | wall s |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for (mode, tool, threads), rs in sorted(groups.items(), key=lambda kv: _row_key(*kv[0])):
        seeds = ",".join(str(r["settings"].get("seed")) for r in rs)
        lines.append(f"| {mode} | {tool} | {threads} | {seeds} | {stat(rs, 'analogy_accuracy', 100, '.2f')} "
                     f"| {stat(rs, 'ws353_spearman', 1, '.3f')} | {stat(rs, 'simlex_spearman', 1, '.3f')} "
                     f"| {stat(rs, 'wall_seconds', 1, '.1f')} |")
    return "\n".join(lines)


def scaling(records: list[dict]) -> str:
    """Training words/s with N threads over 1 thread, per mode and tool, from pairs measured in
    the same invocation with the same seed (back to back), so each ratio compares neighbouring
    runs; the median over seeds resists the odd run slowed by a neighbour on a shared host."""
    runs: dict[tuple[str, str, str, int], dict[int, dict]] = {}
    for rec in records:
        key = (mode_label(rec), label(rec), rec.get("run_id") or "", rec["settings"].get("seed"))
        runs.setdefault(key, {})[_threads(rec)] = rec
    ratios: dict[tuple[str, str, int], list[float]] = {}
    for (mode, tool, _run, _seed), by_threads in runs.items():
        one = by_threads.get(1)
        for threads, rec in by_threads.items():
            if one is not None and threads > 1:
                ratios.setdefault((mode, tool, threads), []).append(rec["words_per_sec"] / one["words_per_sec"])
    if not ratios:
        return "(no run measured a tool with 1 thread and more)"
    lines = ["| mode | tool | threads | pairs | median speed-up over 1 thread | range |",
             "| --- | --- | ---: | ---: | ---: | ---: |"]
    for (mode, tool, threads), rs in sorted(
            ratios.items(), key=lambda kv: (_order(MODE_ORDER, kv[0][0]), _order(TOOL_ORDER, kv[0][1]), kv[0][2])):
        rs = sorted(rs)
        mid = len(rs) // 2
        median = rs[mid] if len(rs) % 2 else (rs[mid - 1] + rs[mid]) / 2
        lines.append(f"| {mode} | {tool} | {threads} | {len(rs)} | {median:.2f}× | {rs[0]:.2f}–{rs[-1]:.2f}× |")
    return "\n".join(lines)


def summary(paths: Iterable[Path | str]) -> str:
    """Both tables for the given JSON-lines files."""
    recs = read_records(paths)
    if not recs:
        return "(no successful runs found)"
    corpora = sorted({f"{r['corpus']} ({r['corpus_words']:,} words)" for r in recs})
    busy = [r["loadavg_before"] for r in recs if r.get("loadavg_before") is not None]
    head = f"Corpus: {', '.join(corpora)}\n"
    if busy and max(busy) > max(r["settings"]["workers"] for r in recs):
        head += (f"Warning: 1-minute load average up to {max(busy):.1f} before some runs: the machine was "
                 "shared and wall-clock figures are pessimistic; words/CPU-s is less affected.\n")
    head += "\n"
    out = head + table(recs) + "\n\nSame-run ratios:\n\n" + ratios(recs)
    if len({r["settings"].get("seed") for r in recs}) > 1:
        out += "\n\nOver seeds:\n\n" + seed_table(recs)
    if len({_threads(r) for r in recs}) > 1:
        out += "\n\nThread scaling:\n\n" + scaling(recs)
    return out


def load_json_lines(path: Path) -> list[dict]:
    """Convenience for other scripts (plot_speed.py)."""
    return read_records([path])
