"""Public matrices and the training loss mean what they mean in gensim 4."""
from __future__ import annotations

import numpy as np
import pytest

from fastembed import Word2Vec


@pytest.fixture(scope="module")
def hs_ns_model(short_sentences):
    return Word2Vec(short_sentences, vector_size=20, min_count=2, hs=1, negative=5, workers=1, seed=2, epochs=1)


def test_output_matrices_have_gensims_shapes(hs_ns_model):
    m = hs_ns_model
    n = len(m.wv)
    assert m.syn1neg.shape == (n, 20) and m.syn1.shape == (n, 20) and m.wv.vectors.shape == (n, 20)
    scores = m.syn1neg @ m.wv["the"]  # what gensim code does with them
    assert scores.shape == (n,)
    assert not m.syn1[-1].any()  # n - 1 inner nodes: the last row is unused, as in gensim
    assert m.syn1[:-1].any(axis=1).mean() > 0.9


def test_output_matrices_are_views_of_the_training_storage(hs_ns_model):
    m = hs_ns_model
    assert np.shares_memory(m.syn1neg, m._weights["syn1neg"])
    assert np.shares_memory(m.syn1, m._weights["syn1"])
    assert not m.syn1neg.flags["C_CONTIGUOUS"]  # documented: strided rows


def test_files_with_the_old_syn1_shape_load(hs_ns_model):
    m = hs_ns_model
    old = m._weights["syn1"][:-1]
    upgraded = m._upgrade_loaded("syn1", old)
    assert upgraded.shape == m._weights["syn1"].shape
    assert np.array_equal(upgraded[:-1], old) and not upgraded[-1].any()


def test_latest_training_loss_covers_the_whole_train_call():
    # A tiny corpus: some epochs keep few words, but the call's loss is their sum, never 0.
    sentences = [["a", "b", "c", "d"], ["b", "c", "a"]] * 3
    m = Word2Vec(sentences, vector_size=8, min_count=1, epochs=4, compute_loss=True, workers=1, seed=1, sample=0)
    assert len(m.epoch_losses) == 4
    assert m.get_latest_training_loss() == pytest.approx(sum(m.epoch_losses), rel=1e-12)
    assert m.get_latest_training_loss() > 0
    m.train(sentences, total_examples=len(sentences), epochs=1)  # a new call starts from 0
    assert m.get_latest_training_loss() == pytest.approx(m.epoch_losses[-1], rel=1e-12)


def test_cosmul_of_a_key_equals_cosmul_of_its_unit_vector(hs_ns_model):
    wv = hs_ns_model.wv
    by_key = wv.most_similar_cosmul("the", negative=["of"], topn=8)
    by_vector = wv.most_similar_cosmul([wv.get_vector("the", norm=True)], negative=[wv.get_vector("of", norm=True)],
                                       topn=10)
    by_vector = [(k, s) for k, s in by_vector if k not in ("the", "of")][:8]  # keys are left out, vectors not
    assert by_key == by_vector  # identical scores, to the bit


def test_cosmul_matches_gensim(hs_ns_model):
    gensim = pytest.importorskip("gensim")
    wv = hs_ns_model.wv
    g = gensim.models.KeyedVectors(wv.vector_size)
    g.add_vectors(wv.index_to_key, np.ascontiguousarray(wv.vectors))
    for pos, neg in ((["the"], []), (["king", "woman"], ["man"]), ([wv.get_vector("city", norm=True)], ["of"])):
        ours = wv.most_similar_cosmul(pos, neg, topn=10)
        theirs = g.most_similar_cosmul(pos, neg, topn=10)
        assert [k for k, _ in ours] == [k for k, _ in theirs]
        np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], rtol=1e-5)


def test_train_needs_a_corpus_size_and_epochs_as_in_gensim(short_sentences):
    m = Word2Vec(vector_size=8, min_count=2, workers=1)
    m.build_vocab(short_sentences)
    with pytest.raises(ValueError, match="total_examples or total_words"):
        m.train(short_sentences, epochs=1)
    with pytest.raises(ValueError, match="explicit epochs"):
        m.train(short_sentences, total_examples=m.corpus_count)
    m.train(short_sentences, total_examples=m.corpus_count, epochs=1)


@pytest.mark.parametrize("make", [
    lambda: Word2Vec(vector_size=8).train([["a"]], total_examples=1, epochs=1),   # no vocabulary yet
    lambda: Word2Vec([[]], vector_size=8),                                        # empty corpus
    lambda: Word2Vec([["a", "b"]], vector_size=8, min_count=5),                   # nothing reaches min_count
])
def test_no_vocabulary_raises_runtime_error_that_is_also_value_error(make):
    from fastembed import EmptyVocabularyError
    with pytest.raises(RuntimeError) as e:
        make()
    assert isinstance(e.value, ValueError) and isinstance(e.value, EmptyVocabularyError)


def test_gensims_warnings(short_sentences, caplog):
    m = Word2Vec(vector_size=8, min_count=2, workers=1, hs=1, negative=5, alpha=0.025)
    m.build_vocab(short_sentences)
    with caplog.at_level("WARNING", logger="fastembed"):
        m.train(short_sentences, total_examples=m.corpus_count, epochs=1)
    assert "Both hierarchical softmax and negative sampling" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="fastembed"):
        m.train(short_sentences, total_examples=m.corpus_count, epochs=1)  # starts at 0.025 > min_alpha reached
    assert "Effective 'alpha' higher than previous training cycles" in caplog.text
    assert m.min_alpha_yet_reached == pytest.approx(m.min_alpha, rel=1e-6)


def test_a_str_sentence_is_a_clear_error_not_characters():
    with pytest.raises(TypeError, match="sentence 0 is a str, not a list of str words"):
        Word2Vec(["hello world", "hello there"], vector_size=8, min_count=1)


def test_min_count_zero_means_one_as_in_gensim():
    m = Word2Vec([["a", "b"], ["a"]], vector_size=8, min_count=0, workers=1, epochs=1)
    assert m.min_count == 1 and sorted(m.wv.index_to_key) == ["a", "b"]


def test_batch_words_sets_the_iterable_batches(short_sentences, monkeypatch):
    from fastembed import _corpus_source, training
    assert [len(b) for b in _corpus_source.batches([["a"] * 3] * 5, 7)] == [3, 2]  # >= 7 words a batch
    seen = []
    real = training.batches
    monkeypatch.setattr(training, "batches", lambda s, n: (seen.append(n), real(s, n))[1])
    m = Word2Vec(short_sentences, vector_size=8, min_count=2, workers=1, epochs=1, batch_words=123)
    assert seen == [123, 123]  # vocabulary scan and the epoch
    with pytest.raises(ValueError, match="batch_words"):
        Word2Vec(batch_words=0)
    assert m.batch_words == 123


# --- queries gensim code calls, checked against gensim where it is installed --------------

def _gensim_twin(model):
    gensim = pytest.importorskip("gensim")
    g = gensim.models.KeyedVectors(model.vector_size)
    g.add_vectors(model.wv.index_to_key, np.ascontiguousarray(model.wv.vectors))
    return g


def test_relative_cosine_similarity(hs_ns_model):
    wv = hs_ns_model.wv
    sims = wv.similar_by_word("king", 10)
    assert wv.relative_cosine_similarity("king", "president") == pytest.approx(
        wv.similarity("king", "president") / sum(s for _, s in sims), rel=1e-12)
    assert wv.relative_cosine_similarity("king", "president", topn=5) == pytest.approx(
        _gensim_twin(hs_ns_model).relative_cosine_similarity("king", "president", topn=5), rel=1e-5)


def test_vectors_for_all(hs_ns_model):
    wv = hs_ns_model.wv
    sub = wv.vectors_for_all(["of", "the", "nonexistentword", "of", "king"], copy_vecattrs=True)
    assert sub.index_to_key == ["of", "the", "king"]
    assert np.array_equal(sub.vectors, wv[["of", "the", "king"]])
    assert list(sub.expandos["count"]) == [wv.get_vecattr(k, "count") for k in ("of", "the", "king")]
    assert "count" not in wv.vectors_for_all(["of"]).expandos


def test_predict_output_word(hs_ns_model):
    m = hs_ns_model
    got = m.predict_output_word(["king", "of", "nonexistentword"], topn=5)
    h = m.wv.vectors[[m.wv.get_index("king"), m.wv.get_index("of")]].mean(axis=0)
    s = (m.syn1neg @ h).astype(np.float64)
    p = np.exp(s - s.max())
    p /= p.sum()
    assert [w for w, _ in got] == [m.wv.index_to_key[i] for i in np.argsort(-p, kind="stable")[:5]]
    assert [v for _, v in got] == pytest.approx(sorted(p, reverse=True)[:5], rel=1e-9)
    assert m.predict_output_word(["nonexistentword"]) is None
    with pytest.raises(RuntimeError, match="negative sampling"):
        Word2Vec([["a", "b"]] * 5, min_count=1, hs=1, negative=0, vector_size=4, epochs=1).predict_output_word(["a"])
    gensim = pytest.importorskip("gensim")
    g = gensim.models.Word2Vec(vector_size=m.vector_size, min_count=1, negative=5, hs=0)
    g.build_vocab_from_freq({w: int(c) for w, c in zip(m.wv.index_to_key, m.wv.expandos["count"])})
    g.wv.vectors[:] = m.wv[g.wv.index_to_key]
    g.syn1neg[:] = m.syn1neg[[m.wv.get_index(w) for w in g.wv.index_to_key]]
    theirs = g.predict_output_word(["king", "of"], topn=5)
    assert [w for w, _ in got] == [w for w, _ in theirs]
    assert [v for _, v in got] == pytest.approx([float(v) for _, v in theirs], rel=1e-4)


def test_wmdistance(hs_ns_model):
    pytest.importorskip("ot")
    wv = hs_ns_model.wv
    d1, d2 = ["king", "of", "the", "city"], ["president", "of", "a", "town", "nonexistentword"]
    got = wv.wmdistance(d1, d2)
    assert got > 0 and wv.wmdistance(d1, d1) == pytest.approx(0.0, abs=1e-9)
    assert wv.wmdistance(["king"], ["king"]) == 0.0
    assert wv.wmdistance(["nonexistentword"], d1) == float("inf")
    # one word against one: the whole mass moves along their distance
    u = lambda w: wv.get_vector(w, norm=True).astype(np.float64)
    assert wv.wmdistance(["king"], ["president"]) == pytest.approx(np.linalg.norm(u("king") - u("president")), rel=1e-9)
    with pytest.raises(TypeError, match="list of tokens"):
        wv.wmdistance("king of", d2)
    try:
        g = _gensim_twin(hs_ns_model)
    except pytest.skip.Exception:
        return
    assert got == pytest.approx(g.wmdistance(d1, d2), rel=1e-6)


def test_trim_rule_as_gensim(tmp_path):
    from fastembed import RULE_DEFAULT, RULE_DISCARD, RULE_KEEP
    sentences = [["keep", "the", "a", "rare"], ["the", "a", "b"], ["the", "a", "b"]]
    seen = []

    def rule(word, count, min_count):
        seen.append((word, count, min_count))
        return RULE_KEEP if word in ("keep", "rare") else RULE_DISCARD if word == "a" else RULE_DEFAULT

    m = Word2Vec(sentences, vector_size=4, min_count=2, epochs=1, workers=1, trim_rule=rule)
    assert sorted(m.wv.index_to_key) == ["b", "keep", "rare", "the"]
    assert sorted(seen) == sorted([("keep", 1, 2), ("the", 3, 2), ("a", 3, 2), ("rare", 1, 2), ("b", 2, 2)])
    path = tmp_path / "c.txt"
    path.write_text("\n".join(" ".join(s) for s in sentences) + "\n")
    f = Word2Vec(vector_size=4, min_count=2, workers=2)
    f.build_vocab(corpus_file=str(path), trim_rule=rule)  # the same for the file scan
    assert f.wv.index_to_key == m.wv.index_to_key
    g = Word2Vec(vector_size=4, min_count=2)
    g.build_vocab_from_freq({"x": 1, "y": 5, "a": 9}, trim_rule=rule)
    assert g.wv.index_to_key == ["y"]
    g.build_vocab_from_freq({"keep": 1, "z": 1}, update=True, trim_rule=rule)  # the update keeps "keep" only
    assert g.wv.index_to_key == ["y", "keep"]
    with pytest.raises(TypeError, match="trim_rule must be a callable"):
        Word2Vec(sentences, min_count=1, trim_rule="no")
    gensim = pytest.importorskip("gensim")
    gm = gensim.models.Word2Vec(sentences, vector_size=4, min_count=2, epochs=1, workers=1, trim_rule=rule)
    assert sorted(gm.wv.index_to_key) == sorted(m.wv.index_to_key)


def test_gensim_3_names_fail_as_in_gensim_4_and_small_aliases(hs_ns_model):
    wv = hs_ns_model.wv
    for name, hint in (("index2word", "index_to_key"), ("index2entity", "index_to_key"), ("vocab", "key_to_index"),
                       ("vectors_norm", "get_normed_vectors")):
        with pytest.raises(AttributeError, match=hint):
            getattr(wv, name)
    assert wv.next_index == len(wv) and wv.mapfile_path is None
    assert hs_ns_model.layer1_size == 20
    events = [e["event"] for e in hs_ns_model.lifecycle_events]
    assert events[0] == "created" and "train" in events
    hs_ns_model.init_sims()
    assert wv.norms is not None


def test_sample_int_as_gensim(short_sentences):
    m = Word2Vec(short_sentences, vector_size=8, min_count=2, sample=1e-3, workers=1, epochs=1)
    counts = m.wv.expandos["count"].astype(np.float64)
    t = 1e-3 * counts.sum()
    keep = np.minimum((np.sqrt(counts / t) + 1) * t / counts, 1.0)  # the C tool's formula
    np.testing.assert_array_equal(m.wv.expandos["sample_int"], (keep * (2**32 - 1)).astype(np.uint32))
    assert m.wv.get_vecattr("the", "sample_int") < 2**32 - 1  # a frequent word is sampled down
    gensim = pytest.importorskip("gensim")
    g = gensim.models.Word2Vec(short_sentences, vector_size=8, min_count=2, sample=1e-3, workers=1, epochs=1)
    ours = {w: int(m.wv.get_vecattr(w, "sample_int")) for w in m.wv.index_to_key}
    theirs = {w: int(g.wv.get_vecattr(w, "sample_int")) for w in g.wv.index_to_key}
    assert ours.keys() == theirs.keys()
    assert max(abs(ours[w] - theirs[w]) for w in ours) <= 2**32 * 1e-6  # float rounding only
