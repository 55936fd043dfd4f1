"""gensim 4 interoperability: load what gensim saved (``.model`` / ``.kv``) without running code
from the file, and convert live models both ways when gensim is installed.

gensim's ``save`` writes a pickle of the object, with its large arrays in ``<name>.<attr>.npy``
files beside it.  A pickle can name any callable to run on load, so the file is read with an
unpickler that admits only the classes such a file holds (numpy arrays and dtypes, a few
builtins, and gensim's model classes, which become inert attribute holders) and refuses
anything else with ``ValueError``.  The arrays beside it are read with ``allow_pickle=False``.
gensim itself is not needed to load.
"""
from __future__ import annotations

import collections
import logging
import os
import pickle
from typing import Any, Dict, Optional

import numpy as np

from . import _core

logger = logging.getLogger("fastembed")

PICKLE_MAGIC = b"\x80"  # every pickle of protocol 2 or newer starts with PROTO


class _GensimObject:
    """Stands in for a gensim class while its pickle loads: holds the attributes, runs nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __setstate__(self, state: Any) -> None:
        if isinstance(state, tuple) and len(state) == 2:  # (dict, slots)
            state = {**(state[0] or {}), **(state[1] or {})}
        if not isinstance(state, dict):
            raise pickle.UnpicklingError("unexpected object state")
        self.__dict__.update(state)


class _Discarded:
    """What a saved random state, hash function or gensim helper turns into: nothing usable."""

    def __setstate__(self, state: Any) -> None:
        pass


def _inert(*args: Any, **kwargs: Any) -> _Discarded:
    return _Discarded()


_NUMPY_MODULES = ("numpy", "numpy.core.multiarray", "numpy._core.multiarray", "numpy.core.numeric",
                  "numpy._core.numeric")
_ALLOWED = {
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("collections", "defaultdict"): collections.defaultdict,
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("builtins", "int"): int, ("builtins", "float"): float, ("builtins", "str"): str,
    ("builtins", "list"): list, ("builtins", "dict"): dict, ("builtins", "object"): object,
    ("builtins", "hash"): _inert,
    ("numpy.random._pickle", "__randomstate_ctor"): _inert,
    ("numpy.random._pickle", "__bit_generator_ctor"): _inert,
    ("numpy.random._pickle", "__generator_ctor"): _inert,
    ("numpy.random._mt19937", "MT19937"): _inert,
    ("gensim.utils", "call_on_class_only"): _inert,
}
_GENSIM_CLASSES = {"KeyedVectors", "Word2VecKeyedVectors", "Word2Vec", "Vocab", "Doc2Vec", "FastText",
                   "FastTextKeyedVectors", "Doc2VecKeyedVectors", "Word2VecVocab", "Word2VecTrainables"}


def _multiarray() -> Any:
    core = getattr(np, "_core", None)  # numpy 2; numpy 1 has numpy.core
    if core is None:
        import numpy.core.multiarray as ma  # pragma: no cover - numpy 1
        return ma
    return core.multiarray


class _RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return _ALLOWED[(module, name)]
        if module in _NUMPY_MODULES and name in ("_reconstruct", "scalar"):
            return getattr(_multiarray(), name)
        if module == "copyreg" and name == "_reconstructor":
            return _reconstructor
        if module.startswith("gensim.") and name in _GENSIM_CLASSES:
            return type(name, (_GensimObject,), {"_gensim_class": f"{module}.{name}"})
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}: not a class a gensim save holds")


def _reconstructor(cls: Any, base: Any, state: Any) -> Any:
    if not (isinstance(cls, type) and issubclass(cls, _GensimObject)) or base is not object:
        raise pickle.UnpicklingError("refusing to rebuild an object that is not a gensim model")
    return cls()


def is_pickle(path: str) -> bool:
    with open(path, "rb") as f:
        return f.read(1) == PICKLE_MAGIC


def _load_arrays(obj: Any, fname: str, mmap: Optional[str]) -> None:
    """gensim's ``_load_specials``: the arrays saved beside the pickle, recursively."""
    state = vars(obj)
    for attrib in state.get("__recursive_saveloads", []) or []:
        child = state.get(attrib)
        if isinstance(child, _GensimObject):
            _load_arrays(child, f"{fname}.{attrib}", mmap)
    for attrib in state.get("__numpys", []) or []:
        path = f"{fname}.{attrib}.npy"
        if not os.path.exists(path):
            raise ValueError(f"{path!r} is missing: gensim saved the array {attrib!r} beside the model file")
        state[attrib] = np.load(path, mmap_mode=mmap, allow_pickle=False)
    if state.get("__scipys"):
        raise ValueError("sparse matrices in a gensim save are not supported")


def read_gensim_pickle(path: str, mmap: Optional[str] = None) -> Any:
    """The inert object a gensim ``save`` wrote, with its separate arrays loaded."""
    try:
        with open(path, "rb") as f:
            obj = _RestrictedUnpickler(f).load()
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, IndexError, KeyError) as e:
        raise ValueError(f"{path!r} is not a loadable gensim save: {e}") from None
    if not isinstance(obj, _GensimObject):
        raise ValueError(f"{path!r} is a pickle but not of a gensim model or KeyedVectors")
    _load_arrays(obj, path, mmap)
    return obj


def _gensim_class(obj: Any) -> str:
    return getattr(obj, "_gensim_class", type(obj).__module__ + "." + type(obj).__name__)


def keyed_vectors_from(obj: Any, cls: Any = None) -> Any:
    """A fastembed KeyedVectors from a gensim one (inert or live)."""
    from .vectors import KeyedVectors
    cls = cls or KeyedVectors
    state = vars(obj)
    vectors = state.get("vectors")
    keys = state.get("index_to_key")
    if not isinstance(vectors, np.ndarray) or vectors.ndim != 2 or not isinstance(keys, list):
        raise ValueError("the gensim KeyedVectors has no vectors / index_to_key (a gensim 3 file? "
                         "load it with gensim 4 and save it again)")
    if len(keys) != len(vectors):
        raise ValueError(f"{len(keys)} keys for {len(vectors)} vectors")
    kv = cls(int(vectors.shape[1]))
    kv.index_to_key = list(keys)
    kv.key_to_index = None  # rebuilt from index_to_key on first use
    kv.vectors = vectors
    for name, values in (state.get("expandos") or {}).items():
        if isinstance(values, np.ndarray) and len(values) == len(keys) and values.dtype != object:
            kv.expandos[name] = np.asarray(values)
    return kv


_W2V_PARAMS = ("vector_size", "alpha", "window", "min_count", "max_vocab_size", "sample", "seed", "workers",
               "min_alpha", "sg", "hs", "negative", "ns_exponent", "cbow_mean", "epochs", "sorted_vocab",
               "compute_loss", "max_final_vocab", "shrink_windows")


def word2vec_from(obj: Any, cls: Any) -> Any:
    """A fastembed Word2Vec from a gensim one (inert or live): parameters, vocabulary, counts,
    and the matrices.  ``syn1`` is kept only if fastembed's Huffman tree over the counts is
    gensim's, node for node; else it starts at zero with a warning (its rows belong to nodes
    of a different tree)."""
    from .training import aligned_matrix, padded_stride
    state = vars(obj)
    wv = state.get("wv")
    if wv is None:
        raise ValueError("the gensim model has no wv")
    kv = keyed_vectors_from(wv)
    params = {k: state[k] for k in _W2V_PARAMS if k in state and state[k] is not None}
    params["min_count"] = max(1, int(params.get("min_count", 1)))
    params["seed"] = int(params.get("seed", 1)) % 2**64
    model = cls(**params)
    words = kv.index_to_key
    if not words:
        raise ValueError("the gensim model has no vocabulary")
    counts = kv.expandos.get("count")
    if counts is None:
        raise ValueError("the gensim model's vocabulary has no counts")
    model._vocab = _core.Vocab([str(w) for w in words], np.asarray(counts, dtype=np.int64))
    model._set_vocab(model._vocab)
    shapes = model._matrix_shapes()
    dim = model.vector_size
    weights: Dict[str, np.ndarray] = {}
    sources = {"syn0": kv.vectors, "syn1neg": state.get("syn1neg"), "syn1": state.get("syn1")}
    for name, shape in shapes.items():
        if shape is None:
            continue
        m = aligned_matrix(*shape)
        if name == "lockf":  # gensim keeps one factor (its default) or, as #3094's workaround, one per word
            lf = vars(wv).get("vectors_lockf") if hasattr(wv, "__dict__") else None
            m[:] = lf if isinstance(lf, np.ndarray) and lf.shape == shape else 1.0
            weights[name] = m
            continue
        src = sources.get(name)
        if isinstance(src, np.ndarray) and src.ndim == 2 and src.shape[1] == dim and len(src) >= shape[0] - 1:
            if name == "syn1" and not _same_huffman_tree(kv):
                logger.warning("the gensim model's Huffman tree differs from fastembed's for these counts: "
                               "syn1 starts at zero (its rows belong to another tree's nodes)")
            else:
                rows = min(len(src), shape[0])
                m[:rows, :dim] = src[:rows]
        elif name != "syn0":
            logger.warning("the gensim model has no %s of shape (%d, %d): it starts at zero", name, shape[0], dim)
        weights[name] = m
    model._weights = weights
    model._bind_vectors()
    for k in ("corpus_count", "corpus_total_words", "train_count", "total_train_time", "min_alpha_yet_reached",
              "effective_min_count", "running_training_loss"):
        if isinstance(state.get(k), (int, float)) and not isinstance(state.get(k), bool):
            setattr(model, k, type(getattr(model, k, 0))(state[k]))
    return model


def _same_huffman_tree(kv: Any) -> bool:
    codes, points = kv.expandos.get("code"), kv.expandos.get("point")
    if codes is None or points is None or len(codes) != len(kv.index_to_key):
        return False
    our_codes, our_points = _core.huffman_paths(np.asarray(kv.expandos["count"], dtype=np.int64))
    for our_code, our_point, code, point in zip(our_codes, our_points, codes, points):
        if list(our_code) != [int(c) for c in code] or list(our_point) != [int(p) for p in point]:
            return False
    return True


def to_gensim(model: Any) -> Any:
    """The same model as a gensim 4 ``Word2Vec`` (needs gensim installed)."""
    try:
        from gensim.models import Word2Vec as GensimWord2Vec
    except ImportError:
        raise ImportError("to_gensim needs gensim: pip install 'gensim>=4'") from None
    if model._vocab is None:
        raise ValueError("build the vocabulary first")
    params = {k: getattr(model, k) for k in _W2V_PARAMS}
    params["seed"] = int(params["seed"]) % 2**32
    g = GensimWord2Vec(**params)
    words, counts = model._words_and_counts()
    g.build_vocab_from_freq(dict(zip(words, (int(c) for c in counts))))
    order = np.array([model.wv.key_to_index[w] for w in g.wv.index_to_key])
    g.wv.vectors[:] = model.wv.vectors[order]
    if model.negative:
        g.syn1neg[:] = model.syn1neg[order]
    if model.hs:
        same_order = bool((order == np.arange(len(order))).all())
        if same_order and _same_huffman_tree(g.wv):
            g.syn1[:] = model.syn1
        else:
            logger.warning("gensim's Huffman tree differs from fastembed's: the gensim model's syn1 starts at zero")
    lockf = model.wv.vectors_lockf
    if not (lockf == 1.0).all():  # gensim honours a full-length array (its #3094 workaround)
        g.wv.vectors_lockf = np.ascontiguousarray(lockf[order])
    for k in ("corpus_count", "corpus_total_words", "train_count", "total_train_time"):
        setattr(g, k, getattr(model, k))
    g.wv.norms = None
    return g


def load_gensim(path: str, mmap: Optional[str] = None) -> Any:
    """What a gensim 4 ``save`` holds, as fastembed objects: a ``Word2Vec`` or a
    ``KeyedVectors`` (like gensim's ``load``, the file decides which)."""
    obj = read_gensim_pickle(path, mmap)
    kind = _gensim_class(obj).rsplit(".", 1)[-1]
    if kind == "Word2Vec":
        from .model import Word2Vec
        return word2vec_from(obj, Word2Vec)
    if kind in ("KeyedVectors", "Word2VecKeyedVectors"):
        return keyed_vectors_from(obj)
    raise ValueError(f"{path!r} holds a gensim {kind}; fastembed loads gensim Word2Vec and KeyedVectors saves")
