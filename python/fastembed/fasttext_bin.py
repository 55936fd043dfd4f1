"""Facebook fastText's ``.bin`` model files, both ways (fastText 0.9's format, version 12).

Layout (little-endian, fastText's ``FastText::saveModel``): magic 793712314 and version
(int32 each); the arguments (dim, ws, epoch, minCount, neg, wordNgrams, loss, model, bucket,
minn, maxn, lrUpdateRate as int32, t as float64); the dictionary (size, nwords, nlabels as
int32, ntokens and pruneidx_size as int64, then per entry the word's bytes, a NUL, its count
as int64 and its type as int8); then a quantization flag (1 byte), the input matrix (rows and
columns as int64, float32 rows: nwords words, then bucket n-gram rows), a second flag and the
output matrix (one row per word).

Only unsupervised, unquantized models are read; a supervised, quantized, truncated or foreign
file raises ``ValueError``.  The input matrix is read in slices straight into the model's
padded matrix, so loading never holds two copies of it.
"""
from __future__ import annotations

import os
import struct
from typing import IO, Any, List, Optional, Tuple, Union

import numpy as np

from . import _core
from ._atomic import atomic_write
from .fasttext_vectors import FastTextKeyedVectors
from .training import aligned_matrix, padded_stride

PathLike = Union[str, "os.PathLike[str]"]

__all__ = ["load_facebook_model", "load_facebook_vectors", "save_facebook_model"]

MAGIC = 793712314
VERSION = 12
_ARGS = struct.Struct("<12id")
_DICT = struct.Struct("<3i2q")
_MATRIX = struct.Struct("<2q")
_MODEL_NAMES = {1: "cbow", 2: "skipgram", 3: "supervised"}
_LOSS_NAMES = {1: "hs", 2: "ns", 3: "softmax", 4: "ova"}
_SLICE_BYTES = 16 << 20  # matrix rows are copied in slices of this size


class _Header:
    """What a .bin file says before its matrices."""

    dim: int
    ws: int
    epoch: int
    min_count: int
    neg: int
    word_ngrams: int
    loss: int
    model: int
    bucket: int
    minn: int
    maxn: int
    lr_update_rate: int
    t: float
    ntokens: int
    words: List[str]
    raw_words: List[bytes]
    counts: np.ndarray


class _Reader:
    """Reads a .bin file front to back, each read checked against the bytes left."""

    def __init__(self, f: IO[bytes], path: str) -> None:
        self.f = f
        self.path = path
        self.size = os.fstat(f.fileno()).st_size

    def left(self) -> int:
        return self.size - self.f.tell()

    def read(self, n: int, what: str) -> bytes:
        data = self.f.read(n)
        if len(data) != n:
            raise ValueError(f"{self.path!r} is truncated: it ends inside {what}")
        return data

    def unpack(self, st: struct.Struct, what: str) -> Tuple[Any, ...]:
        return st.unpack(self.read(st.size, what))


def _read_header(r: _Reader, encoding: str) -> _Header:
    if r.size < 8:
        raise ValueError(f"{r.path!r} is not a fastText .bin file: only {r.size} bytes")
    magic, version = struct.unpack("<ii", r.read(8, "the header"))
    if magic != MAGIC:
        raise ValueError(f"{r.path!r} is not a fastText .bin file (magic number {magic}, expected {MAGIC}; "
                         "fastText files older than 0.2 are not supported)")
    if not 11 <= version <= VERSION:
        raise ValueError(f"{r.path!r}: fastText file version {version} is not supported (11..{VERSION})")
    h = _Header()
    (h.dim, h.ws, h.epoch, h.min_count, h.neg, h.word_ngrams, h.loss, h.model, h.bucket, h.minn, h.maxn,
     h.lr_update_rate, h.t) = r.unpack(_ARGS, "the arguments")
    if h.model == 3:
        raise ValueError(f"{r.path!r} is a supervised (classification) fastText model; fastembed reads "
                         "unsupervised models (skipgram, cbow) only")
    if h.model not in (1, 2) or h.loss not in _LOSS_NAMES:
        raise ValueError(f"{r.path!r}: unknown model {h.model} or loss {h.loss}: not a fastText .bin file?")
    if not 1 <= h.dim <= 100_000 or h.bucket < 0 or h.minn < 0 or h.maxn < 0:
        raise ValueError(f"{r.path!r}: implausible arguments dim={h.dim} bucket={h.bucket} "
                         f"minn={h.minn} maxn={h.maxn}")
    size, nwords, nlabels, h.ntokens, pruneidx_size = r.unpack(_DICT, "the dictionary header")
    if nlabels != 0:
        raise ValueError(f"{r.path!r} has {nlabels} labels: a supervised model, not supported")
    if pruneidx_size >= 0:
        raise ValueError(f"{r.path!r} is a quantized (.ftz) model: not supported")
    if not 1 <= nwords == size or size > r.left() // 10:  # each entry takes at least 10 bytes
        raise ValueError(f"{r.path!r}: the dictionary claims {size} entries ({nwords} words), which "
                         "the file cannot hold")
    h.raw_words, h.counts = _read_entries(r, size)
    h.words = _decode_words(h.raw_words, encoding, r.path)
    return h


def _read_entries(r: _Reader, size: int) -> Tuple[List[bytes], np.ndarray]:
    """The dictionary's entries: NUL-terminated words, int64 counts, int8 types (word = 0)."""
    words: List[bytes] = []
    counts = np.empty(size, dtype=np.int64)
    start = r.f.tell()
    data, pos, base = b"", 0, start
    for i in range(size):
        end = data.find(b"\0", pos)
        while end < 0 or end + 10 > len(data):
            more = r.f.read(1 << 20)
            if not more:
                raise ValueError(f"{r.path!r} is truncated: it ends inside the dictionary (entry {i} of {size})")
            base += pos
            data, pos = data[pos:] + more, 0
            end = data.find(b"\0")
        count, kind = struct.unpack_from("<qb", data, end + 1)
        if kind != 0 or count < 0:
            raise ValueError(f"{r.path!r}: dictionary entry {i} has type {kind} and count {count}; "
                             "only words (type 0) with counts >= 0 are read")
        words.append(data[pos:end])
        counts[i] = count
        pos = end + 10
    r.f.seek(base + pos)
    return words, counts


def _decode_words(raw: List[bytes], encoding: str, path: str) -> List[str]:
    try:
        return [w.decode(encoding) for w in raw]
    except UnicodeDecodeError:
        # fastText words are bytes; a few files hold words that are not valid text.  They keep
        # their own rows and n-grams (taken from the bytes); their keys show the bad bytes.
        return [w.decode(encoding, errors="backslashreplace") for w in raw]


def _matrix_header(r: _Reader, rows: int, cols: int, what: str) -> None:
    (quant,) = struct.unpack("<?", r.read(1, f"the {what} flag"))
    if quant:
        raise ValueError(f"{r.path!r} has a quantized {what} matrix (a .ftz model): not supported")
    m, n = r.unpack(_MATRIX, f"the {what} matrix header")
    if (m, n) != (rows, cols):
        raise ValueError(f"{r.path!r}: the {what} matrix is {m} x {n}, expected {rows} x {cols}")
    if r.left() < m * n * 4:
        raise ValueError(f"{r.path!r} is truncated: the {what} matrix needs {m * n * 4} bytes, "
                         f"{r.left()} are left")


def _read_rows(r: _Reader, out: Optional[np.ndarray], rows: int, cols: int, what: str) -> None:
    """Reads `rows` float32 rows into out[:rows, :cols] slice by slice, or skips them."""
    if out is None:
        r.f.seek(rows * cols * 4, os.SEEK_CUR)
        return
    step = max(1, _SLICE_BYTES // (4 * cols))
    buf = bytearray(min(step, max(rows, 1)) * cols * 4)
    for start in range(0, rows, step):
        k = min(step, rows - start)
        view = memoryview(buf)[: k * cols * 4]
        if r.f.readinto(view) != len(view):
            raise ValueError(f"{r.path!r} is truncated: it ends inside the {what} matrix")
        out[start : start + k, :cols] = np.frombuffer(view, dtype="<f4").reshape(k, cols)


def _min_n(h: _Header) -> int:
    return max(h.minn, 1)  # n-grams start at one character: minn 0 means 1


def _open(path: PathLike) -> Tuple[str, IO[bytes]]:
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"fastText model file not found: {path!r}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"expected a fastText .bin file, got a directory: {path!r}")
    return path, open(path, "rb")


def _read_input(r: _Reader, h: _Header, has_ngrams: bool) -> Tuple[np.ndarray, Optional[Any]]:
    """The input matrix (words, then n-gram rows unless subwords are off) in a padded matrix,
    and the words' subword table."""
    nwords = len(h.words)
    _matrix_header(r, nwords + h.bucket, h.dim, "input")
    kept = h.bucket if has_ngrams else 0
    syn0 = aligned_matrix(nwords + kept, padded_stride(h.dim))
    _read_rows(r, syn0, nwords + kept, h.dim, "input")
    _read_rows(r, None, h.bucket - kept, h.dim, "input")
    table = _core.subword_table_of_bytes(h.raw_words, _min_n(h), h.maxn, kept) if kept else None
    return syn0, table


def _read_vectors(r: _Reader, h: _Header) -> FastTextKeyedVectors:
    """The keyed vectors of the file's input matrix (read up to the output matrix's header)."""
    has_ngrams = h.maxn >= _min_n(h) and h.bucket > 0
    kv = FastTextKeyedVectors(h.dim, _min_n(h), h.maxn, h.bucket if has_ngrams else 0)
    kv.index_to_key = h.words
    kv.key_to_index = None  # built on first use
    kv.expandos["count"] = h.counts
    syn0, table = _read_input(r, h, has_ngrams)
    _matrix_header(r, len(h.words), h.dim, "output")
    kv._attach(syn0, table)
    return kv


def load_facebook_vectors(path: PathLike, encoding: str = "utf-8") -> FastTextKeyedVectors:
    """The word vectors of a fastText ``.bin`` file, vectors of unseen words included, as a
    :class:`~fastembed.FastTextKeyedVectors` (gensim's function of that name).  The output
    matrix is checked for size, not read."""
    path, f = _open(path)
    with f:
        r = _Reader(f, path)
        kv = _read_vectors(r, _read_header(r, encoding))
        extra = r.left() - len(kv) * kv.vector_size * 4
        if extra:
            raise ValueError(f"{path!r}: {extra} bytes of trailing data")
    return kv


def load_facebook_model(path: PathLike, encoding: str = "utf-8") -> Any:
    """A :class:`~fastembed.FastText` model from a fastText ``.bin`` file (skipgram or cbow,
    negative sampling), ready to query or to train further (gensim's function of that name).

    The settings come from the file; ``alpha`` is gensim's default 0.025 (the file does not
    keep fastText's learning rate): pass ``start_alpha`` to :meth:`train` to choose it."""
    from .fasttext_model import FastText

    path, f = _open(path)
    with f:
        r = _Reader(f, path)
        h = _read_header(r, encoding)
        if h.loss != 2:
            raise ValueError(f"{path!r} was trained with loss {_LOSS_NAMES[h.loss]}; load_facebook_model "
                             "reads negative-sampling models (load_facebook_vectors reads any loss's vectors)")
        try:
            model = FastText(sg=int(h.model == 2), vector_size=h.dim, window=h.ws, epochs=h.epoch,
                             min_count=max(h.min_count, 1), negative=h.neg, min_n=_min_n(h), max_n=h.maxn,
                             bucket=h.bucket if h.maxn >= _min_n(h) else 0, sample=h.t)
            model._vocab = _core.Vocab(h.words, h.counts)
        except (TypeError, ValueError) as e:
            raise ValueError(f"{path!r}: its settings or words do not make a FastText model: {e}") from None
        model.wv = _read_vectors(r, h)
        nwords = len(h.words)
        syn1neg = aligned_matrix(nwords, padded_stride(h.dim))
        _read_rows(r, syn1neg, nwords, h.dim, "output")
        if r.left():
            raise ValueError(f"{path!r}: {r.left()} bytes of trailing data")
    model._weights = {"syn0": model.wv._input, "syn1neg": syn1neg}
    model.corpus_total_words = int(h.ntokens)
    return model


def save_facebook_model(model: Any, path: PathLike, encoding: str = "utf-8", lr_update_rate: int = 100,
                        word_ngrams: int = 1) -> None:
    """Write a trained :class:`~fastembed.FastText` model as a fastText ``.bin`` file
    (atomically), which the ``fasttext`` package loads and continues training (gensim's
    function of that name).  Hierarchical-softmax models are refused: fastText's tree and
    signs differ from word2vec's."""
    from .fasttext_model import FastText

    if not isinstance(model, FastText):
        raise TypeError(f"save_facebook_model needs a fastembed FastText model, got {type(model).__name__}")
    if model._vocab is None:
        raise ValueError("nothing to save: the model has no vocabulary yet")
    if model.hs or model.negative == 0:
        raise ValueError("only negative-sampling models (hs=0, negative > 0) can be written as fastText .bin files")
    if word_ngrams != 1:
        raise ValueError("word_ngrams must be 1: unsupervised fastText models have no word n-grams")
    if not isinstance(lr_update_rate, int) or not 1 <= lr_update_rate <= 2**31 - 1:
        raise ValueError(f"lr_update_rate must be a positive int32, got {lr_update_rate!r}")
    words = model.wv.index_to_key
    encoded = [w.encode(encoding) for w in words]
    if any(b"\0" in w for w in encoded):
        raise ValueError("a word holds a NUL byte, which fastText's format uses to end words")
    counts = np.asarray(model.wv.expandos["count"], dtype=np.int64)
    dim, n, bucket = model.vector_size, len(words), model.bucket
    args = _ARGS.pack(dim, model.window, model.epochs, model.min_count, model.negative, 1, 2,
                      2 if model.sg else 1, bucket, model.min_n, model.max_n, lr_update_rate, model.sample)
    with atomic_write(path, "wb") as f:
        f.write(struct.pack("<ii", MAGIC, VERSION))
        f.write(args)
        f.write(_DICT.pack(n, n, 0, max(int(model.corpus_total_words), int(counts.sum())), -1))
        entry = struct.Struct("<qb")
        f.write(b"".join(w + b"\0" + entry.pack(int(c), 0) for w, c in zip(encoded, counts.tolist())))
        _write_rows(f, model._weights["syn0"], n + bucket, dim)
        _write_rows(f, model._weights["syn1neg"], n, dim)


def _write_rows(f: IO[bytes], matrix: np.ndarray, rows: int, cols: int) -> None:
    f.write(struct.pack("<?", False))
    f.write(_MATRIX.pack(rows, cols))
    step = max(1, _SLICE_BYTES // (4 * cols))
    for start in range(0, rows, step):
        f.write(np.ascontiguousarray(matrix[start : start + step, :cols], dtype="<f4").tobytes())
