"""Domain adaptation benchmark: issue 12's protocol, fastembed against gensim 4.4.

1. The 17M-word corpus is cut into 100-word lines. 40 words W are picked from the answers of
   ``questions-words.txt`` (10 from the semantic sections, 30 from the syntactic ones, with a
   fixed selection seed) so that D, the lines holding a word of W, has 3-10 % of the words;
   G' is the other lines (W never occurs in G').
2. ``pretrain``: fastembed skip-gram (100 d, 3 epochs) on G', saved as ``.vec`` (word2vec text)
   and as a GloVe-style file (no header line).
3. ``reference`` R: the same training from scratch on G' and D together.
4. ``fastembed-adapt``: ``Word2Vec(corpus_file=D, init_vectors=FILE, init_vocab="union",
   lockf=L)`` from each file with L = 1 (nothing locked) and L = 0 (pretrained rows locked).
5. ``fastembed-continue``: the saved pretrained *model* (``Word2Vec.save``, output layer
   included), ``build_vocab(D, update=True)``, the old rows' lock factors set to L, ``train(D)``:
   what ``fastembed adapt MODEL`` does. A vectors file holds no output layer, so adapting
   from one starts it at zero.
6. ``gensim-adapt``: gensim 4.4's way from the ``.vec`` file: ``build_vocab(D)``, the pretrained
   words added with ``build_vocab_from_freq(..., update=True)`` (count = min_count, the least
   that survives), the full-length ``vectors_lockf`` workaround of gensim issue #3094,
   ``intersect_word2vec_format(lockf=L)``, then ``train(D)`` (iterable ``LineSentence``: its
   learning rate decays fully, unlike gensim's corpus_file mode with 2 workers).

Every run is a fresh subprocess (its own peak RSS) that times itself end to end (reading the
pretrained file included) and scores 3CosAdd analogies over one fixed candidate set (the
30,000 most frequent words of the whole corpus), split into the questions that involve a word
of W and all the others; a question with a word the model lacks counts as wrong. Each run
prints one JSON object; ``--summary FILE`` prints the table and the acceptance ratios.

    python bench/bench_adapt.py --seeds 1,2,3 --out bench/results/adapt.jsonl
    python bench/bench_adapt.py --summary bench/results/adapt.jsonl
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _corpus  # noqa: E402
from _evaluate import _unit64, read_analogies  # noqa: E402
from _rss import peak_rss_mb  # noqa: E402

SETTINGS = dict(vector_size=100, window=5, sample=1e-4, min_count=5, negative=5, sg=1, alpha=0.025,
                min_alpha=0.0001)
SEMANTIC_SECTIONS = 5  # capital-common-countries, capital-world, currency, city-in-state, family
CANDIDATES = 30000


# ----------------------------------------------------------------------------- preparation
def prepare(corpus: Path, select_seed: int) -> Dict[str, Any]:
    """Split the corpus, pick W, write D and G' (cached) and the evaluation question sets."""
    lines_path = _corpus.line_split_corpus(_corpus.plain_corpus(corpus), 100)
    meta_path = _corpus.CACHE_DIR / f"adapt-select{select_seed}.json"
    if meta_path.is_file():
        return json.loads(meta_path.read_text())
    sections = read_analogies(_corpus.eval_dir() / "questions-words.txt")
    semantic = sorted({q[3].lower() for _, qs in sections[:SEMANTIC_SECTIONS] for q in qs})
    syntactic = sorted({q[3].lower() for _, qs in sections[SEMANTIC_SECTIONS:] for q in qs} - set(semantic))
    wanted = set(semantic) | set(syntactic)
    lines = lines_path.read_bytes().decode("utf-8").split("\n")
    lines = [line for line in lines if line]
    holding: Dict[str, List[int]] = defaultdict(list)
    for i, line in enumerate(lines):
        for w in set(line.split()) & wanted:
            holding[w].append(i)
    total_lines = len(lines)
    rng = random.Random(select_seed)
    chosen: List[str] = []
    in_d: set = set()
    for pool, need in ((semantic, 10), (syntactic, 30)):
        # mid-frequency words: frequent enough to learn from D, rare enough to keep D small
        pool = [w for w in pool if 60 <= len(holding.get(w, ())) <= 600]
        rng.shuffle(pool)
        got = 0
        for w in pool:
            if got == need:
                break
            grown = in_d | set(holding[w])
            if len(grown) <= 0.08 * total_lines:
                in_d, got = grown, got + 1
                chosen.append(w)
        if got < need:
            raise RuntimeError(f"could not pick {need} words from {len(pool)} candidates within 8 % of the lines")
    share = len(in_d) / total_lines  # lines are 100 words each (the last one shorter)
    if not 0.03 <= share <= 0.10:
        raise RuntimeError(f"D holds {100 * share:.1f} % of the corpus, outside 3-10 %")
    d_path = _corpus.CACHE_DIR / f"adapt-select{select_seed}-D.txt"
    g_path = _corpus.CACHE_DIR / f"adapt-select{select_seed}-G.txt"
    for path, keep in ((d_path, True), (g_path, False)):
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text("".join(line + "\n" for i, line in enumerate(lines) if (i in in_d) == keep))
        os.replace(tmp, path)
    import fastembed  # the candidate set: the most frequent words of the whole corpus

    counter = fastembed.Word2Vec(min_count=1, workers=2)
    counter.build_vocab(corpus_file=str(lines_path))
    candidates = counter.wv.index_to_key[:CANDIDATES]
    known = set(candidates)
    w_set = set(chosen)
    questions = [[w.lower() for w in q] for _, qs in sections for q in qs]
    questions = [q for q in questions if all(w in known for w in q)]
    meta = dict(select_seed=select_seed, W=chosen, d_share=share, d_lines=len(in_d), lines=total_lines,
                d_path=str(d_path), g_path=str(g_path), full_path=str(lines_path),
                d_words=sum(len(lines[i].split()) for i in in_d), candidates=candidates,
                q_w=[q for q in questions if w_set & set(q)], q_other=[q for q in questions if not w_set & set(q)])
    tmp = meta_path.with_name(meta_path.name + ".tmp")
    tmp.write_text(json.dumps(meta))
    os.replace(tmp, meta_path)
    return meta


# ------------------------------------------------------------------------------ evaluation
def analogy_scores(words: Sequence[str], vectors: Any, meta: Dict[str, Any]) -> Dict[str, float]:
    import numpy as np

    index = {w: i for i, w in enumerate(words)}
    present = [w for w in meta["candidates"] if w in index]
    col = {w: j for j, w in enumerate(present)}
    unit = _unit64(np.asarray(vectors, dtype=np.float32)[[index[w] for w in present]])
    out: Dict[str, float] = {}
    for name in ("q_w", "q_other"):
        questions = meta[name]
        answerable = [q for q in questions if all(w in col for w in q)]
        correct = 0
        for s in range(0, len(answerable), 512):
            batch = answerable[s : s + 512]
            a, b, c, d = (np.array([col[q[k]] for q in batch]) for k in range(4))
            scores = unit @ (unit[b] - unit[a] + unit[c]).T
            cols = np.arange(len(batch))
            for excluded in (a, b, c):
                scores[excluded, cols] = -np.inf
            correct += int((scores.argmax(axis=0) == d).sum())
        out[f"acc_{name[2:]}"] = correct / len(questions) if questions else 0.0
        out[f"n_{name[2:]}"] = len(questions)
        out[f"answerable_{name[2:]}"] = len(answerable)
    return out


# ------------------------------------------------------------------------------ one run
def _paths(meta: Dict[str, Any], seed: int) -> Dict[str, str]:
    base = _corpus.CACHE_DIR / f"adapt-select{meta['select_seed']}-seed{seed}"
    return {"vec": str(base) + "-pre.vec", "glove": str(base) + "-pre.glove.txt", "model": str(base) + "-pre.model"}


def run_one(spec: Dict[str, Any]) -> Dict[str, Any]:
    meta = json.loads(Path(spec["meta"]).read_text())
    kind, seed, workers = spec["kind"], spec["seed"], spec["workers"]
    paths = _paths(meta, seed)
    settings = dict(SETTINGS, workers=workers, seed=seed)
    record: Dict[str, Any] = dict(kind=kind, seed=seed, workers=workers, **{k: spec[k] for k in ("file", "lockf") if k in spec})
    if kind in ("pretrain", "reference", "fastembed-adapt", "fastembed-continue"):
        import fastembed

        record["tool"] = "fastembed"
        start = time.perf_counter()
        if kind == "fastembed-adapt":
            model = fastembed.Word2Vec(corpus_file=meta["d_path"], epochs=spec["epochs"], init_vectors=paths[spec["file"]],
                                       init_vocab="union", lockf=spec["lockf"], **settings)
        elif kind == "fastembed-continue":
            model = fastembed.Word2Vec.load(paths["model"])
            model.workers, model.epochs = workers, spec["epochs"]
            old = len(model.wv)
            model.build_vocab(corpus_file=meta["d_path"], update=True)
            model.wv.vectors_lockf[:old] = spec["lockf"]
            model.train(corpus_file=meta["d_path"], total_examples=model.corpus_count,
                        total_words=model.corpus_total_words, epochs=model.epochs)
        else:
            corpus = meta["g_path"] if kind == "pretrain" else meta["full_path"]
            model = fastembed.Word2Vec(corpus_file=corpus, epochs=3, **settings)
        record["wall_s"] = time.perf_counter() - start
        if kind == "pretrain":
            model.wv.save_word2vec_format(paths["vec"])
            model.wv.save_word2vec_format(paths["glove"], write_header=False)
            model.save(paths["model"])
        words, vectors = model.wv.index_to_key, model.wv.vectors
        record["version"] = fastembed.__version__
    else:
        import numpy as np
        import gensim
        from gensim.models import KeyedVectors, Word2Vec
        from gensim.models.word2vec import LineSentence

        record["tool"], record["version"], record["file"] = "gensim", gensim.__version__, "vec"
        start = time.perf_counter()
        sentences = LineSentence(meta["d_path"])
        model = Word2Vec(epochs=spec["epochs"], **settings)
        model.build_vocab(sentences)
        corpus_count, corpus_words = model.corpus_count, model.corpus_total_words
        pretrained = KeyedVectors.load_word2vec_format(paths["vec"])
        model.build_vocab_from_freq({w: SETTINGS["min_count"] for w in pretrained.index_to_key}, update=True)
        model.wv.vectors_lockf = np.ones(len(model.wv), dtype=np.float32)  # gensim #3094 workaround
        model.wv.intersect_word2vec_format(paths["vec"], lockf=spec["lockf"])
        model.train(sentences, total_examples=corpus_count, total_words=corpus_words, epochs=model.epochs)
        record["wall_s"] = time.perf_counter() - start
        words, vectors = model.wv.index_to_key, model.wv.vectors
    record.update(vocab=len(words), peak_rss_mb=round(peak_rss_mb(), 1), **analogy_scores(words, vectors, meta))
    return record


# ------------------------------------------------------------------------------ driver
def _spawn(spec: Dict[str, Any]) -> Dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--run-one", json.dumps(spec)], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"run {spec} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def label(r: Dict[str, Any]) -> str:
    if r["kind"] in ("pretrain", "reference"):
        return r["kind"]
    return f"{r['tool']} {r.get('file', 'model')} lockf={r['lockf']:g}"


def summary(path: str) -> None:
    import statistics as st

    records = [json.loads(line) for line in open(path) if line.strip()]
    groups: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
    for r in records:
        groups[label(r)].append(r)
    mean = {k: {f: st.mean(r[f] for r in rs) for f in ("acc_w", "acc_other", "wall_s", "peak_rss_mb")}
            for k, rs in groups.items()}
    print("| run | seeds | W-questions % | other questions % | wall s | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for k, rs in groups.items():
        m = mean[k]
        print(f"| {k} | {len(rs)} | {100 * m['acc_w']:.1f} | {100 * m['acc_other']:.1f} | {m['wall_s']:.1f} | "
              f"{m['peak_rss_mb']:.0f} |")
    ref, pre = mean.get("reference"), mean.get("pretrain")
    if ref and pre:
        print()
        for k, m in mean.items():
            if k in ("reference", "pretrain"):
                continue
            line = (f"{k}: W {m['acc_w'] / ref['acc_w']:.2f}x R (need >= 0.80), other "
                    f"{m['acc_other'] / pre['acc_other']:.2f}x pretrained (need >= 0.95)")
            twin = f"fastembed vec lockf={k.split('lockf=')[1]}" if k.startswith("gensim") else None
            if twin in mean:
                f = mean[twin]
                line += (f"; fastembed - gensim: W {100 * (f['acc_w'] - m['acc_w']):+.1f} pt, other "
                         f"{100 * (f['acc_other'] - m['acc_other']):+.1f} pt; fastembed {m['wall_s'] / f['wall_s']:.1f}x faster")
            print(line)


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--corpus", type=Path, default=_corpus.DEFAULT_CORPUS)
    p.add_argument("--seeds", default="1,2,3", help="training seeds (comma-separated)")
    p.add_argument("--select-seed", type=int, default=0, help="seed of the choice of W")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--adapt-epochs", type=int, default=5, help="epochs over D when adapting")
    p.add_argument("--skip-gensim", action="store_true")
    p.add_argument("--lockf", default="1,0.25,0", help="lock factors of the pretrained rows (gensim: 1 and 0 only)")
    p.add_argument("--only-adapt", action="store_true", help="reuse the pretrained files of earlier runs")
    p.add_argument("--out", default=None, help="also append the JSON lines to this file")
    p.add_argument("--summary", default=None, metavar="FILE", help="print the table of a results file and stop")
    p.add_argument("--run-one", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.run_one:
        print(json.dumps(run_one(json.loads(args.run_one))))
        return
    if args.summary:
        summary(args.summary)
        return
    meta = prepare(args.corpus, args.select_seed)
    meta_path = str(_corpus.CACHE_DIR / f"adapt-select{args.select_seed}.json")
    print(f"W = {meta['W']}; D = {meta['d_lines']} lines ({100 * meta['d_share']:.1f} % of the corpus, "
          f"{meta['d_words']} words); {len(meta['q_w'])} W-questions, {len(meta['q_other'])} others",
          file=sys.stderr)
    out = open(args.out, "a") if args.out else None
    common = dict(meta=meta_path, workers=args.threads, epochs=args.adapt_epochs)
    for seed in (int(s) for s in args.seeds.split(",")):
        specs = [] if args.only_adapt else [dict(common, kind="pretrain", seed=seed),
                                            dict(common, kind="reference", seed=seed)]
        for lockf in (float(x) for x in args.lockf.split(",")):
            files = ("vec", "glove") if lockf in (0.0, 1.0) else ("vec",)
            specs += [dict(common, kind="fastembed-adapt", seed=seed, file=f, lockf=lockf) for f in files]
            specs.append(dict(common, kind="fastembed-continue", seed=seed, lockf=lockf))
            if not args.skip_gensim and lockf in (0.0, 1.0):
                specs.append(dict(common, kind="gensim-adapt", seed=seed, lockf=lockf))
        for spec in specs:
            record = _spawn(spec)
            line = json.dumps(record)
            print(line, flush=True)
            if out:
                out.write(line + "\n")
                out.flush()
    if out:
        out.close()


if __name__ == "__main__":
    main()
