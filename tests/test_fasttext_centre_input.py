"""FastText's skip-gram in fastText's orientation (``centre_input``): the centre word's n-gram
mean is the input, built once per centre word, and predicts each context word."""
import numpy as np
import pytest

from fastembed import FastText, _core


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _rows(table, t):
    off = np.asarray(table.offsets)
    return np.asarray(table.rows)[off[t]:off[t + 1]]


def test_update_is_fastText_orientation_exactly():
    # Two words, one sentence, window 1, hierarchical softmax (one inner node), constant rate,
    # exact sigmoid, nothing sub-sampled: every step can be replayed in float64.
    corpus = [["abc", "xyz"]]
    alpha = 0.2
    model = FastText(vector_size=16, min_count=1, window=1, sg=1, hs=1, negative=0, sample=0,
                     min_n=3, max_n=4, bucket=40, alpha=alpha, min_alpha=alpha, exact_sigmoid=True,
                     workers=1, seed=5, epochs=1)
    model.build_vocab(corpus)
    assert model.centre_input
    syn0 = model._weights["syn0"][:, :16].astype(np.float64)
    syn1 = np.asarray(model.syn1, dtype=np.float64).copy()
    rng = np.random.default_rng(0)
    syn1[:] = rng.uniform(-0.5, 0.5, syn1.shape)  # non-zero, so the input's error is non-zero too
    model.syn1[:] = syn1
    table = model.wv._table
    codes, points = _core.huffman_paths(np.array([model.wv.get_vecattr(w, "count") for w in model.wv.index_to_key]))
    ids = [model.wv.key_to_index[w] for w in corpus[0]]
    for centre, ctx in ((ids[0], ids[1]), (ids[1], ids[0])):
        rows = _rows(table, centre)
        h = syn0[rows].mean(axis=0)
        err = np.zeros(16)
        for code, node in zip(codes[ctx], points[ctx]):
            g = (1.0 - code - _sigmoid(h @ syn1[node])) * alpha
            err += g * syn1[node]
            syn1[node] += g * h
        syn0[rows] += err
    model.train(corpus, total_examples=1, epochs=1)
    np.testing.assert_allclose(model._weights["syn0"][:, :16], syn0, rtol=0, atol=2e-6)
    np.testing.assert_allclose(model.syn1, syn1, rtol=0, atol=2e-6)


def test_orientation_changes_the_model_and_both_learn():
    corpus = [["alpha", "beta", "gamma", "delta"] * 5, ["beta", "alpha", "delta", "gamma"] * 5] * 20
    kw = dict(vector_size=16, min_count=1, window=2, sg=1, bucket=500, workers=1, seed=2, epochs=3)
    a = FastText(corpus, **kw)
    b = FastText(corpus, centre_input=False, **kw)
    assert a.centre_input and not b.centre_input
    assert a.wv.vectors.tobytes() != b.wv.vectors.tobytes()
    for m in (a, b):
        assert np.isfinite(m.wv.vectors).all()
        before = FastText(**kw)
        before.build_vocab(corpus)
        assert np.abs(m.wv.vectors_ngrams - before.wv.vectors_ngrams).max() > 1e-3


def test_defaults_and_bad_settings():
    assert FastText(sg=1).centre_input is True
    assert FastText(sg=0).centre_input is False
    assert FastText(sg=1, max_n=0).centre_input is False  # no subwords: word2vec to the bit
    assert FastText(sg=1, shared_negatives=False).centre_input is False
    with pytest.raises(ValueError, match="skip-gram"):
        FastText(sg=0, centre_input=True)
    with pytest.raises(ValueError, match="shared_negatives"):
        FastText(sg=1, centre_input=True, shared_negatives=False)
    with pytest.raises(ValueError, match="centre_input"):
        FastText(sg=1, centre_input=2)


def test_saved_with_the_model(tmp_path):
    corpus = [["one", "two", "three"]] * 10
    m = FastText(corpus, vector_size=8, min_count=1, sg=1, centre_input=False, bucket=50, epochs=1, workers=1)
    m.save(tmp_path / "m.model")
    assert FastText.load(tmp_path / "m.model").centre_input is False
