"""``build_vocab(update=True)`` and ``build_vocab_from_freq(update=True)``: merged counts, new
words appended, old rows kept bit for bit, new rows as at creation, the trainer's tables built
from the merged counts, and the hierarchical-softmax choice (syn1 restarts at zero, with a
warning, when the Huffman tree changes)."""
from __future__ import annotations

import logging

import numpy as np
import pytest

from fastembed import Word2Vec

OLD = [["apple", "banana", "cherry", "apple"], ["banana", "apple", "date"]] * 20
#: "apple" +3 (existing), "cherry" +1 (existing, below min_count in the new corpus: still added),
#: "fig" 6 and "grape" 4 are new and kept, "kiwi" (1) is new and dropped.
NEW = [["fig", "apple", "fig", "grape"], ["fig", "grape", "fig", "apple"], ["fig", "grape", "fig", "apple"],
       ["grape", "cherry", "kiwi"]]


def _model(**kw):
    args = dict(vector_size=12, min_count=2, workers=1, seed=9, epochs=1, sg=1, sample=0.0)
    args.update(kw)
    model = Word2Vec(**args)
    model.build_vocab(OLD)
    model.train(OLD, total_examples=model.corpus_count, epochs=1)
    return model


@pytest.mark.parametrize("path", ["iterable", "corpus_file"])
def test_counts_merge_and_new_words_are_appended(path, tmp_path):
    model = _model()
    assert model.wv.index_to_key == ["apple", "banana", "cherry", "date"]
    old_counts = model.wv.expandos["count"].copy()
    if path == "iterable":
        model.build_vocab(NEW, update=True)
    else:
        f = tmp_path / "new.txt"
        f.write_text("\n".join(" ".join(s) for s in NEW) + "\n")
        model.build_vocab(corpus_file=str(f), update=True)
    assert model.wv.index_to_key == ["apple", "banana", "cherry", "date", "fig", "grape"]
    assert model.wv.expandos["count"].tolist() == (old_counts + [3, 0, 1, 0]).tolist() + [6, 4]
    assert model._vocab.counts().tolist() == model.wv.expandos["count"].tolist()
    assert model.corpus_count == len(NEW) and model.corpus_total_words == sum(map(len, NEW))
    assert model.corpus_retained_words == sum(map(len, NEW)) - 1  # all but "kiwi"


def test_old_rows_are_kept_and_new_rows_start_as_at_creation():
    model = _model()
    model.wv.vectors_lockf[1] = 0.0
    before = {k: v.copy() for k, v in model._weights.items()}
    model.build_vocab(NEW, update=True)
    for name in ("syn0", "syn1neg", "lockf"):
        assert model._weights[name][:4].tobytes() == before[name].tobytes(), name
    assert (model.syn1neg[4:] == 0).all()
    assert model.wv.vectors_lockf.tolist() == [1, 0, 1, 1, 1, 1]
    fresh = Word2Vec(vector_size=12, min_count=1, seed=9)  # same seed: the same starting rows
    fresh.build_vocab([["grape", "fig"]])
    for word in ("fig", "grape"):
        assert model.wv[word].tobytes() == fresh.wv[word].tobytes()
    assert np.shares_memory(model.wv.vectors, model._weights["syn0"])
    assert model.wv.vectors_lockf is model._weights["lockf"]


def test_trainer_tables_follow_the_merged_counts(with_kernels):
    """After an update, training equals (bit for bit, one worker) a model whose vocabulary was
    built directly with the merged counts and holds the same weights; with the old counts it
    does not: sampling and negative tables come from the merged counts."""
    heavy = NEW + [["date", "fig", "date", "banana"] * 10] * 5  # "date" 20 -> 120: tables change a lot

    def trained(model):
        with_kernels("scalar", lambda: model.train(heavy, total_examples=len(heavy), epochs=1))
        return model.wv.vectors.tobytes() + model.syn1neg.tobytes()

    updated = _model(sample=0.01)
    unmerged = np.r_[updated.wv.expandos["count"], 0, 0]
    updated.build_vocab(heavy, update=True)
    unmerged[4:] = updated.wv.expandos["count"][4:]
    results = []
    for counts in (updated.wv.expandos["count"], unmerged):
        twin = Word2Vec(vector_size=12, min_count=1, workers=1, seed=9, epochs=1, sg=1, sorted_vocab=0, sample=0.01)
        twin.build_vocab_from_freq(dict(zip(updated.wv.index_to_key, counts.tolist())))
        assert twin.wv.index_to_key == updated.wv.index_to_key
        for name, w in updated._weights.items():
            twin._weights[name][...] = w
        twin.train_count = updated.train_count
        twin.corpus_retained_words = updated.corpus_retained_words
        results.append(trained(twin))
    mine = trained(updated)
    assert mine == results[0]
    assert mine != results[1]


def test_update_without_new_words_works():
    model = _model()
    words = list(model.wv.index_to_key)
    counts = model.wv.expandos["count"].copy()
    model.build_vocab([["apple", "banana", "apple"]], update=True)
    assert model.wv.index_to_key == words
    assert model.wv.expandos["count"].tolist() == (counts + [2, 1, 0, 0]).tolist()
    model.train([["apple", "banana", "apple"]], total_examples=model.corpus_count, epochs=1)


def test_build_vocab_from_freq_update():
    model = _model()
    counts = model.wv.expandos["count"].copy()
    model.build_vocab_from_freq({"apple": 5, "zebra": 7, "rare": 1}, update=True)
    assert model.wv.index_to_key == ["apple", "banana", "cherry", "date", "zebra"]
    assert model.wv.expandos["count"].tolist() == (counts + [5, 0, 0, 0]).tolist() + [7]


@pytest.mark.parametrize("negative", [0, 5])
def test_hs_inner_nodes_restart_at_zero_when_the_tree_changes(negative, caplog):
    model = _model(hs=1, negative=negative)
    syn1neg = None if negative == 0 else model.syn1neg.copy()
    assert np.abs(model.syn1).max() > 0
    with caplog.at_level(logging.WARNING, logger="fastembed"):
        model.build_vocab(NEW, update=True)
    assert "syn1) restart at zero" in caplog.text
    assert model.syn1.shape[0] == len(model.wv) and (model.syn1 == 0).all()  # gensim's shape
    if negative:
        assert model.syn1neg[:4].tobytes() == syn1neg.tobytes()
    model.train(NEW, total_examples=model.corpus_count, epochs=1)
    assert np.abs(model.syn1).max() > 0


def test_hs_inner_nodes_are_kept_when_the_tree_is_unchanged(caplog):
    model = _model(hs=1, negative=0)
    syn1 = model.syn1.copy()
    with caplog.at_level(logging.WARNING, logger="fastembed"):
        model.build_vocab(OLD, update=True)  # every count doubles: the same tree
    assert "restart" not in caplog.text
    assert model.syn1.tobytes() == syn1.tobytes()


def test_update_needs_a_vocabulary_and_words():
    with pytest.raises(ValueError, match="grows an existing vocabulary"):
        Word2Vec(min_count=1).build_vocab(NEW, update=True)
    with pytest.raises(ValueError, match="grows an existing vocabulary"):
        Word2Vec(min_count=1).build_vocab_from_freq({"a": 1}, update=True)
    model = _model()
    with pytest.raises(ValueError, match="corpus is empty"):
        model.build_vocab([[]], update=True)
    with pytest.raises(ValueError, match="update must be 0 or 1"):
        model.build_vocab(NEW, update="yes")
    assert len(model.wv) == 4  # nothing changed


def test_continued_training_of_a_saved_model(tmp_path):
    model = _model()
    path = tmp_path / "m.model"
    model.save(path)
    loaded = Word2Vec.load(path)
    apple = loaded.wv["apple"].copy()
    loaded.build_vocab(NEW, update=True)
    loaded.train(NEW, total_examples=loaded.corpus_count, epochs=3)
    assert not np.array_equal(loaded.wv["apple"], apple)
    fresh = Word2Vec(vector_size=12, min_count=1, seed=9)
    fresh.build_vocab([["fig"]])
    assert not np.array_equal(loaded.wv["fig"], fresh.wv["fig"])  # the new word trained
    # The learning rate decays over the new corpus: 3 epochs of its retained words.
    assert loaded.progress.words_total == 3 * loaded.corpus_retained_words
    loaded.save(path)
    again = Word2Vec.load(path)
    assert again.corpus_retained_words == loaded.corpus_retained_words
    assert again.wv.index_to_key == loaded.wv.index_to_key


def test_document_models_refuse_an_update():
    from fastembed import Doc2Vec
    from fastembed.doc2vec import TaggedDocument

    docs = [TaggedDocument(s, [i]) for i, s in enumerate(OLD)]
    model = Doc2Vec(docs, vector_size=8, min_count=1, epochs=1, workers=1)
    with pytest.raises(NotImplementedError, match="document models"):
        model.build_vocab_from_freq({"apple": 3}, update=True)
    model.build_vocab(docs, progress_per=5)  # a fresh scan still works (progress_per is not taken for update)
