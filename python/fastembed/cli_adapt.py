"""``fastembed adapt`` and the pretrained-vector options of ``fastembed train``
(``--init-vectors FILE [--lock-init F] [--init-vocab corpus|union]``).

``adapt MODEL_OR_VECTORS CORPUS -o OUT`` continues from what was learnt:

* a ``Word2Vec.save`` model: its vocabulary grows with the corpus (``build_vocab(update=True)``)
  and it trains on it with its own settings; the output is a model again unless ``--format``
  says otherwise;
* a vectors file (word2vec text or binary, GloVe, fastText ``.vec``, ``KeyedVectors.save``): a
  new model of the file's vector size starts the shared words from it, keeps the pretrained
  words the corpus lacks (``--init-vocab union``, the default here) and trains on the corpus;
  the output is word2vec text unless ``--format`` says otherwise.

``--lock-init F`` is the lock factor of the pretrained rows (1 = fine-tune, 0 = frozen).
"""
from __future__ import annotations

import argparse
import logging
import os
import time
from typing import Any, Dict

logger = logging.getLogger("fastembed.cli")

#: adapt's settings for a new model: the train command's (the C tool's) defaults.
_NEW_MODEL_DEFAULTS = dict(sg=0, window=5, negative=5, hs=0, sample=1e-3, min_count=5, seed=1,
                           vector_size=None)
_MODEL_OWN = ("sg", "window", "negative", "hs", "sample", "seed", "init_vocab")


def add_init_options(p: argparse.ArgumentParser, union_default: bool = False) -> None:
    """The options that start training from pretrained vectors."""
    p.add_argument("--lock-init", dest="lock_init", type=float, default=None, metavar="F",
                   help="lock factor of the pretrained rows: 1 fine-tunes them (default), 0 freezes "
                        "them, values between scale their steps")
    p.add_argument("--init-vocab", dest="init_vocab", choices=("corpus", "union"), default=None,
                   help="corpus: the corpus's words only; union: also keep the pretrained words the "
                        f"corpus lacks (default {'union' if union_default else 'corpus'})")


def add_adapt_parser(sub: Any, positive_int: Any, nonneg_int: Any, nonneg_float: Any, flag01: Any,
                     add_verbosity: Any) -> None:
    p = sub.add_parser(
        "adapt", allow_abbrev=False, help="continue training a model or pretrained vectors on new text",
        description="Adapt a saved fastembed model (its vocabulary grows with the corpus) or pretrained "
                    "vectors (word2vec text/binary, GloVe, fastText .vec, fastembed KeyedVectors) to a "
                    "domain corpus, and write the result.")
    p.add_argument("source", metavar="MODEL_OR_VECTORS", help="a Word2Vec.save model or a vectors file")
    p.add_argument("corpus", metavar="CORPUS", help="domain text (.gz/.bz2/.xz read directly)")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="where to write the result")
    p.add_argument("--format", choices=("text", "binary", "native"), default=None,
                   help="output format (default: native for a model, word2vec text for vectors)")
    p.add_argument("--epochs", type=positive_int, default=None, metavar="N",
                   help="passes over the corpus (default: the model's; 5 for vectors)")
    p.add_argument("--alpha", type=nonneg_float, default=None, metavar="LR",
                   help="initial learning rate (default: the model's; 0.05 CBOW / 0.025 skip-gram)")
    p.add_argument("--min-alpha", dest="min_alpha", type=nonneg_float, default=None, metavar="LR",
                   help="final learning rate (default: the model's; alpha * 1e-4 for vectors)")
    p.add_argument("--workers", type=positive_int, default=None, metavar="N",
                   help="threads (default: number of CPUs)")
    p.add_argument("--min-count", dest="min_count", type=positive_int, default=None, metavar="N",
                   help="new words need this many occurrences (default: the model's; 5)")
    p.add_argument("--sg", type=flag01, default=None, metavar="{0,1}", help="vectors only: skip-gram (1) or CBOW (0, default)")
    p.add_argument("--window", type=positive_int, default=None, metavar="N", help="vectors only (default 5)")
    p.add_argument("--negative", type=nonneg_int, default=None, metavar="N", help="vectors only (default 5)")
    p.add_argument("--hs", type=flag01, default=None, metavar="{0,1}", help="vectors only (default 0)")
    p.add_argument("--sample", type=nonneg_float, default=None, metavar="T", help="vectors only (default 1e-3)")
    p.add_argument("--seed", type=int, default=None, help="vectors only (default 1)")
    p.add_argument("--compute-loss", dest="compute_loss", action="store_true", help="track the training loss")
    add_init_options(p, union_default=True)
    add_verbosity(p)


def check_lock(value: Any) -> float:
    if value is None:
        return 1.0
    if not value >= 0 or value == float("inf"):
        raise ValueError(f"--lock-init must be a finite number >= 0, got {value}")
    return float(value)


def is_model_file(path: str) -> bool:
    """A ``Word2Vec.save`` file (a numpy .npz, i.e. a zip archive)."""
    with open(path, "rb") as f:
        return f.read(2) == b"PK"


def run_adapt(args: argparse.Namespace, progress: bool, usage_error: Any, check_output_dir: Any) -> int:
    from .adapt import init_from_vectors, read_pretrained
    from .io import save_model_output
    from .model import Word2Vec
    from .progress import ProgressBar

    for path, what in ((args.source, "model or vectors file"), (args.corpus, "corpus")):
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{what} not found: {path!r}")
    check_output_dir(args.output)
    try:
        lock = check_lock(args.lock_init)
    except ValueError as e:
        raise usage_error(str(e)) from None
    bar = ProgressBar(epoch_lines=False) if progress else None
    callbacks = [bar] if bar is not None else []
    start = time.perf_counter()
    try:
        if is_model_file(args.source):
            given = [k for k in _MODEL_OWN if getattr(args, k) is not None]
            if given:
                raise usage_error(f"--{given[0].replace('_', '-')} applies to vectors files only: a model "
                                  "keeps its own settings")
            model = Word2Vec.load(args.source)
            fmt = args.format or "native"
            _override(model, args)
            old = len(model.wv)
            model.build_vocab(corpus_file=args.corpus, update=True)
            if args.lock_init is not None:
                model.wv.vectors_lockf[:old] = lock
        else:
            settings = _new_model_settings(args)
            pretrained = read_pretrained(args.source)  # bad files fail before the corpus is read
            settings["vector_size"] = pretrained[1].shape[1]
            model = Word2Vec(**settings)
            fmt = args.format or "text"
            model.build_vocab(corpus_file=args.corpus)
            init_from_vectors(model, pretrained, args.init_vocab or "union", lock)
        model.callbacks = tuple(callbacks)
        model.train(corpus_file=args.corpus, total_examples=model.corpus_count,
                    total_words=model.corpus_total_words, epochs=model.epochs)
    finally:
        if bar is not None:
            bar.close()
    save_model_output(model, args.output, fmt)
    logger.info("wrote %d vectors (%s) to %s; %.1f s in all", len(model.wv), fmt, args.output,
                time.perf_counter() - start)
    return 0


def _override(model: Any, args: argparse.Namespace) -> None:
    """Command-line settings that replace a loaded model's (checked as the constructor checks)."""
    from . import _validate as V

    if args.epochs is not None:
        model.epochs = args.epochs
    if args.alpha is not None:
        model.alpha = V.check_float("--alpha", args.alpha, 0.0, 10.0, low_open=True)
    if args.min_alpha is not None:
        model.min_alpha = args.min_alpha
    if args.workers is not None:
        model.workers = args.workers
    if args.min_count is not None:
        model.min_count = args.min_count
    if args.compute_loss:
        model.compute_loss = True


def _new_model_settings(args: argparse.Namespace) -> Dict[str, Any]:
    settings: Dict[str, Any] = {k: (getattr(args, k) if getattr(args, k) is not None else v)
                                for k, v in _NEW_MODEL_DEFAULTS.items() if k != "vector_size"}
    if settings["hs"] == 0 and settings["negative"] == 0:
        raise ValueError("nothing to train: --hs 0 and --negative 0; use --hs 1 or --negative N")
    alpha = args.alpha if args.alpha is not None else (0.025 if settings["sg"] else 0.05)
    settings.update(alpha=alpha, min_alpha=args.min_alpha if args.min_alpha is not None else alpha * 1e-4,
                    epochs=args.epochs or 5, workers=args.workers or os.cpu_count() or 1,
                    compute_loss=bool(args.compute_loss))
    return settings
