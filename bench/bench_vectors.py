#!/usr/bin/env python3
"""KeyedVectors speed and agreement, fastembed side by side with gensim 4.

Prints one JSON object per line: a line per timed run (bench, tool, settings, wall_s,
peak_rss_mb) and a "compare" line per benchmark (speedup, agreement).  Each timed run happens
in a fresh subprocess so its time and peak memory are its own.

Data, built once under bench/cache/ (git-ignored):
  * random-400k-200.bin: 400,000 x 200 random vectors in word2vec binary format, plus the same
    saved natively by each tool;
  * gensim-cbow-enwiki.kv: gensim CBOW trained on /work/cache/enwiki.txt (17M words) cut into
    1000-word lines (vector_size=100, window=5, negative=5, sample=1e-4, min_count=5, epochs=3,
    alpha=0.05, workers=2), and its word2vec binary export for fastembed.

Usage: python bench/bench_vectors.py [--only load,native,batch,analogies,pairs,check] [--full]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.path.join(HERE, "cache")
CORPUS = "/work/cache/enwiki.txt"
EVAL_DIRS = ["/work/shared/data/eval", os.path.join(HERE, "..", "python", "fastembed", "data", "eval")]
RANDOM_BIN = os.path.join(CACHE, "random-400k-200.bin")
RANDOM_FE = os.path.join(CACHE, "random-400k-200.fekv")
RANDOM_GS = os.path.join(CACHE, "random-400k-200.gensim.kv")
TRAINED_KV = os.path.join(CACHE, "gensim-cbow-enwiki.kv")
TRAINED_BIN = os.path.join(CACHE, "gensim-cbow-enwiki.bin")
TRAIN_SETTINGS = dict(vector_size=100, window=5, negative=5, sample=1e-4, min_count=5, epochs=3, alpha=0.05,
                      workers=2, sg=0)


def eval_file(name: str) -> str:
    for d in EVAL_DIRS:
        if os.path.exists(os.path.join(d, name)):
            return os.path.join(d, name)
    raise FileNotFoundError(name)


def emit(obj: dict) -> None:
    print(json.dumps(obj), flush=True)


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss it is not inherited from
    the parent across fork/exec)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# --- data ------------------------------------------------------------------------------------


def prepare(need_random: bool, need_trained: bool) -> None:
    os.makedirs(CACHE, exist_ok=True)
    if need_random and not all(os.path.exists(p) for p in (RANDOM_BIN, RANDOM_FE, RANDOM_GS)):
        import fastembed
        from gensim.models import KeyedVectors as GensimKV

        rng = np.random.default_rng(2024)
        n, dim = 400_000, 200
        keys = [f"w{i}" for i in range(n)]
        vectors = rng.standard_normal((n, dim), dtype=np.float32)
        kv = fastembed.KeyedVectors(dim)
        kv.index_to_key = keys
        kv.key_to_index = {k: i for i, k in enumerate(keys)}
        kv.vectors = vectors
        kv.expandos["count"] = np.arange(n, 0, -1, dtype=np.int64)
        kv.save_word2vec_format(RANDOM_BIN, binary=True)
        kv.save(RANDOM_FE)
        g = GensimKV(dim)
        g.add_vectors(keys, vectors)
        g.expandos["count"] = kv.expandos["count"].copy()
        g.save(RANDOM_GS)
    if need_trained and not os.path.exists(TRAINED_KV):
        from gensim.models import Word2Vec

        lines = os.path.join(CACHE, "enwiki-1000.txt")
        if not os.path.exists(lines):
            with open(CORPUS) as f:
                words = f.read().split()
            with open(lines + ".tmp", "w") as out:
                for i in range(0, len(words), 1000):
                    out.write(" ".join(words[i : i + 1000]) + "\n")
            os.replace(lines + ".tmp", lines)
        t = time.perf_counter()
        model = Word2Vec(corpus_file=lines, **TRAIN_SETTINGS)
        emit({"bench": "train_reference", "tool": "gensim", "settings": TRAIN_SETTINGS,
              "wall_s": time.perf_counter() - t, "vocab": len(model.wv)})
        model.wv.save(TRAINED_KV)
    if need_trained and not os.path.exists(TRAINED_BIN):
        from gensim.models import KeyedVectors as GensimKV

        GensimKV.load(TRAINED_KV).save_word2vec_format(TRAINED_BIN, binary=True)


def load_tool(tool: str, trained: bool = True):
    if tool == "gensim":
        from gensim.models import KeyedVectors as GensimKV

        return GensimKV.load(TRAINED_KV) if trained else GensimKV.load_word2vec_format(RANDOM_BIN, binary=True)
    import fastembed

    return fastembed.KeyedVectors.load_word2vec_format(TRAINED_BIN if trained else RANDOM_BIN, binary=True)


def query_keys(index_to_key, n=1000, seed=7):
    rng = np.random.default_rng(seed)
    return [index_to_key[i] for i in rng.choice(len(index_to_key), n, replace=False)]


# --- workers (run in a subprocess, print one JSON object) --------------------------------------


def worker(task: str, tool: str, arg: str) -> dict:
    out: dict = {"tool": tool}
    if task == "load":
        if tool == "gensim":
            from gensim.models import KeyedVectors as KV
        else:
            from fastembed import KeyedVectors as KV
        t = time.perf_counter()
        kv = KV.load_word2vec_format(RANDOM_BIN, binary=True)
        out["wall_s"] = time.perf_counter() - t
        out["shape"] = list(kv.vectors.shape)
        out["checksum"] = float(np.asarray(kv.vectors[::997], dtype=np.float64).sum())
        out["keys_ok"] = kv.index_to_key[:3] + kv.index_to_key[-2:]
    elif task == "native":
        if tool == "gensim":
            from gensim.models import KeyedVectors as KV

            path = RANDOM_GS
        else:
            from fastembed import KeyedVectors as KV

            path = RANDOM_FE
        best = best_lookup = None
        for _ in range(3):
            t = time.perf_counter()
            kv = KV.load(path, mmap="r")
            t1 = time.perf_counter()
            row = kv.get_index("w123456")  # fastembed builds key_to_index here
            t2 = time.perf_counter()
            best = t1 - t if best is None else min(best, t1 - t)
            best_lookup = t2 - t if best_lookup is None else min(best_lookup, t2 - t)
            n = len(kv.key_to_index)
            assert row == 123456
            del kv
        out["wall_s"] = best
        out["load_and_first_lookup_s"] = best_lookup
        out["keys"] = n
    elif task in ("batch", "batch_loop"):
        kv = load_tool(tool, trained=(arg == "trained"))
        keys = query_keys(kv.index_to_key)
        t = time.perf_counter()
        if tool == "gensim" or task == "batch_loop":
            results = [kv.most_similar(k, topn=10) for k in keys]
        else:
            results = kv.batch_most_similar(keys, topn=10)
        out["wall_s"] = time.perf_counter() - t
        out["results"] = [[(w, float(s)) for w, s in r] for r in results]
    elif task == "analogies":
        kv = load_tool(tool)
        t = time.perf_counter()
        score, sections = kv.evaluate_word_analogies(eval_file("questions-words.txt"), restrict_vocab=30000)
        out["wall_s"] = time.perf_counter() - t
        out["score"] = score
        total = sections[-1]
        out["answered"] = len(total["correct"]) + len(total["incorrect"])
        out["correct"] = sorted(" ".join(q) for q in total["correct"])
    elif task == "pairs":
        kv = load_tool(tool)
        t = time.perf_counter()
        res = kv.evaluate_word_pairs(eval_file(arg), restrict_vocab=30000)
        out["wall_s"] = time.perf_counter() - t
        (r, pr), (rho, prho), oov = res
        out.update(pearson=float(r), pearson_p=float(pr), spearman=float(rho), spearman_p=float(prho), oov=float(oov))
    else:
        raise SystemExit(f"unknown task {task}")
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def run(task: str, tool: str, arg: str = "") -> dict:
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", task, tool, arg],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{task}/{tool} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def report(bench: str, settings: dict, res: dict, *drop: str) -> None:
    line = {"bench": bench, "tool": res["tool"], "settings": settings}
    line.update({k: v for k, v in res.items() if k not in drop and k != "tool"})
    emit(line)


# --- benchmarks --------------------------------------------------------------------------------


def bench_load() -> None:
    settings = {"file": os.path.basename(RANDOM_BIN), "vectors": 400_000, "dim": 200, "binary": True}
    fe, gs = run("load", "fastembed"), run("load", "gensim")
    for r in (fe, gs):
        report("load_word2vec_format", settings, r)
    emit({"bench": "load_word2vec_format", "compare": True, "speedup": gs["wall_s"] / fe["wall_s"],
          "same_vectors": fe["checksum"] == gs["checksum"] and fe["shape"] == gs["shape"] and fe["keys_ok"] == gs["keys_ok"]})


def bench_native() -> None:
    settings = {"keys": 400_000, "dim": 200, "mmap": "r"}
    fe, gs = run("native", "fastembed"), run("native", "gensim")
    for r in (fe, gs):
        report("load_native_mmap", settings, r)
    emit({"bench": "load_native_mmap", "compare": True, "speedup": gs["wall_s"] / fe["wall_s"],
          "fastembed_over_gensim": fe["wall_s"] / gs["wall_s"],
          "with_first_lookup_fastembed_over_gensim": fe["load_and_first_lookup_s"] / gs["load_and_first_lookup_s"]})


def compare_rankings(ours, theirs, near_tie=2e-6):
    """(queries with identical top-n, queries differing only by near-ties, max |score diff|)."""
    same = tie_only = 0
    max_diff = 0.0
    for a, b in zip(ours, theirs):
        max_diff = max([max_diff] + [abs(x[1] - y[1]) for x, y in zip(a, b) if x[0] == y[0]])
        if [w for w, _ in a] == [w for w, _ in b]:
            same += 1
            continue
        theirs_scores = dict(b)
        if all(x[0] == y[0] or (x[0] not in theirs_scores or abs(theirs_scores[x[0]] - y[1]) < near_tie)
               for x, y in zip(a, b)):
            tie_only += 1
    return same, tie_only, max_diff


def bench_batch(which: str) -> None:
    settings = {"queries": 1000, "topn": 10, "vectors": which}
    fe = run("batch", "fastembed", which)
    gs = run("batch", "gensim", which)
    same, ties, diff = compare_rankings(fe["results"], gs["results"])
    for r in (fe, gs):
        report("batch_most_similar", settings, r, "results")
    emit({"bench": "batch_most_similar", "compare": True, "vectors": which, "speedup": gs["wall_s"] / fe["wall_s"],
          "same_top10": same, "differ_only_by_near_ties": ties, "queries": 1000, "max_abs_score_diff": diff})


def bench_analogies() -> None:
    settings = {"file": "questions-words.txt", "restrict_vocab": 30000, "vectors": "trained 17M CBOW"}
    fe, gs = run("analogies", "fastembed"), run("analogies", "gensim")
    for r in (fe, gs):
        report("evaluate_word_analogies", settings, r, "correct")
    emit({"bench": "evaluate_word_analogies", "compare": True, "speedup": gs["wall_s"] / fe["wall_s"],
          "score_diff": abs(fe["score"] - gs["score"]), "same_answers": fe["correct"] == gs["correct"],
          "differing_questions": len(set(fe["correct"]) ^ set(gs["correct"]))})


def bench_pairs() -> None:
    for name in ("wordsim353.tsv", "simlex999.txt"):
        settings = {"file": name, "restrict_vocab": 30000}
        fe, gs = run("pairs", "fastembed", name), run("pairs", "gensim", name)
        for r in (fe, gs):
            report("evaluate_word_pairs", settings, r)
        emit({"bench": "evaluate_word_pairs", "compare": True, "file": name,
              "max_abs_diff": max(abs(fe[k] - gs[k]) for k in ("pearson", "spearman", "oov")),
              "max_rel_p_diff": max(abs(fe[k] - gs[k]) / gs[k] for k in ("pearson_p", "spearman_p"))})


def bench_check(full: bool) -> None:
    """Same process, same vectors: fastembed's answers against gensim's."""
    import fastembed
    from gensim.models import KeyedVectors as GensimKV

    g = GensimKV.load(TRAINED_KV)
    kv = fastembed.KeyedVectors.load_word2vec_format(TRAINED_BIN, binary=True)
    rng = np.random.default_rng(1)
    keys = g.index_to_key[:100] + query_keys(g.index_to_key, 100, seed=3)
    triples = [[g.index_to_key[i] for i in rng.choice(30000, 3, replace=False)] for _ in range(100)]
    ms = compare_rankings([kv.most_similar(k) for k in keys], [g.most_similar(k) for k in keys])
    add = compare_rankings([kv.most_similar(positive=[b, c], negative=[a]) for a, b, c in triples],
                           [g.most_similar(positive=[b, c], negative=[a]) for a, b, c in triples])
    mul = compare_rankings([kv.most_similar_cosmul(positive=[b, c], negative=[a]) for a, b, c in triples],
                           [g.most_similar_cosmul(positive=[b, c], negative=[a]) for a, b, c in triples])
    groups = [[g.index_to_key[i] for i in rng.choice(20000, 4, replace=False)] for _ in range(200)]
    dm = sum(kv.doesnt_match(x) == g.doesnt_match(x) for x in groups)
    pairs = [tuple(g.index_to_key[i] for i in rng.choice(len(g), 2, replace=False)) for _ in range(2000)]
    sim = max(abs(kv.similarity(a, b) - float(g.similarity(a, b))) for a, b in pairs)
    emit({"bench": "check_queries", "compare": True,
          "most_similar": {"queries": len(keys), "same": ms[0], "near_tie_only": ms[1], "max_abs_diff": ms[2]},
          "analogy_most_similar": {"queries": 100, "same": add[0], "near_tie_only": add[1], "max_abs_diff": add[2]},
          "most_similar_cosmul": {"queries": 100, "same": mul[0], "near_tie_only": mul[1], "max_abs_diff": mul[2]},
          "doesnt_match_same": f"{dm}/{len(groups)}", "similarity_max_abs_diff": sim})
    # 3CosMul evaluation: gensim 4.4 ignores similarity_function, so its loop is run with
    # most_similar_cosmul on the first 30000 keys (what restrict_vocab=30000 means).
    path = eval_file("questions-words.txt")
    if not full:  # every 10th question: gensim needs ~4 minutes for all of them
        sub = os.path.join(CACHE, "questions-every10.txt")
        with open(path) as fin, open(sub, "w") as out:
            for i, line in enumerate(fin):
                if line.startswith(":") or i % 10 == 0:
                    out.write(line)
        path = sub
    restricted = GensimKV(g.vector_size)
    restricted.add_vectors(g.index_to_key[:30000], g.vectors[:30000])
    restricted.most_similar = lambda positive, negative, topn, restrict_vocab: restricted.most_similar_cosmul(
        positive=positive, negative=negative, topn=topn)
    t = time.perf_counter()
    g_score, g_sec = restricted.evaluate_word_analogies(path, restrict_vocab=30000)
    g_time = time.perf_counter() - t
    t = time.perf_counter()
    score, sec = kv.evaluate_word_analogies(path, restrict_vocab=30000, similarity_function="most_similar_cosmul")
    fe_time = time.perf_counter() - t
    differing = len(set(sec[-1]["correct"]) ^ set(g_sec[-1]["correct"]))
    emit({"bench": "evaluate_word_analogies_cosmul", "compare": True, "questions": "all" if full else "every 10th",
          "fastembed_score": score, "gensim_loop_score": g_score, "differing_questions": differing,
          "fastembed_wall_s": fe_time, "gensim_loop_wall_s": g_time, "speedup": g_time / fe_time})


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        print(json.dumps(worker(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else "")))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="load,native,batch,analogies,pairs,check")
    ap.add_argument("--full", action="store_true", help="check 3CosMul on all questions (slow in gensim)")
    args = ap.parse_args()
    only = set(args.only.split(","))
    prepare(need_random=bool(only & {"load", "native", "batch"}),
            need_trained=bool(only & {"batch", "analogies", "pairs", "check"}))
    if "load" in only:
        bench_load()
    if "native" in only:
        bench_native()
    if "batch" in only:
        bench_batch("trained")
        bench_batch("random")
    if "analogies" in only:
        bench_analogies()
    if "pairs" in only:
        bench_pairs()
    if "check" in only:
        bench_check(args.full)


if __name__ == "__main__":
    main()
