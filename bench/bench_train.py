"""Training benchmark: fastembed against gensim (and fastText when installed), one run per process.

For every selected mode (sg-ns, cbow-ns, sg-hs, cbow-hs), thread count and tool, trains one
model in a fresh subprocess (bench/_run_one.py) with the acceptance settings and prints one JSON
object per run on stdout: tool, version, mode, settings, wall/vocab/train seconds, words/s
(corpus words x epochs / train seconds), peak RSS, analogy accuracy and coverage, WS-353 and
SimLex-999 Spearman with OOV share. Progress and the final markdown summary go to stderr.

    python bench/bench_train.py --quick                      # ~2M words, 1 epoch: smoke test
    python bench/bench_train.py --out bench/results/train.jsonl
    python bench/bench_train.py --tools gensim-file --modes sg-ns,cbow-ns --threads 2,1
    python bench/bench_train.py --summary bench/results/train.jsonl
    python bench/bench_train.py --tools fastembed-file,gensim-file --epochs 1 --kernels scalar,avx2,avx512
    python bench/bench_train.py --modes sg-ns --dim 300 --busy-core    # 300 dimensions, one core taken

Tools: fastembed-file (one-line corpus via corpus_file), fastembed-iter (fastembed.Text8Corpus),
gensim-file (corpus_file on a 1,000-words-a-line copy), gensim-iter (gensim Text8Corpus),
fasttext (if the module is installed; no subwords).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _corpus  # noqa: E402
import _summary  # noqa: E402

MODES = {
    # name: (sg, hs, alpha, epochs) -- HS runs one epoch, CBOW uses the higher rate as in word2vec.c
    "sg-ns": (1, 0, 0.025, 3),
    "cbow-ns": (0, 0, 0.05, 3),
    "sg-hs": (1, 1, 0.025, 1),
    "cbow-hs": (0, 1, 0.05, 1),
}
ALL_TOOLS = ["fastembed-file", "fastembed-iter", "gensim-file", "gensim-iter", "fasttext"]
DEFAULT_TOOLS = ["fastembed-file", "fastembed-iter", "gensim-file", "fasttext"]
QUICK_WORDS = 2_000_000


KERNELS = ["auto", "scalar", "avx2", "avx512"]


def settings_for(mode: str, workers: int, epochs: int | None, seed: int = 1, dim: int = 100) -> dict:
    """The acceptance settings for ``mode`` (gensim parameter names)."""
    sg, hs, alpha, default_epochs = MODES[mode]
    return {
        "sg": sg, "hs": hs, "negative": 0 if hs else 5, "vector_size": dim, "window": 5,
        "sample": 1e-4, "min_count": 5, "epochs": epochs or default_epochs, "alpha": alpha,
        "workers": workers, "seed": seed,
    }


def _csv(value: str, allowed: list[str] | None = None) -> list[str]:
    items = [v.strip() for v in value.split(",") if v.strip()]
    if allowed is not None:
        bad = [v for v in items if v not in allowed]
        if bad:
            raise argparse.ArgumentTypeError(f"unknown {bad}; choose from {allowed}")
    return items


def _git_commit() -> str | None:
    try:
        return subprocess.run(["git", "-C", str(_corpus.REPO_ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def _tool_available(tool: str) -> str | None:
    """None if the tool can run here, else the reason it is skipped."""
    module = {"fastembed": "fastembed", "gensim": "gensim", "fasttext": "fasttext"}[tool.split("-")[0]]
    if importlib.util.find_spec(module) is None:
        return f"python module {module!r} not installed"
    return None


def cpu_busy(interval: float = 2.0) -> float | None:
    """Share (0..1) of all CPUs' time spent non-idle over ``interval`` seconds (Linux /proc/stat)."""
    def sample() -> tuple[int, int]:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return idle, sum(fields)
    try:
        i0, t0 = sample()
        time.sleep(interval)
        i1, t1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    return 1.0 - (i1 - i0) / (t1 - t0) if t1 > t0 else None


def wait_until_idle(max_wait: float, threshold: float, log) -> float | None:
    """Block until other processes use less than ``threshold`` of the CPUs (or ``max_wait``
    seconds passed); returns the last measured busy share. Timings taken while other jobs run
    on the same cores are pessimistic, so the lead can ask for a quiet machine."""
    start = time.monotonic()
    while True:
        busy = cpu_busy()
        if busy is None or busy < threshold or time.monotonic() - start >= max_wait:
            if busy is not None and busy >= threshold:
                log(f"  machine still {100 * busy:.0f}% busy after {max_wait:.0f} s; running anyway")
            return busy
        time.sleep(10)


def busy_core() -> subprocess.Popen:
    """Another process that keeps one core busy (a tight loop) until killed."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def run_one(spec: dict, timeout: float | None) -> dict:
    """Run _run_one.py in a subprocess (beside a busy-core process if the spec asks); return
    its record or an error record."""
    cmd = [sys.executable, str(Path(__file__).resolve().parent / "_run_one.py"), json.dumps(spec)]
    t = time.perf_counter()
    hog = busy_core() if spec.get("busy_core") else None
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"tool": spec["tool"], "mode": spec["mode"], "settings": spec["settings"],
                "run_id": spec["run_id"], "error": f"timeout after {timeout} s"}
    finally:
        if hog is not None:
            hog.kill()
            hog.wait()
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        return {"tool": spec["tool"], "mode": spec["mode"], "settings": spec["settings"],
                "run_id": spec["run_id"], "error": f"exit {proc.returncode}: {tail}",
                "seconds": time.perf_counter() - t}
    return json.loads(lines[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=_corpus.DEFAULT_CORPUS,
                    help="one-line text8-like corpus, plain or .xz/.gz/.bz2 (default: %(default)s)")
    ap.add_argument("--quick", action="store_true", help=f"first {QUICK_WORDS:,} words, 1 epoch")
    ap.add_argument("--tools", type=lambda v: _csv(v, ALL_TOOLS), default=DEFAULT_TOOLS,
                    help=f"comma-separated from {ALL_TOOLS} (default: {','.join(DEFAULT_TOOLS)}; "
                         "tools whose module is missing are skipped)")
    ap.add_argument("--modes", type=lambda v: _csv(v, list(MODES)), default=list(MODES),
                    help=f"comma-separated from {list(MODES)} (default: all)")
    ap.add_argument("--threads", type=lambda v: [int(x) for x in _csv(v)], default=[2],
                    help="comma-separated worker counts, e.g. 2,1 for the scaling figure (default: 2)")
    ap.add_argument("--epochs", type=int, help="override every mode's epochs")
    ap.add_argument("--seeds", type=lambda v: [int(x) for x in _csv(v)], default=[1],
                    help="comma-separated seeds; with several, every tool runs once per seed, interleaved, "
                         "and the summary adds mean and spread of the accuracy figures (default: 1)")
    ap.add_argument("--fastembed-kwargs", type=json.loads, default=None, metavar="JSON",
                    help='extra Word2Vec arguments for fastembed runs only, e.g. \'{"shared_negatives": false}\'')
    ap.add_argument("--kernels", type=lambda v: _csv(v, KERNELS), default=["auto"],
                    help=f"comma-separated from {KERNELS}: fastembed runs once per choice (FASTEMBED_SIMD); "
                         "each record names the kernel that trained (default: auto)")
    ap.add_argument("--dim", type=int, default=100, help="vector_size of every run (default: %(default)s)")
    ap.add_argument("--gensim-blas", type=lambda v: [c for c in v.split(",") if c], default=[None],
                    help="comma-separated OPENBLAS_CORETYPE values (e.g. Prescott,Haswell,SkylakeX): gensim "
                         "runs once per value, so each fastembed kernel can be set beside gensim on BLAS "
                         "kernels of the same instruction set (default: OpenBLAS's own choice)")
    ap.add_argument("--busy-core", action="store_true",
                    help="keep one core busy with another process during every run")
    ap.add_argument("--out", type=Path, help="also append the JSON lines to this file")
    ap.add_argument("--check-eval", action="store_true",
                    help="gensim runs also score with gensim's own evaluation and record agreement")
    ap.add_argument("--timeout", type=float, default=3600.0, help="seconds per run (default: %(default)s)")
    ap.add_argument("--wait-idle", type=float, default=0.0, metavar="SECONDS",
                    help="before each run wait up to SECONDS until the CPUs are < 15%% busy (shared machines)")
    ap.add_argument("--summary", type=Path, nargs="+", metavar="JSONL",
                    help="only print the markdown summary of these JSON-lines files")
    args = ap.parse_args(argv)

    if args.summary:
        print(_summary.summary(args.summary))
        return 0

    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    plain = _corpus.plain_corpus(args.corpus)
    one_line = _corpus.prefix_corpus(plain, QUICK_WORDS) if args.quick else plain
    epochs = 1 if args.quick and not args.epochs else args.epochs
    needs_lines = any(t == "gensim-file" for t in args.tools)
    lines = _corpus.line_split_corpus(one_line) if needs_lines else None
    n_words = _corpus.word_count(one_line)
    log(f"corpus {one_line} ({n_words:,} words); line-split copy {lines}")

    run_id = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}"
    base = {"one_line": str(one_line), "lines": str(lines) if lines else None,
            "corpus_name": args.corpus.name + (f" (first {QUICK_WORDS:,} words)" if args.quick else ""),
            "corpus_words": n_words, "eval_dir": str(_corpus.eval_dir()), "run_id": run_id,
            "commit": _git_commit(), "check_eval": args.check_eval, "restrict_vocab": 30000,
            "fastembed_kwargs": args.fastembed_kwargs}
    skipped = {t: r for t in args.tools if (r := _tool_available(t))}
    for tool, reason in skipped.items():
        log(f"skipping {tool}: {reason}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)

    failures = 0
    done: list[dict] = []
    for mode in args.modes:
        # Seeds outermost: the thread counts and tools of one seed run back to back, so
        # same-seed ratios (scaling, tool against tool) compare runs minutes apart at most.
        runs = ((s, w, t, k) for s in args.seeds for w in args.threads for t in args.tools
                for k in (args.kernels if t.startswith("fastembed") else
                          args.gensim_blas if t.startswith("gensim") else [None]))
        for seed, workers, tool, variant in runs:  # variant: a fastembed kernel or gensim's BLAS core
            if tool in skipped:
                continue
            kernels = variant if tool.startswith("fastembed") else None
            blas = variant if tool.startswith("gensim") else None
            spec = {**base, "tool": tool, "mode": mode, "kernels": kernels, "busy_core": args.busy_core,
                    "blas_coretype": blas,
                    "settings": settings_for(mode, workers, epochs, seed, args.dim)}
            busy = wait_until_idle(args.wait_idle, 0.15, log) if args.wait_idle > 0 else cpu_busy(1.0)
            log(f"[{time.strftime('%H:%M:%S')}] {mode} {tool}{f' [{kernels or blas}]' if kernels or blas else ''} "
                f"dim={args.dim}{' busy-core' if args.busy_core else ''} workers={workers} seed={seed} "
                f"(CPUs {100 * (busy or 0):.0f}% busy before) ...")
            rec = run_one(spec, args.timeout)
            rec["cpu_busy_before"] = busy
            if "error" in rec:
                failures += 1
                log(f"  FAILED: {rec['error']}")
            else:
                done.append(rec)
                log(f"  wall {rec['wall_seconds']:.1f} s, {rec['words_per_sec']:,.0f} words/s "
                    f"({rec['words_per_cpu_sec']:,.0f} per CPU-s), "
                    f"analogy {100 * rec['analogy_accuracy']:.1f}%, peak RSS {rec['peak_rss_mb']:.0f} MB")
            line = json.dumps(rec)
            print(line, flush=True)
            if args.out:
                with open(args.out, "a", encoding="utf8") as f:
                    f.write(line + "\n")
    if done:
        log("\n" + _summary.table(done) + "\n\n" + _summary.ratios(done))
        if len(args.seeds) > 1:
            log("\n" + _summary.seed_table(done))
        if len(args.threads) > 1:
            log("\n" + _summary.scaling(done))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
