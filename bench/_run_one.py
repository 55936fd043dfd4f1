"""One training run in its own process (so peak RSS belongs to this run alone).

Called by bench_train.py as ``python _run_one.py '<json spec>'``; prints one JSON object on
stdout. Only the tool under test is imported, so a fastembed run does not pay for gensim.
Spec keys: tool, mode, settings (gensim-style names), one_line (the one-line corpus), lines (its
1,000-words-a-line copy), eval_dir, corpus_words, check_eval (gensim tools: also run gensim's
own evaluation and record whether ours agrees).
"""
from __future__ import annotations

import json
import os
import platform
import resource
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _evaluate  # noqa: E402
from _rss import peak_rss_mb  # noqa: E402




def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _cpu_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _timed_vocab_and_train(model: Any, vocab_kwargs: dict, train_kwargs: Callable[[Any], dict]) -> tuple[float, float, float]:
    """build_vocab then train, each timed; train kwargs may depend on the built vocabulary.
    Also returns the CPU seconds (all threads) of the training phase: on a machine shared with
    other jobs, CPU time stays meaningful when wall time does not."""
    t0 = time.perf_counter()
    model.build_vocab(**vocab_kwargs)
    t1 = time.perf_counter()
    c1 = _cpu_seconds()
    model.train(**train_kwargs(model))
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, _cpu_seconds() - c1


def _run_w2v_like(lib: Any, corpus_cls: Any, spec: dict) -> dict:
    """fastembed and gensim share the gensim 4 API: same calls for both."""
    settings = dict(spec["settings"])
    if spec["tool"].startswith("fastembed"):
        settings.update(spec.get("fastembed_kwargs") or {})  # e.g. shared_negatives=False
    model = lib.Word2Vec(**settings)
    if spec["tool"].endswith("-file"):
        path = spec["one_line"] if spec["tool"].startswith("fastembed") else spec["lines"]
        vocab_s, train_s, train_cpu = _timed_vocab_and_train(
            model, {"corpus_file": path},
            lambda m: {"corpus_file": path, "total_words": m.corpus_total_words, "epochs": m.epochs})
        corpus_path = path
    else:
        corpus = corpus_cls(spec["one_line"])
        vocab_s, train_s, train_cpu = _timed_vocab_and_train(
            model, {"corpus_iterable": corpus},
            lambda m: {"corpus_iterable": corpus, "total_examples": m.corpus_count, "epochs": m.epochs})
        corpus_path = spec["one_line"]
    return {
        "model": model,
        "index_to_key": list(model.wv.index_to_key),
        "vectors": model.wv.vectors,
        "vocab_seconds": vocab_s,
        "train_seconds": train_s,
        "train_cpu_seconds": train_cpu,
        "corpus_words": int(model.corpus_total_words),
        "corpus_file": corpus_path,
    }


def _run_fastembed(spec: dict) -> dict:
    if spec.get("kernels"):
        os.environ["FASTEMBED_SIMD"] = spec["kernels"]  # read when the extension loads
    import fastembed
    out = _run_w2v_like(fastembed, getattr(fastembed, "Text8Corpus", None), spec)
    out["version"] = getattr(fastembed, "__version__", None)
    out["kernel"] = getattr(out["model"].progress, "kernel", None) or fastembed._core.active_kernels()
    return out


def _run_gensim(spec: dict) -> dict:
    if spec.get("blas_coretype"):
        # OpenBLAS (DYNAMIC_ARCH, scipy's) reads it when it loads: gensim's dot/axpy kernels
        os.environ["OPENBLAS_CORETYPE"] = spec["blas_coretype"]
    import gensim
    from gensim.models import word2vec
    out = _run_w2v_like(word2vec, word2vec.Text8Corpus, spec)
    out["version"] = gensim.__version__
    return out


def _run_fasttext(spec: dict) -> dict:
    """fastText without subwords (minn=maxn=0, no buckets): plain word2vec in fastText's trainer.
    It builds its vocabulary inside train_unsupervised, so vocab time cannot be split off."""
    import fasttext
    s = spec["settings"]
    t0 = time.perf_counter()
    c0 = _cpu_seconds()
    model = fasttext.train_unsupervised(
        spec["one_line"], model="skipgram" if s["sg"] else "cbow", lr=s["alpha"], dim=s["vector_size"],
        ws=s["window"], epoch=s["epochs"], minCount=s["min_count"], neg=s["negative"] or 5,
        loss="hs" if s["hs"] else "ns", t=s["sample"], thread=s["workers"], minn=0, maxn=0,
        wordNgrams=1, bucket=0, verbose=0)
    total = time.perf_counter() - t0
    cpu = _cpu_seconds() - c0
    words = model.get_words()
    return {
        "model": model,
        "index_to_key": list(words),
        "vectors": model.get_input_matrix()[: len(words)],
        "vocab_seconds": None,
        "train_seconds": total,
        "train_cpu_seconds": cpu,
        "train_includes_vocab": True,
        "corpus_words": spec["corpus_words"],
        "corpus_file": spec["one_line"],
        "version": _version("fasttext") or _version("fasttext-numpy2") or _version("fasttext-wheel"),
    }


RUNNERS = {
    "fastembed-file": _run_fastembed,
    "fastembed-iter": _run_fastembed,
    "gensim-file": _run_gensim,
    "gensim-iter": _run_gensim,
    "fasttext": _run_fasttext,
}


def run(spec: dict) -> dict:
    """Train, measure, evaluate; return the JSON-ready record."""
    base_rss = peak_rss_mb()
    load_before = os.getloadavg()[0]
    res = RUNNERS[spec["tool"]](spec)
    peak_train = peak_rss_mb()
    epochs = spec["settings"]["epochs"]
    vocab_s = res["vocab_seconds"]
    train_s = res["train_seconds"]
    record = {
        "tool": spec["tool"],
        "version": res["version"],
        "mode": spec["mode"],
        "settings": spec["settings"],
        **({"fastembed_kwargs": spec["fastembed_kwargs"]}
           if spec.get("fastembed_kwargs") and spec["tool"].startswith("fastembed") else {}),
        "corpus": os.path.basename(spec["corpus_name"]),
        "corpus_file": res["corpus_file"],
        "corpus_words": res["corpus_words"],
        "vocab_size": len(res["index_to_key"]),
        "wall_seconds": (vocab_s or 0.0) + train_s,
        "vocab_seconds": vocab_s,
        "train_seconds": train_s,
        "words_per_sec": res["corpus_words"] * epochs / train_s,
        "peak_rss_mb": peak_train,
        "start_rss_mb": base_rss,
        "train_cpu_seconds": res["train_cpu_seconds"],
        # CPU-normalised speed: words per CPU-second over all threads
        "words_per_cpu_sec": res["corpus_words"] * epochs / res["train_cpu_seconds"],
        # 1-minute load average before/after: a value above the thread count means the machine
        # was shared and wall-clock figures are pessimistic
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg()[0],
    }
    if res.get("kernel"):
        record["kernel"] = res["kernel"]
        record["kernels_requested"] = spec.get("kernels") or "auto"
    if spec.get("busy_core"):
        record["busy_core"] = True
    if spec.get("blas_coretype"):
        record["blas_coretype"] = spec["blas_coretype"]
    if res.get("train_includes_vocab"):
        record["train_includes_vocab"] = True
    t = time.perf_counter()
    record.update(_evaluate.evaluate_all(res["index_to_key"], res["vectors"], spec["eval_dir"],
                                         restrict_vocab=spec.get("restrict_vocab", 30000)))
    record["eval_seconds"] = time.perf_counter() - t
    if spec.get("check_eval") and spec["tool"].startswith("gensim"):
        from check_evaluate import compare_with_gensim
        cmp = compare_with_gensim(res["model"].wv, Path(spec["eval_dir"]), spec.get("restrict_vocab", 30000))
        record["gensim_eval_match"] = cmp["match"]
        record["gensim_eval"] = {k: cmp[k] for k in ("analogy_gensim", "analogy_ours", "wordsim353.tsv", "simlex999.txt")}
    record.update({
        "run_id": spec.get("run_id"),
        "commit": spec.get("commit"),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "host": platform.node(),
        "numpy": _version("numpy"),
    })
    return record


def main() -> int:
    spec = json.loads(sys.argv[1])
    record = run(spec)
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
