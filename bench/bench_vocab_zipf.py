"""Vocabulary building under a memory cap: stream N synthetic Zipf words through build_vocab.

Generates N words (default 1 billion) on the fly in numpy batches: word ranks drawn from a
Zipf-like law (P(rank r) ~ 1/r^s over --support ranks, default 100 million, so a billion draws
hit tens of millions of distinct words), each rank spelled as a short base-26 string ("a" is the
most frequent word). Nothing is stored: the corpus exists only as it streams. The words go to
``Word2Vec(max_vocab_size=...).build_vocab`` of fastembed (or gensim, for comparison on small N)
as an iterable of 1,000-word sentences, or through a named pipe as corpus_file. Prints one JSON
object: time, words/s, peak RSS, resulting vocabulary size. With a fixed max_vocab_size, peak RSS
must stay flat as --words grows; that is what this shows.

    python bench/bench_vocab_zipf.py                          # fastembed, 1e9 words, cap 10M
    python bench/bench_vocab_zipf.py --words 2e7 --tool gensim --max-vocab-size 1e6
    python bench/bench_vocab_zipf.py --words 1e8 --via pipe   # corpus_file on a FIFO
    python bench/bench_vocab_zipf.py --tool none              # the generator alone (baseline)
    python bench/bench_vocab_zipf.py --emit --words 1e6 > zipf.txt   # just write the text
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from typing import Iterator

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _rss import peak_rss_mb  # noqa: E402

SENTENCE = 1000  # words per sentence / line
BATCH = 1_000_000  # words generated per numpy batch (a multiple of SENTENCE)
_A = ord("a")


def zipf_ranks(n_words: int, support: int, exponent: float, seed: int) -> Iterator[np.ndarray]:
    """Batches of 0-based ranks, P(r) following the continuous power law x^-s on [1, support+1)
    (inverse-CDF sampling: cheap, exact for the discretised law, no rejection loop)."""
    rng = np.random.default_rng(seed)
    left = n_words
    while left > 0:
        m = min(BATCH, left)
        u = rng.random(m)
        if abs(exponent - 1.0) < 1e-12:
            x = np.exp(u * math.log(support + 1.0))
        else:
            e = 1.0 - exponent
            x = ((math.pow(support + 1.0, e) - 1.0) * u + 1.0) ** (1.0 / e)
        r = np.minimum(x.astype(np.int64) - 1, support - 1)
        yield r
        left -= m


def spell(ranks: np.ndarray, support: int) -> bytes:
    """Space-separated base-26 spellings of ``ranks`` (no leading 'a' digits, so every rank
    has a distinct word), with a newline after every SENTENCE-th word."""
    width = max(1, math.ceil(math.log(support, 26))) if support > 1 else 1
    m = len(ranks)
    out = np.full((m, width + 1), ord(" "), dtype=np.uint8)
    r = ranks.astype(np.int64)
    for k in range(width):
        col = width - 1 - k
        place = 26 ** k
        digit = (r // place) % 26
        # digit k exists if the rank has more than k base-26 digits (rank 0 is "a")
        present = r >= place if k > 0 else np.ones(m, dtype=bool)
        out[:, col] = np.where(present, _A + digit, ord(" "))
    out[SENTENCE - 1::SENTENCE, width] = ord("\n")
    return out.tobytes()


class ZipfSentences:
    """Re-iterable corpus of lists of str, generated afresh (same seed) on every pass."""

    def __init__(self, n_words: int, support: int, exponent: float, seed: int) -> None:
        self.n_words, self.support, self.exponent, self.seed = n_words, support, exponent, seed

    def __iter__(self) -> Iterator[list[str]]:
        for ranks in zipf_ranks(self.n_words, self.support, self.exponent, self.seed):
            for line in spell(ranks, self.support).decode("ascii").split("\n"):
                words = line.split()
                if words:
                    yield words


def expected_distinct(n_words: int, support: int, exponent: float) -> float:
    """Expected number of distinct words among n_words draws: sum over ranks of 1-(1-p_r)^N."""
    total = 0.0
    step = 10_000_000
    for lo in range(0, support, step):
        x = np.arange(lo + 1, min(lo + step, support) + 2, dtype=np.float64)  # bucket edges
        if abs(exponent - 1.0) < 1e-12:
            cdf = np.log(x) / math.log(support + 1.0)
        else:
            e = 1.0 - exponent
            cdf = (x ** e - 1.0) / (math.pow(support + 1.0, e) - 1.0)
        p = np.diff(cdf)
        total += float(np.sum(-np.expm1(n_words * np.log1p(-p))))
    return total


def emit(args: argparse.Namespace, out) -> None:
    """Write the corpus text to ``out`` (a binary stream)."""
    for ranks in zipf_ranks(args.words, args.support, args.exponent, args.seed):
        out.write(spell(ranks, args.support))
    out.flush()




def _build(args: argparse.Namespace) -> dict:
    """Run the chosen tool's build_vocab over the stream; return the measurements."""
    kwargs = {"vector_size": 100, "min_count": args.min_count, "workers": 2}
    if args.max_vocab_size:
        kwargs["max_vocab_size"] = args.max_vocab_size
    if args.tool == "fastembed":
        import fastembed
        model, version = fastembed.Word2Vec(**kwargs), fastembed.__version__
    elif args.tool == "gensim":
        import gensim
        from gensim.models import Word2Vec
        model, version = Word2Vec(**kwargs), gensim.__version__
    else:
        model, version = None, None

    fifo_dir = writer = None
    t0 = time.perf_counter()
    if args.via == "pipe":
        fifo_dir = tempfile.mkdtemp(prefix="zipf-")
        fifo = os.path.join(fifo_dir, "corpus.txt")
        os.mkfifo(fifo)
        # the writer is a separate process, so its memory and CPU are not charged to the reader
        # (it opens the FIFO itself: a reader that stops early then gives it EPIPE, not a hang)
        cmd = [sys.executable, os.path.abspath(__file__), "--emit", "--emit-to", fifo, "--words", str(args.words),
               "--support", str(args.support), "--exponent", str(args.exponent), "--seed", str(args.seed)]
        writer = subprocess.Popen(cmd)
    ok = False
    try:
        if model is None:
            n = 0
            if args.via == "pipe":
                with open(fifo, "rb") as f:
                    tail = b""
                    while chunk := f.read(1 << 20):
                        words = (tail + chunk).split()
                        tail = words.pop() if words and not chunk[-1:].isspace() else b""
                        n += len(words)
                    n += bool(tail)
            else:
                n = sum(len(s) for s in ZipfSentences(args.words, args.support, args.exponent, args.seed))
            vocab_size, total_words = None, n
        else:
            if args.via == "pipe":
                model.build_vocab(corpus_file=fifo)
            else:
                model.build_vocab(corpus_iterable=ZipfSentences(args.words, args.support, args.exponent, args.seed))
            vocab_size = len(model.wv.index_to_key)
            total_words = int(getattr(model, "corpus_total_words", 0) or 0)
        ok = True
    finally:
        if writer is not None:
            if not ok:
                writer.kill()
            writer.wait()
        if fifo_dir is not None:
            for name in os.listdir(fifo_dir):
                os.unlink(os.path.join(fifo_dir, name))
            os.rmdir(fifo_dir)
    seconds = time.perf_counter() - t0
    return {"version": version, "seconds": seconds, "vocab_size": vocab_size, "corpus_total_words": total_words}


def _num(value: str) -> int:
    """Accept 1e9, 1_000_000 or 1000000."""
    return int(float(value.replace("_", "")))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--words", type=_num, default=1_000_000_000, help="words to stream (default: 1e9)")
    ap.add_argument("--support", type=_num, default=100_000_000, help="number of possible words (default: 1e8)")
    ap.add_argument("--exponent", type=float, default=1.0, help="Zipf exponent s (default: 1.0)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-vocab-size", type=_num, default=10_000_000,
                    help="the cap passed to Word2Vec (default: 1e7; 0 = no cap)")
    ap.add_argument("--min-count", type=int, default=5)
    ap.add_argument("--tool", choices=["fastembed", "gensim", "none"], default="fastembed")
    ap.add_argument("--via", choices=["iterable", "pipe"], default="iterable",
                    help="sentences as a Python iterable, or a named pipe read as corpus_file")
    ap.add_argument("--emit", action="store_true", help="only write the corpus text to stdout")
    ap.add_argument("--emit-to", help=argparse.SUPPRESS)  # FIFO path for --emit (used by --via pipe)
    ap.add_argument("--no-expected", action="store_true", help="skip the expected-distinct-words estimate")
    args = ap.parse_args(argv)
    if args.words <= 0 or args.support <= 0:
        ap.error("--words and --support must be positive")
    if args.exponent <= 0:
        ap.error("--exponent must be positive")

    if args.emit:
        try:
            if args.emit_to:
                with open(args.emit_to, "wb") as out:
                    emit(args, out)
            else:
                emit(args, sys.stdout.buffer)
        except BrokenPipeError:  # the reader stopped early: not our error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
        return 0
    if args.tool == "gensim" and args.via == "pipe":
        ap.error("gensim's corpus_file must be a regular file (it checks os.path.isfile); use --via iterable")
    if args.tool == "gensim" and args.words > 200_000_000:
        print("warning: gensim's pure-Python vocabulary scan takes minutes per 100M words", file=sys.stderr)

    start_rss = peak_rss_mb()
    res = _build(args)
    record = {
        "bench": "vocab_zipf",
        "tool": args.tool,
        "version": res["version"],
        "via": args.via,
        "words": args.words,
        "support": args.support,
        "exponent": args.exponent,
        "seed": args.seed,
        "max_vocab_size": args.max_vocab_size or None,
        "min_count": args.min_count,
        "seconds": res["seconds"],
        "words_per_sec": args.words / res["seconds"],
        "peak_rss_mb": peak_rss_mb(),
        "start_rss_mb": start_rss,
        "vocab_size": res["vocab_size"],
        "corpus_total_words": res["corpus_total_words"],
        "expected_distinct_words": None if args.no_expected else
        round(expected_distinct(args.words, args.support, args.exponent)),
        "python": platform.python_version(),
        "numpy": metadata.version("numpy"),
        "loadavg_after": os.getloadavg()[0],
    }
    print(json.dumps(record), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
