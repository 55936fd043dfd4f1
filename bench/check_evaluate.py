"""Check bench/_evaluate.py against gensim's own evaluation on a gensim model.

Trains a small gensim Word2Vec (or loads saved KeyedVectors with --kv) and compares, section by
section, the analogy counts of ``_evaluate.evaluate_analogies`` with
``KeyedVectors.evaluate_word_analogies`` and the Spearman rho / OOV share of
``_evaluate.evaluate_pairs`` with ``evaluate_word_pairs``. Prints one JSON object; exits 1 on any
mismatch.

    python bench/check_evaluate.py                      # 2M-word prefix, ~1 minute
    python bench/check_evaluate.py --kv model.kv --restrict-vocab 30000
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _corpus  # noqa: E402
import _evaluate  # noqa: E402


def compare_with_gensim(kv, eval_dir: Path, restrict_vocab: int = 30000) -> dict:
    """Score gensim KeyedVectors ``kv`` with gensim's evaluation and with ours; report both and
    ``match`` (identical analogy counts per section, Spearman within 1e-9, same OOV shares)."""
    ev = Path(eval_dir)
    report: dict = {"restrict_vocab": restrict_vocab}
    ok = True

    t = time.perf_counter()
    g_score, g_sections = kv.evaluate_word_analogies(str(ev / "questions-words.txt"),
                                                     restrict_vocab=restrict_vocab)
    report["gensim_analogy_seconds"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    mine = _evaluate.evaluate_analogies(kv.index_to_key, kv.vectors, ev / "questions-words.txt",
                                        restrict_vocab)
    report["ours_analogy_seconds"] = round(time.perf_counter() - t, 2)
    g_counts = [(s["section"], len(s["correct"]), len(s["incorrect"])) for s in g_sections[:-1]]
    m_counts = [(s["section"], s["correct"], s["incorrect"]) for s in mine.sections]
    report["analogy_gensim"] = [g_score, len(g_sections[-1]["correct"]), len(g_sections[-1]["incorrect"])]
    report["analogy_ours"] = [mine.accuracy, mine.correct, mine.incorrect]
    report["analogy_sections_match"] = g_counts == m_counts
    ok &= g_counts == m_counts and g_score == mine.accuracy
    if g_counts != m_counts:
        report["analogy_section_diff"] = [(g, m) for g, m in zip(g_counts, m_counts) if g != m]

    for name in ("wordsim353.tsv", "simlex999.txt"):
        _pearson, g_spear, g_oov = kv.evaluate_word_pairs(str(ev / name))
        res = _evaluate.evaluate_pairs(kv.index_to_key, kv.vectors, ev / name)
        diff = abs(float(g_spear.statistic) - res.spearman)
        report[name] = {"gensim": [float(g_spear.statistic), g_oov / 100],
                        "ours": [res.spearman, res.oov_ratio], "abs_diff": diff}
        ok &= diff < 1e-9 and abs(g_oov / 100 - res.oov_ratio) < 1e-12
    report["match"] = bool(ok)
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=_corpus.DEFAULT_CORPUS)
    ap.add_argument("--words", type=int, default=2_000_000, help="train on this many leading words")
    ap.add_argument("--kv", type=Path, help="evaluate these saved gensim KeyedVectors instead of training")
    ap.add_argument("--restrict-vocab", type=int, default=30000)
    args = ap.parse_args(argv)

    from gensim.models import KeyedVectors, Word2Vec

    if args.kv:
        kv = KeyedVectors.load(str(args.kv))
    else:
        text = _corpus.prefix_corpus(_corpus.plain_corpus(args.corpus), args.words)
        lines = _corpus.line_split_corpus(text)
        kv = Word2Vec(corpus_file=str(lines), vector_size=100, window=5, min_count=5, sample=1e-4,
                      sg=0, negative=5, epochs=2, workers=2, seed=1).wv
    report = {"vocab": len(kv.index_to_key), **compare_with_gensim(kv, _corpus.eval_dir(), args.restrict_vocab)}
    print(json.dumps(report))
    return 0 if report["match"] else 1


if __name__ == "__main__":
    sys.exit(main())
