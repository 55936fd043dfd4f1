"""``fastembed.KeyedVectors``: word vectors with gensim 4's names and return shapes.

Queries run as BLAS matrix products over the vectors themselves, scaled by cached reciprocal
norms (no normalised copy of the matrix is kept unless ``get_normed_vectors`` asks for one).
Nearest-neighbour searches are exact (``_topk``): a query gives the same keys and scores alone
(``most_similar``) or with a thousand others (``batch_most_similar``), and the scores are the
true cosines of the stored float32 vectors (gensim's own float32 scores differ by about 1e-7).

``vectors`` may be any float32 [n, vector_size] array, including a strided view that a trainer
updates in place; after changing vectors in place, set ``norms = None`` to drop the cached norms
(as with gensim 4).
"""
from __future__ import annotations

import logging
import os
import threading
from numbers import Integral
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _core
from . import evaluation as _evaluation
from . import io as _io
from . import _topk
from ._kv_queries import GensimQueriesMixin
from ._topk import row_norms as _row_norms

logger = logging.getLogger("fastembed")

Key = Union[str, int, np.integer]
_KEY_TYPES = (str, int, np.integer)
_EXTENDED_KEY_TYPES = (str, int, np.integer, np.ndarray)



def _ensure_list(value: Any) -> list:
    """gensim's convention: a single key or 1-D vector becomes a one-item list, a 2-D array a
    list of rows, None an empty list."""
    if value is None:
        return []
    if isinstance(value, _KEY_TYPES) or (isinstance(value, np.ndarray) and value.ndim == 1):
        return [value]
    if isinstance(value, np.ndarray) and value.ndim == 2:
        return list(value)
    return list(value)


class _NormCache:
    """Per-row norms (float32 as gensim's ``norms``, float64 for exact scores), their float32
    reciprocals (0 for a zero vector) that turn dot products into cosines, and, only if asked
    for, the float32 unit vectors.  Replaced as a whole, never modified, so readers need no
    lock."""

    __slots__ = ("norms32", "norms64", "inv32", "unit")

    def __init__(self, norms32: np.ndarray, norms64: np.ndarray, unit: Optional[np.ndarray] = None):
        self.norms32 = norms32
        self.norms64 = norms64
        self.inv32 = np.divide(np.float32(1), norms32, out=np.zeros_like(norms32), where=norms32 > 0)
        self.unit = unit


class KeyedVectors(GensimQueriesMixin):
    """Vectors addressed by keys (words), with similarity queries and evaluations.

    Attributes mirror gensim 4: ``vectors`` (float32 [n, vector_size]), ``index_to_key``
    (list), ``key_to_index`` (dict), ``expandos`` (per-key attribute arrays such as
    ``count``), ``norms`` (float32 row norms or None when not computed yet).
    """

    def __init__(self, vector_size: int) -> None:
        if isinstance(vector_size, bool) or not isinstance(vector_size, Integral) or vector_size < 1:
            raise ValueError(f"vector_size must be a positive int, got {vector_size!r}")
        self.vector_size = int(vector_size)
        self.index_to_key: List[Any] = []
        self._key_to_index: Optional[Dict[Any, int]] = {}
        self.expandos: Dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self._cache: Optional[_NormCache] = None
        self._generation = 0  # bumped whenever the cache is dropped
        self._vectors = np.zeros((0, self.vector_size), dtype=np.float32)

    # --- state --------------------------------------------------------------------------

    @property
    def vectors(self) -> np.ndarray:
        """The float32 [n, vector_size] matrix (possibly a strided view or a memory map)."""
        return self._vectors

    @vectors.setter
    def vectors(self, value: np.ndarray) -> None:
        arr = value if isinstance(value, np.memmap) else np.asarray(value)
        if arr.dtype != np.float32:
            arr = arr.astype(np.float32)
        if arr.ndim != 2 or arr.shape[1] != self.vector_size:
            raise ValueError(f"vectors must have shape (n, {self.vector_size}), got {arr.shape}")
        self._vectors = arr
        self._drop_cache()

    def _drop_cache(self) -> None:
        self._generation += 1
        self._cache = None

    @property
    def key_to_index(self) -> Dict[Any, int]:
        """dict key -> row.  After :meth:`load` it is built on first use (a 400,000-key dict
        costs more than reading the whole file), from ``index_to_key``."""
        d = self._key_to_index
        if d is None:
            with self._lock:
                d = self._key_to_index
                if d is None:
                    keys = self.index_to_key
                    d = _core.index_dict(keys) if type(keys) is list else dict(zip(keys, range(len(keys))))
                    if len(d) != len(keys):  # a damaged file: keep the first row, as word2vec files do
                        logger.warning("%d repeated keys; each maps to its first row", len(keys) - len(d))
                        d = {}
                        for i, k in enumerate(keys):
                            d.setdefault(k, i)
                    self._key_to_index = d
        return d

    @key_to_index.setter
    def key_to_index(self, value: Optional[Dict[Any, int]]) -> None:
        """Assign a dict, or None to rebuild it from ``index_to_key`` on next use."""
        self._key_to_index = value

    @property
    def norms(self) -> Optional[np.ndarray]:
        """float32 row norms, or None until :meth:`fill_norms` (or a query) computes them.
        Set to None after changing ``vectors`` in place."""
        cache = self._cache
        return None if cache is None else cache.norms32

    @norms.setter
    def norms(self, value: Optional[np.ndarray]) -> None:
        if value is None:
            self._drop_cache()
            return
        n32 = np.asarray(value, dtype=np.float32)
        if n32.shape != (len(self._vectors),):
            raise ValueError(f"norms must have shape ({len(self._vectors)},), got {n32.shape}")
        self._drop_cache()
        self._cache = _NormCache(n32, n32.astype(np.float64))

    def fill_norms(self, force: bool = False) -> None:
        """Compute the row norms if they are not cached (or always, with ``force``)."""
        if force:
            self._drop_cache()
        self._norm_cache()

    def init_sims(self, replace: bool = False) -> None:
        """gensim 3 name for :meth:`fill_norms`; ``replace=True`` normalises in place."""
        self.fill_norms()
        if replace:
            self.unit_normalize_all()

    def _norm_cache(self, unit: bool = False) -> _NormCache:
        cache = self._cache
        if cache is not None and (cache.unit is not None or not unit):
            return cache
        with self._lock:  # one thread computes, the others wait and reuse it
            generation = self._generation
            cache = self._cache
            if cache is None:
                vectors = self._vectors
                n32 = np.empty(len(vectors), dtype=np.float32)
                n64 = np.empty(len(vectors), dtype=np.float64)
                step = max(1, _topk.BLOCK_BYTES // (8 * self.vector_size))  # bounded temporaries
                for s in range(0, len(vectors), step):
                    block = vectors[s : s + step]
                    n32[s : s + step] = np.linalg.norm(block, axis=1)  # gensim's formula, same bits
                    n64[s : s + step] = _row_norms(block.astype(np.float64))
                cache = _NormCache(n32, n64)
            if unit and cache.unit is None:
                n = cache.norms32[:, None]
                u = np.zeros(self._vectors.shape, dtype=np.float32)
                np.divide(self._vectors, n, out=u, where=n > 0)  # zero vectors stay zero
                u.setflags(write=False)
                cache = _NormCache(cache.norms32, cache.norms64, u)
            if self._generation == generation:  # not invalidated meanwhile (norms = None)
                self._cache = cache
            return cache

    def get_normed_vectors(self) -> np.ndarray:
        """All vectors scaled to unit length (zero vectors stay zero); cached, read-only."""
        return self._norm_cache(unit=True).unit

    def unit_normalize_all(self) -> None:
        """Scale every vector to unit length in place (the vectors are lost)."""
        cache = self._norm_cache()
        n = cache.norms32[:, None]
        np.divide(self._vectors, n, out=self._vectors, where=n > 0)
        self._drop_cache()

    def __getstate__(self) -> Dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        state["_cache"] = None
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    # --- access -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.index_to_key)

    def __str__(self) -> str:
        return f"{type(self).__name__}<vector_size={self.vector_size}, {len(self)} keys>"

    __repr__ = __str__

    def get_index(self, key: Key, default: Optional[int] = None) -> int:
        """Row of ``key``; an int that is not a key is taken as a row number (gensim)."""
        val = self.key_to_index.get(key, -1)
        if val >= 0:
            return val
        if isinstance(key, (int, np.integer)) and not isinstance(key, bool) and 0 <= key < len(self.index_to_key):
            return int(key)
        if default is not None:
            return default
        raise KeyError(f"Key '{key}' not present")

    def has_index_for(self, key: Key) -> bool:
        return self.get_index(key, -1) >= 0

    def __contains__(self, key: Key) -> bool:
        return self.has_index_for(key)

    def get_vector(self, key: Key, norm: bool = False) -> np.ndarray:
        """The key's vector (read-only view), or its unit-length version with ``norm=True``."""
        index = self.get_index(key)
        if norm:
            n = self._norm_cache().norms32[index]
            result = self._vectors[index] / n if n > 0 else np.zeros(self.vector_size, np.float32)
        else:
            result = self._vectors[index]
        result.setflags(write=False)
        return result

    def word_vec(self, key: Key, norm: bool = False) -> np.ndarray:
        """gensim 3 name for :meth:`get_vector`."""
        return self.get_vector(key, norm=norm)

    def __getitem__(self, key_or_keys: Union[Key, Iterable[Key]]) -> np.ndarray:
        if isinstance(key_or_keys, _KEY_TYPES):
            return self.get_vector(key_or_keys)
        rows = [self.get_index(k) for k in key_or_keys]
        return self._vectors[np.asarray(rows, dtype=np.int64)]

    def get_vecattr(self, key: Key, attr: str) -> Any:
        """Per-key attribute (e.g. ``count``) from ``expandos``."""
        return self.expandos[attr][self.get_index(key)]

    def set_vecattr(self, key: Key, attr: str, val: Any) -> None:
        """Set a per-key attribute; the attribute's array is created on first use."""
        self.allocate_vecattrs(attrs=[attr], types=[type(val)])
        self.expandos[attr][self.get_index(key)] = val

    def allocate_vecattrs(self, attrs: Optional[Sequence[str]] = None, types: Optional[Sequence[Any]] = None) -> None:
        """Make sure the attribute arrays exist and have one slot per key."""
        if attrs is None:
            attrs = list(self.expandos)
            types = [self.expandos[a].dtype for a in attrs]
        target = len(self.index_to_key)
        for attr, t in zip(attrs, types or []):
            if t is int:
                t = np.int64
            elif t is str:
                t = object
            prev = self.expandos.get(attr)
            if prev is None:
                self.expandos[attr] = np.zeros(target, dtype=t)
                continue
            if not np.issubdtype(t, prev.dtype):
                raise TypeError(f"can't store {t} in attribute {attr!r} of type {prev.dtype}")
            if len(prev) != target:
                grown = np.zeros(target, dtype=prev.dtype)
                keep = min(len(prev), target)
                grown[:keep] = prev[:keep]
                self.expandos[attr] = grown

    def add_vectors(self, keys: Union[Key, Sequence[Key]], weights: Any,
                    extras: Optional[Dict[str, Any]] = None, replace: bool = False) -> None:
        """Append keys with their vectors; a key already present keeps its vector unless
        ``replace``.  ``extras`` maps attribute names to one value per key."""
        if isinstance(keys, _KEY_TYPES):
            keys = [keys]
            weights = np.asarray(weights, dtype=np.float32).reshape(1, -1)
        weights = np.asarray(weights, dtype=np.float32)
        keys = list(keys)
        if weights.shape != (len(keys), self.vector_size):
            raise ValueError(f"weights must have shape ({len(keys)}, {self.vector_size}), got {weights.shape}")
        extras = {a: np.asarray(v) for a, v in (extras or {}).items()}
        for a, v in extras.items():
            if v.shape[:1] != (len(keys),):
                raise ValueError(f"extra attribute {a!r} needs one value per key")
        new_rows, old_rows, old_src = [], [], []
        for i, k in enumerate(keys):
            j = self.key_to_index.get(k)
            if j is None:
                self.key_to_index[k] = len(self.index_to_key)
                self.index_to_key.append(k)
                new_rows.append(i)
            else:
                old_rows.append(j)
                old_src.append(i)
        base = len(self._vectors)
        vectors = np.empty((base + len(new_rows), self.vector_size), dtype=np.float32)
        vectors[:base] = self._vectors
        vectors[base:] = weights[new_rows]
        if replace and old_rows:
            vectors[old_rows] = weights[old_src]
        self.vectors = vectors
        self.allocate_vecattrs(list(extras), [v.dtype for v in extras.values()])
        self.allocate_vecattrs()
        for a, v in extras.items():
            self.expandos[a][base:] = v[new_rows]
            if replace and old_rows:
                self.expandos[a][old_rows] = v[old_src]

    def add_vector(self, key: Key, vector: Any) -> int:
        """Add one key (keeping its old vector if present); returns its row."""
        self.add_vectors([key], np.asarray(vector, dtype=np.float32).reshape(1, -1))
        return self.get_index(key)

    def __setitem__(self, keys: Union[Key, List[Key]], weights: Any) -> None:
        if not isinstance(keys, list):
            keys = [keys]
            weights = np.asarray(weights).reshape(1, -1)
        self.add_vectors(keys, weights, replace=True)

    def sort_by_descending_frequency(self) -> None:
        """Reorder keys by descending ``count`` (ties: later index first, as gensim 4 does)."""
        if not len(self):
            return
        counts = np.asarray(self.expandos["count"], dtype=np.int64)
        order = np.lexsort((-np.arange(len(counts)), -counts))
        self.index_to_key = [self.index_to_key[i] for i in order]
        self.allocate_vecattrs()
        for k in self.expandos:
            self.expandos[k] = self.expandos[k][order]
        if len(self._vectors):
            self.vectors = self._vectors[order]
        self.key_to_index = {k: i for i, k in enumerate(self.index_to_key)}

    # --- exact helpers ------------------------------------------------------------------

    def _unit64(self, index: int) -> np.ndarray:
        """Exact (float64) unit vector of a row; zero stays zero."""
        n = self._norm_cache().norms64[index]
        v = self._vectors[index].astype(np.float64)
        return v / n if n > 0 else v

    def _as_vector(self, item: Any) -> np.ndarray:
        v = np.asarray(item, dtype=np.float64)
        if v.shape != (self.vector_size,):
            raise ValueError(f"vector must have shape ({self.vector_size},), got {v.shape}")
        return v

    def _parse_terms(self, positive: Any, negative: Any, tuples: bool = True) -> Tuple[list, list, List[int]]:
        """(items, weights, rows of the key items) with gensim's defaults: +1 for positive,
        -1 for negative, or the weight given as (key, weight)."""
        pos, neg = _ensure_list(positive), _ensure_list(negative)
        items, weights = [], []
        for group, default in ((pos, 1.0), (neg, -1.0)):
            for it in group:
                if isinstance(it, _EXTENDED_KEY_TYPES):
                    items.append(it)
                    weights.append(default)
                elif tuples and isinstance(it, (tuple, list)) and len(it) == 2:
                    items.append(it[0])
                    weights.append(float(it[1]))
                else:
                    raise TypeError(f"expected a key, a vector or a (key, weight) pair, got {it!r}")
        if not items:
            raise ValueError("cannot compute similarity with no input")
        rows = [self.get_index(it) for it in items if not isinstance(it, np.ndarray)]
        return items, weights, rows

    def _query(self, positive: Any, negative: Any) -> Tuple[np.ndarray, List[int]]:
        """Unit float64 query of most_similar: the weighted mean of the unit vectors of the keys
        (raw vectors are used as given), normalised; and the rows to leave out of the answer."""
        items, weights, rows = self._parse_terms(positive, negative)
        mean = np.zeros(self.vector_size, dtype=np.float64)
        total = 0.0
        for it, w in zip(items, weights):
            v = self._as_vector(it) if isinstance(it, np.ndarray) else self._unit64(self.get_index(it))
            mean = mean + w * v
            total += abs(w)
        if total > 0:
            mean = mean / total
        n = _row_norms(mean[None, :])[0]
        return (mean / n if n > 0 else mean), rows

    def _window(self, restrict_vocab: Optional[int], clip_start: int = 0, clip_end: Optional[int] = None) -> Tuple[int, int]:
        n = len(self._vectors)
        if restrict_vocab:
            if isinstance(restrict_vocab, bool) or not isinstance(restrict_vocab, Integral) or restrict_vocab < 0:
                raise ValueError(f"restrict_vocab must be a positive int or None, got {restrict_vocab!r}")
            return 0, min(n, int(restrict_vocab))
        lo = max(0, int(clip_start or 0))
        hi = n if not clip_end else min(n, int(clip_end))
        return min(lo, hi), hi

    # --- nearest-neighbour engine ---------------------------------------------------------

    def _top_add(self, queries: np.ndarray, exclude: List[List[int]], topn: int, lo: int, hi: int) -> Tuple[np.ndarray, np.ndarray]:
        """:func:`_topk.top_add` over this object's vectors: (rows [m, topn], scores [m, topn])."""
        cache = self._norm_cache()
        return _topk.top_add(self._vectors, cache.inv32, cache.norms64, queries, exclude, topn, lo, hi)

    def _top_add_terms(self, terms: np.ndarray, idx: np.ndarray, weights: np.ndarray, queries: np.ndarray,
                       exclude: List[List[int]], topn: int, lo: int, hi: int) -> Tuple[np.ndarray, np.ndarray]:
        """:func:`_topk.top_add_terms` over this object's vectors."""
        cache = self._norm_cache()
        return _topk.top_add_terms(self._vectors, cache.inv32, cache.norms64, terms, idx, weights, queries,
                                   exclude, topn, lo, hi)

    def _top_cosmul(self, terms: np.ndarray, pos: np.ndarray, neg: np.ndarray, exclude: List[List[int]],
                    topn: int, lo: int, hi: int) -> Tuple[np.ndarray, np.ndarray]:
        """:func:`_topk.top_cosmul` over this object's vectors."""
        return _topk.top_cosmul(self._vectors, self._norm_cache().norms64, terms, pos, neg, exclude, topn, lo, hi)

    def _results(self, rows: np.ndarray, scores: np.ndarray) -> List[List[Tuple[Any, float]]]:
        keys = self.index_to_key
        return [[(keys[j], float(v)) for j, v in zip(rr, ss) if j >= 0] for rr, ss in zip(rows.tolist(), scores.tolist())]

    # --- queries ------------------------------------------------------------------------

    def most_similar(self, positive: Any = None, negative: Any = None, topn: Optional[int] = 10,
                     clip_start: int = 0, clip_end: Optional[int] = None,
                     restrict_vocab: Optional[int] = None, indexer: Any = None):
        """Keys nearest (by cosine) to the mean of the unit vectors of ``positive`` minus those
        of ``negative`` (keys, raw vectors or (key, weight) pairs), input keys left out.

        Returns ``[(key, cosine), ...]``, best first; with ``topn=None`` the float32 cosines of
        all keys in the searched range.  ``restrict_vocab`` searches only the first keys.
        """
        if indexer is not None:
            raise NotImplementedError("approximate indexers are not supported")
        if isinstance(topn, Integral) and topn < 1:
            return []
        query, rows = self._query(positive, negative)
        lo, hi = self._window(restrict_vocab, clip_start, clip_end)
        if not topn:
            return (self._vectors[lo:hi] @ query.astype(np.float32)) * self._norm_cache().inv32[lo:hi]
        top_rows, top_scores = self._top_add(query[None, :], [rows], int(topn), lo, hi)
        return self._results(top_rows, top_scores)[0]

    def batch_most_similar(self, keys_or_vectors: Any, topn: int = 10,
                           restrict_vocab: Optional[int] = None) -> List[List[Tuple[Any, float]]]:
        """``[most_similar(item, topn=topn, restrict_vocab=restrict_vocab) for item in ...]``
        as one matrix product: each item is a key or a 1-D vector (a 2-D array is a list of
        vectors).  Results are identical to the one-at-a-time calls."""
        if isinstance(topn, bool) or not isinstance(topn, Integral):
            raise TypeError(f"topn must be an int, got {topn!r}")
        items = list(keys_or_vectors) if not isinstance(keys_or_vectors, np.ndarray) or keys_or_vectors.ndim == 2 \
            else [keys_or_vectors]
        if topn < 1:
            return [[] for _ in items]
        lo, hi = self._window(restrict_vocab)
        queries = np.empty((len(items), self.vector_size), dtype=np.float64)
        exclude = []
        for i, it in enumerate(items):
            queries[i], rows = self._query([it], None)
            exclude.append(rows)
        top_rows, top_scores = self._top_add(queries, exclude, int(topn), lo, hi)
        return self._results(top_rows, top_scores)

    def similar_by_key(self, key: Key, topn: Optional[int] = 10, restrict_vocab: Optional[int] = None):
        """Keys nearest to ``key`` (``most_similar(positive=[key])``)."""
        return self.most_similar(positive=[key], topn=topn, restrict_vocab=restrict_vocab)

    def similar_by_word(self, word: Key, topn: Optional[int] = 10, restrict_vocab: Optional[int] = None):
        """Alias of :meth:`similar_by_key`."""
        return self.similar_by_key(word, topn, restrict_vocab)

    def similar_by_vector(self, vector: np.ndarray, topn: Optional[int] = 10, restrict_vocab: Optional[int] = None):
        """Keys nearest to a raw vector."""
        return self.most_similar(positive=[np.asarray(vector)], topn=topn, restrict_vocab=restrict_vocab)

    def _cosmul_terms(self, positive: Any, negative: Any) -> Tuple[np.ndarray, int, List[int]]:
        """Term vectors of most_similar_cosmul: unit vectors of keys, raw vectors as given.  A
        key's unit vector is ``get_vector(key, norm=True)`` (float32, as gensim's), so a key and
        its unit vector passed as an array give identical scores."""
        pos, neg = _ensure_list(positive), _ensure_list(negative)
        if not pos:
            raise ValueError("cannot compute similarity with no input")
        terms, rows = [], []
        for it in pos + neg:
            if isinstance(it, np.ndarray):
                terms.append(self._as_vector(it))
            elif isinstance(it, _KEY_TYPES):
                rows.append(self.get_index(it))
                terms.append(self.get_vector(it, norm=True).astype(np.float64))
            else:
                raise TypeError(f"expected a key or a vector, got {it!r}")
        return np.array(terms, dtype=np.float64), len(pos), rows

    def most_similar_cosmul(self, positive: Any = None, negative: Any = None, topn: Optional[int] = 10,
                            restrict_vocab: Optional[int] = None):
        """Keys ranked by 3CosMul (Levy & Goldberg 2014, gensim's formula): the product of
        ``(1 + cos)/2`` over ``positive`` divided by that over ``negative`` plus 1e-6.

        Unlike gensim 4.4, ``restrict_vocab`` is honoured.  ``topn=None`` returns all scores.
        """
        if isinstance(topn, Integral) and topn < 1:
            return []
        terms, n_pos, rows = self._cosmul_terms(positive, negative)
        lo, hi = self._window(restrict_vocab)
        if not topn:
            return _topk.cosmul_all(self._vectors, self._norm_cache().norms64, terms, n_pos, lo, hi)
        t = len(terms)
        pos = np.arange(n_pos)[None, :]
        neg = (np.arange(n_pos, t) if t > n_pos else np.array([-1]))[None, :]
        top_rows, top_scores = self._top_cosmul(terms, pos, neg, [rows], int(topn), lo, hi)
        return self._results(top_rows, top_scores)[0]

    def similarity(self, w1: Key, w2: Key) -> float:
        """Cosine similarity of two keys (0.0 if either vector is zero)."""
        a = self._vectors[self.get_index(w1)].astype(np.float64)
        b = self._vectors[self.get_index(w2)].astype(np.float64)
        return _cosine(a, b)

    def distance(self, w1: Key, w2: Key) -> float:
        """Cosine distance, ``1 - similarity``."""
        return 1.0 - self.similarity(w1, w2)

    def n_similarity(self, ws1: Sequence[Key], ws2: Sequence[Key]) -> float:
        """Cosine similarity of the means of two lists of keys (missing keys ignored)."""
        if not (len(ws1) and len(ws2)):
            raise ZeroDivisionError("At least one of the passed list is empty.")
        m1 = self._mean64(ws1, None, pre_normalize=False, ignore_missing=True)
        m2 = self._mean64(ws2, None, pre_normalize=False, ignore_missing=True)
        return _cosine(m1, m2)

    @staticmethod
    def cosine_similarities(vector_1: np.ndarray, vectors_all: np.ndarray) -> np.ndarray:
        """Cosine of ``vector_1`` with each row of ``vectors_all`` (float64 arithmetic)."""
        v = np.asarray(vector_1, dtype=np.float64)
        m = np.atleast_2d(np.asarray(vectors_all, dtype=np.float64))
        den = _row_norms(m) * _row_norms(v[None, :])[0]
        out = np.divide(m @ v, den, out=np.zeros(len(m)), where=den > 0)
        both32 = np.asarray(vector_1).dtype == np.float32 and np.asarray(vectors_all).dtype == np.float32
        return out.astype(np.float32) if both32 else out

    def distances(self, word_or_vector: Union[Key, np.ndarray], other_words: Sequence[Key] = ()) -> np.ndarray:
        """Cosine distances (float32) from a key or vector to ``other_words``, or to every key."""
        if isinstance(word_or_vector, _KEY_TYPES):
            v = self._vectors[self.get_index(word_or_vector)].astype(np.float64)
        else:
            v = self._as_vector(word_or_vector)
        if not other_words:
            n = _row_norms(v[None, :])[0]
            u = (v / n if n > 0 else v).astype(np.float32)
            return (1.0 - (self._vectors @ u) * self._norm_cache().inv32).astype(np.float32)
        rows = np.asarray([self.get_index(k) for k in other_words], dtype=np.int64)
        return (1.0 - self.cosine_similarities(v, self._vectors[rows].astype(np.float64))).astype(np.float32)

    def closer_than(self, key1: Key, key2: Key) -> List[Any]:
        """Keys closer to ``key1`` than ``key2`` is (``key1`` itself left out), in index order."""
        d = self.distances(key1)
        i1, i2 = self.get_index(key1), self.get_index(key2)
        return [self.index_to_key[i] for i in np.flatnonzero(d < d[i2]).tolist() if i != i1]

    def words_closer_than(self, word1: Key, word2: Key) -> List[Any]:
        """Alias of :meth:`closer_than`."""
        return self.closer_than(word1, word2)

    def rank(self, key1: Key, key2: Key) -> int:
        """1 + the number of keys closer to ``key1`` than ``key2`` is."""
        return len(self.closer_than(key1, key2)) + 1

    def most_similar_to_given(self, key1: Key, keys_list: Sequence[Key]) -> Any:
        """The key of ``keys_list`` most similar to ``key1``."""
        sims = [self.similarity(key1, k) for k in keys_list]
        return keys_list[int(np.argmax(sims))]

    def rank_by_centrality(self, words: Sequence[Key], use_norm: bool = True) -> List[Tuple[float, Any]]:
        """``[(cosine to the centroid, word), ...]``, most central first; missing words ignored."""
        used = [w for w in words if w in self]
        if len(used) != len(words):
            logger.warning("vectors for words %s are not present in the model, ignoring these words",
                           set(words) - set(used))
        if not used:
            raise ValueError("cannot select a word from an empty list")
        rows = [self.get_index(w) for w in used]
        vecs = np.array([self._unit64(r) if use_norm else self._vectors[r].astype(np.float64) for r in rows])
        mean = vecs.mean(axis=0)
        n = _row_norms(mean[None, :])[0]
        mean = mean / n if n > 0 else mean
        dists = (vecs @ mean).tolist()
        return sorted(zip(dists, used), reverse=True)

    def doesnt_match(self, words: Sequence[Key]) -> Any:
        """The word farthest from the centroid of ``words``."""
        return self.rank_by_centrality(words)[-1][1]

    def _mean64(self, keys: Sequence[Any], weights: Any, pre_normalize: bool, ignore_missing: bool) -> np.ndarray:
        if len(keys) == 0:
            raise ValueError("cannot compute mean with no input")
        w = np.ones(len(keys)) if weights is None else np.asarray(weights, dtype=np.float64)
        if w.shape != (len(keys),):
            raise ValueError("keys and weights array must have same number of elements")
        mean = np.zeros(self.vector_size, dtype=np.float64)
        total = 0.0
        for k, wi in zip(keys, w.tolist()):
            if isinstance(k, np.ndarray):
                v = self._as_vector(k)
            elif k in self:
                r = self.get_index(k)
                v = self._unit64(r) if pre_normalize else self._vectors[r].astype(np.float64)
            elif not ignore_missing:
                raise KeyError(f"Key '{k}' not present in vocabulary")
            else:
                continue
            mean = mean + wi * v
            total += abs(wi)
        return mean / total if total > 0 else mean

    def get_mean_vector(self, keys: Sequence[Any], weights: Any = None, pre_normalize: bool = True,
                        post_normalize: bool = False, ignore_missing: bool = True) -> np.ndarray:
        """Weighted mean (float32) of the vectors of ``keys`` (keys or raw vectors)."""
        mean = self._mean64(keys, weights, pre_normalize, ignore_missing)
        if post_normalize:
            n = _row_norms(mean[None, :])[0]
            mean = mean / n if n > 0 else mean
        return mean.astype(np.float32)

    # --- evaluation ---------------------------------------------------------------------

    def evaluate_word_analogies(self, analogies: str, restrict_vocab: int = 300000, case_insensitive: bool = True,
                                dummy4unknown: bool = False, similarity_function: str = "most_similar"):
        """Accuracy on an analogy file (``questions-words.txt`` format), as gensim: returns
        ``(score, sections)``.  ``similarity_function='most_similar_cosmul'`` uses 3CosMul.
        All questions are answered with batched matrix products; thread-safe."""
        report = _evaluation.evaluate_analogies(self, analogies, restrict_vocab=restrict_vocab,
                                                case_insensitive=case_insensitive, dummy4unknown=dummy4unknown,
                                                similarity_function=similarity_function)
        return report.score, report.sections

    def evaluate_word_pairs(self, pairs: str, delimiter: str = "\t", encoding: str = "utf8",
                            restrict_vocab: int = 300000, case_insensitive: bool = True, dummy4unknown: bool = False):
        """Correlation with human similarity judgements, as gensim: returns
        ``((pearson, p), (spearman, p), oov_percent)``.  Thread-safe."""
        report = _evaluation.evaluate_pairs(self, pairs, delimiter=delimiter, encoding=encoding,
                                            restrict_vocab=restrict_vocab, case_insensitive=case_insensitive,
                                            dummy4unknown=dummy4unknown)
        return report.pearson, report.spearman, report.oov_ratio

    # --- files --------------------------------------------------------------------------

    def save_word2vec_format(self, fname: str, fvocab: Optional[str] = None, binary: bool = False,
                             write_header: bool = True, binary_newline: bool = False) -> None:
        """Write the word2vec C tool's text or binary format, in index order (atomically;
        ``.gz``/``.bz2``/``.xz`` compress)."""
        _io.save_word2vec_format(self, fname, binary=binary, write_header=write_header, fvocab=fvocab,
                                 binary_newline=binary_newline)

    @classmethod
    def load_word2vec_format(cls, fname: str, fvocab: Optional[str] = None, binary: bool = False,
                             encoding: str = "utf8", unicode_errors: str = "strict", limit: Optional[int] = None,
                             datatype: Any = np.float32, no_header: bool = False) -> "KeyedVectors":
        """Read a word2vec C tool text or binary file (plain or compressed); gensim's
        parameters, in gensim's order.  Vectors are always float32 (``datatype``)."""
        if np.dtype(datatype) != np.float32:
            raise ValueError(f"fastembed stores float32 vectors; datatype={datatype!r} is not supported")
        return _io.load_word2vec_format(cls, fname, binary=binary, limit=limit, unicode_errors=unicode_errors,
                                        no_header=no_header, encoding=encoding, fvocab=fvocab)

    def intersect_word2vec_format(self, fname: str, lockf: float = 0.0, binary: bool = False,
                                  encoding: str = "utf8", unicode_errors: str = "strict",
                                  no_header: bool = False) -> int:
        """gensim's: overwrite the vectors of the words the file shares with these vectors and
        set their ``vectors_lockf`` to ``lockf`` (0: frozen in further training).  A repeated
        word, NaN/inf values or another vector size raise ``ValueError``.  Returns the number of
        words overwritten (see :mod:`fastembed.adapt`)."""
        from .adapt import intersect_word2vec_format
        return intersect_word2vec_format(self, fname, lockf, binary, encoding, unicode_errors, no_header)

    def save(self, fname: str) -> None:
        """Save to ``fname`` (keys) and ``fname.vectors.npy`` (vectors), atomically."""
        _io.save_native(self, fname)

    @classmethod
    def load(cls, fname: str, mmap: Optional[str] = None) -> "KeyedVectors":
        """Load a :meth:`save`; ``mmap='r'`` memory-maps the vectors read-only.  A gensim 4
        ``.kv`` / ``.model`` save loads too (read without running code from it; as in gensim,
        a model file gives the model)."""
        from . import gensim_compat
        if os.path.isfile(fname) and gensim_compat.is_pickle(fname):
            return gensim_compat.load_gensim(fname, mmap)
        return _io.load_native(cls, fname, mmap=mmap)


# --- helpers ------------------------------------------------------------------------------


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    den = float(np.sqrt((a * a).sum()) * np.sqrt((b * b).sum()))
    return float((a * b).sum()) / den if den > 0 else 0.0
