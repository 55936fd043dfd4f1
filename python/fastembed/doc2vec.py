"""``fastembed.Doc2Vec``: document vectors (Le & Mikolov's paragraph vectors) with gensim 4's API,
trained by the shared trainer: PV-DBOW (``dm=0``: each document's tag vectors predict its
words) and PV-DM (``dm=1``: the mean or sum of the context words and the tags predicts the
centre word).  A document's tags are rows of a tag matrix the kernels address directly, so
sparse int tags (``[5, 10**9]``) cost two rows, not a billion.
"""
from __future__ import annotations

import logging
import os
import zlib
from numbers import Integral
from typing import Any, Dict, Iterable, Iterator, List, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np

from . import _core
from . import _validate as V
from ._compression import open_text
from .training import TrainableModel, abandon, aligned_matrix, padded_stride
from .vectors import KeyedVectors

logger = logging.getLogger("fastembed")

PathLike = Union[str, "os.PathLike[str]"]
Tag = Union[str, int]

__all__ = ["Doc2Vec", "TaggedDocument", "TaggedLineDocument"]


class TaggedDocument(NamedTuple):
    """A document: its ``words`` (a list of str) and ``tags`` (a list of str or int), as gensim's."""

    words: List[str]
    tags: List[Tag]


class TaggedLineDocument:
    """A file with one document a line (whitespace-separated words, plain or compressed), each
    tagged with its line number (from 0), as gensim's."""

    def __init__(self, source: PathLike) -> None:
        self.source = os.fspath(source)
        if not os.path.isfile(self.source):
            raise FileNotFoundError(f"document file not found: {self.source!r}")

    def __iter__(self) -> Iterator[TaggedDocument]:
        with open_text(self.source) as f:
            for number, line in enumerate(f):
                yield TaggedDocument(line.split(), [number])


def _count_lines(path: str) -> int:
    """Lines of a text file, a last line without its newline included."""
    lines, last = 0, b"\n"
    with open(path, "rb") as f:
        while True:
            block = f.read(1 << 20)
            if not block:
                break
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (last != b"\n")


def _check_document(doc: Any, position: int) -> Tuple[Sequence[str], Sequence[Tag]]:
    words = getattr(doc, "words", None)
    tags = getattr(doc, "tags", None)
    if words is None or tags is None:
        raise TypeError(f"document {position} is a {type(doc).__name__}, not a TaggedDocument(words, tags)")
    if isinstance(words, (str, bytes)):
        raise TypeError(f"document {position}'s words are a {type(words).__name__}, not a list of str words "
                        "(split it into words first)")
    if isinstance(tags, (str, Integral)):
        raise TypeError(f"document {position}'s tags must be a list (e.g. [{tags!r}]), not a single tag")
    for t in tags:
        if isinstance(t, bool) or not isinstance(t, (str, Integral)):
            raise TypeError(f"document {position} has a tag of type {type(t).__name__}: tags are str or int")
    return words, tags


class Doc2Vec(TrainableModel):
    """Document vectors with gensim 4's names and defaults.

    ``dm=1`` is PV-DM (``dm_mean``: 1 averages the context words and tags, 0 sums them; None
    means 1, gensim's default), ``dm=0`` PV-DBOW (``dbow_words=1`` also trains word vectors by
    skip-gram, interleaved as in gensim).  ``dm_concat=1`` (gensim's concatenation mode, whose
    own documentation calls it slow and rarely better) is not implemented and raises
    ``NotImplementedError``.  ``documents`` is any re-iterable of :class:`TaggedDocument`;
    tags may be str or int, several per document.  ``model.dv`` holds the tag vectors,
    ``model.wv`` the word vectors.
    """

    _FORMAT = "fastembed-doc2vec"

    def __init__(self, documents: Optional[Iterable[TaggedDocument]] = None, corpus_file: Optional[PathLike] = None,
                 dm: int = 1,
                 vector_size: int = 100, window: int = 5, alpha: float = 0.025, min_alpha: float = 0.0001,
                 min_count: int = 5, max_vocab_size: Optional[int] = None, sample: float = 1e-3, seed: int = 1,
                 workers: int = 3, epochs: int = 10, hs: int = 0, negative: int = 5, ns_exponent: float = 0.75,
                 dm_mean: Optional[int] = None, dm_concat: int = 0, dbow_words: int = 0,
                 callbacks: Sequence[Any] = (), max_final_vocab: Optional[int] = None, sorted_vocab: int = 1,
                 shrink_windows: bool = True, compute_loss: bool = False, unicode_errors: str = "replace",
                 batch_words: int = 10000, trim_rule: Any = None) -> None:
        self.dm = V.check_flag("dm", dm)
        self.vector_size = V.check_int("vector_size", vector_size, 1, 100_000)
        self.window = V.check_int("window", window, 1, 10_000)
        self.alpha = V.check_float("alpha", alpha, 0.0, 10.0, low_open=True)
        self.min_alpha = V.check_float("min_alpha", min_alpha, 0.0, 10.0)
        self.min_count = max(1, V.check_int("min_count", min_count, 0))
        self.max_vocab_size = V.check_int("max_vocab_size", max_vocab_size, 1, allow_none=True)
        self.sample = V.check_float("sample", sample, 0.0, 1.0)
        self.seed = V.check_int("seed", seed, 0, 2**64 - 1)
        self.workers = V.check_int("workers", workers, 1, 4096)
        self.epochs = V.check_int("epochs", epochs, 1, 1_000_000)
        self.hs = V.check_flag("hs", hs)
        self.negative = V.check_int("negative", negative, 0, 1000)
        if not self.hs and self.negative == 0:
            raise ValueError("hs=0 and negative=0 leave nothing to train: set hs=1 or negative > 0")
        self.ns_exponent = V.check_float("ns_exponent", ns_exponent, -10.0, 10.0)
        self.dm_mean = None if dm_mean is None else V.check_flag("dm_mean", dm_mean)
        self.dm_concat = V.check_flag("dm_concat", dm_concat)
        if self.dm_concat:
            raise NotImplementedError("dm_concat=1 is not implemented: use dm=1 (PV-DM with a mean or sum of "
                                      "the context) or dm=0 (PV-DBOW)")
        self.dbow_words = V.check_flag("dbow_words", dbow_words)
        if self.dbow_words and self.dm:
            raise ValueError("dbow_words applies to PV-DBOW (dm=0); PV-DM trains word vectors anyway")
        self.callbacks = tuple(callbacks or ())
        self.max_final_vocab = V.check_int("max_final_vocab", max_final_vocab, 1, allow_none=True)
        self.sorted_vocab = V.check_flag("sorted_vocab", sorted_vocab)
        self.shrink_windows = bool(V.check_flag("shrink_windows", shrink_windows))
        self.compute_loss = bool(V.check_flag("compute_loss", compute_loss))
        self.unicode_errors = V.check_choice("unicode_errors", unicode_errors, ("replace", "ignore", "strict"))
        self.batch_words = V.check_int("batch_words", batch_words, 1, 100_000_000)
        self.wv = KeyedVectors(self.vector_size)
        self.dv = KeyedVectors(self.vector_size)
        self._tags: List[Tag] = []
        self._tag_rows: Dict[Tag, int] = {}
        self._scan_tags: Optional[Dict[Tag, int]] = None
        self._max_tags = 1
        self._init_state()
        if documents is not None or corpus_file is not None:
            self.build_vocab(documents, corpus_file=corpus_file, trim_rule=trim_rule)
            self.train(documents, corpus_file=corpus_file, total_examples=self.corpus_count,
                       total_words=self.corpus_total_words, epochs=self.epochs)

    def build_vocab(self, corpus_iterable: Optional[Iterable[TaggedDocument]] = None,
                    corpus_file: Optional[PathLike] = None, progress_per: int = 10000, trim_rule: Any = None) -> None:
        """Scan the documents: the words (as ``Word2Vec.build_vocab``) and the tags.  With
        ``corpus_file`` (a plain text file, one document a line) a document's tag is its line
        number from 0, and the C++ workers read the file in byte ranges as ``Word2Vec`` does:
        every line trains once per epoch, the empty ones included (they have no words)."""
        if corpus_file is not None:
            from ._compression import is_compressed
            path = os.fspath(corpus_file)
            if os.path.isfile(path) and is_compressed(path):
                raise ValueError(f"{path!r} is compressed: Doc2Vec's corpus_file is read in byte ranges and must "
                                 "be plain text; decompress it or pass TaggedLineDocument(path) as documents")
            if os.path.isfile(path):
                self._scan_tags = {i: i for i in range(_count_lines(path))}
                self._max_tags = 1
        super().build_vocab(corpus_iterable, corpus_file, progress_per=progress_per, trim_rule=trim_rule)
        if corpus_file is not None:
            self.corpus_count = len(self._tags)  # documents, empty lines included

    # -------------------------------------------------------------- the model's parts
    @property
    def cbow_mean(self) -> int:
        """gensim's name: PV-DM averages (1) or sums (0) its inputs."""
        return 1 if self.dm_mean is None else self.dm_mean

    def _matrix_shapes(self) -> Dict[str, Optional[Tuple[int, int]]]:
        n, stride = len(self._vocab), padded_stride(self.vector_size)
        return {"syn0": (n, stride),
                "syn1neg": (n, stride) if self.negative > 0 else None,
                "syn1": (n, stride) if self.hs else None,
                "doc0": (max(len(self._tags), 1), stride)}

    def _init_weights(self) -> None:
        _core.init_input_vectors(self._weights["syn0"], self._vocab, self.vector_size, self.seed)
        rng = np.random.default_rng(self.seed + 1)
        dim = self.vector_size
        self._weights["doc0"][:, :dim] = (rng.random((len(self._weights["doc0"]), dim), dtype=np.float32) * 2 - 1) / dim

    def _kernel_settings(self, config: Any) -> None:
        config.arch = _core.Arch.PV_DM if self.dm else _core.Arch.PV_DBOW
        self._output_settings(config)
        config.dbow_words = bool(self.dbow_words)
        config.max_tags = self._max_tags

    def _document_matrix(self) -> Tuple[Optional[np.ndarray], Optional[np.ndarray]]:
        return self._weights["doc0"], None

    def _set_vocab(self, vocab: Any) -> None:
        if self._scan_tags is not None:  # a fresh scan: its tags, in first-seen order
            self._tags = list(self._scan_tags)
            self._scan_tags = None
        self._tag_rows = {t: i for i, t in enumerate(self._tags)}
        self.wv = self._index_words(KeyedVectors(self.vector_size), vocab)
        self.dv = KeyedVectors(self.vector_size)
        self.dv.index_to_key = list(self._tags)
        self.dv.key_to_index = dict(self._tag_rows)

    def _bind_vectors(self) -> None:
        self.wv.vectors = self._weights["syn0"][:, : self.vector_size]
        self.dv.vectors = self._weights["doc0"][: len(self._tags), : self.vector_size]

    def _vectors_changed(self) -> None:
        self.wv.norms = None
        self.dv.norms = None

    def _words_and_counts(self) -> Tuple[list, np.ndarray]:
        return self.wv.index_to_key, np.asarray(self.wv.expandos["count"], dtype=np.int64)

    def _extra_params(self) -> Dict[str, Any]:
        return {"tags": list(self._tags), "max_tags": self._max_tags}

    def _restore_extra(self, params: Dict[str, Any]) -> None:
        tags = params.get("tags")
        if not isinstance(tags, list) or not all(isinstance(t, (str, int)) and not isinstance(t, bool) for t in tags):
            raise ValueError("the document tags are missing or damaged")
        if len(set(tags)) != len(tags):
            raise ValueError("the document tags repeat")
        self._tags = tags
        self._max_tags = V.check_int("max_tags", params.get("max_tags", 1), 1)

    # -------------------------------------------------------------- documents
    def _batches(self, corpus: Iterable[Any]) -> Iterable[List[Any]]:
        batch: List[Any] = []
        words = 0
        for position, doc in enumerate(corpus):
            _check_document(doc, position)
            batch.append(doc)
            words += len(doc.words)
            if words >= self.batch_words:
                yield batch
                batch, words = [], 0
        if batch:
            yield batch

    def _count_batch(self, counter: Any, batch: List[Any], offset: int) -> None:
        if offset == 0:
            self._scan_tags = {}
            self._max_tags = 1
        seen = self._scan_tags
        for doc in batch:
            for t in doc.tags:
                t = int(t) if isinstance(t, Integral) else t
                if t not in seen:
                    seen[t] = len(seen)
            self._max_tags = max(self._max_tags, len(doc.tags))
        counter.add_sentences([doc.words for doc in batch], offset)

    def _push_batch(self, trainer: Any, batch: List[Any], offset: int) -> None:
        rows = self._tag_rows
        tag_rows = []
        for i, doc in enumerate(batch):
            try:
                tag_rows.append([rows[int(t) if isinstance(t, Integral) else t] for t in doc.tags])
            except KeyError as e:
                raise KeyError(f"document {offset + i} has tag {e.args[0]!r}, which build_vocab did not see") from None
            if len(doc.tags) > self._max_tags:
                raise ValueError(f"document {offset + i} has {len(doc.tags)} tags; build_vocab saw at most "
                                 f"{self._max_tags}")
        trainer.push_documents([doc.words for doc in batch], tag_rows, offset)

    # -------------------------------------------------------------- inference
    def infer_vector(self, doc_words: Sequence[str], alpha: Optional[float] = None,
                     min_alpha: Optional[float] = None, epochs: Optional[int] = None) -> np.ndarray:
        """A vector for a new document, trained with the words and outputs frozen, as gensim:
        ``epochs`` passes at a rate falling from ``alpha`` to ``min_alpha`` (the model's by
        default).  Deterministic: the same model and words give the same vector, in any
        thread (the start vector and random stream come from the model's seed and the words)."""
        return self.infer_vectors([doc_words], alpha=alpha, min_alpha=min_alpha, epochs=epochs, workers=1)[0]

    def infer_vectors(self, documents: Sequence[Sequence[str]], alpha: Optional[float] = None,
                      min_alpha: Optional[float] = None, epochs: Optional[int] = None,
                      workers: Optional[int] = None) -> np.ndarray:
        """:meth:`infer_vector` for many documents at once: ``[len(documents), vector_size]``
        float32, trained by ``workers`` C++ threads with the GIL released; each row equals
        ``infer_vector`` of its document."""
        if self._vocab is None:
            raise RuntimeError("the model has no vocabulary: train it (or load one) first")
        docs = list(documents)
        for i, d in enumerate(docs):
            if isinstance(d, (str, bytes)):
                raise TypeError(f"document {i} is a {type(d).__name__}, not a list of str words")
        alpha = self.alpha if alpha is None else V.check_float("alpha", alpha, 0.0, 10.0, low_open=True)
        min_alpha = self.min_alpha if min_alpha is None else V.check_float("min_alpha", min_alpha, 0.0, 10.0)
        epochs = self.epochs if epochs is None else V.check_int("epochs", epochs, 1, 1_000_000)
        workers = self.workers if workers is None else V.check_int("workers", workers, 1, 4096)
        dim, stride = self.vector_size, padded_stride(self.vector_size)
        out = aligned_matrix(max(len(docs), 1), stride)
        seeds = []
        for i, d in enumerate(docs):
            key = zlib.crc32(" ".join(d).encode("utf-8", errors="surrogatepass"))
            seeds.append((self.seed * 0x9E3779B97F4A7C15 + key) % 2**64)
            rng = np.random.default_rng(seeds[-1])
            out[i, :dim] = (rng.random(dim, dtype=np.float32) - 0.5) / dim
        if not docs:
            return np.zeros((0, dim), dtype=np.float32)
        # The training config with the model frozen; each document restarts its own random
        # stream (seeds below), so the config's seed does not reach the result.
        config = self._train_config(alpha, alpha, 1)
        config.train_outputs = False
        config.dbow_words = False
        config.compute_loss = False
        config.max_tags = 1
        config.workers = workers
        frozen = np.zeros(len(self._weights["syn0"]), dtype=np.float32)  # words do not move
        w = self._weights
        trainer = _core.Trainer(self._vocab, config, w["syn0"], w.get("syn1neg"), w.get("syn1"), None, frozen,
                                out, None)
        rows = [[i] for i in range(len(docs))]
        delta = (alpha - min_alpha) / max(epochs - 1, 1)  # gensim's per-epoch schedule
        try:
            for e in range(epochs):
                trainer.set_learning_rate(alpha - delta * e)
                trainer.start_stream_epoch()
                for s in range(0, len(docs), 1000):
                    trainer.push_documents(docs[s : s + 1000], rows[s : s + 1000], s,
                                           [(x + e * 0x632BE59BD9B4E019) % 2**64 for x in seeds[s : s + 1000]])
                trainer.close_stream()
                while not trainer.wait(0.1):  # Ctrl-C lands between waits
                    pass
                trainer.finish_epoch()
        except BaseException:
            abandon(trainer)
            raise
        return np.array(out[: len(docs), :dim])

    def __repr__(self) -> str:
        return (f"Doc2Vec<{'dm' if self.dm else 'dbow'}{'+w' if self.dbow_words else ''}, "
                f"vector_size={self.vector_size}, words={len(self.wv)}, tags={len(self._tags)}, "
                f"{'hs' if self.hs else ''}{'+' if self.hs and self.negative else ''}"
                f"{f'negative={self.negative}' if self.negative else ''}, alpha={self.alpha}>")
