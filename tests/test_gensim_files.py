"""gensim 4 saves load without running code from the file, and models convert both ways."""
from __future__ import annotations

import os
import pickle

import numpy as np
import pytest

from fastembed import KeyedVectors, Word2Vec
from fastembed import gensim_compat


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch /tmp/fastembed-pwned",))


def test_a_pickle_naming_other_callables_is_refused(tmp_path):
    path = tmp_path / "evil.model"
    path.write_bytes(pickle.dumps({"x": _Evil()}, protocol=4))
    for load in (Word2Vec.load, KeyedVectors.load):
        with pytest.raises(ValueError, match="refusing to load posix.system|refusing to load os.system|not a loadable"):
            load(str(path))
    assert not os.path.exists("/tmp/fastembed-pwned")


def test_a_pickle_of_something_else_is_refused(tmp_path):
    path = tmp_path / "list.kv"
    path.write_bytes(pickle.dumps([1, 2, 3], protocol=4))
    with pytest.raises(ValueError, match="not of a gensim model"):
        KeyedVectors.load(str(path))


def test_mmap_is_refused_for_fastembed_model_files(tmp_path, short_sentences):
    m = Word2Vec(short_sentences, vector_size=8, min_count=2, workers=1, epochs=1)
    m.save(str(tmp_path / "m.fe"))
    with pytest.raises(ValueError, match="mmap applies to gensim saves"):
        Word2Vec.load(str(tmp_path / "m.fe"), mmap="r")


gensim = pytest.importorskip("gensim")


@pytest.fixture(scope="module")
def gensim_model(short_sentences):
    return gensim.models.Word2Vec(short_sentences, vector_size=16, min_count=2, hs=1, negative=5, epochs=1,
                                  workers=1, seed=3)


@pytest.mark.parametrize("sep_limit", [10 * 1024**2, 0])  # arrays in the pickle, or .npy files beside it
def test_gensim_kv_save_loads_equal(tmp_path, gensim_model, sep_limit):
    path = str(tmp_path / "g.kv")
    gensim_model.wv.save(path, sep_limit=sep_limit)
    kv = KeyedVectors.load(path)
    assert kv.index_to_key == gensim_model.wv.index_to_key
    assert np.array_equal(kv.vectors, gensim_model.wv.vectors)
    assert np.array_equal(kv.expandos["count"], gensim_model.wv.expandos["count"])
    ours, theirs = kv.most_similar("the", topn=5), gensim_model.wv.most_similar("the", topn=5)
    assert [k for k, _ in ours] == [k for k, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], rtol=1e-5)
    if sep_limit == 0:
        mapped = KeyedVectors.load(path, mmap="r")
        assert isinstance(mapped.vectors, np.memmap) and np.array_equal(mapped.vectors, kv.vectors)


def test_gensim_model_save_loads_and_trains_on(tmp_path, gensim_model, short_sentences, caplog):
    path = str(tmp_path / "g.model")
    gensim_model.save(path)
    with caplog.at_level("WARNING", logger="fastembed"):
        m = Word2Vec.load(path)
    assert isinstance(m, Word2Vec)
    for k in ("vector_size", "window", "sg", "hs", "negative", "sample", "min_count", "epochs"):
        assert getattr(m, k) == getattr(gensim_model, k), k
    assert m.wv.index_to_key == gensim_model.wv.index_to_key
    assert np.array_equal(m.wv.vectors, gensim_model.wv.vectors)
    assert np.array_equal(m.syn1neg, gensim_model.syn1neg)
    # gensim breaks count ties differently: its syn1 rows belong to other nodes, so they are reset
    same_tree = gensim_compat._same_huffman_tree(gensim_model.wv)
    assert np.array_equal(m.syn1, gensim_model.syn1) if same_tree else (not m.syn1.any() and "Huffman" in caplog.text)
    assert m.corpus_count == gensim_model.corpus_count
    m.train(short_sentences, total_examples=m.corpus_count, epochs=1)
    assert np.isfinite(m.wv.vectors).all()


def test_round_trip_through_gensim(short_sentences):
    ours = Word2Vec(short_sentences, vector_size=16, min_count=2, negative=5, workers=1, epochs=1, seed=4)
    g = ours.to_gensim()
    assert sorted(g.wv.index_to_key) == sorted(ours.wv.index_to_key)  # gensim may order count ties otherwise
    order = [ours.wv.key_to_index[w] for w in g.wv.index_to_key]
    assert np.array_equal(g.wv.vectors, ours.wv.vectors[order]) and np.array_equal(g.syn1neg, ours.syn1neg[order])
    assert [g.wv.get_vecattr(w, "count") for w in g.wv.index_to_key[:50]] == \
        [int(ours.wv.expandos["count"][ours.wv.key_to_index[w]]) for w in g.wv.index_to_key[:50]]
    back = Word2Vec.from_gensim(g)
    assert back.wv.index_to_key == g.wv.index_to_key
    assert np.array_equal(back.wv.vectors, g.wv.vectors) and np.array_equal(back.syn1neg, g.syn1neg)
    assert back.wv.most_similar("the", topn=3) == ours.wv.most_similar("the", topn=3)
    g.train(short_sentences, total_examples=g.corpus_count, epochs=1)  # gensim can go on training it
