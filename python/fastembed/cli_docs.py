"""The document commands of the ``fastembed`` command line:

* ``fastembed doc2vec -train DOCS -output VECTORS``: Doc2Vec on a file with one document a line
  (tag = line number), writing the document vectors (word2vec text or binary, keyed by line
  number; ``-save-model`` also keeps the whole model);
* ``fastembed embed VECTORS DOCS -o OUT.npy [--method mean|sif]``: document vectors from word
  vectors, one row per line of DOCS, saved as a ``.npy`` matrix.
"""
from __future__ import annotations

import argparse
import logging
import os
import time
from typing import Any

import numpy as np

logger = logging.getLogger("fastembed")


def add_parsers(sub: Any, positive_int: Any, nonneg_float: Any, flag: Any, add_verbosity: Any) -> None:
    p = sub.add_parser(
        "doc2vec", allow_abbrev=False, help="train document vectors (Doc2Vec) on a file of one document a line",
        description="Train Doc2Vec (PV-DM by default, -dm 0 for PV-DBOW) on a plain text file with one "
                    "document a line; each document's tag is its line number (from 0).")
    p.add_argument("-train", "--corpus", dest="corpus", required=True, metavar="FILE")
    p.add_argument("-output", "--output", "-o", dest="output", required=True, metavar="FILE",
                   help="the document vectors, word2vec format, keyed by line number")
    p.add_argument("-binary", dest="binary", type=flag, default=0, help="write word2vec binary (default 0: text)")
    p.add_argument("-save-model", dest="save_model", metavar="FILE", help="also save the whole model (native)")
    p.add_argument("-dm", dest="dm", type=flag, default=1, help="1: PV-DM (default), 0: PV-DBOW")
    p.add_argument("-dbow-words", dest="dbow_words", type=flag, default=0,
                   help="PV-DBOW: also train word vectors by skip-gram")
    p.add_argument("-dm-mean", dest="dm_mean", type=flag, default=None, help="PV-DM: 1 mean (default), 0 sum")
    p.add_argument("-size", "--vector-size", dest="vector_size", type=positive_int, default=100)
    p.add_argument("-window", dest="window", type=positive_int, default=5)
    p.add_argument("-negative", dest="negative", type=int, default=5)
    p.add_argument("-hs", dest="hs", type=flag, default=0)
    p.add_argument("-sample", dest="sample", type=nonneg_float, default=1e-3)
    p.add_argument("-min-count", dest="min_count", type=int, default=5)
    p.add_argument("-alpha", dest="alpha", type=nonneg_float, default=0.025)
    p.add_argument("-iter", "--epochs", dest="epochs", type=positive_int, default=10)
    p.add_argument("-threads", "--workers", dest="workers", type=positive_int, default=None)
    p.add_argument("-seed", dest="seed", type=int, default=1)
    add_verbosity(p)

    e = sub.add_parser(
        "embed", allow_abbrev=False, help="document vectors from word vectors (mean or SIF), saved as .npy",
        description="One vector per line of DOCS (whitespace-separated words) from the word vectors: their "
                    "mean, or SIF (Arora et al. 2017: a/(a+p(w)) weights, first principal component removed; "
                    "needs word counts, so a native KeyedVectors or model file). Lines with no known word get "
                    "zero rows.")
    e.add_argument("vectors", help="word vectors: word2vec text/binary, native KeyedVectors or a model file")
    e.add_argument("docs", help="documents, one a line (plain or .gz/.bz2/.xz)")
    e.add_argument("-o", "--output", dest="output", required=True, metavar="OUT.npy")
    e.add_argument("--method", choices=("mean", "sif"), default="mean")
    e.add_argument("--sif-a", dest="sif_a", type=float, default=1e-3)
    add_verbosity(e)


def cmd_doc2vec(args: argparse.Namespace, progress: bool) -> int:
    from .cli import _check_output_dir
    from .doc2vec import Doc2Vec
    from .progress import ProgressBar
    if not os.path.isfile(args.corpus):
        raise FileNotFoundError(f"training file not found: {args.corpus!r}")
    _check_output_dir(args.output)
    _check_output_dir(args.save_model)
    bar = ProgressBar(epoch_lines=False) if progress else None
    settings = dict(dm=args.dm, dbow_words=args.dbow_words, dm_mean=args.dm_mean, vector_size=args.vector_size,
                    window=args.window, negative=args.negative, hs=args.hs, sample=args.sample,
                    min_count=args.min_count, alpha=args.alpha, epochs=args.epochs, seed=args.seed,
                    workers=args.workers or os.cpu_count() or 1)
    start = time.perf_counter()
    try:
        model = Doc2Vec(corpus_file=args.corpus, callbacks=[bar] if bar else [], **settings)
    finally:
        if bar is not None:
            bar.close()
    model.dv.save_word2vec_format(args.output, binary=bool(args.binary))
    if args.save_model:
        model.save(args.save_model)
    logger.info("wrote %d document vectors to %s; %.1f s in all", len(model.dv), args.output,
                time.perf_counter() - start)
    return 0


def cmd_embed(args: argparse.Namespace, progress: bool) -> int:
    from ._compression import open_text
    from .cli import _check_output_dir
    for path in (args.vectors, args.docs):
        if not os.path.isfile(path):
            raise FileNotFoundError(f"file not found: {path!r}")
    _check_output_dir(args.output)
    if not args.output.endswith(".npy"):
        raise ValueError(f"the output is a numpy matrix: name it *.npy, got {args.output!r}")
    from .io import load_vectors
    kv = load_vectors(args.vectors)
    with open_text(args.docs) as f:
        docs = [line for line in f]
    x = kv.embed_documents(docs, method=args.method, sif_a=args.sif_a)
    from ._atomic import atomic_write
    with atomic_write(args.output, "wb") as out:
        np.save(out, x)
    logger.info("wrote %d x %d document vectors (%s) to %s", x.shape[0], x.shape[1], args.method, args.output)
    return 0
