"""``fastembed.FastTextKeyedVectors``: word vectors that also answer for words never seen.

As in fastText and gensim 4: a vocabulary word's vector (``vectors``) is the mean of its own
row (``vectors_vocab``) and the rows of its character n-grams (``vectors_ngrams``); any other
word gets the mean of its n-gram rows.  The two matrices are views of one input matrix of
``len(vocab) + bucket`` rows, the one the trainer trains.
"""
from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

import numpy as np

from . import _core
from ._atomic import PathLike, atomic_write
from .vectors import KeyedVectors, Key, _ensure_list

__all__ = ["FastTextKeyedVectors"]

_FORMAT = "fastembed-fasttext-vectors"


class FastTextKeyedVectors(KeyedVectors):
    """:class:`~fastembed.KeyedVectors` with fastText's subword vectors.

    ``wv[word]``, ``get_vector``, ``most_similar``, ``similarity``, ``n_similarity`` and the
    other queries accept any string: a word outside the vocabulary gets the mean of its
    n-gram rows (``KeyError`` if it has no n-gram of ``min_n..max_n`` characters, or the
    model has no n-grams).  ``key in wv`` is true for vocabulary words and any word with an
    n-gram; ``key in wv.key_to_index`` tells vocabulary words apart.  Neighbour searches and
    evaluations rank vocabulary words only.
    """

    def __init__(self, vector_size: int, min_n: int, max_n: int, bucket: int) -> None:
        super().__init__(vector_size)
        self.min_n = int(min_n)
        self.max_n = int(max_n)
        self.bucket = int(bucket)
        self._input = np.zeros((0, vector_size), dtype=np.float32)  # vocab + bucket rows (padded)
        self._table: Optional[Any] = None  # _core.InputRowTable, None without n-grams

    # --- the matrices -------------------------------------------------------------------

    @property
    def vectors_vocab(self) -> np.ndarray:
        """The vocabulary words' own rows, float32 [len(vocab), vector_size] (a view)."""
        return self._input[: len(self.index_to_key), : self.vector_size]

    @property
    def vectors_ngrams(self) -> np.ndarray:
        """The n-gram bucket rows, float32 [bucket, vector_size] (a view)."""
        return self._input[len(self.index_to_key):, : self.vector_size]

    def _attach(self, input_matrix: np.ndarray, table: Optional[Any]) -> None:
        """Use ``input_matrix`` (vocab + bucket rows, possibly padded) and the vocabulary's
        subword table; ``vectors`` are recomposed from them."""
        n = len(self.index_to_key)
        if input_matrix.shape[0] != n + self.bucket or input_matrix.shape[1] < self.vector_size:
            raise ValueError(f"input matrix has shape {input_matrix.shape}, expected ({n + self.bucket}, "
                             f">= {self.vector_size})")
        self._input = input_matrix
        self._table = table
        self.adjust_vectors()

    def adjust_vectors(self) -> None:
        """Recompute ``vectors`` (each vocabulary word's mean of its own and its n-gram rows)
        after the input rows changed, as gensim's method of that name."""
        n = len(self.index_to_key)
        if self._table is None:
            self.vectors = self._input[:n, : self.vector_size]
            return
        out = np.empty((n, self.vector_size), dtype=np.float32)
        _core.compose_vectors(self._input, self._table, out, self.vector_size)
        self.vectors = out

    # --- words outside the vocabulary ---------------------------------------------------

    def _buckets(self, word: str) -> np.ndarray:
        if self.bucket == 0 or self.max_n < self.min_n:
            return np.zeros(0, dtype=np.int32)
        return _core.ngram_buckets(word, self.min_n, self.max_n, self.bucket)

    def _oov_vector(self, word: str) -> np.ndarray:
        """fastText's vector of a word outside the vocabulary: the mean of its n-gram rows."""
        buckets = self._buckets(word)
        if not len(buckets):
            raise KeyError(f"Key '{word}' not present, and it has no character n-gram of "
                           f"{self.min_n}..{self.max_n} characters to build a vector from"
                           if self.bucket else f"Key '{word}' not present (the model has no n-grams)")
        acc = np.zeros(self.vector_size, dtype=np.float32)
        ngrams = self.vectors_ngrams
        for b in buckets.tolist():  # fastText's order: float32 sums, then one scale
            acc += ngrams[b]
        return acc * np.float32(1.0 / len(buckets))

    def _is_oov(self, key: Any) -> bool:
        return isinstance(key, str) and key not in self.key_to_index

    def _unit_oov(self, word: str) -> np.ndarray:
        v = self._oov_vector(word).astype(np.float64)
        n = float(np.sqrt(v @ v))
        return v / n if n > 0 else v

    def _swap_oov(self, items: Any) -> list:
        """Query terms with each out-of-vocabulary word replaced by its unit vector (as gensim's
        queries use ``get_vector(word, norm=True)``)."""
        out = []
        for it in _ensure_list(items):
            if self._is_oov(it):
                out.append(self._unit_oov(it))
            elif isinstance(it, (tuple, list)) and len(it) == 2 and self._is_oov(it[0]):
                out.append((self._unit_oov(it[0]), it[1]))
            else:
                out.append(it)
        return out

    # --- KeyedVectors, with any word -----------------------------------------------------

    def __contains__(self, key: Key) -> bool:
        if self.has_index_for(key):
            return True
        return isinstance(key, str) and len(self._buckets(key)) > 0

    def get_vector(self, key: Key, norm: bool = False) -> np.ndarray:
        """The word's vector: its row of ``vectors`` for a vocabulary word, else the mean of its
        n-gram rows; unit length with ``norm=True``.  ``KeyError`` if it has neither."""
        if not self._is_oov(key):
            return super().get_vector(key, norm=norm)
        v = self._oov_vector(key)
        if norm:
            n = np.linalg.norm(v)
            v = v / n if n > 0 else v
        v.setflags(write=False)
        return v

    def __getitem__(self, key_or_keys: Union[Key, Iterable[Key]]) -> np.ndarray:
        if isinstance(key_or_keys, (str, int, np.integer)):
            return self.get_vector(key_or_keys)
        keys = list(key_or_keys)
        if not keys:
            return np.zeros((0, self.vector_size), dtype=np.float32)
        return np.stack([self.get_vector(k) for k in keys])

    def similarity(self, w1: Key, w2: Key) -> float:
        a = self.get_vector(w1).astype(np.float64)
        b = self.get_vector(w2).astype(np.float64)
        den = float(np.sqrt(a @ a) * np.sqrt(b @ b))
        return float(a @ b) / den if den > 0 else 0.0

    def distances(self, word_or_vector: Any, other_words: Sequence[Key] = ()) -> np.ndarray:
        if self._is_oov(word_or_vector):
            word_or_vector = self.get_vector(word_or_vector)
        if any(self._is_oov(k) for k in other_words):
            return (1.0 - self.cosine_similarities(np.asarray(word_or_vector, dtype=np.float64) if not
                                                   isinstance(word_or_vector, (str, int, np.integer))
                                                   else self.get_vector(word_or_vector).astype(np.float64),
                                                   self[list(other_words)].astype(np.float64))).astype(np.float32)
        return super().distances(word_or_vector, other_words)

    def _term64(self, key: Key, unit: bool) -> np.ndarray:
        if not self._is_oov(key):
            return super()._term64(key, unit)
        return self._unit_oov(key) if unit else self._oov_vector(key).astype(np.float64)

    def _parse_terms(self, positive: Any, negative: Any, tuples: bool = True):
        return super()._parse_terms(self._swap_oov(positive), self._swap_oov(negative), tuples)

    def _cosmul_terms(self, positive: Any, negative: Any):
        return super()._cosmul_terms(self._swap_oov(positive), self._swap_oov(negative))

    def _mean64(self, keys: Any, weights: Any, pre_normalize: bool, ignore_missing: bool) -> np.ndarray:
        swapped: List[Any] = []
        for k in keys:
            if self._is_oov(k) and len(self._buckets(k)):
                swapped.append(self._term64(k, pre_normalize))
            else:
                swapped.append(k)
        return super()._mean64(swapped, weights, pre_normalize, ignore_missing)

    # --- pickling and files --------------------------------------------------------------

    def _rebuild_table(self) -> None:
        if self.bucket and self.max_n >= self.min_n and self.index_to_key:
            vocab = _core.Vocab(list(self.index_to_key), np.zeros(len(self.index_to_key), dtype=np.int64))
            self._table = _core.subword_table(vocab, self.min_n, self.max_n, self.bucket)
        else:
            self._table = None

    def __getstate__(self) -> Dict[str, Any]:
        state = super().__getstate__()
        state["_table"] = None  # a C++ object: rebuilt from the words on unpickling
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        super().__setstate__(state)
        self._rebuild_table()

    def save(self, fname: PathLike) -> None:
        """Save to one file (words, counts, n-gram settings, both matrices), atomically;
        :meth:`load` reads it back.  Not a pickle: loading never runs code from the file.
        (Facebook's format needs a model's output matrix: see ``FastText.save_facebook_model``.)"""
        params = dict(format=_FORMAT, version=1, vector_size=self.vector_size, min_n=self.min_n,
                      max_n=self.max_n, bucket=self.bucket)
        encoded = [w.encode("utf-8", errors="surrogatepass") for w in self.index_to_key]
        counts = self.expandos.get("count", np.zeros(len(encoded), dtype=np.int64))
        with atomic_write(fname, "wb") as f:
            np.savez(f, params=np.frombuffer(json.dumps(params).encode("utf-8"), dtype=np.uint8),
                     words=np.frombuffer(b"".join(encoded), dtype=np.uint8),
                     word_lengths=np.array([len(w) for w in encoded], dtype=np.int64),
                     counts=np.asarray(counts, dtype=np.int64),
                     input=np.ascontiguousarray(self._input[:, : self.vector_size]))

    @classmethod
    def load(cls, fname: PathLike, mmap: Optional[str] = None) -> "FastTextKeyedVectors":
        """Load a :meth:`save`; a damaged or foreign file raises ``ValueError``."""
        if mmap is not None:
            raise ValueError("FastTextKeyedVectors.load reads the matrices into memory: mmap is not supported")
        path = os.fspath(fname)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"vectors file not found: {path!r}")
        try:
            with np.load(path, allow_pickle=False) as z:
                params = json.loads(bytes(z["params"]).decode("utf-8"))
                if not isinstance(params, dict) or params.get("format") != _FORMAT or params.get("version") != 1:
                    raise ValueError("not a fastembed FastTextKeyedVectors file")
                blob, lengths, counts = bytes(z["words"]), z["word_lengths"], z["counts"]
                input_matrix = z["input"]
            kv = cls(int(params["vector_size"]), int(params["min_n"]), int(params["max_n"]), int(params["bucket"]))
            if lengths.ndim != 1 or (lengths < 0).any() or int(lengths.sum()) != len(blob) or counts.shape != lengths.shape:
                raise ValueError("the vocabulary arrays do not fit together")
            ends = np.cumsum(lengths).tolist()
            kv.index_to_key = [blob[e - n : e].decode("utf-8", errors="surrogatepass")
                               for e, n in zip(ends, lengths.tolist())]
            kv.key_to_index = None
            kv.expandos["count"] = np.asarray(counts, dtype=np.int64)
            if input_matrix.dtype != np.float32 or input_matrix.ndim != 2 or input_matrix.shape[1] != kv.vector_size:
                raise ValueError(f"input matrix has dtype {input_matrix.dtype} and shape {input_matrix.shape}")
            kv._rebuild_table()
            kv._attach(np.ascontiguousarray(input_matrix), kv._table)
            return kv
        except MemoryError:
            raise
        except (ValueError, TypeError) as e:
            raise ValueError(f"{path!r} is not a valid fastembed FastTextKeyedVectors file: {e}") from None
        except Exception as e:  # zipfile, JSON, decoding errors of a damaged file
            raise ValueError(f"{path!r} is not a valid fastembed FastTextKeyedVectors file: "
                             f"{type(e).__name__}: {e}") from None

    # --- unsupported reshaping ------------------------------------------------------------

    def add_vectors(self, keys: Any, weights: Any, extras: Any = None, replace: bool = False) -> None:
        raise NotImplementedError("FastTextKeyedVectors cannot add keys: a word's vector comes from its "
                                  "rows of the trained input matrix (train the model on text with the word)")

    def sort_by_descending_frequency(self) -> None:
        raise NotImplementedError("FastTextKeyedVectors keeps the model's word order (rows of its input matrix)")

    def __str__(self) -> str:
        return (f"FastTextKeyedVectors<vector_size={self.vector_size}, {len(self)} keys, "
                f"min_n={self.min_n}, max_n={self.max_n}, bucket={self.bucket}>")

    __repr__ = __str__
