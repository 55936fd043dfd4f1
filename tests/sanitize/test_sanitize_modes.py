"""Every training path (skip-gram/CBOW x negative sampling/hierarchical softmax x each SIMD
kernel x file/stream/iterable reading) on tiny corpora and edge shapes: vector sizes that are
not a multiple of 16, window 1, vocabularies of one and two words.

Small enough to run under AddressSanitizer (tests/sanitize/run.sh), where it stands in for the
rank-sanity tests of test_train.py that train on the 2M-word sample; it runs in the normal
suite too (a few seconds).
"""
import gzip
import random

import numpy as np
import pytest

import fastembed
from fastembed import _core

MODES = [
    dict(sg=1, negative=3),
    dict(sg=1, negative=3, shared_negatives=False),
    dict(sg=1, hs=1, negative=0),
    dict(sg=1, hs=1, negative=2),
    dict(sg=0, negative=3),
    dict(sg=0, negative=3, cbow_mean=0),
    dict(sg=0, hs=1, negative=0),
    dict(sg=0, hs=1, negative=2, cbow_mean=0),
]
SHAPES = [
    dict(vector_size=1, window=1),
    dict(vector_size=17, window=3),
    dict(vector_size=48, window=8, shrink_windows=False),
]
SOURCES = ["file", "stream", "iterable"]


def _lines(n_words=4000, vocab=150, seed=0):
    """Zipf-like words in lines of 0-40 words (empty lines included)."""
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(vocab)]
    weights = [1.0 / (i + 1) for i in range(vocab)]
    lines, left = [], n_words
    while left > 0:
        k = min(left, rng.randint(0, 40))
        lines.append(rng.choices(words, weights, k=k))
        left -= k
    return lines


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    d = tmp_path_factory.mktemp("modes")
    out = {}
    for name, lines in [("main", _lines()), ("one_word", [["solo"] * 30] * 3), ("two_words", [["a", "b"] * 20] * 3)]:
        text = "\n".join(" ".join(l) for l in lines) + "\n"
        plain = d / f"{name}.txt"
        plain.write_text(text)
        gz = d / f"{name}.txt.gz"
        with gzip.open(gz, "wt") as f:
            f.write(text)
        out[name] = dict(file=str(plain), stream=str(gz), iterable=lines)
    return out


def _train(corpus, source, kernel, **params):
    before = _core.kernel_mode()
    _core.set_kernels(kernel)
    try:
        model = fastembed.Word2Vec(min_count=1, epochs=2, workers=2, seed=7, sample=0,
                                   compute_loss=True, **params)
        model._file_chunk_bytes = 61  # many byte ranges, words cut at their edges
        if source == "iterable":
            model.build_vocab(corpus_iterable=corpus[source])
            init = model.wv.vectors.copy()
            model.train(corpus_iterable=corpus[source], total_examples=model.corpus_count, epochs=model.epochs)
        else:
            model.build_vocab(corpus_file=corpus[source])
            init = model.wv.vectors.copy()
            model.train(corpus_file=corpus[source], total_words=model.corpus_total_words, epochs=model.epochs)
    finally:
        _core.set_kernels(before)
    return model, init


def _check_trained(model, init):
    total = int(model.wv.expandos["count"].sum())
    assert [s["words"] for s in model.epoch_stats] == [total, total]
    assert np.isfinite(model.wv.vectors).all()
    assert all(np.isfinite(l) and l > 0 for l in model.epoch_losses)
    assert not np.array_equal(model.wv.vectors, init)


@pytest.mark.parametrize("kernel", _core.available_kernels())
@pytest.mark.parametrize("mode", range(len(MODES)))
def test_every_mode_and_shape(corpora, kernel, mode):
    for i, shape in enumerate(SHAPES):
        source = SOURCES[(mode + i) % len(SOURCES)]
        model, init = _train(corpora["main"], source, kernel, **MODES[mode], **shape)
        _check_trained(model, init)


@pytest.mark.parametrize("mode", range(len(MODES)))
@pytest.mark.parametrize("source", SOURCES)
def test_tiny_vocabularies(corpora, mode, source):
    params = dict(MODES[mode], vector_size=5, window=2)
    # Two words: every mode trains (a one-node Huffman tree, one possible negative).
    model, init = _train(corpora["two_words"], source, _core.active_kernels(), **params)
    _check_trained(model, init)
    # One word: it is never its own negative and has no Huffman path, so nothing may be left
    # to learn, but every word is still read and nothing breaks.
    model, init = _train(corpora["one_word"], source, _core.active_kernels(), **params)
    assert [s["words"] for s in model.epoch_stats] == [90, 90]
    assert np.isfinite(model.wv.vectors).all()
    if params["negative"] == 0:
        np.testing.assert_array_equal(model.wv.vectors, init)
