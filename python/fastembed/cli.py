"""The ``fastembed`` command: train, query, evaluate and plot word vectors (and fastText's
``skipgram`` / ``cbow`` / ``print-word-vectors``, in :mod:`fastembed.cli_fasttext`).

``fastembed train`` takes the word2vec C tool's flags unchanged (``-train -output -size ...``)
so existing scripts work by swapping the binary, and the same settings as long options with
gensim's names (``--corpus --output --vector-size ...``).

Exit status: 0 success, 1 error (missing file, unknown word, bad file), 2 usage error,
130 interrupted by Ctrl-C (no output file is left behind).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import os
import sys
import time
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from . import __version__, cli_fasttext
from ._atomic import atomic_write, check_writable
from .corpus import check_streamable
from .evaluation import SHIPPED_ANALOGIES, SHIPPED_PAIRS, format_evaluation, run_evaluation
from .cli_adapt import add_adapt_parser, add_init_options, check_lock, run_adapt
from .io import (detect_format, load_vectors, read_vocab_file, save_model_output,
                 write_vocab_file)

__all__ = ["main", "build_parser", "train_settings", "load_vectors", "detect_format"]

logger = logging.getLogger("fastembed.cli")

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class _UsageError(Exception):
    """Bad arguments found after parsing: reported like argparse errors (status 2)."""


# --------------------------------------------------------------------------------------------
# argument parsing
# --------------------------------------------------------------------------------------------

def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _nonneg_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def _nonneg_float(text: str) -> float:
    value = float(text)
    if not value >= 0 or math.isinf(value):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
    return value


def _flag01(text: str) -> int:
    if text not in ("0", "1"):
        raise argparse.ArgumentTypeError(f"must be 0 or 1, got {text}")
    return int(text)


def _add_verbosity(p: argparse.ArgumentParser) -> None:
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress line and no log output (only warnings and results)")
    p.add_argument("-v", "--verbose", action="store_true", help="debug log output")


def _add_train_parser(sub: Any) -> None:
    p = sub.add_parser(
        "train", allow_abbrev=False,
        help="train word vectors on a text corpus",
        description="Train word2vec vectors. Accepts the word2vec C tool's flags "
                    "(-train -output -size -window -sample -hs -negative -threads -iter "
                    "-min-count -alpha -binary -cbow -save-vocab -read-vocab -debug) and "
                    "long options with gensim's names. Defaults are the C tool's: CBOW, "
                    "alpha 0.05 for CBOW and 0.025 for skip-gram.")
    p.add_argument("-train", "--corpus", dest="corpus", required=True, metavar="FILE",
                   help="training text: whitespace-separated tokens, a newline ends a "
                        "sentence; .gz/.bz2/.xz are read directly")
    p.add_argument("-output", "--output", "-o", dest="output", metavar="FILE",
                   help="where to write the vectors (atomically)")
    p.add_argument("-size", "--vector-size", dest="vector_size", type=_positive_int,
                   default=100, metavar="N", help="dimensions (default 100)")
    p.add_argument("-window", "--window", dest="window", type=_positive_int, default=5,
                   metavar="N", help="max context distance (default 5)")
    p.add_argument("-sample", "--sample", dest="sample", type=_nonneg_float, default=1e-3,
                   metavar="T", help="down-sampling threshold for frequent words "
                                     "(default 1e-3; 0 disables)")
    p.add_argument("-hs", "--hs", dest="hs", type=_flag01, default=0, metavar="{0,1}",
                   help="hierarchical softmax (default 0)")
    p.add_argument("-negative", "--negative", dest="negative", type=_nonneg_int, default=5,
                   metavar="N", help="negative samples per word (default 5; 0 = none)")
    p.add_argument("-threads", "--workers", dest="workers", type=_positive_int, default=None,
                   metavar="N", help="worker threads (default: number of CPUs)")
    p.add_argument("-iter", "--epochs", dest="epochs", type=_positive_int, default=5,
                   metavar="N", help="passes over the corpus (default 5)")
    p.add_argument("-min-count", "--min-count", dest="min_count", type=_positive_int,
                   default=5, metavar="N", help="drop words rarer than this (default 5)")
    p.add_argument("-alpha", "--alpha", dest="alpha", type=_nonneg_float, default=None,
                   metavar="LR", help="initial learning rate (default 0.05 for CBOW, "
                                      "0.025 for skip-gram)")
    p.add_argument("--min-alpha", dest="min_alpha", type=_nonneg_float, default=None,
                   metavar="LR", help="final learning rate (default alpha * 1e-4, as the "
                                      "C tool)")
    p.add_argument("-binary", "--binary", dest="binary", type=_flag01, default=None,
                   metavar="{0,1}", help="1: word2vec binary output (same as --format binary)")
    p.add_argument("-cbow", dest="cbow", type=_flag01, default=None, metavar="{0,1}",
                   help="1: CBOW (the C tool's default), 0: skip-gram")
    p.add_argument("--sg", dest="sg", type=_flag01, default=None, metavar="{0,1}",
                   help="gensim's switch: 1 skip-gram, 0 CBOW")
    p.add_argument("--format", dest="format", choices=("text", "binary", "native"),
                   default=None, help="output format: word2vec text (default), word2vec "
                                      "binary, or fastembed's native model (reloadable "
                                      "with Word2Vec.load, can continue training)")
    p.add_argument("-save-vocab", "--save-vocab", dest="save_vocab", metavar="FILE",
                   help="write the vocabulary ('word count' per line, C tool format)")
    p.add_argument("-read-vocab", "--read-vocab", dest="read_vocab", metavar="FILE",
                   help="take the vocabulary from this file instead of counting the corpus")
    p.add_argument("-debug", dest="debug", type=_nonneg_int, default=2, metavar="N",
                   help="0: quiet, 1: log lines, 2: plus live progress (default), 3: debug")
    p.add_argument("-classes", dest="classes", type=_nonneg_int, default=0,
                   help=argparse.SUPPRESS)
    p.add_argument("--seed", dest="seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--cbow-mean", dest="cbow_mean", type=_flag01, default=1, metavar="{0,1}",
                   help="CBOW: average (1, default) or sum (0) the context vectors")
    p.add_argument("--ns-exponent", dest="ns_exponent", type=float, default=0.75,
                   metavar="X", help="negative sampling distribution exponent (default 0.75)")
    p.add_argument("--max-vocab-size", dest="max_vocab_size", type=_positive_int,
                   default=None, metavar="N", help="prune rare words while counting to keep "
                                                   "at most N")
    p.add_argument("--max-final-vocab", dest="max_final_vocab", type=_positive_int,
                   default=None, metavar="N", help="keep only the N most frequent words")
    p.add_argument("--compute-loss", dest="compute_loss", action="store_true",
                   help="track the training loss (shown in the progress and the log)")
    p.add_argument("--init-vectors", dest="init_vectors", metavar="FILE", default=None,
                   help="start the words it shares with the corpus from these pretrained vectors "
                        "(word2vec text/binary, GloVe, fastText .vec, fastembed)")
    add_init_options(p)
    _add_verbosity(p)


def _add_query_parsers(sub: Any) -> None:
    p = sub.add_parser(
        "similar", help="nearest neighbours of words",
        description="Print the nearest neighbours (cosine) of each QUERY. A query with "
                    "several words (quote it: 'paris france') uses their sum. Without "
                    "queries, reads one query per line from the terminal or stdin, like the "
                    "C tool's distance.")
    p.add_argument("vectors", metavar="VECTORS",
                   help="vectors file: word2vec text/binary (possibly .gz/.bz2/.xz), or "
                        "fastembed native")
    p.add_argument("queries", nargs="*", metavar="QUERY")
    p.add_argument("-n", "--topn", type=_positive_int, default=10, help="results (default 10)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    _add_verbosity(p)

    p = sub.add_parser(
        "analogy", help="A is to B as C is to ?",
        description="Solve 'A is to B as C is to ?' with 3CosAdd (B - A + C). Without words, "
                    "reads 'A B C' lines from the terminal or stdin, like the C tool's "
                    "word-analogy.")
    p.add_argument("vectors", metavar="VECTORS", help="vectors file (any supported format)")
    p.add_argument("words", nargs="*", metavar="WORD", help="A B C (three words) or nothing")
    p.add_argument("-n", "--topn", type=_positive_int, default=10, help="results (default 10)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    _add_verbosity(p)


def _add_evaluate_parser(sub: Any) -> None:
    p = sub.add_parser(
        "evaluate", help="analogy accuracy and word-similarity correlations",
        description="Evaluate vectors on analogy questions (accuracy, with the share of "
                    "questions covered by the vocabulary) and word-pair similarity sets "
                    "(Pearson and Spearman correlation). Without --analogies/--pairs, uses "
                    "the sets shipped with fastembed (Google analogies, WordSim-353, "
                    "SimLex-999).")
    p.add_argument("vectors", metavar="VECTORS", help="vectors file (any supported format)")
    p.add_argument("--analogies", nargs="+", action="extend", default=[], metavar="FILE",
                   help="analogy files in the questions-words.txt format")
    p.add_argument("--pairs", nargs="+", action="extend", default=[], metavar="FILE",
                   help="word-pair files: word1 <delimiter> word2 <delimiter> score")
    p.add_argument("--delimiter", default="\t", help="pair file delimiter (default: tab)")
    p.add_argument("--restrict-vocab", type=_positive_int, default=300000, metavar="N",
                   help="use only the N most frequent words (default 300000)")
    p.add_argument("--case-sensitive", action="store_true",
                   help="do not lowercase words before lookup")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    _add_verbosity(p)


def _add_demo_parser(sub: Any) -> None:
    p = sub.add_parser(
        "demo", help="train on the bundled sample corpus and show what the vectors learnt",
        description="Train on the 2M-word Wikipedia sample that ships with fastembed, then "
                    "print nearest neighbours, an analogy and evaluation scores.")
    p.add_argument("--epochs", type=_positive_int, default=None, metavar="N",
                   help="passes over the sample (default: the demo's setting)")
    p.add_argument("--workers", type=_positive_int, default=None, metavar="N",
                   help="threads (default: number of CPUs)")
    p.add_argument("--max-words", type=_positive_int, default=None, metavar="N",
                   help="train on only the first N words of the sample (quicker, worse)")
    p.add_argument("-o", "--output", default=None, metavar="FILE",
                   help="also save the vectors (word2vec text format)")
    _add_verbosity(p)


def _add_plot_parser(sub: Any) -> None:
    p = sub.add_parser(
        "plot", help="2-D PCA picture of some words' vectors (needs matplotlib)",
        description="Project the words' (unit-length) vectors to their first two principal "
                    "components and draw them, labelled. Needs matplotlib: "
                    "pip install 'fastembed[plot]'.")
    p.add_argument("vectors", metavar="VECTORS", help="vectors file (any supported format)")
    p.add_argument("words", nargs="+", metavar="WORD", help="at least two words")
    p.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="image file; the format follows the extension (.png, .svg, .pdf)")
    p.add_argument("--title", default=None, help="plot title")
    p.add_argument("--dpi", type=_positive_int, default=150, help="resolution (default 150)")
    _add_verbosity(p)


def _add_phrases_parser(sub: Any) -> None:
    p = sub.add_parser(
        "phrases", allow_abbrev=False,
        help="join frequent word pairs into phrases (the word2phrase tool)",
        description="Join word pairs into phrase tokens (new york -> new_york) as the word2vec C "
                    "distribution's word2phrase does, with its flags, its score "
                    "(count(ab) - min_count) / count(a) / count(b) * train_words and its output. "
                    "Run twice with falling thresholds for longer phrases (demo-phrases.sh: "
                    "-threshold 200, then 100 on the output).")
    p.add_argument("-train", "--corpus", dest="corpus", required=True, metavar="FILE",
                   help="input text; .gz/.bz2/.xz are decompressed first")
    p.add_argument("-output", "--output", "-o", dest="output", required=True, metavar="FILE",
                   help="where to write the text with phrases joined (atomically)")
    p.add_argument("-min-count", "--min-count", dest="min_count", type=_nonneg_int, default=5,
                   metavar="N", help="ignore words and pairs seen fewer times (default 5)")
    p.add_argument("-threshold", "--threshold", dest="threshold", type=_finite_float, default=100.0,
                   metavar="X", help="join pairs scoring above this; higher means fewer phrases "
                                     "(default 100)")
    p.add_argument("-threads", "--workers", dest="workers", type=_positive_int, default=None,
                   metavar="N", help="threads counting the file (default: number of CPUs)")
    p.add_argument("-debug", dest="debug", type=_nonneg_int, default=2, metavar="N",
                   help="0: quiet, 1: summary lines, 2: plus live progress (default), 3: debug")
    _add_verbosity(p)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``fastembed`` and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="fastembed", allow_abbrev=False,
        description="Fast static embeddings (word2vec, fastText, doc2vec, phrases) with gensim-compatible APIs.")
    parser.add_argument("--version", action="version", version=f"fastembed {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_train_parser(sub)
    _add_query_parsers(sub)
    _add_evaluate_parser(sub)
    _add_demo_parser(sub)
    _add_plot_parser(sub)
    from . import cli_docs
    cli_docs.add_parsers(sub, _positive_int, _nonneg_float, _flag01, _add_verbosity)
    add_adapt_parser(sub, _positive_int, _nonneg_int, _nonneg_float, _flag01, _add_verbosity)
    cli_fasttext.add_parsers(sub)
    _add_phrases_parser(sub)
    return parser


# --------------------------------------------------------------------------------------------
# logging and progress
# --------------------------------------------------------------------------------------------

def _log_level(args: argparse.Namespace) -> Tuple[int, bool]:
    """(logging level, show a progress line) from -debug / --quiet / --verbose."""
    debug = getattr(args, "debug", 2)
    if args.quiet:
        debug = 0
    elif args.verbose:
        debug = max(debug, 3)
    if debug <= 0:
        return logging.WARNING, False
    if debug == 1:
        return logging.INFO, False
    return (logging.DEBUG if debug >= 3 else logging.INFO), True


@contextlib.contextmanager
def _logging_to_stderr(level: int) -> Iterator[None]:
    """Route the ``fastembed`` logger to stderr for the duration of a command."""
    from .progress import LiveLineHandler

    stream = sys.stderr
    tty = bool(getattr(stream, "isatty", lambda: False)())
    handler = LiveLineHandler(stream)
    handler.setFormatter(logging.Formatter(
        "%(message)s" if tty else "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log = logging.getLogger("fastembed")
    saved = (log.level, log.propagate)
    log.addHandler(handler)
    log.setLevel(level)
    log.propagate = False
    try:
        yield
    finally:
        log.removeHandler(handler)
        handler.close()
        log.setLevel(saved[0])
        log.propagate = saved[1]


# --------------------------------------------------------------------------------------------
# vectors files (formats: io.py)
# --------------------------------------------------------------------------------------------

def _load_for_query(path: str) -> Any:
    start = time.perf_counter()
    logger.info("loading %s ...", path, extra={"live": True})
    wv = load_vectors(path)
    logger.info("loaded %d vectors of %d dimensions from %s in %.1f s",
                len(wv.index_to_key), wv.vector_size, path, time.perf_counter() - start)
    return wv


# --------------------------------------------------------------------------------------------
# train
# --------------------------------------------------------------------------------------------

def train_settings(args: argparse.Namespace) -> Dict[str, Any]:
    """``Word2Vec`` keyword arguments for parsed ``train`` arguments (the C tool's defaults).

    Raises ValueError for contradictory flags (``-cbow 1 --sg 1``, ``-binary 1 --format text``).
    """
    if args.classes:
        raise ValueError("-classes (k-means word classes) is not supported by fastembed")
    if args.cbow is not None and args.sg is not None and args.cbow == args.sg:
        raise ValueError(f"-cbow {args.cbow} contradicts --sg {args.sg}")
    if args.sg is not None:
        sg = args.sg
    else:
        sg = 0 if args.cbow in (None, 1) else 1  # the C tool defaults to CBOW
    if args.hs == 0 and args.negative == 0:
        raise ValueError("nothing to train: -hs 0 and -negative 0; use -hs 1 or -negative N")
    alpha = args.alpha if args.alpha is not None else (0.025 if sg else 0.05)
    min_alpha = args.min_alpha if args.min_alpha is not None else alpha * 1e-4
    return dict(
        vector_size=args.vector_size, alpha=alpha, min_alpha=min_alpha, window=args.window,
        min_count=args.min_count, max_vocab_size=args.max_vocab_size, sample=args.sample,
        seed=args.seed, workers=args.workers or os.cpu_count() or 1, sg=sg, hs=args.hs,
        negative=args.negative, ns_exponent=args.ns_exponent, cbow_mean=args.cbow_mean,
        epochs=args.epochs, compute_loss=bool(args.compute_loss),
        max_final_vocab=args.max_final_vocab,
    )


def output_format(args: argparse.Namespace) -> str:
    """``text``, ``binary`` or ``native`` from ``-binary`` and ``--format``."""
    if args.binary is not None:
        implied = "binary" if args.binary else "text"
        if args.format is not None and args.format != implied:
            raise ValueError(f"-binary {args.binary} contradicts --format {args.format}")
        return implied
    return args.format or "text"


def _check_output_dir(path: Optional[str]) -> None:
    """Fail now, not after hours of training: the folder exists and a file can be created in it
    (the same temporary file a save writes, removed at once)."""
    if path:
        directory = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(directory):
            raise FileNotFoundError(f"output directory does not exist: {directory!r}")
        if os.path.isdir(path):
            raise IsADirectoryError(f"output is a directory: {path!r}")
        check_writable(path)


def cmd_train(args: argparse.Namespace, progress: bool) -> int:
    try:
        settings = train_settings(args)
        fmt = output_format(args)
    except ValueError as e:
        raise _UsageError(str(e)) from None
    if not args.output and not args.save_vocab:
        raise _UsageError("give -output FILE (and/or -save-vocab FILE)")
    check_streamable(args.corpus)  # missing, a folder, a pipe or a device: say which
    if args.read_vocab and not os.path.isfile(args.read_vocab):
        raise FileNotFoundError(f"vocabulary file not found: {args.read_vocab!r}")
    if args.init_vectors is None and (args.lock_init is not None or args.init_vocab is not None):
        raise _UsageError("--lock-init and --init-vocab say how to use --init-vectors FILE: give it too")
    try:
        lock = check_lock(args.lock_init)
    except ValueError as e:
        raise _UsageError(str(e)) from None
    # fail before hours of training, not after
    _check_output_dir(args.output)
    _check_output_dir(args.save_vocab)

    from .model import Word2Vec
    from .progress import ProgressBar

    from .adapt import init_from_vectors, read_pretrained

    pretrained = None
    if args.init_vectors is not None:
        if not os.path.isfile(args.init_vectors):
            raise FileNotFoundError(f"pretrained vectors file not found: {args.init_vectors!r}")
        pretrained = read_pretrained(args.init_vectors)  # bad files fail before the corpus is read
        if pretrained[1].shape[1] != settings["vector_size"]:
            raise ValueError(f"{args.init_vectors} holds {pretrained[1].shape[1]}-dimensional vectors, "
                             f"but -size is {settings['vector_size']}")
    bar = ProgressBar(epoch_lines=False) if progress else None
    callbacks = [bar] if bar is not None else []
    model = Word2Vec(callbacks=callbacks, **settings)
    start = time.perf_counter()
    try:
        if args.read_vocab:
            model.build_vocab_from_freq(read_vocab_file(args.read_vocab))
        else:
            model.build_vocab(corpus_file=args.corpus)
        if pretrained is not None:
            init_from_vectors(model, pretrained, args.init_vocab or "corpus", lock)
        if args.save_vocab:
            write_vocab_file(args.save_vocab, model)
        if not args.output:  # like the C tool: vocabulary only
            return EXIT_OK
        model.train(corpus_file=args.corpus, total_examples=model.corpus_count,
                    total_words=model.corpus_total_words, epochs=model.epochs)
    finally:
        if bar is not None:
            bar.close()
    elapsed = time.perf_counter() - start
    save_model_output(model, args.output, fmt)
    logger.info("wrote %d vectors (%s) to %s; %.1f s in all", len(model.wv.index_to_key),
                fmt, args.output, elapsed)
    return EXIT_OK


# --------------------------------------------------------------------------------------------
# similar / analogy
# --------------------------------------------------------------------------------------------

def _interactive_queries(prompt: str) -> Iterator[str]:
    """Lines from stdin: prompted on a terminal, plain when piped; stops at EOF or EXIT."""
    tty = sys.stdin.isatty()
    while True:
        if tty:
            try:
                line = input(prompt)
            except EOFError:
                print(file=sys.stderr)
                return
        else:
            line = sys.stdin.readline()
            if not line:
                return
        line = line.strip()
        if line == "EXIT":
            return
        if line:
            yield line


def _missing(wv: Any, words: Iterable[str]) -> List[str]:
    return [w for w in words if w not in wv.key_to_index]


def _print_table(query: str, results: Sequence[Tuple[str, float]]) -> None:
    print(query)
    width = max([len(w) for w, _ in results] + [4])
    for word, score in results:
        print(f"  {word:<{width}}  {score:.4f}")
    sys.stdout.flush()


def _run_queries(wv: Any, queries: Iterable[Tuple[str, List[str], List[str]]], topn: int,
                 as_json: bool) -> int:
    """Answer (label, positive, negative) queries; unknown words are reported, not fatal."""
    status = EXIT_OK
    for label, positive, negative in queries:
        missing = _missing(wv, positive + negative)
        if missing:
            print(f"fastembed: out of vocabulary: {', '.join(missing)}", file=sys.stderr)
            status = EXIT_ERROR
            continue
        results = wv.most_similar(positive=positive, negative=negative, topn=topn)
        results = [(str(w), float(s)) for w, s in results]
        if as_json:
            print(json.dumps({"query": label, "positive": positive, "negative": negative,
                              "results": [[w, s] for w, s in results]}))
            sys.stdout.flush()
        else:
            _print_table(label, results)
    return status


def cmd_similar(args: argparse.Namespace, progress: bool) -> int:
    wv = _load_for_query(args.vectors)
    interactive = not args.queries
    source = (_interactive_queries("Enter word or sentence (EXIT to break): ")
              if interactive else iter(args.queries))
    queries = ((q, q.split(), []) for q in source)
    status = _run_queries(wv, queries, args.topn, args.json)
    return EXIT_OK if interactive else status


def cmd_analogy(args: argparse.Namespace, progress: bool) -> int:
    if args.words and len(args.words) != 3:
        raise _UsageError(f"analogy needs three words A B C, got {len(args.words)}")
    wv = _load_for_query(args.vectors)

    def parse(lines: Iterable[str]) -> Iterator[Tuple[str, List[str], List[str]]]:
        for line in lines:
            words = line.split()
            if len(words) != 3:
                print(f"fastembed: need three words A B C, got {line!r}", file=sys.stderr)
                continue
            a, b, c = words
            yield f"{a} : {b} :: {c} : ?", [b, c], [a]

    if args.words:
        return _run_queries(wv, parse([" ".join(args.words)]), args.topn, args.json)
    _run_queries(wv, parse(_interactive_queries("Enter three words (EXIT to break): ")),
                 args.topn, args.json)
    return EXIT_OK


# --------------------------------------------------------------------------------------------
# evaluate (the reports: evaluation.py)
# --------------------------------------------------------------------------------------------

def cmd_evaluate(args: argparse.Namespace, progress: bool) -> int:
    analogies, pairs = list(args.analogies), list(args.pairs)
    if not analogies and not pairs:
        analogies, pairs = list(SHIPPED_ANALOGIES), list(SHIPPED_PAIRS)
    for path in analogies + pairs:  # fail before loading a big vectors file
        if not os.path.isfile(path):
            raise FileNotFoundError(f"evaluation file not found: {path!r}")
    wv = _load_for_query(args.vectors)
    report = run_evaluation(wv, analogies, pairs, args.delimiter, args.restrict_vocab,
                            not args.case_sensitive)
    if args.json:
        print(json.dumps({"vectors": args.vectors, **report}, indent=2))
    else:
        print(format_evaluation(report))
    return EXIT_OK


# --------------------------------------------------------------------------------------------
# plot
# --------------------------------------------------------------------------------------------

def pca_2d(matrix: Any) -> Any:
    """Rows of ``matrix`` projected on their first two principal components ([n, 2])."""
    import numpy as np

    x = np.asarray(matrix, dtype=np.float64)
    x = x - x.mean(axis=0)
    if x.shape[0] < 2:
        raise ValueError("PCA needs at least two vectors")
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    out = np.zeros((x.shape[0], 2))
    k = min(2, vt.shape[0])
    out[:, :k] = x @ vt[:k].T
    return out


def plot_words(wv: Any, words: Sequence[str], path: str, title: Optional[str] = None,
               dpi: int = 150) -> Any:
    """Draw ``words`` at their 2-D PCA positions (of unit vectors) into ``path``, atomically.

    Returns the [n, 2] coordinates. Raises KeyError for words not in ``wv`` and ImportError
    when matplotlib is missing.
    """
    import numpy as np

    words = list(dict.fromkeys(words))  # drop repeats, keep order
    if len(words) < 2:
        raise ValueError("plot needs at least two different words")
    missing = _missing(wv, words)
    if missing:
        raise KeyError(f"not in the vocabulary: {', '.join(missing)}")
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    if not ext:
        raise ValueError(f"cannot tell the image format of {path!r}: add .png, .svg or .pdf")
    try:
        import matplotlib
        matplotlib.use("Agg")  # files only; never needs a display
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("plot needs matplotlib: pip install 'fastembed[plot]'") from None

    vectors = np.stack([np.asarray(wv[w], dtype=np.float64) for w in words])
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    coords = pca_2d(vectors / np.where(norms > 0, norms, 1.0))
    fig, ax = plt.subplots(figsize=(7, 6))
    try:
        if ext not in fig.canvas.get_supported_filetypes():
            raise ValueError(f"matplotlib cannot write .{ext} files ({path!r}): use .png, "
                             ".svg or .pdf")
        ax.scatter(coords[:, 0], coords[:, 1], s=18)
        for (x, y), word in zip(coords, words):
            ax.annotate(word, (x, y), xytext=(4, 3), textcoords="offset points")
        ax.set_xlabel("PC 1")
        ax.set_ylabel("PC 2")
        ax.set_title(title or "word vectors, PCA")
        fig.tight_layout()
        with atomic_write(path, "wb") as f:
            fig.savefig(f, format=ext, dpi=dpi)
    finally:
        plt.close(fig)
    return coords


def cmd_plot(args: argparse.Namespace, progress: bool) -> int:
    _check_output_dir(args.output)
    wv = _load_for_query(args.vectors)
    plot_words(wv, args.words, args.output, title=args.title, dpi=args.dpi)
    logger.info("wrote %s", args.output)
    return EXIT_OK


# --------------------------------------------------------------------------------------------
# demo and entry point
# --------------------------------------------------------------------------------------------

def cmd_demo(args: argparse.Namespace, progress: bool) -> int:
    from .demo import run_demo

    if args.output:
        _check_output_dir(args.output)
    return run_demo(epochs=args.epochs, workers=args.workers, max_words=args.max_words,
                    output=args.output, progress=progress)


def cmd_phrases(args: argparse.Namespace, progress: bool) -> int:
    from .phrases import word2phrase

    if not os.path.isfile(args.corpus):
        raise FileNotFoundError(f"training file not found: {args.corpus!r}")
    _check_output_dir(args.output)
    size = max(os.path.getsize(args.corpus), 1)

    def report(done: int) -> None:  # two passes over the file
        logger.info("word2phrase: %.0f%%", min(100.0, 50.0 * done / size), extra={"live": True})

    start = time.perf_counter()
    logger.info("Starting training using file %s", args.corpus)
    words, entries = word2phrase(args.corpus, args.output, args.min_count, args.threshold,
                                 args.workers, report if progress else None)
    logger.info("Vocab size (unigrams + bigrams): %d", entries)
    logger.info("Words in train file: %d", words)
    logger.info("wrote %s in %.1f s", args.output, time.perf_counter() - start)
    return EXIT_OK


_COMMANDS = {
    "train": cmd_train, "similar": cmd_similar, "analogy": cmd_analogy,
    "evaluate": cmd_evaluate, "demo": cmd_demo, "plot": cmd_plot, "phrases": cmd_phrases,
    "doc2vec": lambda args, progress: _cli_docs().cmd_doc2vec(args, progress),
    "embed": lambda args, progress: _cli_docs().cmd_embed(args, progress),
    "adapt": lambda args, progress: run_adapt(args, progress, _UsageError, _check_output_dir),
    **cli_fasttext.COMMANDS,  # skipgram, cbow, print-word-vectors
}


def _cli_docs() -> Any:
    from . import cli_docs
    return cli_docs


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``fastembed`` command line; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # bad usage (2), --help or --version (0): return, don't exit
        return e.code if isinstance(e.code, int) else EXIT_USAGE
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    level, progress = _log_level(args)
    if args.command == "demo" and not args.verbose:
        level = max(level, logging.WARNING)  # the demo prints its own summary
    try:
        with _logging_to_stderr(level):
            return _COMMANDS[args.command](args, progress)
    except KeyboardInterrupt:
        print("\nfastembed: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except _UsageError as e:
        print(f"fastembed {args.command}: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # `fastembed similar ... | head`: the reader left; not an error
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except (ValueError, KeyError, TypeError, OSError, ImportError, ArithmeticError) as e:  # Arithmetic: divergence
        message = e.args[0] if isinstance(e, KeyError) and e.args else e
        print(f"fastembed {args.command}: error: {message}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK  # unreachable; keeps type checkers happy
