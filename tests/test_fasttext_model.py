"""fastembed.FastText: the subword model on the shared trainer, and its keyed vectors."""
from __future__ import annotations

import pickle

import numpy as np
import pytest

import fastembed
from fastembed import FastText, FastTextKeyedVectors

from fasttext_ref import ref_hash, ref_ngrams

DIM, BUCKET = 16, 5000


def _buckets(word, min_n=3, max_n=6, bucket=BUCKET):
    return [ref_hash(g.encode("utf-8")) % bucket for g in ref_ngrams(word, min_n, max_n)]


@pytest.fixture(scope="module")
def trained(small_path):
    # One worker and a fixed seed: the same vectors every run.
    model = FastText(vector_size=DIM, bucket=BUCKET, min_count=5, epochs=1, workers=1, seed=7, sg=1)
    model.build_vocab(corpus_file=small_path)
    start = model._weights["syn0"].copy()
    model.train(corpus_file=small_path, total_examples=model.corpus_count, epochs=1)
    return model, start


def test_vocabulary_word_vector_is_mean_of_own_and_ngram_rows(trained):
    model, _ = trained
    wv = model.wv
    assert isinstance(wv, FastTextKeyedVectors)
    assert wv.vectors_vocab.shape == (len(wv), DIM) and wv.vectors_ngrams.shape == (BUCKET, DIM)
    for word in ["the", "of", "government", wv.index_to_key[-1]]:
        i = wv.key_to_index[word]
        rows = [wv.vectors_vocab[i]] + [wv.vectors_ngrams[b] for b in _buckets(word)]
        want = np.mean(np.array(rows, dtype=np.float64), axis=0)
        np.testing.assert_allclose(wv[word], want, rtol=0, atol=1e-6)
        np.testing.assert_array_equal(wv.vectors[i], wv[word])


def test_unseen_word_vector_is_mean_of_its_ngram_rows(trained):
    wv = trained[0].wv
    for word in ["governmentalish", "xqzv", "привет", "日本"]:
        assert word not in wv.key_to_index and word in wv
        want = np.mean(np.array([wv.vectors_ngrams[b] for b in _buckets(word)], dtype=np.float64), axis=0)
        np.testing.assert_allclose(wv[word], want, rtol=0, atol=1e-6)
        np.testing.assert_allclose(wv.get_vector(word, norm=True), want / np.linalg.norm(want), rtol=0, atol=1e-6)


def test_words_without_ngrams_raise_keyerror():
    model = FastText([["ab", "cd", "ab", "cd"]] * 5, vector_size=8, min_count=1, min_n=4, max_n=5,
                     bucket=100, workers=1, epochs=1)
    wv = model.wv
    assert "ab" in wv  # in the vocabulary (its own row only: "<ab>" is 4 characters)
    assert "x" not in wv  # "<x>" has 3 characters, fewer than min_n
    with pytest.raises(KeyError, match="no character n-gram"):
        wv["x"]
    assert "xyz" in wv  # "<xyz>" has n-grams of 4 and 5 characters


def test_training_moves_exactly_the_rows_the_vocabulary_uses(sample_words):
    sentences = [sample_words[i:i + 1000] for i in range(0, 30_000, 1000)]
    model = FastText(vector_size=8, bucket=200_000, min_count=3, epochs=1, workers=2)
    model.build_vocab(sentences)
    start = model._weights["syn0"].copy()
    model.train(sentences, total_examples=model.corpus_count, epochs=1)
    syn0 = model._weights["syn0"]
    used = np.unique(model.wv._table.rows)
    unused = np.setdiff1d(np.arange(len(syn0)), used)
    assert len(unused) > 0
    assert syn0[unused].tobytes() == start[unused].tobytes()  # never a target of any word
    moved = (syn0[used] != start[used]).any(axis=1)
    assert moved.mean() > 0.99


def test_initial_ngram_rows_uniform_like_fasttext(small_path):
    model = FastText(vector_size=DIM, bucket=BUCKET, workers=1)
    model.build_vocab(corpus_file=small_path)
    rows = model.wv.vectors_ngrams
    assert (np.abs(rows) <= 1.0 / DIM).all() and np.abs(rows).max() > 0.9 / DIM
    assert abs(float(rows.mean())) < 1e-3
    assert not model._weights["syn0"][:, DIM:].any()  # padding


def test_unseen_misspelling_lands_near_its_word(trained):
    wv = trained[0].wv
    assert "governmment" not in wv.key_to_index
    assert wv.similarity("government", "governmment") > 0.6
    assert "government" in [w for w, _ in wv.most_similar("governmment", topn=30)]
    # The query vector's own cosine with a vocabulary word is the stored cosine.
    (best, score), = wv.most_similar(positive=["governmment"], topn=1)
    assert score == pytest.approx(wv.similarity(best, "governmment"), abs=1e-5)


def test_every_query_takes_unseen_words(trained):
    wv = trained[0].wv
    u = wv.get_vector("governmment", norm=True).astype(np.float64)
    g = wv.get_vector("government", norm=True).astype(np.float64)
    assert wv.n_similarity(["governmment"], ["government"]) == pytest.approx(float(u @ g), abs=1e-6)
    assert wv.distances("governmment", ["government"])[0] == pytest.approx(1 - float(u @ g), abs=1e-6)
    assert wv.distances("government", ["governmment"])[0] == pytest.approx(1 - float(u @ g), abs=1e-6)
    words = ["governmment", "government", "the", "king"]
    units = np.array([wv.get_vector(w, norm=True) for w in words], dtype=np.float64)
    centre = units.mean(axis=0)
    centre /= np.linalg.norm(centre)
    want = sorted(zip((units @ centre).tolist(), words), reverse=True)
    got = wv.rank_by_centrality(words)
    assert [w for _, w in got] == [w for _, w in want]
    np.testing.assert_allclose([d for d, _ in got], [d for d, _ in want], atol=1e-6)
    assert [w for w, _ in wv.most_similar_cosmul(positive=["governmment"], topn=3)] == \
        [w for w, _ in wv.most_similar_cosmul(positive=[wv["governmment"]], topn=3)]
    np.testing.assert_array_equal(wv[["the", "governmment"]], np.stack([wv["the"], wv["governmment"]]))
    with pytest.raises(NotImplementedError):
        wv["newword"] = np.zeros(DIM)


def test_max_n_zero_is_word2vec_to_the_bit(small_path):
    settings = dict(vector_size=DIM, min_count=5, epochs=1, workers=1, seed=3, sg=1)
    ft = FastText(corpus_file=small_path, max_n=0, **settings)
    w2v = fastembed.Word2Vec(corpus_file=small_path, **settings)
    assert ft.bucket == 0 and ft.wv.vectors_ngrams.shape == (0, DIM)
    assert ft.wv.vectors.tobytes() == w2v.wv.vectors.tobytes()
    assert "qqqqzzzz" not in ft.wv
    with pytest.raises(KeyError):
        ft.wv["qqqqzzzz"]


def test_cbow_trains_too(small_path):
    model = FastText(corpus_file=small_path, vector_size=DIM, bucket=BUCKET, epochs=1, workers=2, sg=0)
    before = FastText(vector_size=DIM, bucket=BUCKET, workers=2)
    before.build_vocab(corpus_file=small_path)
    assert (model.wv.vectors_ngrams != before.wv.vectors_ngrams).any(axis=1).mean() > 0.3
    assert model.wv.similarity("king", "queen") > model.wv.similarity("king", "of") - 1.0  # finite


def test_save_load_and_pickle_round_trip(trained, tmp_path):
    model = trained[0]
    path = tmp_path / "ft.model"
    model.save(path)
    for back in (FastText.load(path), pickle.loads(pickle.dumps(model))):
        assert back.bucket == BUCKET and back.min_n == 3 and back.max_n == 6
        assert back.wv.vectors.tobytes() == model.wv.vectors.tobytes()
        assert back.wv["governmment"].tobytes() == model.wv["governmment"].tobytes()
        assert back._weights["syn1neg"].tobytes() == model._weights["syn1neg"].tobytes()
    kv_path = tmp_path / "ft.kv"
    model.wv.save(kv_path)
    kv = FastTextKeyedVectors.load(kv_path)
    assert kv.vectors.tobytes() == model.wv.vectors.tobytes()
    assert kv["governmment"].tobytes() == model.wv["governmment"].tobytes()


def test_continued_training_after_load(trained, small_path, tmp_path):
    path = tmp_path / "ft.model"
    trained[0].save(path)
    back = FastText.load(path)
    ngrams = back.wv.vectors_ngrams.copy()
    back.train(corpus_file=small_path, total_examples=back.corpus_count, epochs=1)
    assert (back.wv.vectors_ngrams != ngrams).any(axis=1).mean() > 0.3
    i = back.wv.key_to_index["government"]
    want = np.mean([back.wv.vectors_vocab[i]] + [back.wv.vectors_ngrams[b] for b in _buckets("government")], axis=0)
    np.testing.assert_allclose(back.wv["government"], want, atol=1e-6)  # recomposed after training


@pytest.mark.parametrize("kwargs,match", [
    (dict(word_ngrams=2), "word_ngrams"),
    (dict(bucket=0), "bucket=0"),
    (dict(min_n=0), "min_n"),
    (dict(bucket=2**31), "bucket"),
    (dict(max_n=-1), "max_n"),
])
def test_bad_settings_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        FastText(**kwargs)


def test_min_n_above_max_n_turns_subwords_off_as_gensim():
    assert FastText(min_n=5, max_n=4).bucket == 0
