"""KeyedVectors.embed_documents: mean and SIF (Arora, Liang & Ma 2017) against a numpy reference."""
from __future__ import annotations

import numpy as np
import pytest

from fastembed import KeyedVectors


@pytest.fixture(scope="module")
def kv():
    rng = np.random.default_rng(4)
    kv = KeyedVectors(6)
    words = [f"w{i}" for i in range(50)]
    kv.add_vectors(words, rng.normal(size=(50, 6)).astype(np.float32))
    kv.expandos["count"] = np.arange(500, 0, -10, dtype=np.int64)
    return kv


DOCS = [["w1", "w2", "w2", "nope"], "w3 w4\tw49", [], ["nope"], ["w0"] * 3 + ["w7"]]


def _reference(kv, docs, weights):
    out = np.zeros((len(docs), kv.vector_size))
    for d, doc in enumerate(docs):
        words = [w for w in (doc.split() if isinstance(doc, str) else doc) if w in kv.key_to_index]
        if words:
            out[d] = sum(weights[kv.key_to_index[w]] * kv.vectors[kv.key_to_index[w]].astype(np.float64)
                         for w in words) / len(words)
    return out


def test_mean(kv):
    got = kv.embed_documents(DOCS)
    assert got.dtype == np.float32 and got.shape == (5, 6)
    np.testing.assert_allclose(got, _reference(kv, DOCS, np.ones(50)), rtol=1e-6, atol=1e-7)
    assert not got[2].any() and not got[3].any()  # nothing known: zero rows


def test_sif_weights_and_principal_component(kv):
    counts = kv.expandos["count"].astype(np.float64)
    weights = 1e-3 / (1e-3 + counts / counts.sum())
    x = _reference(kv, DOCS, weights)
    u = np.linalg.svd(x, full_matrices=False)[2][0]
    want = x - np.outer(x @ u, u)
    got = kv.embed_documents(DOCS, method="sif")
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert not got[2].any()
    # a component fitted elsewhere is removed instead
    other = kv.sif_principal_component([["w10", "w11"], ["w12"]])
    assert np.linalg.norm(other) == pytest.approx(1.0)
    got2 = kv.embed_documents(DOCS, method="sif", principal_component=other)
    np.testing.assert_allclose(got2, x - np.outer(x @ other, other), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(kv.embed_documents(DOCS, method="sif", sif_a=0.5),
                               (lambda x5: x5 - np.outer(x5 @ np.linalg.svd(x5, full_matrices=False)[2][0],
                                                         np.linalg.svd(x5, full_matrices=False)[2][0]))(
                                   _reference(kv, DOCS, 0.5 / (0.5 + counts / counts.sum()))), rtol=1e-5, atol=1e-6)


def test_strided_vectors_of_a_model(short_sentences):
    from fastembed import Word2Vec
    m = Word2Vec(short_sentences, vector_size=20, min_count=2, workers=1, epochs=1)
    assert not m.wv.vectors.flags["C_CONTIGUOUS"]
    docs = short_sentences[:5]
    np.testing.assert_allclose(m.wv.embed_documents(docs), _reference(m.wv, docs, np.ones(len(m.wv))),
                               rtol=1e-5, atol=1e-7)


def test_bad_input(kv):
    with pytest.raises(ValueError, match="method"):
        kv.embed_documents(DOCS, method="max")
    with pytest.raises(TypeError, match="not one str"):
        kv.embed_documents("w1 w2")
    with pytest.raises(TypeError, match="document 1 is a int"):
        kv.embed_documents([["w1"], 5])
    with pytest.raises(ValueError, match="sif_a"):
        kv.embed_documents(DOCS, method="sif", sif_a=0)
    with pytest.raises(ValueError, match="principal_component must be"):
        kv.embed_documents(DOCS, method="sif", principal_component=np.ones(3))
    bare = KeyedVectors(2)
    bare.add_vectors(["a"], np.ones((1, 2), dtype=np.float32))
    with pytest.raises(ValueError, match="needs word counts"):
        bare.embed_documents([["a"]], method="sif")
