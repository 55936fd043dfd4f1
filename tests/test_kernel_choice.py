"""How `auto` picks the SIMD kernels: by timing each on a calibration block, not by the widest
instruction set; pinned kernels (FASTEMBED_SIMD, set_kernels) skip the measurement."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from fastembed import Word2Vec, _core

KERNELS = _core.available_kernels()  # narrowest first


@pytest.mark.parametrize("seconds, picked", [
    ([("avx512", 1.0), ("avx2", 0.95), ("scalar", 1.2)], 0),   # 5 % faster is noise: keep the widest
    ([("avx512", 1.0), ("avx2", 0.90), ("scalar", 1.2)], 1),   # 10 % faster wins
    ([("avx512", 1.0), ("avx2", 0.80), ("scalar", 0.70)], 2),  # the fastest of those that win
    ([("avx512", 1.0), ("avx2", 0.91), ("scalar", 0.89)], 2),
    ([("avx2", 2.0), ("scalar", 1.9)], 0),
    ([("scalar", 1.0)], 0),
])
def test_a_narrower_kernel_must_be_clearly_faster(seconds, picked):
    assert _core.pick_fastest_kernels(seconds) == picked


def _train(sentences, **kw):
    model = Word2Vec(vector_size=24, min_count=2, workers=1, seed=3, epochs=1, **kw)
    model.build_vocab(sentences)
    model.train(sentences, total_examples=model.corpus_count, epochs=1)
    return model


@pytest.mark.parametrize("mode", [dict(sg=1), dict(sg=0), dict(sg=1, hs=1, negative=0)])
def test_auto_measures_every_kernel_and_follows_the_rule(mode, short_sentences, with_kernels):
    model = with_kernels("auto", lambda: _train(short_sentences, **mode))
    timings = model.progress.kernel_seconds
    if len(KERNELS) == 1:
        assert timings == [] and model.progress.kernel == "scalar"
        return
    assert [k for k, _ in timings] == KERNELS[::-1]  # widest first
    assert all(s > 0 for _, s in timings)
    assert model.progress.kernel == timings[_core.pick_fastest_kernels(timings)][0]


@pytest.mark.parametrize("kernel", KERNELS)
def test_pinned_kernels_are_used_without_measuring(kernel, short_sentences, with_kernels):
    model = with_kernels(kernel, lambda: _train(short_sentences))
    assert model.progress.kernel == kernel
    assert model.progress.kernel_seconds == []


def test_the_environment_pins_the_kernels(tmp_path):
    code = ("import json, fastembed; m = fastembed.Word2Vec([['a', 'b', 'c']] * 50, min_count=1, workers=1, "
            "epochs=1); print(json.dumps([m.progress.kernel, m.progress.kernel_seconds]))")
    env = dict(os.environ, FASTEMBED_SIMD="scalar")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(out.stdout) == ["scalar", []]
