"""fastembed.FastText against fastText 0.9 and gensim 4.4's FastText: speed, memory, quality,
and vectors for words never seen.  One JSON object per run on stdout.

    python bench/bench_fasttext.py --out bench/results/fasttext.jsonl
    python bench/bench_fasttext.py --tools fastembed,fasttext --modes sg,cbow
    python bench/bench_fasttext.py --load-test     # a 2M-bucket 300-dim .bin: load times

Each run trains in a fresh subprocess (so its peak RSS is its own) on the one-line 17M-word
corpus (gensim reads the copy with 1,000 words a line, as in bench_train.py), with the
acceptance settings: vector_size 100, window 5, min_count 5, negative 5, 5 epochs, min_n 3,
max_n 6, bucket 2,000,000, sample 1e-4, 2 workers, lr 0.05 (fastText's default; --lr).

Scores, the same code for every tool (``_evaluate.py``): analogy accuracy with
restrict_vocab 30,000, WS-353 and SimLex Spearman; and the *unseen-word* questions: analogy
questions with a word outside the tool's vocabulary.  Each tool answers them with its own
vectors for unseen words (n-gram means), ranking the 30,000 most frequent words plus every
unseen question word, the three question words excluded (3CosAdd).  ``oov_coverage`` is the
share of those questions all of whose words got a vector.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _corpus  # noqa: E402
import _evaluate  # noqa: E402
from _rss import peak_rss_mb  # noqa: E402

RESTRICT = 30000
TOOLS = ["fastembed", "fasttext", "gensim"]
MODES = ["sg", "cbow"]


# ----------------------------------------------------------------------------- the child side

def _gensim_kwargs(s: dict) -> dict:
    """The settings under gensim 4's FastText names (fastembed uses the same)."""
    return dict(sg=s["sg"], vector_size=s["dim"], window=s["ws"], min_count=s["min_count"], negative=s["neg"],
                epochs=s["epochs"], min_n=s["minn"], max_n=s["maxn"], bucket=s["bucket"], sample=s["t"],
                workers=s["workers"], alpha=s["lr"], seed=1)


def _train_gensim_like(model: Any, corpus: str) -> tuple:
    t0 = time.perf_counter()
    model.build_vocab(corpus_file=corpus)
    t1 = time.perf_counter()
    model.train(corpus_file=corpus, total_words=model.corpus_total_words, epochs=model.epochs)
    return t1 - t0, time.perf_counter() - t1


def _train_fastembed(spec: dict) -> Dict[str, Any]:
    import fastembed
    # fastText's learning rate falls to 0
    model = fastembed.FastText(min_alpha=0.0, **_gensim_kwargs(spec["settings"]))
    vocab_s, train_s = _train_gensim_like(model, spec["one_line"])
    wv = model.wv
    return dict(version=fastembed.__version__, vocab_seconds=vocab_s, train_seconds=train_s,
                words=list(wv.index_to_key), vectors=wv.vectors, vector_of=lambda w: wv[w])


def _train_fasttext(spec: dict) -> Dict[str, Any]:
    import fasttext
    from importlib import metadata
    s = spec["settings"]
    t0 = time.perf_counter()
    model = fasttext.train_unsupervised(spec["one_line"], model="skipgram" if s["sg"] else "cbow", lr=s["lr"],
                                        dim=s["dim"], ws=s["ws"], epoch=s["epochs"], minCount=s["min_count"],
                                        neg=s["neg"], loss="ns", t=s["t"], thread=s["workers"], minn=s["minn"],
                                        maxn=s["maxn"], bucket=s["bucket"], wordNgrams=1, verbose=0)
    t1 = time.perf_counter()
    words = model.get_words(on_unicode_error="replace")
    vectors = np.array([model.get_word_vector(w) for w in words], dtype=np.float32)
    return dict(version=metadata.version("fasttext-wheel"), vocab_seconds=None, train_seconds=t1 - t0,
                train_includes_vocab=True, words=words, vectors=vectors,
                vector_of=lambda w: model.get_word_vector(w))


def _train_gensim(spec: dict) -> Dict[str, Any]:
    import gensim
    from gensim.models import FastText
    model = FastText(min_alpha=0.0001, **_gensim_kwargs(spec["settings"]))
    vocab_s, train_s = _train_gensim_like(model, spec["lines"])  # corpus_file reads line by line
    wv = model.wv
    return dict(version=gensim.__version__, vocab_seconds=vocab_s, train_seconds=train_s,
                words=list(wv.index_to_key), vectors=wv.vectors, vector_of=lambda w: wv[w])


TRAINERS: Dict[str, Callable[[dict], Dict[str, Any]]] = {
    "fastembed": _train_fastembed, "fasttext": _train_fasttext, "gensim": _train_gensim}


def unseen_questions(words: Sequence[str], vectors: np.ndarray, vector_of: Callable[[str], np.ndarray],
                     path: Path, restrict: int = RESTRICT) -> dict:
    """Analogy questions with a word outside the vocabulary, answered with unseen-word vectors
    (see the module docstring)."""
    known = _evaluate._upper_vocab(words, len(words))
    questions = [q for _, qs in _evaluate.read_analogies(path) for q in qs]
    oov_q = [q for q in questions if any(w not in known for w in q)]
    unseen = sorted({w for q in oov_q for w in q if w not in known})
    vec: Dict[str, np.ndarray] = {}
    for w in unseen:
        v = np.asarray(vector_of(w.lower()), dtype=np.float64)
        if np.any(v):  # fastText gives the zero vector to a word with no n-gram
            vec[w] = v
    n_cand = min(restrict, len(words))
    _, _, unit = _evaluate._unit_rows(vectors[:n_cand])
    cand_words = [w.upper() for w in words[:n_cand]] + list(vec)
    cand = np.vstack([unit.astype(np.float64)] + [v / np.linalg.norm(v) for v in vec.values()]) \
        if vec else unit.astype(np.float64)
    positions: Dict[str, List[int]] = {}
    for i, w in enumerate(cand_words):
        positions.setdefault(w, []).append(i)

    def unit_of(w: str) -> np.ndarray | None:
        if w in vec:
            return vec[w] / np.linalg.norm(vec[w])
        i = known.get(w)
        if i is None:
            return None
        v = vectors[i].astype(np.float64)
        n = np.linalg.norm(v)
        return v / n if n > 0 else v

    answered = correct = 0
    for a, b, c, d in oov_q:
        ua, ub, uc = unit_of(a), unit_of(b), unit_of(c)
        if ua is None or ub is None or uc is None or unit_of(d) is None:
            continue
        answered += 1
        query = ub - ua + uc
        scores = cand @ (query / np.linalg.norm(query))
        for w in (a, b, c):
            scores[positions.get(w, [])] = -np.inf
        correct += cand_words[int(np.argmax(scores))] == d
    return dict(oov_questions=len(oov_q), oov_answered=answered,
                oov_coverage=answered / len(oov_q) if oov_q else None,
                oov_accuracy=correct / answered if answered else None, oov_correct=correct)


def child(spec: dict) -> dict:
    out = TRAINERS[spec["tool"]](spec)
    words, vectors = out.pop("words"), out.pop("vectors")
    vector_of = out.pop("vector_of")
    vectors = np.asarray(vectors, dtype=np.float32)
    peak = peak_rss_mb()  # before evaluation's own arrays
    ru = resource.getrusage(resource.RUSAGE_SELF)
    cpu = ru.ru_utime + ru.ru_stime  # the machine is shared: CPU time stays meaningful when wall time does not
    scores = _evaluate.evaluate_all(words, vectors, spec["eval_dir"], RESTRICT)
    scores.update(unseen_questions(words, vectors, vector_of, Path(spec["eval_dir"]) / "questions-words.txt"))
    total = out["train_seconds"] + (out["vocab_seconds"] or 0.0)
    return dict(tool=spec["tool"], mode=spec["mode"], settings=spec["settings"], version=out["version"],
                wall_seconds=total, vocab_seconds=out["vocab_seconds"], train_seconds=out["train_seconds"],
                train_includes_vocab=out.get("train_includes_vocab", False),
                words_per_sec=spec["corpus_words"] * spec["settings"]["epochs"] / out["train_seconds"],
                cpu_seconds=cpu, load_average=os.getloadavg()[0], vocab_size=len(words), peak_rss_mb=peak,
                **scores)


# ------------------------------------------------------------------------------ the load test

def load_child(spec: dict) -> dict:
    t0 = time.perf_counter()
    if spec["tool"] == "fastembed":
        import fastembed
        m = fastembed.load_facebook_model(spec["path"])
        probe = m.wv["unseenwordxyz"]
    else:
        from gensim.models.fasttext import load_facebook_model
        m = load_facebook_model(spec["path"])
        probe = m.wv["unseenwordxyz"]
    seconds = time.perf_counter() - t0
    return dict(tool=spec["tool"], test="load_facebook_model", path_bytes=os.path.getsize(spec["path"]),
                seconds=seconds, peak_rss_mb=peak_rss_mb(), probe_norm=float(np.linalg.norm(probe)))


def make_load_file(corpus: Path, path: Path) -> None:
    import fastembed
    words = corpus.read_bytes()[:20_000_000].decode("utf-8", "replace").split()[:2_000_000]
    sentences = [words[i:i + 1000] for i in range(0, len(words), 1000)]
    m = fastembed.FastText(vector_size=300, bucket=2_000_000, min_count=5, epochs=1, workers=2, sg=0)
    m.build_vocab(sentences)
    m.train(sentences, total_examples=m.corpus_count, epochs=1)
    m.save_facebook_model(path)


# ------------------------------------------------------------------------------ the parent side

def summary(path: str) -> str:
    """A markdown table of the JSON lines in ``path``."""
    rows = ["| mode | tool | wall s | CPU s | load | words/s | peak RSS MB | analogy % | WS-353 | SimLex | unseen-word "
            "questions | coverage | accuracy % |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for line in open(path):
        r = json.loads(line)
        if "wall_seconds" not in r:
            if "seconds" in r:
                rows.append(f"| load | {r['tool']} | {r['seconds']:.1f} | | {r['peak_rss_mb']:.0f} | | | | | | |")
            else:
                rows.append(f"| {r.get('mode')} | {r.get('tool')} | failed: {r.get('error', '')[-80:]!r} |")
            continue
        cpu = f"{r['cpu_seconds']:.0f}" if "cpu_seconds" in r else ""
        load = f"{r['load_average']:.1f}" if "load_average" in r else ""
        rows.append(f"| {r['mode']} | {r['tool']} | {r['wall_seconds']:.1f} | {cpu} | {load} | "
                    f"{r['words_per_sec'] / 1e6:.2f}M | "
                    f"{r['peak_rss_mb']:.0f} | {100 * r['analogy_accuracy']:.1f} | {r['ws353_spearman']:.3f} | "
                    f"{r['simlex_spearman']:.3f} | {r['oov_questions']} | {100 * (r['oov_coverage'] or 0):.0f}% | "
                    f"{100 * (r['oov_accuracy'] or 0):.1f} |")
    return "\n".join(rows)


def _run(args: List[str], timeout: float) -> dict:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        return {"error": proc.stderr[-2000:], "returncode": proc.returncode}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: List[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--load-child", help=argparse.SUPPRESS)
    p.add_argument("--tools", default=",".join(TOOLS))
    p.add_argument("--modes", default=",".join(MODES))
    p.add_argument("--corpus", default=str(_corpus.DEFAULT_CORPUS))
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--bucket", type=int, default=2_000_000)
    p.add_argument("--quick", action="store_true", help="2M-word prefix, 1 epoch (smoke test)")
    p.add_argument("--load-test", action="store_true", help="time loading a 2M-bucket 300-dim .bin")
    p.add_argument("--timeout", type=float, default=7200)
    p.add_argument("--out", help="also append the JSON lines to this file")
    p.add_argument("--summary", metavar="FILE", help="print a markdown table of FILE's JSON lines and exit")
    a = p.parse_args(argv)
    if a.summary:
        print(summary(a.summary))
        return 0
    if a.child:
        print(json.dumps(child(json.loads(a.child))))
        return 0
    if a.load_child:
        print(json.dumps(load_child(json.loads(a.load_child))))
        return 0

    plain = _corpus.plain_corpus(Path(a.corpus))
    one_line = _corpus.prefix_corpus(plain, 2_000_000) if a.quick else plain
    records = []

    def emit(rec: dict) -> None:
        rec.update(host=platform.node(), time=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        line = json.dumps(rec)
        print(line, flush=True)
        records.append(rec)
        if a.out:
            os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
            with open(a.out, "a") as f:
                f.write(line + "\n")

    if a.load_test:
        with tempfile.TemporaryDirectory(dir=_corpus.CACHE_DIR) as tmp:
            path = Path(tmp) / "load300.bin"
            make_load_file(plain, path)
            for tool in ("fastembed", "gensim"):
                emit(_run(["--load-child", json.dumps({"tool": tool, "path": str(path)})], a.timeout))
        return 0

    lines = _corpus.line_split_corpus(one_line)
    settings = dict(dim=100, ws=5, min_count=5, neg=5, epochs=1 if a.quick else a.epochs, minn=3, maxn=6,
                    bucket=a.bucket, t=1e-4, workers=a.workers, lr=a.lr)
    for mode in a.modes.split(","):
        for tool in a.tools.split(","):
            spec = dict(tool=tool, mode=mode, settings=dict(settings, sg=int(mode == "sg")),
                        one_line=str(one_line), lines=str(lines), eval_dir=str(_corpus.eval_dir()),
                        corpus_words=_corpus.word_count(one_line))
            print(f"# {tool} {mode} ...", file=sys.stderr, flush=True)
            rec = _run(["--child", json.dumps(spec)], a.timeout)
            rec.setdefault("tool", tool)
            rec.setdefault("mode", mode)
            emit(rec)
    return 0


if __name__ == "__main__":
    sys.exit(main())
