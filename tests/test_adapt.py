"""Starting from pretrained vectors: ``wv.intersect_word2vec_format`` (gensim's meaning) and
``Word2Vec(init_vectors=..., init_vocab=..., lockf=...)``, and their refusals of bad input."""
from __future__ import annotations

import logging

import numpy as np
import pytest

from fastembed import KeyedVectors, Word2Vec
from fastembed.adapt import UNION_COUNT, init_from_vectors

CORPUS = [["the", "cell", "binds", "the", "protein"], ["a", "protein", "binds", "the", "receptor"],
          ["the", "receptor", "of", "a", "cell"]] * 30
PRETRAINED = ["the", "a", "protein", "king", "queen", "of"]  # "king", "queen" are not in CORPUS


def _pretrained(dim=8, words=PRETRAINED, seed=0):
    kv = KeyedVectors(dim)
    kv.add_vectors(list(words), np.random.default_rng(seed).normal(size=(len(words), dim)).astype(np.float32))
    return kv


def _model(**kw):
    args = dict(vector_size=8, min_count=1, workers=1, seed=2, epochs=1, sg=1, sample=0.0)
    args.update(kw)
    model = Word2Vec(**args)
    model.build_vocab(CORPUS)
    return model


@pytest.fixture()
def pretrained_file(tmp_path):
    path = tmp_path / "pre.txt"
    _pretrained().save_word2vec_format(str(path))
    return str(path)


def test_intersect_overwrites_shared_rows_and_locks_them(pretrained_file):
    model = _model()
    pre = _pretrained()
    before = model.wv.vectors.copy()
    assert model.wv.intersect_word2vec_format(pretrained_file, lockf=0.0) == 4
    shared = [w for w in PRETRAINED if w in model.wv]
    for w in model.wv.index_to_key:
        i = model.wv.key_to_index[w]
        if w in shared:
            assert model.wv[w].tobytes() == pre[w].tobytes() and model.wv.vectors_lockf[i] == 0.0
        else:
            assert model.wv[w].tobytes() == before[i].tobytes() and model.wv.vectors_lockf[i] == 1.0
    assert "king" not in model.wv
    model.train(CORPUS, total_examples=model.corpus_count, epochs=2)
    for w in shared:  # frozen: bit-identical after training (gensim 4's IndexError, #3094, fixed)
        assert model.wv[w].tobytes() == pre[w].tobytes()
    assert not np.array_equal(model.wv["cell"], before[model.wv.key_to_index["cell"]])


def test_intersect_with_partial_lock_moves_rows(pretrained_file):
    model = _model()
    model.wv.intersect_word2vec_format(pretrained_file, lockf=0.5)
    start = model.wv["protein"].copy()
    model.train(CORPUS, total_examples=model.corpus_count, epochs=1)
    assert not np.array_equal(model.wv["protein"], start)


@pytest.mark.parametrize("form", ["binary", "glove", "gz"])
def test_intersect_reads_binary_and_glove(form, tmp_path):
    pre = _pretrained()
    path = str(tmp_path / ("pre.txt.gz" if form == "gz" else "pre"))
    pre.save_word2vec_format(path, binary=form == "binary", write_header=form != "glove")
    kv = KeyedVectors(8)
    kv.add_vectors(["protein", "zzz"], np.zeros((2, 8), dtype=np.float32))
    n = kv.intersect_word2vec_format(path, binary=form == "binary", no_header=form == "glove", lockf=0.25)
    assert n == 1 and kv["protein"].tobytes() == pre["protein"].tobytes()
    assert kv.vectors_lockf.tolist() == [0.25, 1.0]  # a standalone KeyedVectors gets factors too


def _write(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("lines, message", [
    (["2 3", "the 1 2 3", "a 1 2 3"], "incompatible vector size 3"),
    (["3 8", "the " + "1 " * 8, "a " + "1 " * 8, "the " + "2 " * 8], "'the' more than once"),
    (["2 8", "the " + "1 " * 8, "a " + "1 " * 7 + "nan"], r"'a' \(row 1\) holds NaN or infinity"),
    (["2 8", "the " + "inf " * 8, "a " + "1 " * 8], r"'the' \(row 0\) holds NaN or infinity"),
    (["3 8", "the " + "1 " * 8], "pre.txt"),  # fewer rows than declared
])
def test_bad_pretrained_files_are_refused(lines, message, tmp_path):
    path = _write(tmp_path / "pre.txt", lines)
    model = _model()
    before = model.wv.vectors.copy()
    with pytest.raises(ValueError, match=message):
        model.wv.intersect_word2vec_format(path)
    with pytest.raises(ValueError, match=message):
        Word2Vec(CORPUS, vector_size=8, min_count=1, init_vectors=path)
    assert model.wv.vectors.tobytes() == before.tobytes()  # nothing written


def test_other_bad_arguments(pretrained_file, tmp_path):
    model = _model()
    with pytest.raises(FileNotFoundError):
        model.wv.intersect_word2vec_format(str(tmp_path / "missing.txt"))
    with pytest.raises(ValueError, match="lockf must be >= 0.0"):
        model.wv.intersect_word2vec_format(pretrained_file, lockf=-1)
    with pytest.raises(ValueError, match="pass init_vectors too"):
        Word2Vec(CORPUS, init_vocab="union")
    with pytest.raises(ValueError, match="pass init_vectors too"):
        Word2Vec(CORPUS, lockf=0.0)
    with pytest.raises(ValueError, match="init_vocab must be one of"):
        Word2Vec(CORPUS, vector_size=8, init_vectors=pretrained_file, init_vocab="all")
    with pytest.raises(ValueError, match="needs the corpus in the constructor"):
        Word2Vec(vector_size=8, init_vectors=pretrained_file)
    with pytest.raises(ValueError, match="incompatible vector size 8"):
        Word2Vec(CORPUS, vector_size=16, init_vectors=pretrained_file)
    with pytest.raises(TypeError, match="a path or a fastembed.KeyedVectors"):
        Word2Vec(CORPUS, vector_size=8, init_vectors=np.zeros((3, 8)))
    dup = KeyedVectors(8)
    dup.index_to_key = ["a", "a"]
    dup.vectors = np.zeros((2, 8), dtype=np.float32)
    with pytest.raises(ValueError, match="'a' more than once"):
        Word2Vec(CORPUS, vector_size=8, min_count=1, init_vectors=dup)


@pytest.mark.parametrize("source", ["kv", "text", "glove", "native", "model"])
def test_init_vectors_corpus_vocab(source, tmp_path):
    pre = _pretrained()
    if source == "kv":
        init = pre
    elif source == "model":
        trained = Word2Vec([PRETRAINED] * 5, vector_size=8, min_count=1, epochs=1)
        trained.save(str(tmp_path / "pre.model"))
        init, pre = str(tmp_path / "pre.model"), trained.wv
    else:
        init = str(tmp_path / "pre.vec")
        if source == "native":
            pre.save(init)
        else:
            pre.save_word2vec_format(init, write_header=source != "glove")
    model = Word2Vec(CORPUS, vector_size=8, min_count=1, workers=2, seed=2, epochs=2, init_vectors=init, lockf=0.0)
    assert set(model.wv.index_to_key) == {w for s in CORPUS for w in s}
    for w in ("the", "a", "protein", "of"):
        assert model.wv[w].tobytes() == pre[w].tobytes()
        assert model.wv.vectors_lockf[model.wv.key_to_index[w]] == 0.0
    assert model.wv.vectors_lockf[model.wv.key_to_index["cell"]] == 1.0


@pytest.mark.parametrize("hs", [0, 1])
def test_init_vectors_union_vocab(hs, tmp_path, caplog):
    pre = _pretrained()
    with caplog.at_level(logging.WARNING, logger="fastembed"):
        model = Word2Vec(CORPUS, vector_size=8, min_count=1, workers=1, seed=2, epochs=2, hs=hs,
                         negative=0 if hs else 5, init_vectors=pre, init_vocab="union")
    assert "restart" not in caplog.text  # syn1 had not been trained: nothing lost
    corpus_words = Word2Vec(CORPUS, vector_size=8, min_count=1, epochs=1).wv.index_to_key
    assert model.wv.index_to_key == corpus_words + ["king", "queen"]  # appended in the source's order
    counts = dict(zip(model.wv.index_to_key, model.wv.expandos["count"].tolist()))
    assert counts["king"] == counts["queen"] == UNION_COUNT
    assert counts["the"] == sum(s.count("the") for s in CORPUS)
    for w in ("king", "queen"):  # never in the corpus: their rows are the pretrained ones
        assert model.wv[w].tobytes() == pre[w].tobytes()
    assert not np.array_equal(model.wv["the"], pre["the"])  # lockf 1 (default): fine-tuned
    assert model.corpus_retained_words == sum(map(len, CORPUS))


def test_init_from_vectors_after_build_vocab_and_save_load(tmp_path):
    model = _model()
    assert init_from_vectors(model, _pretrained(), vocab="union", lockf=0.0) == len(PRETRAINED)
    model.train(CORPUS, total_examples=model.corpus_count, epochs=1)
    path = tmp_path / "m.model"
    model.save(path)
    loaded = Word2Vec.load(path)
    assert loaded.wv.vectors_lockf.tobytes() == model.wv.vectors_lockf.tobytes()
    assert loaded.wv["king"].tobytes() == _pretrained()["king"].tobytes()
    with pytest.raises(ValueError, match="build the vocabulary first"):
        init_from_vectors(Word2Vec(), _pretrained())
