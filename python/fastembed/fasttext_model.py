"""``fastembed.FastText``: fastText's subword model on the shared trainer.

A word's input is its own row plus the rows of its character n-grams (``cpp/subwords.h``: the
vocabulary's n-gram rows are listed once, as the trainer's input-row table); their mean feeds
the model and the error goes back, undivided, to each, as fastText does.  Everything else
(threads, corpus readers, learning rate, callbacks, Ctrl-C, save / load) is Word2Vec's.
"""
from __future__ import annotations

import os
from typing import Any, Dict, Iterable, Optional, Sequence, Tuple, Union


from . import _core
from . import _validate as V
from .fasttext_vectors import FastTextKeyedVectors
from .model import Word2Vec
from .training import padded_stride

PathLike = Union[str, "os.PathLike[str]"]

__all__ = ["FastText"]


class FastText(Word2Vec):
    """Train fastText subword vectors with skip-gram or CBOW.

    Parameters and defaults are gensim 4's ``FastText`` (``min_n``, ``max_n``, ``bucket``,
    ``word_ngrams`` beside Word2Vec's).  ``max_n < min_n`` (e.g. ``max_n=0``) turns subwords
    off and sets ``bucket`` to 0, as gensim and fastText do: the model is then word2vec.
    ``word_ngrams`` must be 1: word n-grams exist only in fastText's supervised models.
    ``model.wv`` is a :class:`~fastembed.FastTextKeyedVectors`, which gives vectors for words
    outside the vocabulary too.

    ``centre_input`` (fastembed's, skip-gram only): the centre word is the input, as in fastText:
    its vector (the mean of its n-gram rows) is built once per centre word and predicts each
    context word with fresh negatives per pair, and its error goes back to the n-gram rows
    once.  Word2Vec's orientation (``centre_input=False``: each context word predicts the
    centre, with ``shared_negatives``) builds and writes back each context word's mean once per
    pair, which costs several times more with subwords.  Default: on for ``sg=1`` with subwords.

    Memory: the input matrix holds ``len(vocab) + bucket`` rows of ``vector_size`` floats
    padded to a multiple of 16 (4 bytes each): 2,000,000 buckets of 100 dimensions take
    2,000,000 x 112 x 4 bytes = 896 MB.
    """

    _FORMAT = "fastembed-fasttext"

    def __init__(self, sentences: Optional[Iterable[Sequence[str]]] = None,
                 corpus_file: Optional[PathLike] = None, sg: int = 0, hs: int = 0,
                 vector_size: int = 100, alpha: float = 0.025, window: int = 5, min_count: int = 5,
                 max_vocab_size: Optional[int] = None, word_ngrams: int = 1, sample: float = 1e-3,
                 seed: int = 1, workers: int = 3, min_alpha: float = 0.0001, negative: int = 5,
                 ns_exponent: float = 0.75, cbow_mean: int = 1, epochs: int = 5, min_n: int = 3,
                 max_n: int = 6, sorted_vocab: int = 1, bucket: int = 2_000_000,
                 compute_loss: bool = False, callbacks: Sequence[Any] = (),
                 max_final_vocab: Optional[int] = None, shrink_windows: bool = True,
                 shared_negatives: bool = True, exact_sigmoid: bool = False,
                 unicode_errors: str = "replace", centre_input: Optional[bool] = None) -> None:
        if V.check_int("word_ngrams", word_ngrams, 1) != 1:
            raise ValueError(f"word_ngrams={word_ngrams}: word n-grams exist only in fastText's supervised "
                             "models; unsupervised FastText uses word_ngrams=1")
        self.word_ngrams = 1
        self.min_n = V.check_int("min_n", min_n, 1, 1000)
        self.max_n = V.check_int("max_n", max_n, 0, 1000)
        self.bucket = V.check_int("bucket", bucket, 0, 2**31 - 1)
        if self.max_n < self.min_n:
            self.bucket = 0  # no n-gram lengths: no buckets (gensim's and fastText's rule)
        elif self.bucket == 0:
            raise ValueError(f"bucket=0 leaves the n-grams of {self.min_n}..{self.max_n} characters nowhere to "
                             "go: give bucket > 0, or max_n=0 to turn subwords off")
        super().__init__(vector_size=vector_size, alpha=alpha, window=window, min_count=min_count,
                         max_vocab_size=max_vocab_size, sample=sample, seed=seed, workers=workers,
                         min_alpha=min_alpha, sg=sg, hs=hs, negative=negative, ns_exponent=ns_exponent,
                         cbow_mean=cbow_mean, epochs=epochs, sorted_vocab=sorted_vocab,
                         compute_loss=compute_loss, callbacks=callbacks, max_final_vocab=max_final_vocab,
                         shrink_windows=shrink_windows, shared_negatives=shared_negatives,
                         exact_sigmoid=exact_sigmoid, unicode_errors=unicode_errors)
        if centre_input is None:
            # Without subwords the model is word2vec, to the bit (its default orientation).
            centre_input = bool(self.sg) and self.shared_negatives and self.bucket > 0
        elif V.check_flag("centre_input", centre_input):
            if not self.sg:
                raise ValueError("centre_input=True is a skip-gram setting; CBOW (sg=0) already builds one input "
                                 "per centre word")
            if not self.shared_negatives:
                raise ValueError("centre_input=True draws fresh negatives per pair already; shared_negatives=False "
                                 "belongs to the context-input skip-gram (centre_input=False)")
        self.centre_input = bool(centre_input)
        self.wv = self._new_vectors()
        if sentences is not None or corpus_file is not None:
            self.build_vocab(corpus_iterable=sentences, corpus_file=corpus_file)
            self.train(corpus_iterable=sentences, corpus_file=corpus_file,
                       total_examples=self.corpus_count, total_words=self.corpus_total_words,
                       epochs=self.epochs)

    def _new_vectors(self) -> FastTextKeyedVectors:
        return FastTextKeyedVectors(self.vector_size, self.min_n, self.max_n, self.bucket)

    # -------------------------------------------------------------- the model's parts
    def _matrix_shapes(self) -> Dict[str, Optional[Tuple[int, int]]]:
        shapes = super()._matrix_shapes()
        shapes["syn0"] = (len(self._vocab) + self.bucket, padded_stride(self.vector_size))
        return shapes

    def _init_weights(self) -> None:
        # Words as Word2Vec (seeded by the word), buckets by their number: uniform in
        # [-1/dim, 1/dim) like fastText's whole input matrix.
        super()._init_weights()
        _core.init_rows_uniform(self._weights["syn0"], len(self._vocab), self.bucket, self.vector_size, self.seed)

    def _input_table(self) -> Optional[Any]:
        return self.wv._table

    def _kernel_settings(self, config: Any) -> None:
        super()._kernel_settings(config)
        if self.sg and self.centre_input:
            config.arch = _core.Arch.SKIPGRAM_CENTRE

    def _set_vocab(self, vocab: Any) -> None:
        self.wv = self._index_words(self._new_vectors(), vocab)
        self.wv._table = (_core.subword_table(vocab, self.min_n, self.max_n, self.bucket)
                          if self.bucket else None)

    def _bind_vectors(self) -> None:
        self.wv._attach(self._weights["syn0"], self.wv._table)

    def _vectors_changed(self) -> None:
        self.wv.adjust_vectors()  # the composed vectors (and their cached norms) are stale

    # -------------------------------------------------------------- Facebook's files
    def save_facebook_model(self, path: PathLike, encoding: str = "utf-8", lr_update_rate: int = 100) -> None:
        """Write the model as a fastText ``.bin`` file (see :func:`fastembed.save_facebook_model`)."""
        from .fasttext_bin import save_facebook_model

        save_facebook_model(self, path, encoding=encoding, lr_update_rate=lr_update_rate)

    @classmethod
    def load_facebook_model(cls, path: PathLike, encoding: str = "utf-8") -> "FastText":
        """Read a fastText ``.bin`` file (see :func:`fastembed.load_facebook_model`)."""
        from .fasttext_bin import load_facebook_model

        return load_facebook_model(path, encoding=encoding)

    def __repr__(self) -> str:
        n = len(self.wv.index_to_key) if self._vocab is not None else 0
        return (f"FastText<vocab={n}, vector_size={self.vector_size}, {'sg' if self.sg else 'cbow'}, "
                f"min_n={self.min_n}, max_n={self.max_n}, bucket={self.bucket}, alpha={self.alpha}>")
