"""``fastembed train --init-vectors/--lock-init/--init-vocab`` and ``fastembed adapt``."""
from __future__ import annotations

import numpy as np
import pytest

from fastembed import KeyedVectors, Word2Vec
from fastembed.cli import main

CORPUS = [["the", "cell", "binds", "the", "protein"], ["a", "protein", "binds", "the", "receptor"],
          ["the", "receptor", "of", "a", "cell"]] * 40


@pytest.fixture()
def files(tmp_path):
    corpus = tmp_path / "domain.txt"
    corpus.write_text("\n".join(" ".join(s) for s in CORPUS) + "\n")
    kv = KeyedVectors(8)
    words = ["the", "a", "protein", "king", "queen"]
    kv.add_vectors(words, np.random.default_rng(0).normal(size=(5, 8)).astype(np.float32))
    kv.save_word2vec_format(str(tmp_path / "pre.txt"))
    kv.save_word2vec_format(str(tmp_path / "glove.txt"), write_header=False)
    return str(corpus), tmp_path, kv


def _quick(*extra):
    return ["-iter", "2", "-threads", "1", "-min-count", "1", "-size", "8", "-q", *extra]


@pytest.mark.parametrize("pre", ["pre.txt", "glove.txt"])
def test_train_with_frozen_init_vectors(files, pre):
    corpus, tmp, kv = files
    out = str(tmp / "out.txt")
    assert main(["train", "-train", corpus, "-output", out, "--init-vectors", str(tmp / pre),
                 "--lock-init", "0", *_quick()]) == 0
    got = KeyedVectors.load_word2vec_format(out)
    assert set(got.index_to_key) == {w for s in CORPUS for w in s}  # init vocab: the corpus's
    for w in ("the", "a", "protein"):
        assert got[w].tobytes() == kv[w].tobytes()


def test_train_init_vocab_union_and_fine_tuning(files):
    corpus, tmp, kv = files
    out = str(tmp / "out.txt")
    assert main(["train", "-train", corpus, "-output", out, "--init-vectors", str(tmp / "pre.txt"),
                 "--init-vocab", "union", *_quick()]) == 0
    got = KeyedVectors.load_word2vec_format(out)
    assert got.index_to_key[-2:] == ["king", "queen"] and got["king"].tobytes() == kv["king"].tobytes()
    assert not np.array_equal(got["the"], kv["the"])  # lock 1: fine-tuned


@pytest.mark.parametrize("extra, status", [
    (["--lock-init", "0"], 2),
    (["--init-vocab", "union"], 2),
    (["--init-vectors", "PRE", "--lock-init", "-1"], 2),
    (["--init-vectors", "MISSING"], 1),
])
def test_train_bad_init_options(files, extra, status, capsys):
    corpus, tmp, _ = files
    extra = [str(tmp / "pre.txt") if x == "PRE" else str(tmp / "missing.txt") if x == "MISSING" else x
             for x in extra]
    assert main(["train", "-train", corpus, "-output", str(tmp / "o.txt"), *extra, *_quick()]) == status
    assert "error" in capsys.readouterr().err
    assert not (tmp / "o.txt").exists()


def test_train_init_vectors_of_another_size(files, capsys):
    corpus, tmp, _ = files
    assert main(["train", "-train", corpus, "-output", str(tmp / "o.txt"), "--init-vectors",
                 str(tmp / "pre.txt"), "-iter", "1", "-size", "16", "-q"]) == 1
    assert "8-dimensional vectors, but -size is 16" in capsys.readouterr().err


def test_adapt_vectors(files):
    corpus, tmp, kv = files
    out = str(tmp / "adapted.txt")
    assert main(["adapt", str(tmp / "glove.txt"), corpus, "-o", out, "--min-count", "1", "--epochs", "2",
                 "--workers", "1", "--sg", "1", "-q"]) == 0
    got = KeyedVectors.load_word2vec_format(out)
    assert {"king", "queen", "cell", "receptor"} <= set(got.index_to_key)  # union by default
    assert got["queen"].tobytes() == kv["queen"].tobytes()
    assert not np.array_equal(got["protein"], kv["protein"])


def test_adapt_model(files):
    corpus, tmp, _ = files
    base = Word2Vec([["the", "king", "and", "the", "queen"]] * 30, vector_size=8, min_count=1, epochs=1, workers=1)
    base.save(str(tmp / "base.model"))
    out = str(tmp / "adapted.model")
    assert main(["adapt", str(tmp / "base.model"), corpus, "-o", out, "--min-count", "2", "--epochs", "1",
                 "--lock-init", "0", "-q"]) == 0
    got = Word2Vec.load(out)
    assert got.wv.index_to_key[:4] == base.wv.index_to_key
    assert {"cell", "receptor"} <= set(got.wv.index_to_key)
    assert got.wv["king"].tobytes() == base.wv["king"].tobytes()  # --lock-init 0 froze the old rows
    assert got.wv.vectors_lockf[:4].tolist() == [0.0] * 4


def test_adapt_model_refuses_settings_it_would_ignore(files, capsys):
    corpus, tmp, _ = files
    Word2Vec([["a", "b"]] * 10, vector_size=8, min_count=1, epochs=1).save(str(tmp / "m.model"))
    assert main(["adapt", str(tmp / "m.model"), corpus, "-o", str(tmp / "o"), "--sg", "1", "-q"]) == 2
    assert "--sg applies to vectors files only" in capsys.readouterr().err
    assert main(["adapt", str(tmp / "missing"), corpus, "-o", str(tmp / "o"), "-q"]) == 1
