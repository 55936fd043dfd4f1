"""Starting from pretrained vectors: ``KeyedVectors.intersect_word2vec_format`` (gensim's
two-step way) and :func:`init_from_vectors` (behind ``Word2Vec(init_vectors=...)``).

Pretrained vectors come from a path (word2vec text or binary, GloVe, fastText ``.vec``, a
fastembed ``KeyedVectors.save`` or ``Word2Vec.save`` file; compressed or not) or a
``KeyedVectors``.  Unlike ``load_word2vec_format`` (which keeps a repeated word's first
vector, as gensim does), a source with a repeated word, non-finite values or the wrong
vector size is refused: initialising from it would silently pick one of two vectors or
spread NaN through training.
"""
from __future__ import annotations

import logging
import os
from typing import Any, List, Optional, Tuple, Union

import numpy as np

from . import _core
from . import _validate as V
from . import io as _io
from .vocab_update import append_words

logger = logging.getLogger("fastembed")

PathLike = Union[str, "os.PathLike[str]"]

#: The count given to a pretrained word that the corpus lacks (``init_vocab="union"``): it never
#: occurs, so its sampling probability does not matter; 1 keeps it (nearly) out of the
#: negative-sampling table for every ``ns_exponent`` and at the bottom of the Huffman tree.
UNION_COUNT = 1


def read_pretrained(source: Any, binary: Optional[bool] = None, no_header: bool = False,
                    encoding: str = "utf8", unicode_errors: str = "strict") -> Tuple[List[str], np.ndarray]:
    """The words and float32 vectors of ``source`` (a path or a ``KeyedVectors``), checked:
    no repeated word, every value finite.  For a path, ``binary=None`` detects the format."""
    from .vectors import KeyedVectors

    if isinstance(source, KeyedVectors):
        keys, vectors, name = list(source.index_to_key), np.asarray(source.vectors, dtype=np.float32), "the vectors"
    elif isinstance(source, (str, os.PathLike)):
        path = name = os.fspath(source)
        if binary is None:
            fmt = _io.detect_format(path)
            if fmt == "native":
                kv = _io.load_vectors(path)
                return read_pretrained(kv)
            binary, no_header = fmt == "binary", fmt == "glove"
        if not os.path.exists(path):
            raise FileNotFoundError(f"pretrained vectors file not found: {path!r}")
        try:
            keys, vectors = _io._read_word2vec(path, bool(binary), bool(no_header), -1, encoding, unicode_errors)
        except UnicodeDecodeError:
            raise
        except ValueError as e:  # TruncatedFileError too: keep the type, name the file
            raise type(e)(str(e) if str(e).startswith(path) else f"{path}: {e}") from None
    else:
        raise TypeError(f"pretrained vectors must be a path or a fastembed.KeyedVectors, got {type(source).__name__}")
    if len(_core.index_dict(keys)) != len(keys):
        seen: set = set()
        dup = next(k for k in keys if k in seen or seen.add(k))
        raise ValueError(f"{name} holds the word {dup!r} more than once: which vector to start from is "
                         "ambiguous; remove the repeats")
    finite = np.isfinite(vectors).all(axis=1)
    if not finite.all():
        row = int(np.argmin(finite))
        raise ValueError(f"{name}: the vector of {keys[row]!r} (row {row}) holds NaN or infinity")
    return keys, vectors


def _check_size(vectors: np.ndarray, vector_size: int, name: str) -> None:
    if vectors.shape[1] != vector_size:
        raise ValueError(f"incompatible vector size {vectors.shape[1]} in {name}: the model has "
                         f"vector_size={vector_size}")


def intersect_word2vec_format(kv: Any, fname: PathLike, lockf: float = 0.0, binary: bool = False,
                              encoding: str = "utf8", unicode_errors: str = "strict",
                              no_header: bool = False) -> int:
    """gensim's ``intersect_word2vec_format``: overwrite the vectors of the words of ``kv`` that
    the file holds, and set their lock factors to ``lockf`` (0: frozen).  Words absent from
    ``kv`` are ignored.  Returns the number of words overwritten."""
    lockf = V.check_float("lockf", lockf, 0.0, 1e6)
    keys, vectors = read_pretrained(fname, bool(binary), no_header, encoding, unicode_errors)
    _check_size(vectors, kv.vector_size, os.fspath(fname))
    rows, src = _overlap(kv, keys)
    factors = getattr(kv, "vectors_lockf", None)
    if not isinstance(factors, np.ndarray) or factors.shape != (len(kv),):
        factors = kv.vectors_lockf = np.ones(len(kv), dtype=np.float32)  # a standalone KeyedVectors
    kv.vectors[rows] = vectors[src]
    factors[rows] = lockf
    kv.norms = None
    logger.info("merged %d vectors into the %s matrix from %s", len(rows), kv.vectors.shape, os.fspath(fname))
    return len(rows)


def _overlap(kv: Any, keys: List[str]) -> Tuple[np.ndarray, np.ndarray]:
    """Rows of ``kv`` and of the pretrained matrix holding the same words."""
    index = kv.key_to_index
    pairs = [(index[k], j) for j, k in enumerate(keys) if k in index]
    both = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    return both[:, 0], both[:, 1]


def init_from_vectors(model: Any, source: Any, vocab: str = "corpus", lockf: float = 1.0) -> int:
    """Start ``model`` (vocabulary built, not necessarily trained) from pretrained vectors.

    ``vocab="corpus"`` keeps the model's vocabulary: the words it shares with ``source`` take
    the pretrained vectors.  ``vocab="union"`` also appends the pretrained words the corpus
    lacks (in the source's order, after the corpus's words) with count :data:`UNION_COUNT`
    (they never occur in the corpus, so they only need a count that keeps them out of the
    way of negative sampling), their pretrained vectors and their output rows at zero.
    Every pretrained row gets lock factor ``lockf`` (1: fine-tune freely, 0: frozen); the
    corpus-only words start random with factor 1.  Returns the number of pretrained rows."""
    V.check_choice("init_vocab", vocab, ("corpus", "union"))
    lockf = V.check_float("lockf", lockf, 0.0, 1e6)
    if model._vocab is None:
        raise ValueError("build the vocabulary first: init_from_vectors fills the rows of its words")
    keys, vectors = source if isinstance(source, tuple) else read_pretrained(source)
    _check_size(vectors, model.vector_size, "the pretrained vectors")
    if vocab == "union":
        index = model.wv.key_to_index
        missing = [k for k in keys if k not in index]
        if missing:
            append_words(model, missing, [UNION_COUNT] * len(missing))
    rows, src = _overlap(model.wv, keys)
    model.wv.vectors[rows] = vectors[src]
    model.wv.vectors_lockf[rows] = lockf
    model.wv.norms = None
    logger.info("initialised %d of %d words from pretrained vectors (%d pretrained words, init_vocab=%r, "
                "lockf=%g)", len(rows), len(model.wv), len(keys), vocab, lockf)
    return len(rows)
