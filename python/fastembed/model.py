"""Training: :class:`Word2Vec`, gensim 4's API over fastembed's C++ Hogwild trainer."""
from __future__ import annotations

import dataclasses
import json
import logging
import os
import time
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

import numpy as np

from . import _core
from . import _validate as V
from ._atomic import atomic_write
from .corpus import NativePlan, is_compressed, native_plan, read_blocks, read_blocks_with_position
from .vectors import KeyedVectors

logger = logging.getLogger("fastembed")

PathLike = Union[str, "os.PathLike[str]"]

#: Sentences handed to the C++ workers per batch (counted in words).
_BATCH_WORDS = 10000
_FORMAT = "fastembed-word2vec"
_FORMAT_VERSION = 1


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


def _aligned_matrix(rows: int, cols: int) -> np.ndarray:
    """A zeroed float32 [rows, cols] matrix whose data starts on a 64-byte boundary."""
    buf = np.zeros(rows * cols + 16, dtype=np.float32)
    offset = (-buf.ctypes.data % 64) // 4
    return buf[offset : offset + rows * cols].reshape(rows, cols)


def _stride(dim: int) -> int:
    """Row length of the training matrices: padded to whole 64-byte cache lines."""
    return (dim + 15) // 16 * 16


class Word2Vec:
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
    """

    def __init__(self, sentences: Optional[Iterable[Sequence[str]]] = None,
                 corpus_file: Optional[PathLike] = None, vector_size: int = 100,
                 alpha: float = 0.025, window: int = 5, min_count: int = 5,
                 max_vocab_size: Optional[int] = None, sample: float = 1e-3, seed: int = 1,
                 workers: int = 3, min_alpha: float = 0.0001, sg: int = 0, hs: int = 0,
                 negative: int = 5, ns_exponent: float = 0.75, cbow_mean: int = 1,
                 epochs: int = 5, sorted_vocab: int = 1, compute_loss: bool = False,
                 callbacks: Sequence[Any] = (), max_final_vocab: Optional[int] = None,
                 shrink_windows: bool = True, shared_negatives: bool = True,
                 exact_sigmoid: bool = False, unicode_errors: str = "replace") -> None:
        self.vector_size = V.check_int("vector_size", vector_size, 1, 100_000)
        self.alpha = V.check_float("alpha", alpha, 0.0, 10.0, low_open=True)
        self.min_alpha = V.check_float("min_alpha", min_alpha, 0.0, 10.0)
        self.window = V.check_int("window", window, 1, 10_000)
        self.min_count = V.check_int("min_count", min_count, 1)
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
        self.syn1neg: Optional[np.ndarray] = None
        self.syn1: Optional[np.ndarray] = None
        self._syn0: Optional[np.ndarray] = None
        self._vocab: Optional[Any] = None
        self.corpus_count = 0
        self.corpus_total_words = 0
        self.effective_min_count = self.min_count
        self.epoch_losses: List[float] = []
        self.running_training_loss = 0.0
        self.progress = TrainingProgress()
        self.train_count = 0
        self.total_train_time = 0.0
        self.epoch_stats: List[Dict[str, Any]] = []
        self._file_chunk_bytes = 0  # 0: the trainer picks; tests set tiny ranges

        if sentences is not None or corpus_file is not None:
            self.build_vocab(corpus_iterable=sentences, corpus_file=corpus_file)
            self.train(corpus_iterable=sentences, corpus_file=corpus_file,
                       total_examples=self.corpus_count, total_words=self.corpus_total_words,
                       epochs=self.epochs)

    # ----------------------------------------------------------------- vocabulary
    def build_vocab(self, corpus_iterable: Optional[Iterable[Sequence[str]]] = None,
                    corpus_file: Optional[PathLike] = None, progress_per: int = 10000) -> None:
        """Count the corpus's words, keep those seen ``min_count`` times (raised to fit
        ``max_final_vocab``), sort them by count and set up the model's matrices.

        A plain (uncompressed) ``corpus_file`` is counted by ``workers`` threads over byte
        ranges, with exactly the single-threaded result (words, first-seen order, counts,
        sentences), unless ``max_vocab_size`` is set: its pruning depends on word order."""
        _check_corpus(corpus_iterable, corpus_file)
        V.check_int("progress_per", progress_per, 1)
        plan = native_plan(corpus_iterable) if corpus_iterable is not None else None
        if corpus_file is not None and is_compressed(_check_file(corpus_file)):
            plan = NativePlan([os.fspath(corpus_file)], True, 0)
        counter = _core.CorpusCounter(self.max_vocab_size or 0, self.unicode_errors,
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
        elif corpus_file is not None:
            path = _check_file(corpus_file)
            size = max(os.path.getsize(path), 1)
            counter.count_file(path, lambda done: self._report_scan(done / size), self.workers)
        else:
            offset = 0
            next_log = progress_per
            for batch in _batches(corpus_iterable):
                counter.add_sentences(batch, offset)
                offset += len(batch)
                if offset >= next_log:
                    logger.info("PROGRESS: at sentence #%d, %d words, %d word types",
                                offset, counter.total_words, counter.num_words)
                    next_log = offset + progress_per
        self._finish_vocab(counter, time.perf_counter() - start)

    def build_vocab_from_freq(self, word_freq: Dict[str, int], corpus_count: Optional[int] = None) -> None:
        """Build the vocabulary from a ``{word: count}`` mapping (e.g. a word2vec ``-read-vocab``
        file) instead of a corpus; ``min_count`` and ``max_final_vocab`` still apply."""
        if not isinstance(word_freq, dict):
            raise TypeError(f"word_freq must be a dict of word -> count, got {type(word_freq).__name__}")
        counter = _core.CorpusCounter(self.max_vocab_size or 0, self.unicode_errors)
        for word, count in word_freq.items():
            if not isinstance(word, str) or not word:
                raise TypeError(f"word_freq keys must be non-empty str, got {word!r}")
            V.check_int(f"word_freq[{word!r}]", count, 0)
            if count:
                counter.add_count(word, int(count))
        self._finish_vocab(counter, 0.0)
        if corpus_count is not None:
            self.corpus_count = V.check_int("corpus_count", corpus_count, 0)

    def _report_scan(self, fraction: float) -> None:
        # `live`: on a terminal the CLI's progress line shows it in place instead of a new line.
        logger.info("vocabulary scan: %.0f%%", 100 * fraction, extra={"live": True})

    def _finish_vocab(self, counter: Any, seconds: float) -> None:
        if counter.total_words == 0:
            raise ValueError("the corpus is empty: no words to build a vocabulary from")
        self.effective_min_count = counter.effective_min_count(self.min_count, self.max_final_vocab or 0)
        vocab = counter.finalize(self.min_count, self.max_final_vocab or 0, bool(self.sorted_vocab))
        if len(vocab) == 0:
            raise ValueError(
                f"no word occurs at least min_count={self.effective_min_count} times "
                f"({counter.num_words} distinct words, {counter.total_words} words in all): "
                "lower min_count or use a larger corpus")
        self.corpus_count = int(counter.sentences)
        self.corpus_total_words = int(counter.total_words)
        self._set_vocab(vocab)
        self._reset_weights()
        logger.info("vocabulary: %d words kept of %d distinct (min_count=%d), %d of %d words, "
                    "%d sentences, %.2fs", len(vocab), counter.num_words, self.effective_min_count,
                    vocab.total(), counter.total_words, counter.sentences, seconds)

    def _set_vocab(self, vocab: Any) -> None:
        self._vocab = vocab
        self.wv = KeyedVectors(self.vector_size)
        self.wv.index_to_key = vocab.words()
        self.wv.key_to_index = {w: i for i, w in enumerate(self.wv.index_to_key)}
        self.wv.expandos["count"] = vocab.counts()

    def _reset_weights(self) -> None:
        n, stride = len(self._vocab), _stride(self.vector_size)
        self._syn0 = _aligned_matrix(n, stride)
        _core.init_input_vectors(self._syn0, self._vocab, self.vector_size, self.seed)
        self.syn1neg = _aligned_matrix(n, stride) if self.negative > 0 else None
        self.syn1 = _aligned_matrix(max(n - 1, 1), stride) if self.hs else None
        self.wv.vectors = self._syn0[:, : self.vector_size]

    # ------------------------------------------------------------------- training
    def train(self, corpus_iterable: Optional[Iterable[Sequence[str]]] = None,
              corpus_file: Optional[PathLike] = None, total_examples: Optional[int] = None,
              total_words: Optional[int] = None, epochs: Optional[int] = None,
              start_alpha: Optional[float] = None, end_alpha: Optional[float] = None,
              compute_loss: Optional[bool] = None, callbacks: Sequence[Any] = ()) -> None:
        """Train on a corpus (any number of times, e.g. after :meth:`load`).

        The learning rate falls linearly from ``start_alpha`` (default ``alpha``) to
        ``end_alpha`` (default ``min_alpha``) over all epochs.  ``total_examples`` /
        ``total_words`` describe the corpus when it is not the one the vocabulary was built
        from; they only steer that decay.  The GIL is released while the workers run; Ctrl-C
        stops them and raises ``KeyboardInterrupt``, leaving the vectors trained so far.
        """
        _check_corpus(corpus_iterable, corpus_file)
        if self._vocab is None:
            raise ValueError("build the vocabulary first: call build_vocab() (or pass a corpus to Word2Vec())")
        epochs = self.epochs if epochs is None else V.check_int("epochs", epochs, 1, 1_000_000)
        alpha = self.alpha if start_alpha is None else V.check_float("start_alpha", start_alpha, 0.0, 10.0, low_open=True)
        min_alpha = self.min_alpha if end_alpha is None else V.check_float("end_alpha", end_alpha, 0.0, 10.0)
        if compute_loss is not None:
            self.compute_loss = bool(V.check_flag("compute_loss", compute_loss))
        V.check_int("total_examples", total_examples, 0, allow_none=True)
        V.check_int("total_words", total_words, 0, allow_none=True)
        path = _check_file(corpus_file) if corpus_file is not None else None
        callbacks = tuple(self.callbacks) + tuple(callbacks or ())

        words_per_epoch = self._expected_words(total_examples, total_words)
        config = dict(sg=self.sg, hs=self.hs, negative=self.negative, window=self.window,
                      workers=self.workers, shrink_windows=self.shrink_windows,
                      cbow_mean=self.cbow_mean, shared_negatives=self.shared_negatives,
                      compute_loss=self.compute_loss, exact_sigmoid=self.exact_sigmoid,
                      sample=self.sample, ns_exponent=self.ns_exponent, alpha=alpha,
                      min_alpha=min_alpha, seed=(self.seed + 1_000_003 * self.train_count) % 2**64,
                      expected_words=words_per_epoch * epochs, unicode_errors=self.unicode_errors,
                      file_chunk_bytes=self._file_chunk_bytes)
        trainer = _core.Trainer(self._vocab, config, self._syn0, self.syn1neg, self.syn1)
        self.progress = TrainingProgress(epochs=epochs, words_total=words_per_epoch * epochs, alpha=alpha)
        self.epoch_losses = []
        self.epoch_stats: List[Dict[str, Any]] = []
        start = time.perf_counter()
        for cb in callbacks:
            cb.on_train_begin(self)
        try:
            for epoch in range(epochs):
                self.progress.epoch = epoch + 1
                for cb in callbacks:
                    cb.on_epoch_begin(self)
                epoch_start = time.perf_counter()
                stats = self._run_epoch(trainer, corpus_iterable, path, callbacks, start)
                seconds = time.perf_counter() - epoch_start
                self.epoch_losses.append(float(stats["loss"]))
                self.epoch_stats.append(dict(stats, seconds=seconds))
                self.running_training_loss = float(stats["loss"])
                self._update_progress(trainer, start)
                logger.info("EPOCH %d/%d: %d words (%d kept after sampling) in %.2fs, %.0f words/s%s",
                            epoch + 1, epochs, stats["words"], stats["kept"], seconds,
                            stats["words"] / max(seconds, 1e-9),
                            f", loss {stats['loss']:.6g}" if self.compute_loss else "")
                for cb in callbacks:
                    cb.on_progress(self, self.progress.fraction)
                    cb.on_epoch_end(self)
        except BaseException:
            trainer.stop()
            try:
                trainer.finish_epoch()
            except Exception:  # the original exception is the one to report
                pass
            raise
        finally:
            self.wv.norms = None  # vectors changed: cached unit vectors are stale
            self.train_count += 1
            self.total_train_time += time.perf_counter() - start
        for cb in callbacks:
            cb.on_train_end(self)

    def _expected_words(self, total_examples: Optional[int], total_words: Optional[int]) -> int:
        """In-vocabulary words per epoch, which the learning-rate decay is measured in."""
        retained = int(self._vocab.total())
        if total_words is not None and self.corpus_total_words:
            return max(1, round(total_words * retained / self.corpus_total_words))
        if total_examples is not None and self.corpus_count:
            return max(1, round(retained * total_examples / self.corpus_count))
        return max(1, retained)

    def _run_epoch(self, trainer: Any, corpus_iterable: Optional[Iterable[Sequence[str]]],
                   path: Optional[str], callbacks: Sequence[Any], start: float) -> Dict[str, Any]:
        last = [time.perf_counter()]

        def poll() -> None:
            now = time.perf_counter()
            if now - last[0] >= 1.0:
                last[0] = now
                self._update_progress(trainer, start)
                for cb in callbacks:
                    cb.on_progress(self, self.progress.fraction)

        if path is not None and not is_compressed(path):
            trainer.start_file_epoch(path)
        else:
            # A compressed file streams like fastembed's own readers: newline ends a sentence.
            plan = NativePlan([path], True, 0) if path is not None else native_plan(corpus_iterable)
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
                for batch in _batches(corpus_iterable):
                    trainer.push_sentences(batch, offset)
                    offset += len(batch)
                    if trainer.stopped:
                        break
                    poll()
            trainer.close_stream()
        while not trainer.wait(0.1):
            poll()
        return trainer.finish_epoch()

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
        """The loss summed over the last epoch of the last train() call (``compute_loss=True``);
        tallied per thread in float64, so it never saturates."""
        return self.epoch_losses[-1] if self.epoch_losses else 0.0

    # ------------------------------------------------------------------ persistence
    def save(self, path: PathLike) -> None:
        """Save the whole model (vocabulary, weights, parameters) to one file, atomically;
        :meth:`load` restores it ready to query or to train further."""
        if self._vocab is None:
            raise ValueError("nothing to save: the model has no vocabulary yet")
        params = {k: getattr(self, k) for k in _PARAMS}
        params.update(format=_FORMAT, version=_FORMAT_VERSION, corpus_count=self.corpus_count,
                      corpus_total_words=self.corpus_total_words, epoch_losses=self.epoch_losses,
                      train_count=self.train_count, effective_min_count=self.effective_min_count)
        words = [w.encode("utf-8", errors="surrogatepass") for w in self.wv.index_to_key]
        arrays = {
            "params": np.frombuffer(json.dumps(params).encode("utf-8"), dtype=np.uint8),
            "words": np.frombuffer(b"".join(words), dtype=np.uint8),
            "word_lengths": np.array([len(w) for w in words], dtype=np.int64),
            "counts": np.asarray(self.wv.expandos["count"], dtype=np.int64),
            "syn0": self._syn0,
        }
        if self.syn1neg is not None:
            arrays["syn1neg"] = self.syn1neg
        if self.syn1 is not None:
            arrays["syn1"] = self.syn1
        with atomic_write(path, "wb") as f:
            np.savez(f, **arrays)

    @classmethod
    def load(cls, path: PathLike) -> "Word2Vec":
        """Load a model written by :meth:`save`.  A damaged or foreign file raises
        ``ValueError`` (never a crash, never code execution: the file is not a pickle)."""
        path = os.fspath(path)
        if not os.path.exists(path):
            raise FileNotFoundError(f"model file not found: {path!r}")
        if os.path.isdir(path):
            raise IsADirectoryError(f"expected a model file, got a directory: {path!r}")
        try:
            return cls._from_arrays(path)
        except (ValueError, TypeError) as e:
            raise ValueError(f"{path!r} is not a valid fastembed Word2Vec model file: {e}") from None
        except MemoryError:
            raise
        except Exception as e:  # zipfile, JSON, decoding and shape errors of a damaged file
            raise ValueError(f"{path!r} is not a valid fastembed Word2Vec model file: "
                             f"{type(e).__name__}: {e}") from None

    @classmethod
    def _from_arrays(cls, path: str) -> "Word2Vec":
        with np.load(path, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
        params = json.loads(bytes(data["params"]).decode("utf-8"))
        if not isinstance(params, dict) or params.get("format") != _FORMAT:
            raise ValueError("not a fastembed Word2Vec model (format marker missing)")
        if params.get("version") != _FORMAT_VERSION:
            raise ValueError(f"unsupported model file version {params.get('version')!r}")
        model = cls(**{k: params[k] for k in _PARAMS})  # re-validates every parameter
        blob = bytes(data["words"])
        lengths = np.asarray(data["word_lengths"], dtype=np.int64)
        counts = np.asarray(data["counts"], dtype=np.int64)
        if lengths.ndim != 1 or (lengths < 0).any() or int(lengths.sum()) != len(blob) or counts.shape != lengths.shape:
            raise ValueError("the vocabulary arrays do not fit together")
        ends = np.cumsum(lengths).tolist()
        words = [blob[e - n : e].decode("utf-8", errors="surrogatepass") for e, n in zip(ends, lengths.tolist())]
        n, stride = len(words), _stride(model.vector_size)
        expected = {"syn0": (n, stride), "syn1neg": (n, stride) if model.negative else None,
                    "syn1": (max(n - 1, 1), stride) if model.hs else None}
        for name, shape in expected.items():
            got = data[name].shape if name in data else None
            if got != shape or (name in data and data[name].dtype != np.float32):
                raise ValueError(f"matrix {name} has shape {got}, expected {shape} (float32)")
        model._set_vocab(_core.Vocab(words, counts))
        model.corpus_count = int(params["corpus_count"])
        model.corpus_total_words = int(params["corpus_total_words"])
        model.epoch_losses = [float(x) for x in params["epoch_losses"]]
        model.train_count = int(params["train_count"])
        model.effective_min_count = int(params["effective_min_count"])
        model._syn0 = _copy_aligned(data["syn0"])
        model.syn1neg = _copy_aligned(data["syn1neg"]) if model.negative else None
        model.syn1 = _copy_aligned(data["syn1"]) if model.hs else None
        model.wv.vectors = model._syn0[:, : model.vector_size]
        return model

    def __getstate__(self) -> Dict[str, Any]:
        # The C++ vocabulary is rebuilt from the words and counts on unpickling.
        state = self.__dict__.copy()
        state["_vocab"] = None
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)
        if self._syn0 is not None:
            # Unpickled arrays lose their 64-byte alignment and the view relation with wv.
            self._vocab = _core.Vocab(self.wv.index_to_key, np.asarray(self.wv.expandos["count"], dtype=np.int64))
            self._syn0 = _copy_aligned(self._syn0)
            self.syn1neg = _copy_aligned(self.syn1neg) if self.syn1neg is not None else None
            self.syn1 = _copy_aligned(self.syn1) if self.syn1 is not None else None
            self.wv.vectors = self._syn0[:, : self.vector_size]

    def __repr__(self) -> str:
        n = len(self.wv.index_to_key) if self._vocab is not None else 0
        return (f"Word2Vec<vocab={n}, vector_size={self.vector_size}, "
                f"{'sg' if self.sg else 'cbow'}, {'hs' if self.hs else ''}"
                f"{'+' if self.hs and self.negative else ''}"
                f"{f'negative={self.negative}' if self.negative else ''}, alpha={self.alpha}>")


_PARAMS = ("vector_size", "alpha", "window", "min_count", "max_vocab_size", "sample", "seed",
           "workers", "min_alpha", "sg", "hs", "negative", "ns_exponent", "cbow_mean", "epochs",
           "sorted_vocab", "compute_loss", "max_final_vocab", "shrink_windows",
           "shared_negatives", "exact_sigmoid", "unicode_errors")


def _copy_aligned(a: np.ndarray) -> np.ndarray:
    out = _aligned_matrix(*a.shape)
    out[...] = a
    return out


def _check_corpus(corpus_iterable: Any, corpus_file: Any) -> None:
    if corpus_iterable is None and corpus_file is None:
        raise ValueError("give a corpus: either corpus_iterable (sentences) or corpus_file")
    if corpus_iterable is not None and corpus_file is not None:
        raise ValueError("give either corpus_iterable (sentences) or corpus_file, not both")
    if corpus_iterable is not None:
        if isinstance(corpus_iterable, (str, bytes, os.PathLike)):
            raise TypeError("sentences must be an iterable of lists of str; to read a file "
                            "pass corpus_file=path or LineSentence(path)")
        if iter(corpus_iterable) is corpus_iterable:
            raise TypeError("sentences must be re-iterable (a list or an object with __iter__, "
                            "such as LineSentence), not a one-shot iterator or generator: "
                            "training reads it once per epoch")


def _check_file(corpus_file: Any) -> str:
    if not isinstance(corpus_file, (str, os.PathLike)):
        raise TypeError(f"corpus_file must be a path, got {type(corpus_file).__name__}")
    path = os.fspath(corpus_file)
    if not os.path.exists(path):
        raise FileNotFoundError(f"corpus file not found: {path!r}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"corpus_file is a directory (use PathLineSentences for folders): {path!r}")
    return path


def _batches(corpus: Iterable[Sequence[str]]) -> Iterable[List[Sequence[str]]]:
    """Groups sentences into batches of about _BATCH_WORDS words."""
    batch: List[Sequence[str]] = []
    words = 0
    for sentence in corpus:
        batch.append(sentence)
        try:
            words += len(sentence)
        except TypeError:
            words += 1  # not sized: the C++ side raises a TypeError naming its position
        if words >= _BATCH_WORDS:
            yield batch
            batch, words = [], 0
    if batch:
        yield batch
