"""The training machinery every fastembed model shares: vocabulary scan, the epoch loop,
progress, callbacks, Ctrl-C, and saving / loading / pickling the model's matrices.

A model (:class:`~fastembed.Word2Vec`, and the subword and document models built on the same
seam) is a small subclass of :class:`TrainableModel` that names

* its parameters (its ``__init__`` signature: save / load follow it),
* its matrices (:meth:`TrainableModel._matrix_shapes`) and how they start
  (:meth:`TrainableModel._init_weights`),
* its kernel settings (:meth:`TrainableModel._kernel_settings`) and, where a token's input is
  more than its own row, its input-row table and lock factors,
* what it keeps of a vocabulary (:meth:`TrainableModel._set_vocab`).
"""
from __future__ import annotations

import dataclasses
import inspect
import json
import logging
import os
import time
import zipfile
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _core
from . import _npy
from . import _validate as V
from . import trim_rules
from ._gensim_names import ModelNames
from ._atomic import atomic_write
from ._corpus_source import BATCH_WORDS, CorpusSource, batches, corpus_source
from .corpus import read_blocks, read_blocks_with_position
from .vocab_update import require_vocab, update_vocab

logger = logging.getLogger("fastembed")

PathLike = Union[str, "os.PathLike[str]"]

#: The model file's members besides the matrices (params first: it says what else to read).
_VOCAB_MEMBERS = ("params", "words", "word_lengths", "counts")

class EmptyVocabularyError(RuntimeError, ValueError):
    """No vocabulary to train: none built yet, an empty corpus, or no word reaching min_count.
    gensim raises RuntimeError here; it is also a ValueError, as fastembed raised before."""

#: Constructor arguments that are data, not parameters: never saved.
_NOT_PARAMS = frozenset({"self", "sentences", "corpus_file", "corpus_iterable", "documents", "callbacks",
                         "init_vectors", "init_vocab", "lockf",  # one-time start from pretrained vectors
                         "trim_rule"})  # a callable, used once by the constructor's scan


@dataclasses.dataclass
class TrainingProgress:
    """A snapshot of training progress, refreshed by the calling thread about once a second."""

    epoch: int = 0               #: current epoch, 1-based (0 before training)
    epochs: int = 0              #: epochs in this train() call
    fraction: float = 0.0        #: progress over the whole train() call, 0..1
    words_done: int = 0          #: in-vocabulary words processed so far (all epochs)
    words_total: int = 0         #: in-vocabulary words expected over all epochs
    words_per_sec: float = 0.0   #: wall-clock rate over all threads
    alpha: float = 0.0           #: current learning rate
    epoch_loss: float = 0.0      #: running loss of the current epoch (compute_loss=True)
    elapsed: float = 0.0         #: seconds since train() started
    eta: float = 0.0             #: estimated seconds left
    kernel: str = ""             #: the SIMD kernels training runs on ("avx512", "avx2", "scalar")
    #: how ``auto`` chose them: each candidate's best time on a calibration block (seconds),
    #: widest first; empty when FASTEMBED_SIMD or ``_core.set_kernels`` pinned the kernels
    kernel_seconds: List[Tuple[str, float]] = dataclasses.field(default_factory=list)


def _describe(source: CorpusSource) -> str:
    if source.file is not None:
        return f"the corpus file {source.file!r}"
    if source.stream is not None:
        return "the corpus " + ", ".join(repr(p) for p in source.stream.paths[:3])
    return "the corpus"


def abandon(trainer: Any) -> None:
    """Stop the trainer's workers and wait for them after an error or Ctrl-C; the original
    exception is the one the caller re-raises."""
    trainer.stop()
    try:
        trainer.finish_epoch()
    except Exception:
        pass


def check_not_training(obj: Any, what: str) -> None:
    """Refuse to save a model or vectors that train() workers are writing: the file would hold
    a matrix torn between updates (call it after train(), or from ``on_epoch_end``)."""
    if getattr(obj, "_workers_running", False):
        raise RuntimeError(f"cannot {what} while train() is running: the workers are writing the vectors; "
                           "save after train() returns, or from a callback's on_epoch_end")


def aligned_matrix(rows: int, cols: Optional[int] = None) -> np.ndarray:
    """A zeroed float32 [rows, cols] matrix (or [rows] vector without ``cols``) whose data
    starts on a 64-byte boundary."""
    size = rows * (1 if cols is None else cols)
    buf = np.zeros(size + 16, dtype=np.float32)
    offset = (-buf.ctypes.data % 64) // 4
    flat = buf[offset : offset + size]
    return flat if cols is None else flat.reshape(rows, cols)


def copy_aligned(a: np.ndarray) -> np.ndarray:
    out = aligned_matrix(*a.shape)
    out[...] = a
    return out


def padded_stride(dim: int) -> int:
    """Row length of the training matrices: padded to whole 64-byte cache lines."""
    return (dim + 15) // 16 * 16


class TrainableModel(ModelNames):
    """Base of the trainable models; see the module docstring for what a subclass names.

    Subclass ``__init__`` sets every parameter as an attribute of the same name (validated),
    the vocabulary settings ``min_count``, ``max_vocab_size``, ``max_final_vocab``,
    ``sorted_vocab``, ``unicode_errors``, ``workers``, ``epochs``, ``alpha``, ``min_alpha``,
    ``seed``, ``compute_loss`` and ``callbacks``, then calls :meth:`_init_state`.
    """

    #: Marker and version of the native model file.
    _FORMAT = ""
    _FORMAT_VERSION = 1
    _workers_running = False

    # ------------------------------------------------------------------ subclass hooks
    def _matrix_shapes(self) -> Dict[str, Optional[Tuple[int, int]]]:
        """Each matrix's padded shape for the current vocabulary; None where the settings
        leave it out.  ``syn0`` (the input side) is always there.  A one-element shape
        ``(rows,)`` is a per-row vector (e.g. ``lockf``), saved and loaded the same way."""
        raise NotImplementedError

    def _init_weights(self) -> None:
        """Give freshly allocated (zeroed) matrices their starting values."""
        raise NotImplementedError

    def _kernel_settings(self, config: Any) -> None:
        """Set the kernel's fields (arch, hs, negative, window, ...) of a ``_core.TrainConfig``."""
        raise NotImplementedError

    def _output_settings(self, config: Any) -> None:
        """The kernel fields every model sets from its gensim parameters of the same names."""
        config.hs = bool(self.hs)
        config.negative = self.negative
        config.window = self.window
        config.shrink_windows = self.shrink_windows
        config.cbow_mean = bool(self.cbow_mean)
        config.compute_loss = self.compute_loss

    def _input_table(self) -> Optional[Any]:
        """The ``_core.InputRowTable`` of a model whose tokens train more than their own row."""
        return None

    def _lockf(self) -> Optional[np.ndarray]:
        """Per input row learning-rate factors (float32, 1 = train, 0 = frozen), or None."""
        return None


    def _set_vocab(self, vocab: Any) -> None:
        """Take a new ``_core.Vocab``: build the keyed vectors' index."""
        raise NotImplementedError

    def _extra_params(self) -> Dict[str, Any]:
        """JSON-able state a subclass saves beside its parameters (e.g. document tags)."""
        return {}

    def _restore_extra(self, params: Dict[str, Any]) -> None:
        """Takes back :meth:`_extra_params` on load, before the vocabulary is set."""

    def _document_matrix(self) -> Tuple[Optional[np.ndarray], Optional[np.ndarray]]:
        """Document models: the tag vectors the kernels train (padded rows) and their lock
        factors; (None, None) for word models."""
        return None, None

    def _batches(self, corpus: Iterable[Any]) -> Iterable[List[Any]]:
        """The iterable corpus in batches for the workers."""
        return batches(corpus, getattr(self, "batch_words", BATCH_WORDS))

    def _count_batch(self, counter: Any, batch: List[Any], offset: int) -> None:
        """The vocabulary scan of one batch."""
        counter.add_sentences(batch, offset)

    def _push_batch(self, trainer: Any, batch: List[Any], offset: int) -> None:
        """Hands one batch to the workers."""
        trainer.push_sentences(batch, offset)

    def _index_words(self, kv: Any, vocab: Any) -> Any:
        """Give ``kv`` the vocabulary's keys and gensim's per-word attributes: ``count`` and
        ``sample_int`` (the keep-probability scaled to 2^32 - 1); returns it."""
        kv.index_to_key = vocab.words()
        kv.key_to_index = {w: i for i, w in enumerate(kv.index_to_key)}
        kv.expandos["count"] = vocab.counts()
        keep = np.minimum(np.asarray(_core.keep_probabilities(vocab.counts(), self.sample)), 1.0)
        kv.expandos["sample_int"] = (keep * (2**32 - 1)).astype(np.uint32)
        return kv

    def _upgrade_loaded(self, name: str, matrix: Optional[np.ndarray]) -> Optional[np.ndarray]:
        """A matrix as read from a model file (None: the file lacks it), brought to today's
        shape (older layouts); None leaves it missing (the file is refused)."""
        return matrix

    def _bind_vectors(self) -> None:
        """Point the public vectors at the (re)allocated input matrix."""
        raise NotImplementedError

    # ------------------------------------------------------------------ state
    def _init_state(self) -> None:
        self._weights: Dict[str, np.ndarray] = {}
        self._vocab: Optional[Any] = None
        self.corpus_count = 0
        self.corpus_total_words = 0
        self.corpus_retained_words = 0  # in-vocabulary words of that corpus (0: the vocabulary's total)
        self.effective_min_count = self.min_count
        self.epoch_losses: List[float] = []
        self.running_training_loss = 0.0
        self.min_alpha_yet_reached = float(self.alpha)  # gensim's: warns when a later call starts higher
        self.progress = TrainingProgress()
        self.train_count = 0
        self.total_train_time = 0.0
        self.epoch_stats: List[Dict[str, Any]] = []
        self.lifecycle_events: List[Dict[str, Any]] = []
        self.add_lifecycle_event("created", log_level=0, params=repr(self))
        self._file_chunk_bytes = 0  # 0: the trainer picks; tests set tiny ranges

    @classmethod
    def _param_names(cls) -> Tuple[str, ...]:
        """The model's parameters: its constructor's arguments, less the corpus and callbacks."""
        return tuple(p for p in inspect.signature(cls.__init__).parameters if p not in _NOT_PARAMS)

    def _params(self) -> Dict[str, Any]:
        return {k: getattr(self, k) for k in self._param_names()}

    def _reset_weights(self) -> None:
        self._weights = {name: aligned_matrix(*shape)
                         for name, shape in self._matrix_shapes().items() if shape is not None}
        self._init_weights()
        self._bind_vectors()

    # ----------------------------------------------------------------- vocabulary
    def build_vocab(self, corpus_iterable: Optional[Iterable[Sequence[str]]] = None,
                    corpus_file: Optional[PathLike] = None, update: bool = False,
                    progress_per: int = 10000, trim_rule: Optional[Callable[[str, int, int], int]] = None) -> None:
        """Count the corpus's words, keep those seen ``min_count`` times (raised to fit
        ``max_final_vocab``), sort them by count and set up the model's matrices.

        ``trim_rule(word, count, min_count)`` may overrule ``min_count`` per word with
        gensim's ``RULE_KEEP`` / ``RULE_DISCARD`` (``RULE_DEFAULT``: leave it to min_count); see
        :mod:`fastembed.trim_rules` for when it is asked.

        ``update=True`` grows the existing vocabulary instead (continued training, domain
        adaptation): see :func:`fastembed.vocab_update.update_vocab`.

        A plain (uncompressed) ``corpus_file`` is counted by ``workers`` threads over byte
        ranges, with exactly the single-threaded result (words, first-seen order, counts,
        sentences), unless ``max_vocab_size`` is set: its pruning depends on word order."""
        source = corpus_source(corpus_iterable, corpus_file)
        V.check_int("progress_per", progress_per, 1)
        update = bool(V.check_flag("update", update))
        if update:
            require_vocab(self)
        plan = source.stream
        counter = _core.CorpusCounter(self.max_vocab_size or 0, self._utf8_policy(),
                                      plan.newline_ends if plan else True, plan.max_words if plan else 0)
        start = time.perf_counter()
        if plan is not None:
            last = time.perf_counter()
            for i, path in enumerate(plan.paths):
                for block, position in read_blocks_with_position(path):
                    counter.feed(block)
                    if time.perf_counter() - last >= 1.0:
                        last = time.perf_counter()
                        self._report_scan((i + position) / len(plan.paths))
                counter.finish()
        elif source.file is not None:
            size = max(os.path.getsize(source.file), 1)
            counter.count_file(source.file, lambda done: self._report_scan(done / size), self.workers)
        else:
            offset = 0
            next_log = progress_per
            for batch in self._batches(source.sentences):
                self._count_batch(counter, batch, offset)
                offset += len(batch)
                if offset >= next_log:
                    logger.info("PROGRESS: at sentence #%d, %d words, %d word types",
                                offset, counter.total_words, counter.num_words)
                    next_log = offset + progress_per
        if update:
            update_vocab(self, counter, time.perf_counter() - start, trim_rule)
        else:
            self._finish_vocab(counter, time.perf_counter() - start, trim_rule)

    def build_vocab_from_freq(self, word_freq: Dict[str, int], corpus_count: Optional[int] = None,
                              update: bool = False, trim_rule: Optional[Callable[[str, int, int], int]] = None) -> None:
        """Build the vocabulary from a ``{word: count}`` mapping (e.g. a word2vec ``-read-vocab``
        file) instead of a corpus; ``min_count`` and ``max_final_vocab`` still apply.
        ``update=True`` merges it into the existing vocabulary, as :meth:`build_vocab` does."""
        update = bool(V.check_flag("update", update))
        if update:
            require_vocab(self)
        if not isinstance(word_freq, dict):
            raise TypeError(f"word_freq must be a dict of word -> count, got {type(word_freq).__name__}")
        counter = _core.CorpusCounter(self.max_vocab_size or 0, self._utf8_policy())
        for word, count in word_freq.items():
            if not isinstance(word, str) or not word:
                raise TypeError(f"word_freq keys must be non-empty str, got {word!r}")
            V.check_int(f"word_freq[{word!r}]", count, 0)
            if count:
                counter.add_count(word, int(count))
        if update:
            update_vocab(self, counter, 0.0, trim_rule)
        else:
            self._finish_vocab(counter, 0.0, trim_rule)
        if corpus_count is not None:
            self.corpus_count = V.check_int("corpus_count", corpus_count, 0)

    def _utf8_policy(self) -> Any:
        return getattr(_core.Utf8Policy, self.unicode_errors.upper())

    def _report_scan(self, fraction: float) -> None:
        # `live`: on a terminal the CLI's progress line shows it in place instead of a new line.
        logger.info("vocabulary scan: %.0f%%", 100 * fraction, extra={"live": True})

    def _finish_vocab(self, counter: Any, seconds: float, trim_rule: Optional[Callable[[str, int, int], int]] = None) -> None:
        if counter.total_words == 0:
            raise EmptyVocabularyError("the corpus is empty: no words to build a vocabulary from")
        self.effective_min_count = counter.effective_min_count(self.min_count, self.max_final_vocab or 0)
        rules = None
        if trim_rules.check_rule(trim_rule) is not None:
            rules = trim_rules.verdicts(trim_rule, counter.raw_words(), counter.raw_counts(), self.effective_min_count)
        vocab = counter.finalize(self.min_count, self.max_final_vocab or 0, bool(self.sorted_vocab), rules)
        if len(vocab) == 0 and self.max_vocab_size and counter.min_reduce > 1:
            raise EmptyVocabularyError(
                f"max_vocab_size={self.max_vocab_size} is too small for this corpus: the scan pruned the counts "
                f"{counter.min_reduce - 1} times to stay under it (dropping the words seen fewer than "
                f"{counter.min_reduce} times, as the word2vec C tool does) and no word is left with "
                f"min_count={self.effective_min_count}: raise max_vocab_size or leave it None")
        if len(vocab) == 0:
            raise EmptyVocabularyError(
                f"no word occurs at least min_count={self.effective_min_count} times "
                f"({counter.num_words} distinct words, {counter.total_words} words in all): "
                "lower min_count or use a larger corpus")
        self.corpus_count = int(counter.sentences)
        self.corpus_total_words = int(counter.total_words)
        self.corpus_retained_words = int(vocab.total())
        self._vocab = vocab
        self._set_vocab(vocab)
        self._reset_weights()
        logger.info("vocabulary: %d words kept of %d distinct (min_count=%d), %d of %d words, "
                    "%d sentences, %.2fs", len(vocab), counter.num_words, self.effective_min_count,
                    vocab.total(), counter.total_words, counter.sentences, seconds)

    # ------------------------------------------------------------------- training
    def train(self, corpus_iterable: Optional[Iterable[Sequence[str]]] = None,
              corpus_file: Optional[PathLike] = None, total_examples: Optional[int] = None,
              total_words: Optional[int] = None, epochs: Optional[int] = None,
              start_alpha: Optional[float] = None, end_alpha: Optional[float] = None,
              compute_loss: Optional[bool] = None, callbacks: Sequence[Any] = ()) -> None:
        """Train on a corpus (any number of times, e.g. after :meth:`load`).

        As in gensim, ``epochs`` and one of ``total_examples`` / ``total_words`` must be given
        (``ValueError`` otherwise): they steer the learning rate, which falls linearly from
        ``start_alpha`` (default ``alpha``) to ``end_alpha`` (default ``min_alpha``) over all
        epochs.  For the corpus the vocabulary was built from, ``total_examples=model.corpus_count``
        and ``epochs=model.epochs`` are right.  The GIL is released while the workers run; Ctrl-C
        stops them and raises ``KeyboardInterrupt``, leaving the vectors trained so far.
        """
        source = corpus_source(corpus_iterable, corpus_file)
        if self._vocab is None:
            raise EmptyVocabularyError("build the vocabulary first: call build_vocab() "
                                       "(or pass a corpus to the constructor)")
        if total_examples is None and total_words is None:
            raise ValueError("you must specify either total_examples or total_words, for proper learning-rate "
                             "and progress calculations; for the corpus the vocabulary was built from, "
                             "total_examples=model.corpus_count is right")
        if epochs is None:
            raise ValueError("you must specify an explicit epochs count; the usual value is epochs=model.epochs")
        epochs = V.check_int("epochs", epochs, 1, 1_000_000)
        alpha = self.alpha if start_alpha is None else V.check_float("start_alpha", start_alpha, 0.0, 10.0, low_open=True)
        min_alpha = self.min_alpha if end_alpha is None else V.check_float("end_alpha", end_alpha, 0.0, 10.0)
        if compute_loss is not None:
            self.compute_loss = bool(V.check_flag("compute_loss", compute_loss))
        V.check_int("total_examples", total_examples, 0, allow_none=True)
        V.check_int("total_words", total_words, 0, allow_none=True)
        callbacks = tuple(self.callbacks) + tuple(callbacks or ())
        self._warn_like_gensim(alpha)

        words_per_epoch = self._expected_words(total_examples, total_words)
        bad = self._first_non_finite()
        if bad is not None:
            raise ValueError(f"cannot train: {bad} is not finite (NaN or infinite); training would spread it "
                             "to every row it touches. Replace or drop the row first")
        trainer = self._trainer(alpha, min_alpha, words_per_epoch * epochs)
        self.progress = TrainingProgress(epochs=epochs, words_total=words_per_epoch * epochs, alpha=alpha,
                                         kernel=trainer.kernel, kernel_seconds=list(trainer.kernel_seconds))
        timings = trainer.kernel_seconds
        logger.info("training on the %s kernels%s", trainer.kernel,
                    " (measured fastest: " + ", ".join(f"{k} {1e3 * s:.2f} ms" for k, s in timings) + ")"
                    if timings else "")
        self.epoch_losses = []
        self.epoch_stats = []
        self.running_training_loss = 0.0  # gensim's: the loss of this train() call, all epochs
        start = time.perf_counter()
        for cb in callbacks:
            cb.on_train_begin(self)
        try:
            for epoch in range(epochs):
                self.progress.epoch = epoch + 1
                for cb in callbacks:
                    cb.on_epoch_begin(self)
                epoch_start = time.perf_counter()
                stats = self._run_epoch(trainer, source, callbacks, start)
                if stats.words == 0 and not trainer.stopped:
                    raise ValueError(
                        f"no word of the {len(self._vocab)}-word vocabulary occurs in {_describe(source)}: "
                        "nothing was trained (was the vocabulary built from another corpus?)")
                seconds = time.perf_counter() - epoch_start
                self.epoch_losses.append(float(stats.loss))
                self.epoch_stats.append(dict(words=stats.words, kept=stats.kept, loss=stats.loss,
                                             examples=stats.examples, seconds=seconds))
                self.running_training_loss += float(stats.loss)
                self._update_progress(trainer, start)
                logger.info("EPOCH %d/%d: %d words (%d kept after sampling) in %.2fs, %.0f words/s%s",
                            epoch + 1, epochs, stats.words, stats.kept, seconds,
                            stats.words / max(seconds, 1e-9),
                            f", loss {stats.loss:.6g}" if self.compute_loss else "")
                for cb in callbacks:
                    cb.on_progress(self, self.progress.fraction)
                    cb.on_epoch_end(self)
        except BaseException:
            abandon(trainer)
            raise
        finally:
            self._set_live(False)
            self._vectors_changed()
            self.min_alpha_yet_reached = float(trainer.alpha)
            self.train_count += 1
            self.add_lifecycle_event("train", log_level=0, epochs=len(self.epoch_stats),
                                     words=sum(int(s["words"]) for s in self.epoch_stats),
                                     seconds=time.perf_counter() - start)
            self.total_train_time += time.perf_counter() - start
        # An update can overflow a row that no later score reads: the kernels' check misses it.
        bad = self._first_non_finite()
        if bad is not None:
            raise _core.TrainingDivergedError(
                f"training diverged: {bad} became non-finite at learning rate alpha={alpha:g} "
                f"(min_alpha={min_alpha:g}); the learning rate is too high for this model and corpus: "
                "try a smaller alpha, e.g. the default 0.025")
        for cb in callbacks:
            cb.on_train_end(self)

    def _trainer(self, alpha: float, min_alpha: float, expected_words: int) -> Any:
        config = self._train_config(alpha, min_alpha, expected_words)
        w = self._weights
        doc0, doc_lockf = self._document_matrix()
        return _core.Trainer(self._vocab, config, w["syn0"], w.get("syn1neg"), w.get("syn1"),
                             self._input_table(), self._lockf(), doc0, doc_lockf)

    def _train_config(self, alpha: float, min_alpha: float, expected_words: int) -> Any:
        """The ``_core.TrainConfig`` of one train() call (inference adjusts a few fields)."""
        config = _core.TrainConfig()
        self._kernel_settings(config)
        config.workers = self.workers
        config.sample = self.sample
        config.ns_exponent = self.ns_exponent
        config.alpha = alpha
        config.min_alpha = min_alpha
        # Each train() call draws fresh random streams, reproducibly from the model's seed.
        config.seed = (self.seed + 1_000_003 * self.train_count) % 2**64
        config.expected_words = expected_words
        config.unicode_errors = self._utf8_policy()
        config.file_chunk_bytes = self._file_chunk_bytes
        return config

    def _warn_like_gensim(self, alpha: float) -> None:
        """gensim's warnings before training (logged, as gensim logs them)."""
        if getattr(self, "hs", 0) and getattr(self, "negative", 0):
            logger.warning("Both hierarchical softmax and negative sampling are activated. This is probably a "
                           "mistake. You should set either 'hs=0' or 'negative=0' to disable one of them.")
        reached = getattr(self, "min_alpha_yet_reached", None)
        if reached is not None and alpha > reached:
            logger.warning("Effective 'alpha' higher than previous training cycles")

    def _first_non_finite(self) -> Optional[str]:
        """Names the first matrix row holding NaN or infinity ("syn0 row 7 (word 'cat')"), or
        None.  Checked in slices so the temporary stays small."""
        words = getattr(getattr(self, "wv", None), "index_to_key", ())
        for name, matrix in self._weights.items():
            matrix = matrix.reshape(len(matrix), -1)  # per-row vectors as one-column matrices
            step = max(1, (1 << 22) // max(matrix.shape[1], 1))
            for s in range(0, len(matrix), step):
                finite = np.isfinite(matrix[s : s + step]).all(axis=1)
                if not finite.all():
                    row = s + int(np.argmin(finite))
                    what = f" (word {words[row]!r})" if name == "syn0" and row < len(words) else ""
                    return f"{name} row {row}{what}"
        lockf = self._lockf()
        if lockf is not None and not np.isfinite(lockf).all():
            return f"lock factor {int(np.argmin(np.isfinite(lockf)))}"
        return None

    def _vectors_changed(self) -> None:
        """Training wrote the vectors: drop caches derived from them."""

    def _set_live(self, live: bool) -> None:
        """Workers start (True) or stopped (False) writing the matrices: while they run, saves
        raise and queries derive nothing from the vectors that outlives the query."""
        self._workers_running = live

    def _expected_words(self, total_examples: Optional[int], total_words: Optional[int]) -> int:
        """In-vocabulary words per epoch, which the learning-rate decay is measured in."""
        retained = int(self.corpus_retained_words or self._vocab.total())
        if total_words is not None and self.corpus_total_words:
            return max(1, round(total_words * retained / self.corpus_total_words))
        if total_examples is not None and self.corpus_count:
            return max(1, round(retained * total_examples / self.corpus_count))
        return max(1, retained)

    def _run_epoch(self, trainer: Any, source: CorpusSource, callbacks: Sequence[Any], start: float) -> Any:
        last = [time.perf_counter()]

        def poll() -> None:
            now = time.perf_counter()
            if now - last[0] >= 1.0:
                last[0] = now
                self._update_progress(trainer, start)
                for cb in callbacks:
                    cb.on_progress(self, self.progress.fraction)

        self._set_live(True)
        if source.file is not None:
            trainer.start_file_epoch(source.file)
        else:
            plan = source.stream
            trainer.start_stream_epoch(plan.newline_ends if plan else True, plan.max_words if plan else 0)
            if plan is not None:
                for file_path in plan.paths:
                    for block in read_blocks(file_path):
                        trainer.feed_bytes(block)
                        if trainer.stopped:
                            break
                        poll()
                    if trainer.stopped:
                        break
                    trainer.finish_bytes()
            else:
                offset = 0
                for batch in self._batches(source.sentences):
                    self._push_batch(trainer, batch, offset)
                    offset += len(batch)
                    if trainer.stopped:
                        break
                    poll()
            trainer.close_stream()
        while not trainer.wait(0.1):
            poll()
        stats = trainer.finish_epoch()
        self._set_live(False)  # (after an error, train() clears it once the workers stopped)
        return stats

    def _update_progress(self, trainer: Any, start: float) -> None:
        p = self.progress
        p.words_done = int(trainer.words_done)
        p.elapsed = time.perf_counter() - start
        p.fraction = min(1.0, p.words_done / max(p.words_total, 1))
        p.words_per_sec = p.words_done / max(p.elapsed, 1e-9)
        p.alpha = float(trainer.alpha)
        p.epoch_loss = float(trainer.epoch_loss)
        p.eta = (p.elapsed / p.fraction - p.elapsed) if p.fraction > 0 else float("inf")

    def get_latest_training_loss(self) -> float:
        """The loss accumulated over the whole latest train() call, all its epochs, as gensim's
        (``compute_loss=True``; 0.0 before training).  Tallied per thread in float64, so it
        never saturates; each epoch's own loss is in :attr:`epoch_losses`."""
        return float(self.running_training_loss)

    # ------------------------------------------------------------------ persistence
    def _words_and_counts(self) -> Tuple[List[str], np.ndarray]:
        """The vocabulary's words and counts as the model keeps them on the Python side (save
        writes them, unpickling rebuilds the C++ vocabulary from them)."""
        raise NotImplementedError

    def save(self, path: PathLike) -> None:
        """Save the whole model (vocabulary, weights, parameters) to one file, atomically;
        :meth:`load` restores it ready to query or to train further."""
        if self._vocab is None:
            raise ValueError("nothing to save: the model has no vocabulary yet")
        check_not_training(self, "save")
        params = self._params()
        params.update(format=self._FORMAT, version=self._FORMAT_VERSION, corpus_count=self.corpus_count,
                      corpus_total_words=self.corpus_total_words, epoch_losses=self.epoch_losses,
                      corpus_retained_words=self.corpus_retained_words,
                      train_count=self.train_count, effective_min_count=self.effective_min_count,
                      **self._extra_params())
        words, counts = self._words_and_counts()
        encoded = [w.encode("utf-8", errors="surrogatepass") for w in words]
        arrays = {
            "params": np.frombuffer(json.dumps(params).encode("utf-8"), dtype=np.uint8),
            "words": np.frombuffer(b"".join(encoded), dtype=np.uint8),
            "word_lengths": np.array([len(w) for w in encoded], dtype=np.int64),
            "counts": np.asarray(counts, dtype=np.int64),
        }
        arrays.update(self._weights)
        with atomic_write(path, "wb") as f:
            np.savez(f, **arrays)

    @classmethod
    def load(cls, path: PathLike, mmap: Optional[str] = None) -> Any:
        """Load a model written by :meth:`save`, or a gensim 4 save (``.model``; read with an
        unpickler that admits only gensim's and numpy's classes, so no code from the file
        runs; as in gensim, the file decides what comes back).  A damaged or foreign file
        raises ``ValueError``.  ``mmap`` ('r', 'r+', 'c') memory-maps the arrays a gensim save
        keeps beside it; fastembed's own file is one compressed archive, so it is read whole
        and ``mmap`` raises for it."""
        path = os.fspath(path)
        if not os.path.exists(path):
            raise FileNotFoundError(f"model file not found: {path!r}")
        if os.path.isdir(path):
            raise IsADirectoryError(f"expected a model file, got a directory: {path!r}")
        if mmap not in (None, "r", "r+", "c"):
            raise ValueError(f"mmap must be None, 'r', 'r+' or 'c', got {mmap!r}")
        from . import gensim_compat
        if gensim_compat.is_pickle(path):
            return gensim_compat.load_gensim(path, mmap)
        if mmap is not None:
            raise ValueError("mmap applies to gensim saves; a fastembed model file is one compressed archive, "
                             "read whole: load it with mmap=None")
        what = f"{path!r} is not a valid fastembed {cls.__name__} model file"
        if os.path.getsize(path) == 0:
            raise ValueError(f"{what}: the file is empty")
        try:
            return cls._from_arrays(path)
        except (ValueError, TypeError) as e:
            raise ValueError(f"{what}: {e}") from None
        except MemoryError:
            raise
        except Exception as e:  # zipfile, JSON, decoding and shape errors of a damaged file
            raise ValueError(f"{what}: {type(e).__name__}: {e}") from None

    @classmethod
    def _from_arrays(cls, path: str) -> Any:
        # Members are read one by one, only those this model has, each size-checked against
        # the file (fastembed._npy): a forged header or an extra member costs nothing.
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())

            def member(name: str) -> np.ndarray:
                if name + ".npy" not in names:
                    raise ValueError(f"member {name!r} is missing")
                arr = _npy.load_member(z, name + ".npy", path)
                if name in _VOCAB_MEMBERS and (arr.dtype.kind not in "iu" or arr.ndim != 1):
                    raise ValueError(f"member {name!r} holds {arr.dtype} {arr.shape}, expected integers")
                return arr

            params = json.loads(bytes(member("params")).decode("utf-8"))
            if not isinstance(params, dict) or params.get("format") != cls._FORMAT:
                raise ValueError(f"not a fastembed {cls.__name__} model (format marker missing)")
            if params.get("version") != cls._FORMAT_VERSION:
                raise ValueError(f"unsupported model file version {params.get('version')!r}")
            # re-validates every parameter; one newer than the file takes its default
            model = cls(**{k: params[k] for k in cls._param_names() if k in params})
            blob = bytes(member("words"))
            lengths = np.asarray(member("word_lengths"), dtype=np.int64)
            counts = np.asarray(member("counts"), dtype=np.int64)
            if (lengths < 0).any() or int(lengths.sum()) != len(blob) or counts.shape != lengths.shape:
                raise ValueError("the vocabulary arrays do not fit together")
            ends = np.cumsum(lengths).tolist()
            words = [blob[e - n : e].decode("utf-8", errors="surrogatepass") for e, n in zip(ends, lengths.tolist())]
            model._vocab = _core.Vocab(words, counts)
            model._restore_extra(params)
            model._set_vocab(model._vocab)
            data = {}
            for name, shape in model._matrix_shapes().items():  # the vocabulary says what to read
                upgraded = model._upgrade_loaded(name, member(name) if name + ".npy" in names else None)
                if upgraded is not None:
                    data[name] = upgraded
                got = data[name].shape if name in data else None
                if got != shape or (name in data and data[name].dtype != np.float32):
                    raise ValueError(f"matrix {name} has shape {got}, expected {shape} (float32)")
        model.corpus_count = int(params["corpus_count"])
        model.corpus_total_words = int(params["corpus_total_words"])
        model.corpus_retained_words = int(params.get("corpus_retained_words", 0))  # absent in older files
        model.epoch_losses = [float(x) for x in params["epoch_losses"]]
        model.train_count = int(params["train_count"])
        model.effective_min_count = int(params["effective_min_count"])
        model._weights = {name: copy_aligned(data[name])
                          for name, shape in model._matrix_shapes().items() if shape is not None}
        model._bind_vectors()
        return model

    def __getstate__(self) -> Dict[str, Any]:
        # The C++ vocabulary is rebuilt from the words and counts on unpickling.
        state = self.__dict__.copy()
        state["_vocab"] = None
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)
        if self._weights:  # matrices exist only once a vocabulary was built
            words, counts = self._words_and_counts()
            self._vocab = _core.Vocab(list(words), np.asarray(counts, dtype=np.int64))
            # Unpickled arrays lose their 64-byte alignment and the view relation with the vectors.
            self._weights = {name: copy_aligned(m) for name, m in self._weights.items()}
            self._bind_vectors()
