"""Divergence and non-finite weights (reliability class 1): no value the API accepts crashes the
kernels or returns garbage vectors silently.

* The kernels never index the sigmoid table from a NaN or out-of-range score, and count wild
  scores (NaN, infinite or beyond 1e6); the trainer stops and raises TrainingDivergedError
  naming the learning rate.
* train() refuses weights that already hold NaN/inf (set by the user or loaded), naming the row.
* After training, rows that overflowed without being scored again are caught too.
"""
from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest

import fastembed
from fastembed import TrainingDivergedError, Word2Vec, _core
from fastembed._corpus_source import corpus_source

KERNELS = _core.available_kernels()
MODES = {
    "sg-ns": dict(sg=1, hs=0, negative=5),
    "sg-ns-pair": dict(sg=1, hs=0, negative=5, shared_negatives=False),
    "sg-hs": dict(sg=1, hs=1, negative=0),
    "cbow-ns": dict(sg=0, hs=0, negative=5),
    "cbow-hs": dict(sg=0, hs=1, negative=0),
    "cbow-sum": dict(sg=0, hs=0, negative=5, cbow_mean=0),
}


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("alpha, min_alpha", [(1.0, 0.0001), (10.0, 10.0)])
def test_a_learning_rate_far_too_high_raises_naming_it(kernel, mode, alpha, min_alpha, short_sentences, with_kernels):
    model = Word2Vec(vector_size=24, min_count=2, workers=2, seed=3, alpha=alpha, min_alpha=min_alpha,
                     epochs=3, **MODES[mode])
    model.build_vocab(short_sentences)
    with pytest.raises(TrainingDivergedError, match=r"learning rate .*alpha="):
        with_kernels(kernel, lambda: model.train(short_sentences, total_examples=model.corpus_count, epochs=3))


@pytest.mark.parametrize("mode", ["sg-ns", "cbow-hs"])
def test_exact_sigmoid_divergence_raises_instead_of_nan_vectors(mode, short_sentences, with_kernels):
    model = Word2Vec(vector_size=24, min_count=2, workers=1, seed=3, alpha=5.0, epochs=2,
                     exact_sigmoid=True, **MODES[mode])
    model.build_vocab(short_sentences)
    with pytest.raises(TrainingDivergedError):
        model.train(short_sentences, total_examples=model.corpus_count, epochs=2)


def test_divergence_is_an_arithmetic_error_subclass():
    assert issubclass(TrainingDivergedError, FloatingPointError)
    assert fastembed.TrainingDivergedError is _core.TrainingDivergedError


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("mode", sorted(MODES))
def test_sane_learning_rates_never_trip_the_check(kernel, mode, short_sentences, with_kernels):
    # alpha 0.1 is 4x the default and higher than anyone trains skip-gram with.
    model = Word2Vec(vector_size=24, min_count=2, workers=2, seed=3, alpha=0.1, epochs=2, **MODES[mode])
    model.build_vocab(short_sentences)
    with_kernels(kernel, lambda: model.train(short_sentences, total_examples=model.corpus_count, epochs=2))
    assert np.isfinite(model.wv.vectors).all()


@pytest.mark.parametrize("matrix", ["syn0", "syn1neg", "syn1"])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_weights_are_refused_before_training(matrix, value, short_sentences):
    model = Word2Vec(short_sentences, vector_size=16, min_count=2, workers=1, seed=1, hs=1, negative=5, epochs=1)
    weights = model._weights[matrix]
    weights[7, 3] = value
    before = {k: v.copy() for k, v in model._weights.items()}
    word = f" (word {model.wv.index_to_key[7]!r})" if matrix == "syn0" else ""
    with pytest.raises(ValueError, match=rf"{matrix} row 7{word.replace('(', '[(]').replace(')', '[)]')} is not finite"):
        model.train(short_sentences, total_examples=model.corpus_count, epochs=1)
    for k, v in model._weights.items():  # nothing trained
        assert np.array_equal(v, before[k], equal_nan=True)


def test_nan_set_through_wv_vectors_is_refused(short_sentences):
    model = Word2Vec(short_sentences, vector_size=16, min_count=2, workers=1, seed=1, epochs=1)
    model.wv.vectors[2] = np.nan
    with pytest.raises(ValueError, match="syn0 row 2"):
        model.train(short_sentences, total_examples=model.corpus_count, epochs=1)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("mode", sorted(MODES))
def test_kernels_survive_nan_weights_and_report_them(kernel, mode, short_sentences, with_kernels):
    """Bypassing train()'s check, NaN rows reach the kernels: no crash (no table index from a
    NaN score), and the trainer reports divergence."""
    model = Word2Vec(short_sentences, vector_size=16, min_count=2, workers=2, seed=1, epochs=1, **MODES[mode])
    for w in model._weights.values():
        if w.ndim == 2:  # the matrices; the lock factors are checked before training
            w[:20] = np.nan
    source = corpus_source(short_sentences, None)

    def run():
        trainer = model._trainer(0.025, 0.0001, model.corpus_total_words)
        try:
            model._run_epoch(trainer, source, (), time.perf_counter())
        finally:
            trainer.stop()
    with pytest.raises(TrainingDivergedError):
        with_kernels(kernel, run)


def test_cli_reports_divergence_without_a_signal(tmp_path, sample_path):
    out = tmp_path / "v.txt"
    r = subprocess.run([sys.executable, "-m", "fastembed", "train", "-train", str(sample_path), "-output", str(out),
                        "-alpha", "1", "-cbow", "0", "-size", "16", "-iter", "1", "-threads", "2"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, (r.returncode, r.stderr[-2000:])
    assert "training diverged" in r.stderr and "alpha" in r.stderr
    assert "Traceback" not in r.stderr
