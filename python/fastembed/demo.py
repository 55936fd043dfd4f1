"""``fastembed demo``: train on the bundled Wikipedia sample and show what the vectors learnt.

The sample (python/fastembed/data/enwiki-sample-2M.txt.xz, CC BY-SA 3.0, see data/SOURCES.md)
is 2M words, small enough to train in seconds on two cores and big enough for meaningful
neighbours.
"""
from __future__ import annotations

import contextlib
import lzma
import os
import sys
import tempfile
import time
from typing import IO, Any, Iterator, List, Optional, Sequence

__all__ = ["DATA_DIR", "SAMPLE_CORPUS", "run_demo", "corpus_slice"]

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
SAMPLE_CORPUS = os.path.join(DATA_DIR, "enwiki-sample-2M.txt.xz")

# Chosen on this sample (2 cores): CBOW with a wide window and 10 epochs trains in seconds and
# beats 3-5 epochs of skip-gram on the shipped evaluation sets in the same time.
DEMO_SETTINGS = dict(vector_size=100, window=8, min_count=5, sample=1e-3, sg=0, hs=0,
                     negative=5, alpha=0.05, seed=1)
DEMO_EPOCHS = 10
# Shown when in the vocabulary: frequent in Wikipedia, with clear-cut neighbours.
NEIGHBOUR_WORDS = ("king", "france", "music", "computer", "war", "january", "red", "river")
ANALOGIES = (("man", "king", "woman"), ("france", "paris", "germany"),
             ("france", "french", "germany"), ("brother", "sister", "father"))


@contextlib.contextmanager
def corpus_slice(max_words: Optional[int]) -> Iterator[str]:
    """The sample corpus path; with ``max_words``, a temporary file with its first words."""
    if max_words is None:
        yield SAMPLE_CORPUS
        return
    with tempfile.TemporaryDirectory(prefix="fastembed-demo-") as tmp:
        path = os.path.join(tmp, "sample.txt")
        left = max_words
        with lzma.open(SAMPLE_CORPUS, "rb") as src, open(path, "wb") as dst:
            pending = b""  # a word possibly cut in two by the chunk boundary
            while left > 0:
                chunk = src.read(1 << 20)
                data = pending + chunk
                cut = len(data) if not chunk else data.rfind(b" ") + 1
                data, pending = data[:cut], data[cut:]
                words = data.split()[:left]
                if words:
                    dst.write(b" ".join(words) + b" ")
                left -= len(words)
                if not chunk:
                    break
            dst.write(b"\n")
        yield path


def _neighbours_line(wv: Any, word: str, topn: int) -> str:
    pairs = wv.most_similar(word, topn=topn)
    return ", ".join(f"{w} {s:.2f}" for w, s in pairs)


def run_demo(epochs: Optional[int] = None, workers: Optional[int] = None,
             max_words: Optional[int] = None, output: Optional[str] = None,
             progress: bool = True, out: Optional[IO[str]] = None,
             words: Sequence[str] = NEIGHBOUR_WORDS) -> int:
    """Train on the bundled sample, print neighbours, analogies and scores; return 0.

    ``max_words`` trains on a prefix of the sample (for quick checks); ``output`` also saves
    the vectors in word2vec text format.
    """
    from .evaluation import SHIPPED_ANALOGIES, SHIPPED_PAIRS, format_evaluation, run_evaluation
    from .model import Word2Vec
    from .progress import ProgressBar

    out = out if out is not None else sys.stdout
    epochs = epochs or DEMO_EPOCHS
    workers = workers or os.cpu_count() or 1

    def say(text: str = "") -> None:
        print(text, file=out)
        out.flush()

    say("fastembed demo: word2vec on the first "
        f"{'2,000,000' if max_words is None else f'{max_words:,}'} words of English Wikipedia")
    say("  (text: Wikipedia contributors, CC BY-SA 3.0; see fastembed/data/SOURCES.md)")
    say(f"  CBOW, {DEMO_SETTINGS['vector_size']} dimensions, window "
        f"{DEMO_SETTINGS['window']}, {DEMO_SETTINGS['negative']} negative samples, "
        f"{epochs} epochs, {workers} threads")
    say()
    bar = ProgressBar(epoch_lines=False) if progress else None
    start = time.perf_counter()
    try:
        with corpus_slice(max_words) as corpus:
            model = Word2Vec(corpus_file=corpus, epochs=epochs, workers=workers,
                             callbacks=[bar] if bar else [], **DEMO_SETTINGS)
    finally:
        if bar is not None:
            bar.close()
    seconds = time.perf_counter() - start
    wv = model.wv
    total = int(model.corpus_total_words) * epochs
    say(f"trained in {seconds:.1f} s ({total / max(seconds, 1e-9):,.0f} words/s including the "
        f"vocabulary scan); {len(wv.index_to_key):,} words in the vocabulary")
    if output:
        wv.save_word2vec_format(output, binary=False)
        say(f"vectors written to {output}")

    say()
    say("nearest neighbours (cosine similarity):")
    shown: List[str] = [w for w in words if w in wv.key_to_index]
    width = max([len(w) for w in shown] + [1])
    for word in shown:
        say(f"  {word:<{width}}  {_neighbours_line(wv, word, 6)}")

    say()
    say("analogies (a is to b as c is to ?):")
    known = [q for q in ANALOGIES if all(w in wv.key_to_index for w in q)]
    questions = [f"{a} : {b} :: {c} : ?" for a, b, c in known]
    width = max([len(q) for q in questions] + [1])
    for (a, b, c), question in zip(known, questions):
        best = wv.most_similar(positive=[b, c], negative=[a], topn=3)
        answers = ", ".join(f"{w} {s:.2f}" for w, s in best)
        say(f"  {question:<{width}}  {answers}")

    say()
    say("evaluation (fastembed evaluate):")
    report = run_evaluation(wv, SHIPPED_ANALOGIES, SHIPPED_PAIRS)
    for line in format_evaluation(report).splitlines():
        say("  " + line)
    say()
    say(f"done in {time.perf_counter() - start:.1f} s")
    return 0
