"""Training word vectors: :class:`Word2Vec`, gensim 4's API over fastembed's C++ trainer.

The training loop, vocabulary scan, progress, callbacks and persistence are shared by every
model (:mod:`fastembed.training`); Word2Vec names its matrices, its kernel settings and what
it keeps of a vocabulary.
"""
from __future__ import annotations

import logging
import os
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _core
from . import _validate as V
from .adapt import init_from_vectors, read_pretrained
from .lock_factors import factors_for_training
from .training import TrainableModel, TrainingProgress, padded_stride
from .vectors import KeyedVectors

logger = logging.getLogger("fastembed")

PathLike = Union[str, "os.PathLike[str]"]

__all__ = ["Word2Vec", "TrainingProgress"]


class Word2Vec(TrainableModel):
    """Train word vectors with skip-gram or CBOW, negative sampling and/or hierarchical softmax.

    Parameters and defaults follow gensim 4's ``Word2Vec``; passing ``sentences`` (an iterable of
    lists of str) or ``corpus_file`` (a path to whitespace-separated text, one sentence per line,
    optionally ``.gz``/``.bz2``/``.xz``) builds the vocabulary and trains at once.

    fastembed extras: ``shared_negatives`` (skip-gram with negative sampling shares one draw of
    negatives across the context words of a centre word and updates them as a mini-batch —
    much faster, same accuracy; ``False`` gives the word2vec C tool's per-pair updates),
    ``exact_sigmoid`` (exact logistic function instead of the C tool's table) and
    ``unicode_errors`` (how bytes that are not UTF-8 in a corpus file are decoded:
    ``'replace'`` (default), ``'ignore'`` or ``'strict'``).

    Domain adaptation: ``init_vectors`` (a vectors file in any format the command line reads,
    or a ``KeyedVectors``) starts the words it shares with the corpus from its vectors before
    training; ``init_vocab="corpus"`` (default) keeps the corpus's vocabulary, ``"union"`` also
    keeps the pretrained words the corpus lacks (appended after the corpus's words with count 1:
    they never occur, so the count only keeps them out of negative sampling's way); ``lockf``
    (default 1: fine-tune) is the lock factor of every pretrained row (0: frozen).  They need the
    corpus in the constructor; see :func:`fastembed.adapt.init_from_vectors` for a model built in
    steps.  They are one-time actions, not saved with the model.
    """

    _FORMAT = "fastembed-word2vec"

    def __init__(self, sentences: Optional[Iterable[Sequence[str]]] = None,
                 corpus_file: Optional[PathLike] = None, vector_size: int = 100,
                 alpha: float = 0.025, window: int = 5, min_count: int = 5,
                 max_vocab_size: Optional[int] = None, sample: float = 1e-3, seed: int = 1,
                 workers: int = 3, min_alpha: float = 0.0001, sg: int = 0, hs: int = 0,
                 negative: int = 5, ns_exponent: float = 0.75, cbow_mean: int = 1,
                 epochs: int = 5, sorted_vocab: int = 1, compute_loss: bool = False,
                 callbacks: Sequence[Any] = (), max_final_vocab: Optional[int] = None,
                 shrink_windows: bool = True, shared_negatives: bool = True,
                 exact_sigmoid: bool = False, unicode_errors: str = "replace",
                 batch_words: int = 10000, trim_rule: Any = None, init_vectors: Any = None,
                 init_vocab: Optional[str] = None, lockf: Optional[float] = None) -> None:
        self.vector_size = V.check_int("vector_size", vector_size, 1, 100_000)
        self.alpha = V.check_float("alpha", alpha, 0.0, 10.0, low_open=True)
        self.min_alpha = V.check_float("min_alpha", min_alpha, 0.0, 10.0)
        self.window = V.check_int("window", window, 1, 10_000)
        # gensim accepts 0 and treats it as 1: every word seen is kept
        self.min_count = max(1, V.check_int("min_count", min_count, 0))
        self.batch_words = V.check_int("batch_words", batch_words, 1, 100_000_000)
        self.max_vocab_size = V.check_int("max_vocab_size", max_vocab_size, 1, allow_none=True)
        self.sample = V.check_float("sample", sample, 0.0, 1.0)
        self.seed = V.check_int("seed", seed, 0, 2**64 - 1)
        self.workers = V.check_int("workers", workers, 1, 4096)
        self.sg = V.check_flag("sg", sg)
        self.hs = V.check_flag("hs", hs)
        self.negative = V.check_int("negative", negative, 0, 1000)
        if not self.hs and self.negative == 0:
            raise ValueError("hs=0 and negative=0 leave nothing to train: set hs=1 or negative > 0")
        self.ns_exponent = V.check_float("ns_exponent", ns_exponent, -10.0, 10.0)
        self.cbow_mean = V.check_flag("cbow_mean", cbow_mean)
        self.epochs = V.check_int("epochs", epochs, 1, 1_000_000)
        self.sorted_vocab = V.check_flag("sorted_vocab", sorted_vocab)
        self.compute_loss = bool(V.check_flag("compute_loss", compute_loss))
        self.callbacks = tuple(callbacks or ())
        self.max_final_vocab = V.check_int("max_final_vocab", max_final_vocab, 1, allow_none=True)
        self.shrink_windows = bool(V.check_flag("shrink_windows", shrink_windows))
        self.shared_negatives = bool(V.check_flag("shared_negatives", shared_negatives))
        self.exact_sigmoid = bool(V.check_flag("exact_sigmoid", exact_sigmoid))
        self.unicode_errors = V.check_choice("unicode_errors", unicode_errors, ("replace", "ignore", "strict"))

        self.wv = KeyedVectors(self.vector_size)
        self._init_state()

        pretrained = None
        if init_vectors is None:
            if init_vocab is not None or lockf is not None:
                raise ValueError("init_vocab and lockf say how to use init_vectors: pass init_vectors too")
        else:
            V.check_choice("init_vocab", "corpus" if init_vocab is None else init_vocab, ("corpus", "union"))
            V.check_float("lockf", 1.0 if lockf is None else lockf, 0.0, 1e6)
            if sentences is None and corpus_file is None:
                raise ValueError("init_vectors needs the corpus in the constructor (sentences or corpus_file); "
                                 "for a model built in steps call fastembed.adapt.init_from_vectors(model, "
                                 "vectors) after build_vocab()")
            pretrained = read_pretrained(init_vectors)  # bad files fail before the corpus is read
            if pretrained[1].shape[1] != self.vector_size:
                raise ValueError(f"incompatible vector size {pretrained[1].shape[1]} in init_vectors: the "
                                 f"model has vector_size={self.vector_size}")

        if sentences is not None or corpus_file is not None:
            self.build_vocab(corpus_iterable=sentences, corpus_file=corpus_file, trim_rule=trim_rule)
            if pretrained is not None:
                init_from_vectors(self, pretrained, init_vocab or "corpus", 1.0 if lockf is None else lockf)
            self.train(corpus_iterable=sentences, corpus_file=corpus_file,
                       total_examples=self.corpus_count, total_words=self.corpus_total_words,
                       epochs=self.epochs)

    # -------------------------------------------------------------- the model's parts
    def _matrix_shapes(self) -> Dict[str, Optional[Tuple[int, int]]]:
        n, stride = len(self._vocab), padded_stride(self.vector_size)
        return {"syn0": (n, stride),
                "syn1neg": (n, stride) if self.negative > 0 else None,
                # gensim's shape: one row per word; the n - 1 inner nodes use the first n - 1
                "syn1": (n, stride) if self.hs else None,
                "lockf": (n,)}

    def _init_weights(self) -> None:
        _core.init_input_vectors(self._weights["syn0"], self._vocab, self.vector_size, self.seed)
        self._weights["lockf"][:] = 1.0

    def _lockf(self) -> Optional[np.ndarray]:
        return factors_for_training(self)


    def _kernel_settings(self, config: Any) -> None:
        if not self.sg:
            config.arch = _core.Arch.CBOW
        elif self.shared_negatives:
            config.arch = _core.Arch.SKIPGRAM_SHARED
        else:
            config.arch = _core.Arch.SKIPGRAM_PER_PAIR
        self._output_settings(config)
        config.exact_sigmoid = self.exact_sigmoid

    def _set_vocab(self, vocab: Any) -> None:
        self.wv = self._index_words(KeyedVectors(self.vector_size), vocab)

    def _bind_vectors(self) -> None:
        self.wv.vectors = self._weights["syn0"][:, : self.vector_size]
        self.wv.vectors_lockf = self._weights["lockf"]

    def _vectors_changed(self) -> None:
        self.wv.norms = None  # cached unit vectors are stale

    def _set_live(self, live: bool) -> None:
        super()._set_live(live)
        self.wv._set_live(live)

    def _words_and_counts(self) -> Tuple[list, np.ndarray]:
        return self.wv.index_to_key, np.asarray(self.wv.expandos["count"], dtype=np.int64)

    def _upgrade_loaded(self, name: str, matrix: Optional[np.ndarray]) -> Optional[np.ndarray]:
        n = len(self._vocab)
        if matrix is None:  # files written before lock factors existed: every row trains
            return np.ones(n, dtype=np.float32) if name == "lockf" else None
        # Files written before syn1 took gensim's shape hold the n - 1 inner nodes only.
        if name == "syn1" and n > 1 and matrix.shape[0] == n - 1:
            return np.vstack([matrix, np.zeros((1, matrix.shape[1]), dtype=matrix.dtype)])
        return matrix

    @property
    def syn1neg(self) -> Optional[np.ndarray]:
        """Output vectors of negative sampling, ``[len(wv), vector_size]`` as gensim's (None
        without negative sampling).  A view of the training storage, like ``wv.vectors``: writes
        reach the model; rows are strided, not C-contiguous (``np.ascontiguousarray`` copies)."""
        m = self._weights.get("syn1neg")
        return None if m is None else m[:, : self.vector_size]

    @property
    def syn1(self) -> Optional[np.ndarray]:
        """Inner-node vectors of hierarchical softmax, ``[len(wv), vector_size]`` as gensim's:
        node i of the Huffman tree is row i, the last row is unused (None without hs).  A view
        of the training storage, as :attr:`syn1neg`."""
        m = self._weights.get("syn1")
        return None if m is None else m[:, : self.vector_size]

    def predict_output_word(self, context_words_list: Sequence[str], topn: int = 10) -> Optional[List[Tuple[str, float]]]:
        """The ``topn`` most probable centre words for a context, as gensim: the softmax over
        ``syn1neg`` of the context vectors' mean (sum with ``cbow_mean=0``).  Needs negative
        sampling; out-of-vocabulary context words are skipped, and None comes back (logged)
        when none is left.  The softmax is computed stably (gensim's overflows to NaN)."""
        if not self.negative:
            raise RuntimeError("We have currently only implemented predict_output_word for the negative sampling "
                               "scheme, so you need to have run word2vec with negative > 0 for this to work.")
        if self._vocab is None:
            raise RuntimeError("Parameters required for predicting the output words not found.")
        rows = [self.wv.get_index(w) for w in context_words_list if w in self.wv]
        if not rows:
            logger.warning("All the input context words are out-of-vocabulary for the current model.")
            return None
        hidden = self.wv.vectors[rows].sum(axis=0)
        if self.cbow_mean:
            hidden /= len(rows)
        scores = (self.syn1neg @ hidden).astype(np.float64)
        prob = np.exp(scores - scores.max())
        prob /= prob.sum()
        top = np.argsort(-prob, kind="stable")[: max(0, int(topn))]
        return [(self.wv.index_to_key[i], float(prob[i])) for i in top]

    def to_gensim(self) -> Any:
        """This model as a gensim 4 ``Word2Vec`` (needs gensim): parameters, vocabulary,
        counts, vectors and output weights (``syn1`` only where both build the same Huffman
        tree; else it starts at zero, with a warning)."""
        from . import gensim_compat
        return gensim_compat.to_gensim(self)

    @classmethod
    def from_gensim(cls, model: Any) -> "Word2Vec":
        """A fastembed ``Word2Vec`` from a live gensim 4 one (the same conversion as loading a
        gensim save)."""
        from . import gensim_compat
        return gensim_compat.word2vec_from(model, cls)

    def __repr__(self) -> str:
        n = len(self.wv.index_to_key) if self._vocab is not None else 0
        return (f"Word2Vec<vocab={n}, vector_size={self.vector_size}, "
                f"{'sg' if self.sg else 'cbow'}, {'hs' if self.hs else ''}"
                f"{'+' if self.hs and self.negative else ''}"
                f"{f'negative={self.negative}' if self.negative else ''}, alpha={self.alpha}>")
