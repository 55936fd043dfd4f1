import lzma
import os

import pytest

import fastembed

SAMPLE_XZ = os.path.join(os.path.dirname(fastembed.__file__), "data", "enwiki-sample-2M.txt.xz")


@pytest.fixture(scope="session")
def sample_path(tmp_path_factory):
    """The shipped 2M-word sample, decompressed once (one line, text8 form)."""
    path = tmp_path_factory.mktemp("corpus") / "sample.txt"
    path.write_bytes(lzma.open(SAMPLE_XZ).read())
    return str(path)


@pytest.fixture(scope="session")
def sample_words(sample_path):
    with open(sample_path, "rb") as f:
        return f.read().decode().split()


@pytest.fixture(scope="session")
def small_path(tmp_path_factory, sample_words):
    """The first 300k words of the sample as lines of 1,000 words (a multi-line corpus)."""
    path = tmp_path_factory.mktemp("corpus") / "small.txt"
    words = sample_words[:300_000]
    path.write_text("\n".join(" ".join(words[i:i + 1000]) for i in range(0, len(words), 1000)) + "\n")
    return str(path)


@pytest.fixture(scope="session")
def cbow_model(sample_path):
    """A CBOW model trained on the sample: shared by the tests that only query it."""
    # One worker: deterministic for its seed, so the strict rank bounds below are exact facts.
    return fastembed.Word2Vec(corpus_file=sample_path, vector_size=50, sg=0, epochs=2, workers=1,
                              sample=1e-4, alpha=0.05, seed=3)


@pytest.fixture(scope="session")
def short_sentences(sample_words):
    """The sample's first 60k words as 200-word sentences: enough for short training runs."""
    words = sample_words[:60_000]
    return [words[i:i + 200] for i in range(0, len(words), 200)]


@pytest.fixture(scope="session")
def with_kernels():
    """``with_kernels(name, fn)``: fn() run with the named SIMD kernels active, then restored."""
    def run(name, fn):
        before = fastembed._core.kernel_mode()
        fastembed._core.set_kernels(name)
        try:
            return fn()
        finally:
            fastembed._core.set_kernels(before)
    return run
