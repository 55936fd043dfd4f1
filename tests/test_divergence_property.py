"""Property test of reliability class 1: short runs with random accepted parameter values
(alpha, min_alpha, window, negative, vector_size, sample, workers, kernels, ...) never crash and
end with finite weights or TrainingDivergedError naming the learning rate."""
from __future__ import annotations

import numpy as np
import pytest

from fastembed import TrainingDivergedError, Word2Vec, _core

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies
KERNELS = _core.available_kernels()


@hypothesis.settings(max_examples=40, deadline=None, derandomize=True,
                     suppress_health_check=list(hypothesis.HealthCheck))
@hypothesis.given(
    alpha=st.floats(1e-4, 10.0), min_alpha=st.floats(0.0, 10.0), window=st.integers(1, 12),
    negative=st.integers(0, 20), hs=st.booleans(), sg=st.booleans(), vector_size=st.integers(1, 70),
    sample=st.sampled_from([0.0, 1e-5, 1e-3, 0.5]), workers=st.integers(1, 3),
    exact_sigmoid=st.booleans(), kernel=st.sampled_from(KERNELS))
def test_random_accepted_parameters_give_finite_vectors_or_a_clear_error(
        alpha, min_alpha, window, negative, hs, sg, vector_size, sample, workers, exact_sigmoid, kernel, short_sentences, with_kernels):
    if negative == 0 and not hs:
        hs = True
    model = Word2Vec(vector_size=vector_size, window=window, negative=negative, hs=int(hs), sg=int(sg),
                     alpha=alpha, min_alpha=min_alpha, sample=sample, workers=workers, min_count=2,
                     exact_sigmoid=exact_sigmoid, seed=7, epochs=1)
    model.build_vocab(short_sentences[:120])
    try:
        with_kernels(kernel, lambda: model.train(short_sentences[:120], total_examples=120, epochs=1))
    except TrainingDivergedError as e:
        assert "alpha" in str(e)
        return
    for w in model._weights.values():
        assert np.isfinite(w).all()
