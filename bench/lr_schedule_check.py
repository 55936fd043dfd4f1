"""Why gensim's corpus_file mode scores higher at few epochs: its learning-rate schedule.

gensim 4.4's corpus_file workers each train on 1/workers of the file but measure progress
against the whole corpus, so within an epoch the rate only falls by 1/workers of the epoch's
share, then jumps back down at the next epoch (a saw-tooth that ends at
alpha * (1 - (epochs - 1 + 1/workers) / epochs) instead of min_alpha).  fastembed follows the
word2vec C tool: one linear decay from alpha to min_alpha over all words of all epochs.

This script trains fastembed twice on the same corpus and settings: once with its own
schedule, once reproducing gensim corpus_file's schedule through the public API
(one train() call per epoch with that epoch's start/end rate).  It prints one JSON object per
run with the analogy accuracy, so the effect of the schedule alone can be seen.

    python bench/lr_schedule_check.py --corpus PATH [--sg 0|1] [--workers 2]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fastembed  # noqa: E402
from _evaluate import evaluate_analogies  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True, help="one-line text8-like corpus (plain text)")
    ap.add_argument("--analogies", default=os.path.join(os.path.dirname(fastembed.__file__), "data", "eval",
                                                        "questions-words.txt"))
    ap.add_argument("--sg", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=3)
    args = ap.parse_args()
    alpha = 0.025 if args.sg else 0.05
    for schedule in ("fastembed-linear", "gensim-corpus-file-sawtooth"):
        model = fastembed.Word2Vec(vector_size=100, window=5, negative=5, sample=1e-4, min_count=5,
                                   epochs=args.epochs, workers=args.workers, sg=args.sg, alpha=alpha)
        model.build_vocab(corpus_file=args.corpus)
        start = time.perf_counter()
        if schedule == "fastembed-linear":
            model.train(corpus_file=args.corpus, total_words=model.corpus_total_words, epochs=model.epochs)
        else:
            e_total, w = args.epochs, args.workers
            for e in range(e_total):
                model.train(corpus_file=args.corpus, total_words=model.corpus_total_words, epochs=1,
                            start_alpha=alpha - (alpha - model.min_alpha) * e / e_total,
                            end_alpha=alpha - (alpha - model.min_alpha) * (e + 1 / w) / e_total)
        seconds = time.perf_counter() - start
        acc = evaluate_analogies(model.wv.index_to_key, model.wv.vectors, args.analogies, restrict_vocab=30000)
        print(json.dumps({"tool": "fastembed", "schedule": schedule, "sg": args.sg, "workers": args.workers,
                          "epochs": args.epochs, "train_seconds": round(seconds, 1),
                          "analogy_accuracy": acc.accuracy, "analogy_coverage": acc.coverage}), flush=True)


if __name__ == "__main__":
    main()
