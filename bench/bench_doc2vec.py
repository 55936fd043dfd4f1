"""Document-vector benchmark: fastembed's Doc2Vec against gensim 4's (iterable and corpus_file
modes), plus fastembed's word-vector averages (mean, SIF), on public data.

One run per process (so peak RSS is the run's own); each prints one JSON object: tool, mode,
settings, wall s, words/s, peak RSS, MR accuracy (10-fold cross-validated logistic regression
on the vectors of the 10,662 movie-review snippets, trained as documents together with the
articles), BBC clustering NMI (k-means, k = 5, on the 2,225 BBC articles' vectors, trained as
documents too) and self-rank (500 training articles: inferred again, how often their own tag
comes first / within the top 1 % of the articles).

    pip install ".[bench]" scikit-learn
    python bench/bench_doc2vec.py                   # 6,392 articles + MR + BBC, 100 d, 10 epochs
    python bench/bench_doc2vec.py --quick           # 800 articles, 3 epochs: a smoke test
    python bench/bench_doc2vec.py --tools fastembed,gensim-iter --modes dbow
"""
from __future__ import annotations

import argparse
import json
import lzma
import os
import re
import subprocess
import sys
import tarfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _rss import peak_rss_mb  # noqa: E402

DATA = Path(os.environ.get("FASTEMBED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"))
CACHE = Path(__file__).resolve().parent / "cache"
TOOLS = ["fastembed", "fastembed-file", "gensim-iter", "gensim-file", "fastembed-mean", "fastembed-sif"]
MODES = {"dbow": dict(dm=0), "dm": dict(dm=1), "dbow-words": dict(dm=0, dbow_words=1)}
_WORD = re.compile(r"[a-z]+")


def tokens(text: str) -> list:
    """The articles' own form: lower-case letters only (text8 style)."""
    return _WORD.findall(text.lower())


def prepare(quick: bool) -> Path:
    """One document a line: articles, then MR snippets, then BBC articles; a JSON index beside
    it says which lines are which and gives the labels."""
    CACHE.mkdir(exist_ok=True)
    out = CACHE / f"docs{'-quick' if quick else ''}.txt"
    meta = out.with_suffix(".json")
    if out.exists() and meta.exists():
        return out
    with lzma.open(DATA / "enwiki-2015-articles.xz", "rt", encoding="utf-8") as f:
        articles = [line.split() for line in f]
    if quick:
        articles = articles[:800]
    mr, mr_labels = [], []
    for label, name in ((1, "rt-polarity.pos"), (0, "rt-polarity.neg")):
        with open(DATA / "labelled" / "mr" / name, encoding="latin-1") as f:
            for line in f:
                mr.append(tokens(line))
                mr_labels.append(label)
    bbc, bbc_labels = [], []
    with tarfile.open(DATA / "labelled" / "bbc.tar.xz") as tar:
        for m in sorted(tar.getmembers(), key=lambda m: m.name):
            parts = m.name.split("/")
            if m.isfile() and len(parts) == 3 and parts[2].endswith(".txt"):
                bbc.append(tokens(tar.extractfile(m).read().decode("latin-1")))
                bbc_labels.append(parts[1])
    lines = articles + mr + bbc
    with open(out, "w", encoding="utf-8") as f:
        for doc in lines:
            f.write(" ".join(doc) + "\n")
    meta.write_text(json.dumps({"articles": len(articles), "mr": len(mr), "bbc": len(bbc),
                                "mr_labels": mr_labels, "bbc_labels": bbc_labels,
                                "words": sum(len(d) for d in lines)}))
    return out


def _score(x, meta, self_rank) -> dict:
    """MR accuracy, BBC NMI and self-rank from the documents' vectors (rows in file order)."""
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import normalized_mutual_info_score
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    a, m = meta["articles"], meta["mr"]
    x = np.asarray(x, dtype=np.float64)
    mr_x, bbc_x = x[a : a + m], x[a + m :]
    folds = StratifiedKFold(n_splits=10, shuffle=True, random_state=0)
    acc = cross_val_score(LogisticRegression(max_iter=2000), mr_x, meta["mr_labels"], cv=folds).mean()
    labels = KMeans(n_clusters=5, n_init=10, random_state=0).fit_predict(bbc_x / np.maximum(
        np.linalg.norm(bbc_x, axis=1, keepdims=True), 1e-12))
    out = {"mr_accuracy": float(acc), "bbc_nmi": float(normalized_mutual_info_score(meta["bbc_labels"], labels))}
    if self_rank is not None:
        out.update(self_rank)
    return out


def _self_rank(inferred, article_vectors, ids) -> dict:
    import numpy as np
    a = np.asarray(article_vectors, dtype=np.float64)
    a /= np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    q = np.asarray(inferred, dtype=np.float64)
    q /= np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-12)
    sims = q @ a.T
    ranks = np.array([(sims[i] > sims[i, j]).sum() for i, j in enumerate(ids)])
    return {"self_rank_first": float((ranks == 0).mean()), "self_rank_top1pct": float((ranks < max(1, len(a) // 100)).mean())}


def run_one(spec: dict) -> dict:
    import numpy as np
    path = Path(spec["docs"])
    meta = json.loads(path.with_suffix(".json").read_text())
    s = spec["settings"]
    tool = spec["tool"]
    with open(path, encoding="utf-8") as f:
        docs = [line.split() for line in f]
    rng = np.random.default_rng(0)
    probe = sorted(rng.choice(meta["articles"], size=min(500, meta["articles"]), replace=False).tolist())
    t0 = time.perf_counter()
    if tool in ("fastembed-mean", "fastembed-sif"):
        import fastembed
        wv_model = fastembed.Word2Vec(corpus_file=spec["articles_file"], vector_size=s["vector_size"], window=s["window"],
                                      min_count=s["min_count"], sample=s["sample"], epochs=s["epochs"],
                                      workers=s["workers"], sg=0, seed=1)
        x = wv_model.wv.embed_documents(docs, method=tool.split("-")[1])
        wall = time.perf_counter() - t0
        rank = None
        version = fastembed.__version__
    else:
        if tool.startswith("fastembed"):
            import fastembed as lib
            from fastembed import Doc2Vec, TaggedDocument
            version = lib.__version__
        else:
            import gensim as lib
            from gensim.models.doc2vec import Doc2Vec, TaggedDocument
            version = lib.__version__
        kw = dict(vector_size=s["vector_size"], window=s["window"], min_count=s["min_count"], sample=s["sample"],
                  epochs=s["epochs"], workers=s["workers"], seed=1, negative=5, hs=0, **MODES[spec["mode"]])
        if tool.endswith("-file"):
            model = Doc2Vec(corpus_file=str(path), **kw)
            key = (lambda i: i)
        else:
            tagged = [TaggedDocument(d, [i]) for i, d in enumerate(docs)]
            model = Doc2Vec(tagged, **kw)
            key = (lambda i: i)
        wall = time.perf_counter() - t0
        x = np.array([model.dv[key(i)] for i in range(len(docs))])
        if tool.startswith("fastembed"):
            inferred = model.infer_vectors([docs[i] for i in probe])
        else:
            inferred = [model.infer_vector(docs[i]) for i in probe]
        rank = _self_rank(inferred, x[: meta["articles"]], probe)
    record = {"tool": tool, "version": version, "mode": spec["mode"], "settings": s, "documents": len(docs),
              "words": meta["words"], "wall_seconds": wall, "words_per_sec": meta["words"] * s["epochs"] / wall,
              "peak_rss_mb": peak_rss_mb(), "loadavg": os.getloadavg()[0]}
    record.update(_score(x, meta, rank))
    return record


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--modes", default="dbow,dm")
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(run_one(json.loads(args.child))), flush=True)
        return 0
    docs = prepare(args.quick)
    meta = json.loads(docs.with_suffix(".json").read_text())
    articles_file = CACHE / f"articles{'-quick' if args.quick else ''}.txt"
    if not articles_file.exists():
        with open(docs, encoding="utf-8") as f, open(articles_file, "w", encoding="utf-8") as out:
            for i, line in enumerate(f):
                if i >= meta["articles"]:
                    break
                out.write(line)
    settings = dict(vector_size=100, window=5, min_count=5, sample=1e-3, workers=args.workers,
                    epochs=args.epochs or (3 if args.quick else 10))
    failures = 0
    for mode in args.modes.split(","):
        for tool in args.tools.split(","):
            if tool in ("fastembed-mean", "fastembed-sif") and mode != args.modes.split(",")[0]:
                continue  # word-vector averages do not depend on the Doc2Vec mode
            spec = {"tool": tool, "mode": mode if "-" not in tool or tool.endswith("-file") or tool.endswith("-iter")
                    else "words", "settings": settings, "docs": str(docs), "articles_file": str(articles_file)}
            print(f"[{time.strftime('%H:%M:%S')}] {tool} {spec['mode']} ...", file=sys.stderr, flush=True)
            proc = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)], capture_output=True, text=True)
            lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
            if proc.returncode or not lines:
                failures += 1
                print(f"  FAILED: {proc.stderr[-1500:]}", file=sys.stderr)
                continue
            print(lines[-1], flush=True)
            if args.out:
                with open(args.out, "a") as f:
                    f.write(lines[-1] + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
