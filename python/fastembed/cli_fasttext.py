"""fastText's command line: ``fastembed skipgram|cbow -input F -output P ...`` writes ``P.bin``
and ``P.vec`` as ``fasttext skipgram|cbow`` does, and ``fastembed print-word-vectors P.bin``
prints the vectors of the words read from stdin, so fastText scripts work with the binary
swapped.  Flags and defaults are fastText's."""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from typing import Any, Callable, Dict

__all__ = ["add_parsers", "COMMANDS"]


def _add_unsupervised(sub: Any, name: str) -> None:
    from .cli import _nonneg_float, _nonneg_int, _positive_int  # argument types shared with `train`

    p = sub.add_parser(
        name, allow_abbrev=False, help=f"train fastText {name} subword vectors (fastText's flags)",
        description=f"Train a fastText {name} model: writes OUTPUT.bin (fastText's model file) and "
                    "OUTPUT.vec (word2vec text). Flags and defaults are fastText's.")
    p.add_argument("-input", dest="input", required=True, metavar="FILE", help="training file path")
    p.add_argument("-output", dest="output", required=True, metavar="PREFIX", help="output file path prefix")
    p.add_argument("-dim", dest="dim", type=_positive_int, default=100, help="size of word vectors [100]")
    p.add_argument("-ws", dest="ws", type=_positive_int, default=5, help="size of the context window [5]")
    p.add_argument("-epoch", dest="epoch", type=_positive_int, default=5, help="number of epochs [5]")
    p.add_argument("-minCount", dest="min_count", type=_positive_int, default=5,
                   help="minimal number of word occurences [5]")
    p.add_argument("-neg", dest="neg", type=_positive_int, default=5, help="number of negatives sampled [5]")
    p.add_argument("-minn", dest="minn", type=_nonneg_int, default=3, help="min length of char ngram [3]")
    p.add_argument("-maxn", dest="maxn", type=_nonneg_int, default=6,
                   help="max length of char ngram [6]; 0 turns subwords off")
    p.add_argument("-bucket", dest="bucket", type=_nonneg_int, default=2_000_000, help="number of buckets [2000000]")
    p.add_argument("-thread", dest="thread", type=_positive_int, default=12, help="number of threads [12]")
    p.add_argument("-lr", dest="lr", type=_nonneg_float, default=0.05, help="learning rate [0.05]")
    p.add_argument("-t", dest="t", type=_nonneg_float, default=1e-4, help="sampling threshold [0.0001]")
    p.add_argument("-loss", dest="loss", choices=("ns",), default="ns",
                   help="loss function: ns (negative sampling; fastText's hs/softmax are not supported)")
    p.add_argument("-wordNgrams", dest="word_ngrams", type=_positive_int, default=1,
                   help="max length of word ngram: 1 (word n-grams exist only in supervised models)")
    p.add_argument("-lrUpdateRate", dest="lr_update_rate", type=_positive_int, default=100,
                   help="kept in the .bin file for fastText [100]; fastembed updates the rate continuously")
    p.add_argument("-seed", dest="seed", type=_nonneg_int, default=0, help="random seed [0]")
    p.add_argument("-verbose", dest="debug", type=_nonneg_int, default=2,
                   help="verbosity level: 0 quiet, 1 log lines, 2 live progress [2]")
    p.set_defaults(sg=int(name == "skipgram"), quiet=False, verbose=False)


def add_parsers(sub: Any) -> None:
    """Adds ``skipgram``, ``cbow`` and ``print-word-vectors`` to the ``fastembed`` parser."""
    _add_unsupervised(sub, "skipgram")
    _add_unsupervised(sub, "cbow")
    p = sub.add_parser(
        "print-word-vectors", allow_abbrev=False, help="print vectors of words read from stdin (fastText's)",
        description="Print 'word v1 v2 ...' for each word read from stdin, from a fastText .bin file; "
                    "unseen words get their n-gram vectors, as with fastText.")
    p.add_argument("model", metavar="MODEL.bin", help="a fastText .bin model file")
    p.set_defaults(quiet=True, verbose=False)


def cmd_unsupervised(args: argparse.Namespace, progress: bool) -> int:
    from .cli import EXIT_OK, _UsageError
    from .fasttext_model import FastText
    from .progress import ProgressBar

    if args.word_ngrams != 1:
        raise _UsageError("-wordNgrams must be 1: word n-grams exist only in fastText's supervised models")
    if not os.path.isfile(args.input):
        raise FileNotFoundError(f"training file not found: {args.input!r}")
    directory = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"output directory does not exist: {directory!r}")
    try:
        model = FastText(sg=args.sg, vector_size=args.dim, window=args.ws, epochs=args.epoch,
                         min_count=args.min_count, negative=args.neg, min_n=max(args.minn, 1), max_n=args.maxn,
                         bucket=args.bucket, workers=args.thread, alpha=args.lr, min_alpha=0.0,
                         sample=args.t, seed=args.seed)
    except ValueError as e:
        raise _UsageError(str(e)) from None
    bar = ProgressBar(epoch_lines=False) if progress else None
    if bar is not None:
        model.callbacks = (bar,)
    start = time.perf_counter()
    try:
        model.build_vocab(corpus_file=args.input)
        model.train(corpus_file=args.input, total_examples=model.corpus_count,
                    total_words=model.corpus_total_words, epochs=model.epochs)
    finally:
        if bar is not None:
            bar.close()
    model.callbacks = ()
    model.save_facebook_model(args.output + ".bin", lr_update_rate=args.lr_update_rate)
    model.wv.save_word2vec_format(args.output + ".vec")
    logging.getLogger("fastembed.cli").info("wrote %s.bin and %s.vec (%d words); %.1f s in all", args.output,
                                            args.output, len(model.wv), time.perf_counter() - start)
    return EXIT_OK


def format_vector(word: str, vector: Any) -> str:
    """fastText's line: the word, then each value with 5 significant digits and a space."""
    return word + " " + "".join(f"{float(v):.5g} " for v in vector)


def cmd_print_word_vectors(args: argparse.Namespace, progress: bool) -> int:
    import numpy as np

    from .cli import EXIT_OK
    from .fasttext_bin import load_facebook_vectors

    wv = load_facebook_vectors(args.model)
    zero = np.zeros(wv.vector_size, dtype=np.float32)
    out = sys.stdout
    for line in sys.stdin:
        for word in line.split():
            try:
                v = wv[word]
            except KeyError:  # no n-gram in range: fastText prints the zero vector
                v = zero
            out.write(format_vector(word, v) + "\n")
        out.flush()
    return EXIT_OK


COMMANDS: Dict[str, Callable[[argparse.Namespace, bool], int]] = {
    "skipgram": cmd_unsupervised,
    "cbow": cmd_unsupervised,
    "print-word-vectors": cmd_print_word_vectors,
}
