"""Growing a trained model's vocabulary: ``build_vocab(corpus, update=True)``.

gensim's semantics, with its known gaps filled:

* every word of the new corpus that the model knows adds its count there (gensim adds it only
  when the word reaches ``min_count`` in the new corpus; adding every occurrence keeps the
  sampling and negative-sampling tables true to all the text the model has seen);
* new words reaching ``min_count`` (raised to fit ``max_final_vocab`` over the new corpus, as
  at creation) are appended after the existing ones, most frequent first (with
  ``sorted_vocab``); existing words keep their rows;
* the trainer builds its sampling keep-probabilities, negative-sampling table and Huffman
  tree from the merged counts at the next ``train()``;
* new input rows start exactly as they would in a fresh model with the same seed (each row is
  seeded by its word), new output rows at zero, new lock factors at 1; old rows keep every bit;
* hierarchical softmax: when the Huffman tree changes (it does whenever a word is added or the
  counts reorder it), the inner-node vectors ``syn1`` would otherwise stay attached to nodes
  that now stand for other word groups; they restart at zero with a logged warning instead
  (the input vectors and ``syn1neg`` are kept).  When the tree is unchanged they are kept;
* an update that brings no new word is fine (gensim raises, its issue #1162);
* ``corpus_count`` / ``corpus_total_words`` describe the new corpus afterwards (as in gensim),
  so ``train(new, total_examples=model.corpus_count)`` decays the learning rate over it.

``model.wv`` is a new :class:`~fastembed.KeyedVectors` after an update: take it again.
"""
from __future__ import annotations

import logging
from typing import Any, List, Optional, Sequence

import numpy as np

from . import _core

logger = logging.getLogger("fastembed")


def require_vocab(model: Any) -> None:
    if model._vocab is not None and model._document_matrix()[0] is not None:
        raise NotImplementedError("build_vocab(update=True) grows word models; document models (Doc2Vec) "
                                  "cannot grow their vocabulary yet")
    if model._vocab is None:
        from .training import EmptyVocabularyError  # a RuntimeError, as gensim raises, and a ValueError

        raise EmptyVocabularyError("build_vocab(update=True) grows an existing vocabulary, but the model has none: "
                         "call build_vocab() without update first (or load a trained model)")


def update_vocab(model: Any, counter: Any, seconds: float) -> None:
    """Merge the words counted by ``counter`` (a finished ``_core.CorpusCounter``) into the
    model's vocabulary and grow its matrices."""
    if counter.total_words == 0:
        raise ValueError("the corpus is empty: no words to update the vocabulary with")
    min_count = counter.effective_min_count(model.min_count, model.max_final_vocab or 0)
    seen = counter.finalize(1, 0, bool(model.sorted_vocab))
    index = model.wv.key_to_index
    counts = np.asarray(model.wv.expandos["count"], dtype=np.int64).copy()
    new_words, new_counts, retained = [], [], 0
    for word, count in zip(seen.words(), seen.counts().tolist()):
        i = index.get(word)
        if i is not None:
            counts[i] += count
            retained += count
        elif count >= min_count:
            new_words.append(word)
            new_counts.append(count)
            retained += count
    append_words(model, new_words, new_counts, counts)
    model.corpus_count = int(counter.sentences)
    model.corpus_total_words = int(counter.total_words)
    model.corpus_retained_words = retained
    logger.info("vocabulary update: %d new words (min_count=%d) appended to %d, %d of %d words of the new "
                "corpus in the vocabulary, %d sentences, %.2fs", len(new_words), min_count,
                len(model.wv) - len(new_words), retained, counter.total_words, counter.sentences, seconds)


def append_words(model: Any, words: List[str], counts: Sequence[int],
                 old_counts: Optional[np.ndarray] = None) -> None:
    """Append ``words`` (not in the vocabulary) with ``counts``, giving the existing words
    ``old_counts`` (default: unchanged), and grow the matrices: old rows keep every bit, new
    rows start as at creation."""
    model._lockf()  # adopts (and checks) an array the user assigned to wv.vectors_lockf
    before = model._vocab.counts()
    merged = np.concatenate([before if old_counts is None else np.asarray(old_counts, dtype=np.int64),
                             np.asarray(counts, dtype=np.int64)])
    old_weights = model._weights
    vocab = _core.Vocab(list(model.wv.index_to_key) + list(words), merged)
    model._vocab = vocab
    model._set_vocab(vocab)
    model._reset_weights()  # every row as at creation: seeded input rows, zero outputs, factors 1
    for name, old in old_weights.items():
        new = model._weights.get(name)
        if new is None:
            continue
        if name == "syn1":
            if _same_tree(before, merged):
                new[...] = old
            elif old.any():  # an untrained syn1 (all zero) loses nothing
                logger.warning("growing the vocabulary changes the hierarchical-softmax "
                               "Huffman tree, so the inner-node vectors (syn1) restart at zero; the input "
                               "vectors%s are kept", " and syn1neg" if "syn1neg" in old_weights else "")
            continue
        new[: len(old)] = old
    model._bind_vectors()


def _same_tree(old_counts: np.ndarray, new_counts: np.ndarray) -> bool:
    """Whether every word keeps its Huffman path (codes and inner nodes)."""
    if len(old_counts) != len(new_counts):
        return False
    return _core.huffman_paths(old_counts) == _core.huffman_paths(new_counts)
