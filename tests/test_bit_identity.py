"""Bit-identity of training across refactors: with one worker and a fixed seed every mode on
every kernel gives exactly the vectors recorded in ``tests/data/train_digests.json``.

The digests were recorded on ``main`` before the input-row seam was built (commit ab407b6), so
this test proves that refactor changed no arithmetic.  A change that touches a kernel's
arithmetic on purpose (reduction order, fused operations) re-records them in a commit of its
own, with ``python tests/test_bit_identity.py --record``, and says why.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys

import numpy as np
import pytest

import fastembed
from fastembed import _core

DIGESTS = os.path.join(os.path.dirname(__file__), "data", "train_digests.json")

#: name -> Word2Vec settings (besides the shared ones below).
MODES = {
    "sg-ns-shared": dict(sg=1, hs=0, negative=5, shared_negatives=True),
    "sg-ns-pair": dict(sg=1, hs=0, negative=5, shared_negatives=False),
    "sg-hs": dict(sg=1, hs=1, negative=0),
    "sg-hs-ns": dict(sg=1, hs=1, negative=3),
    "cbow-ns": dict(sg=0, hs=0, negative=5),
    "cbow-ns-sum": dict(sg=0, hs=0, negative=5, cbow_mean=0),
    "cbow-hs": dict(sg=0, hs=1, negative=0),
    "cbow-ns-loss": dict(sg=0, hs=0, negative=5, compute_loss=True),
    "sg-ns-exact": dict(sg=1, hs=0, negative=5, exact_sigmoid=True),
}
COMMON = dict(vector_size=24, window=4, min_count=2, sample=1e-3, workers=1, epochs=2, seed=7,
              alpha=0.05)
CORPUS_WORDS = 30_000


def _corpus():
    import lzma
    path = os.path.join(os.path.dirname(fastembed.__file__), "data", "enwiki-sample-2M.txt.xz")
    with lzma.open(path, "rt", encoding="utf-8") as f:
        words = f.read(400_000).split()[:CORPUS_WORDS]
    return [words[i:i + 500] for i in range(0, len(words), 500)]


def _digest(model) -> str:
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(model.wv.vectors, dtype=np.float32).tobytes())
    for name in ("syn1neg", "syn1"):
        m = getattr(model, name)
        if m is not None:
            # syn1's last row (gensim's shape has one per word) is no inner node: never trained
            rows = len(m) - 1 if name == "syn1" else len(m)
            assert name != "syn1" or not m[rows:].any()
            h.update(np.ascontiguousarray(m[:rows, : model.vector_size], dtype=np.float32).tobytes())
    return h.hexdigest()[:32]


def _train(kernel: str, mode: str, corpus, path=None) -> str:
    before = _core.kernel_mode()
    _core.set_kernels(kernel)
    try:
        if path is None:
            model = fastembed.Word2Vec(corpus, **COMMON, **MODES[mode])
        else:
            model = fastembed.Word2Vec(corpus_file=path, **COMMON, **MODES[mode])
    finally:
        _core.set_kernels(before)
    return _digest(model)


def _cases():
    return [(k, m, src) for k in ("scalar", "avx2", "avx512") for m in MODES for src in ("iter", "file")]


@pytest.fixture(scope="module")
def corpus_and_file(tmp_path_factory):
    corpus = _corpus()
    path = tmp_path_factory.mktemp("bits") / "corpus.txt"
    path.write_text("\n".join(" ".join(s) for s in corpus) + "\n", encoding="utf-8")
    return corpus, str(path)


@pytest.mark.parametrize("kernel,mode,source", _cases())
def test_training_is_bit_identical_to_recorded(kernel, mode, source, corpus_and_file):
    if kernel not in _core.available_kernels():
        pytest.skip(f"this CPU has no {kernel} kernels")
    with open(DIGESTS) as f:
        recorded = json.load(f)
    corpus, path = corpus_and_file
    got = _train(kernel, mode, corpus, path if source == "file" else None)
    assert got == recorded[f"{kernel}/{mode}/{source}"]


if __name__ == "__main__" and "--record" in sys.argv:
    import tempfile
    corpus = _corpus()
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "corpus.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(" ".join(s) for s in corpus) + "\n")
        out = {}
        for k, m, src in _cases():
            if k in _core.available_kernels():
                out[f"{k}/{m}/{src}"] = _train(k, m, corpus, path if src == "file" else None)
    with open(DIGESTS, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"recorded {len(out)} digests in {DIGESTS}")
