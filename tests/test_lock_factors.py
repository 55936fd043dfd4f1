"""Lock factors (``wv.vectors_lockf``): a factor of 0 leaves a row bit-identical in every mode and
on both corpus paths, factors are checked before training, and they are saved, loaded and
pickled with the model."""
from __future__ import annotations

import pickle

import numpy as np
import pytest

from fastembed import Word2Vec

#: sg/cbow x ns/hs, and skip-gram's per-pair updates.
MODES = {f"{arch}-{out}": dict(sg=int(arch == "sg"), hs=int(out == "hs"), negative=5 if out == "ns" else 0)
         for arch in ("sg", "cbow") for out in ("ns", "hs")}
MODES["sg-ns-pair"] = dict(MODES["sg-ns"], shared_negatives=False)


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory, short_sentences):
    path = tmp_path_factory.mktemp("lockf") / "corpus.txt"
    path.write_text("\n".join(" ".join(s) for s in short_sentences[:150]) + "\n")
    return str(path)


def _model(mode, sentences, **kw):
    model = Word2Vec(vector_size=16, min_count=2, workers=2, seed=4, epochs=1, **MODES[mode], **kw)
    model.build_vocab(sentences)
    return model


@pytest.mark.parametrize("path", ["iterable", "corpus_file"])
@pytest.mark.parametrize("mode", sorted(MODES))
def test_factor_zero_leaves_rows_bit_identical(mode, path, short_sentences, corpus_file):
    sentences = short_sentences[:150]
    model = _model(mode, sentences)
    n = len(model.wv)
    assert model.wv.vectors_lockf.dtype == np.float32 and model.wv.vectors_lockf.shape == (n,)
    assert (model.wv.vectors_lockf == 1).all()
    frozen = np.arange(0, n, 3)  # frequent and rare words alike
    model.wv.vectors_lockf[frozen] = 0.0
    before = model.wv.vectors.copy()
    source = dict(corpus_iterable=sentences) if path == "iterable" else dict(corpus_file=corpus_file)
    model.train(**source, total_examples=model.corpus_count, epochs=1)
    after = model.wv.vectors
    assert after[frozen].tobytes() == before[frozen].tobytes()
    free = np.setdiff1d(np.arange(n), frozen)
    assert (np.abs(after[free] - before[free]).max(axis=1) > 0).mean() > 0.9  # the others trained


def test_scaled_factor_scales_the_step(short_sentences):
    """One worker, one frozen-elsewhere setup: a factor of 0.5 moves the rows, by less than 1."""
    sentences = short_sentences[:100]
    moves = {}
    for factor in (1.0, 0.5, 0.0):
        model = Word2Vec(vector_size=16, min_count=2, workers=1, seed=4, epochs=1, sg=1)
        model.build_vocab(sentences)
        model.wv.vectors_lockf[:] = factor
        before = model.wv.vectors.copy()
        model.train(sentences, total_examples=model.corpus_count, epochs=1)
        moves[factor] = float(np.linalg.norm(model.wv.vectors - before))
    assert moves[0.0] == 0.0
    assert 0.2 * moves[1.0] < moves[0.5] < 0.8 * moves[1.0]


def test_all_ones_is_the_unlocked_path(short_sentences):
    sentences = short_sentences[:100]
    out = []
    for assign in (False, True):
        model = Word2Vec(vector_size=16, min_count=2, workers=1, seed=4, epochs=1, sg=1)
        model.build_vocab(sentences)
        if assign:  # gensim's workaround: a fresh full-length array
            model.wv.vectors_lockf = np.ones(len(model.wv), dtype=np.float32)
        model.train(sentences, total_examples=model.corpus_count, epochs=1)
        out.append(model.wv.vectors.tobytes())
    assert out[0] == out[1]


def test_assigned_array_is_adopted(short_sentences):
    sentences = short_sentences[:100]
    model = _model("sg-ns", sentences)
    lockf = np.ones(len(model.wv), dtype=np.float32)
    lockf[:5] = 0.0
    model.wv.vectors_lockf = lockf
    before = model.wv.vectors[:5].copy()
    model.train(sentences, total_examples=model.corpus_count, epochs=1)
    assert model.wv.vectors[:5].tobytes() == before.tobytes()
    assert model.wv.vectors_lockf is model._weights["lockf"]
    assert (model._weights["lockf"][:5] == 0).all() and (model._weights["lockf"][5:] == 1).all()


@pytest.mark.parametrize("value, error, message", [
    (lambda n: np.ones(1, dtype=np.float32), ValueError, r"one factor per word \(\d+\), got shape \(1,\)"),
    (lambda n: np.ones(n + 1, dtype=np.float32), ValueError, "one factor per word"),
    (lambda n: np.ones((n, 1), dtype=np.float32), ValueError, "one factor per word"),
    (lambda n: np.ones(n, dtype=np.float64), TypeError, "dtype float32"),
    (lambda n: [1.0] * n, TypeError, "numpy float32 array"),
    (lambda n: np.r_[np.ones(n - 1), np.nan].astype(np.float32), ValueError, r"vectors_lockf\[\d+\] is not finite"),
    (lambda n: np.r_[np.ones(n - 1), np.inf].astype(np.float32), ValueError, "is not finite"),
    (lambda n: np.r_[-1.0, np.ones(n - 1)].astype(np.float32), ValueError, r"vectors_lockf\[0\] is negative"),
])
def test_bad_lock_factors_are_refused_before_training(value, error, message, short_sentences):
    sentences = short_sentences[:50]
    model = _model("sg-ns", sentences)
    before = model.wv.vectors.copy()
    model.wv.vectors_lockf = value(len(model.wv))
    with pytest.raises(error, match=message):
        model.train(sentences, total_examples=model.corpus_count, epochs=1)
    assert model.wv.vectors.tobytes() == before.tobytes()


def test_nan_written_in_place_is_refused(short_sentences):
    sentences = short_sentences[:50]
    model = _model("sg-ns", sentences)
    model.wv.vectors_lockf[3] = np.nan
    with pytest.raises(ValueError, match="lockf row 3 is not finite"):
        model.train(sentences, total_examples=model.corpus_count, epochs=1)


def test_save_load_and_pickle_keep_lock_factors(tmp_path, short_sentences):
    sentences = short_sentences[:50]
    model = _model("sg-hs", sentences)
    factors = np.linspace(0, 1, len(model.wv)).astype(np.float32)
    model.wv.vectors_lockf[:] = factors
    path = tmp_path / "m.model"
    model.save(path)
    for clone in (Word2Vec.load(path), pickle.loads(pickle.dumps(model))):
        assert clone.wv.vectors_lockf.tobytes() == factors.tobytes()
        assert clone.wv.vectors_lockf is clone._weights["lockf"]
        frozen = clone.wv.vectors[0].copy()
        clone.train(sentences, total_examples=clone.corpus_count, epochs=1)
        assert clone.wv.vectors[0].tobytes() == frozen.tobytes()  # factor 0 still honoured


def test_files_saved_without_lock_factors_load_as_all_ones(tmp_path, short_sentences):
    model = _model("sg-ns", short_sentences[:50])
    path = tmp_path / "old.model"
    model.save(path)
    with np.load(path) as z:  # the file as versions before lock factors wrote it
        arrays = {k: z[k] for k in z.files if k != "lockf"}
    old = tmp_path / "older.model"
    with open(old, "wb") as f:
        np.savez(f, **arrays)
    loaded = Word2Vec.load(old)
    assert loaded.wv.vectors_lockf.shape == (len(loaded.wv),) and (loaded.wv.vectors_lockf == 1).all()


def test_damaged_lock_factors_in_a_file_are_refused(tmp_path, short_sentences):
    model = _model("sg-ns", short_sentences[:50])
    path = tmp_path / "m.model"
    model.save(path)
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["lockf"] = arrays["lockf"][:-1]
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    with pytest.raises(ValueError, match="matrix lockf has shape"):
        Word2Vec.load(path)


def test_lock_factors_cross_to_gensim_and_back(short_sentences):
    pytest.importorskip("gensim")
    model = _model("sg-ns", short_sentences[:50])
    model.wv.vectors_lockf[::2] = 0.0
    g = model.to_gensim()
    order = [model.wv.key_to_index[w] for w in g.wv.index_to_key]
    assert g.wv.vectors_lockf.tolist() == model.wv.vectors_lockf[order].tolist()  # full length: gensim honours it
    back = Word2Vec.from_gensim(g)
    assert back.wv.vectors_lockf.tolist() == g.wv.vectors_lockf.tolist()
    g.wv.vectors_lockf = np.ones(1, dtype=np.float32)  # gensim's default: one factor for all
    assert (Word2Vec.from_gensim(g).wv.vectors_lockf == 1).all()
