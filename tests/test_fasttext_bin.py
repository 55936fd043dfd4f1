"""Facebook's .bin format both ways: fastembed's own round trip, the `fasttext` package's
files read by fastembed and fastembed's read by `fasttext` (skipped without the package),
and damaged, foreign, supervised and quantized files refused with ValueError."""
from __future__ import annotations

import struct

import numpy as np
import pytest

import fastembed
from fastembed import FastText

UNSEEN = ["governmment", "xqzvk", "привет", "日本語", "😀ok", "a"]


@pytest.fixture(scope="module")
def model(small_path):
    m = FastText(vector_size=12, bucket=3000, min_count=5, epochs=1, workers=1, seed=5, sg=1)
    m.build_vocab(corpus_file=small_path)
    m.train(corpus_file=small_path, total_examples=m.corpus_count, epochs=1)
    return m


@pytest.fixture(scope="module")
def bin_path(model, tmp_path_factory):
    path = tmp_path_factory.mktemp("bin") / "model.bin"
    model.save_facebook_model(path)
    return path


def test_own_round_trip_is_exact(model, bin_path):
    back = fastembed.load_facebook_model(bin_path)
    assert (back.sg, back.vector_size, back.window, back.negative, back.bucket) == (1, 12, 5, 5, 3000)
    assert back.wv.index_to_key == model.wv.index_to_key
    assert (back.wv.expandos["count"] == model.wv.expandos["count"]).all()
    assert back._weights["syn0"].tobytes() == model._weights["syn0"].tobytes()
    assert back._weights["syn1neg"].tobytes() == model._weights["syn1neg"].tobytes()
    assert back.wv.vectors.tobytes() == model.wv.vectors.tobytes()
    for w in UNSEEN[:-1]:
        assert back.wv[w].tobytes() == model.wv[w].tobytes()
    kv = fastembed.load_facebook_vectors(bin_path)
    assert kv.vectors.tobytes() == model.wv.vectors.tobytes()
    assert kv["governmment"].tobytes() == model.wv["governmment"].tobytes()


def test_loaded_model_trains_on(bin_path, small_path):
    back = fastembed.load_facebook_model(bin_path)
    before = back.wv.vectors.copy()
    back.train(corpus_file=small_path, total_words=back.corpus_total_words, epochs=1)
    assert (back.wv.vectors != before).any(axis=1).mean() > 0.99


def _patched(src, tmp_path, offset, fmt, value):
    data = bytearray(src.read_bytes())
    struct.pack_into(fmt, data, offset, value)
    path = tmp_path / "patched.bin"
    path.write_bytes(bytes(data))
    return path


# Offsets: magic 0, version 4, args 8.. (loss 32, model 36), dictionary header 64.. (nlabels 72,
# pruneidx_size 84).
@pytest.mark.parametrize("offset,fmt,value,match", [
    (0, "<i", 12345, "not a fastText .bin file"),
    (4, "<i", 99, "version 99"),
    (36, "<i", 3, "supervised"),
    (72, "<i", 2, "labels"),
    (84, "<q", 10, "quantized"),
    (32, "<i", 7, "unknown model"),
    (64, "<i", 2**30, "cannot hold"),
])
def test_foreign_and_unsupported_files_raise(bin_path, tmp_path, offset, fmt, value, match):
    path = _patched(bin_path, tmp_path, offset, fmt, value)
    with pytest.raises(ValueError, match=match):
        fastembed.load_facebook_vectors(path)


def test_truncated_files_raise(bin_path, tmp_path):
    data = bin_path.read_bytes()
    for cut in [0, 3, 7, 20, 70, 100, 2000, len(data) // 2, len(data) - 1]:
        path = tmp_path / "cut.bin"
        path.write_bytes(data[:cut])
        with pytest.raises(ValueError):
            fastembed.load_facebook_vectors(path)
        with pytest.raises(ValueError):
            fastembed.load_facebook_model(path)
    path = tmp_path / "long.bin"
    path.write_bytes(data + b"\0")
    with pytest.raises(ValueError, match="trailing"):
        fastembed.load_facebook_vectors(path)


def test_word2vec_file_is_foreign(model, tmp_path):
    path = tmp_path / "w2v.bin"
    model.wv.save_word2vec_format(str(path), binary=True)
    with pytest.raises(ValueError, match="not a fastText"):
        fastembed.load_facebook_model(path)


def test_hs_models_are_not_written(small_path, tmp_path):
    m = FastText(vector_size=8, bucket=100, hs=1, negative=0, epochs=1, workers=1)
    m.build_vocab(corpus_file=small_path)
    with pytest.raises(ValueError, match="negative-sampling"):
        m.save_facebook_model(tmp_path / "hs.bin")


# ------------------------------------------------------------------ against the fasttext package

def _ft():
    return pytest.importorskip("fasttext")


def test_fasttext_reads_fastembed_bin(model, bin_path):
    ft = _ft().load_model(str(bin_path))
    assert ft.get_words(on_unicode_error="replace") == model.wv.index_to_key
    for w in model.wv.index_to_key[:200] + model.wv.index_to_key[-50:]:
        np.testing.assert_allclose(ft.get_word_vector(w), model.wv[w], rtol=0, atol=1e-5)
    for w in UNSEEN[:-1]:
        np.testing.assert_allclose(ft.get_word_vector(w), model.wv[w], rtol=0, atol=1e-5)


@pytest.fixture(scope="module")
def fasttext_bin(small_path, tmp_path_factory):
    ft = _ft()
    path = tmp_path_factory.mktemp("ftbin") / "ft.bin"
    m = ft.train_unsupervised(small_path, model="cbow", dim=10, epoch=1, minCount=5, bucket=4000,
                              minn=2, maxn=5, thread=1, verbose=0)
    m.save_model(str(path))
    return path, m


def test_fastembed_reads_fasttext_bin(fasttext_bin):
    path, ft = fasttext_bin
    for load in (fastembed.load_facebook_vectors, lambda p: fastembed.load_facebook_model(p).wv):
        wv = load(path)
        assert (wv.min_n, wv.max_n, wv.bucket) == (2, 5, 4000)
        words = ft.get_words()
        assert wv.index_to_key == words and "</s>" in words
        got = np.array([wv[w] for w in words])
        want = np.array([ft.get_word_vector(w) for w in words])
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-5)
        for w in UNSEEN:
            np.testing.assert_allclose(wv[w], ft.get_word_vector(w), rtol=0, atol=1e-5)


def test_fasttext_model_trained_on_in_fastembed_reads_back_in_fasttext(fasttext_bin, small_path, tmp_path):
    path, _ = fasttext_bin
    model = fastembed.load_facebook_model(path)
    assert model.sg == 0 and model.vector_size == 10
    model.train(corpus_file=small_path, total_words=model.corpus_total_words, epochs=1)
    out = tmp_path / "again.bin"
    model.save_facebook_model(out)
    ft = _ft().load_model(str(out))
    for w in model.wv.index_to_key[:100] + UNSEEN[:-1]:
        np.testing.assert_allclose(ft.get_word_vector(w), model.wv[w], rtol=0, atol=1e-5)


def test_vec_file_matches_fasttext(model, bin_path, tmp_path):
    vec = tmp_path / "model.vec"
    model.wv.save_word2vec_format(str(vec))
    ft = _ft().load_model(str(bin_path))
    lines = vec.read_text(encoding="utf-8").splitlines()
    assert lines[0].split() == [str(len(model.wv)), "12"]
    for line in lines[1:200]:
        word, *values = line.split(" ")
        np.testing.assert_allclose(np.array(values, dtype=np.float32), ft.get_word_vector(word), rtol=0, atol=1e-6)


@pytest.mark.parametrize("word", ["where", "the", "a", "naïve", "привет", "東京都", "😀", "👍🏽ok", "x\u0301y", "</s>"])
def test_ngrams_and_rows_equal_fasttexts_own(fasttext_bin, word):
    from fastembed import _core

    path, ft = fasttext_bin
    wv = fastembed.load_facebook_vectors(path)
    strings, ids = ft.get_subwords(word)
    known = word in wv.key_to_index
    want_strings = ([word] if known else []) + _core.ngrams(word, 2, 5) if word != "</s>" else [word]
    assert list(strings) == want_strings
    rows = ([wv.key_to_index[word]] if known else []) + \
        [len(wv) + b for b in _core.ngram_buckets(word, 2, 5, 4000).tolist()]
    assert list(ids) == rows
