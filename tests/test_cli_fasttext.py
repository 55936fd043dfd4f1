"""fastText's command line: ``fastembed skipgram|cbow`` and ``print-word-vectors``."""
from __future__ import annotations

import io
import sys

import numpy as np
import pytest

import fastembed
from fastembed.cli import main
from fastembed.cli_fasttext import format_vector


def _train(small_path, prefix, mode="skipgram", *extra):
    return main([mode, "-input", small_path, "-output", str(prefix), "-dim", "12", "-epoch", "1",
                 "-minCount", "5", "-bucket", "3000", "-thread", "2", "-minn", "2", "-maxn", "4",
                 "-ws", "4", "-neg", "3", "-lr", "0.04", "-t", "1e-3", "-verbose", "0", *extra])


@pytest.fixture(scope="module")
def trained(small_path, tmp_path_factory):
    prefix = tmp_path_factory.mktemp("cli") / "model"
    assert _train(small_path, prefix) == 0
    return prefix


def test_writes_bin_and_vec_with_the_flags(trained):
    model = fastembed.load_facebook_model(str(trained) + ".bin")
    assert (model.sg, model.vector_size, model.epochs, model.min_count, model.min_n, model.max_n,
            model.bucket, model.window, model.negative, model.sample) == (1, 12, 1, 5, 2, 4, 3000, 4, 3, 1e-3)
    kv = fastembed.KeyedVectors.load_word2vec_format(str(trained) + ".vec")
    assert kv.index_to_key == model.wv.index_to_key
    np.testing.assert_array_equal(kv.vectors, model.wv.vectors)


def test_cbow_mode(small_path, tmp_path):
    assert _train(small_path, tmp_path / "c", "cbow") == 0
    assert fastembed.load_facebook_model(str(tmp_path / "c.bin")).sg == 0


def test_print_word_vectors(trained, monkeypatch, capsys):
    kv = fastembed.load_facebook_vectors(str(trained) + ".bin")
    monkeypatch.setattr(sys, "stdin", io.StringIO("the governmment\nпривет\n"))
    assert main(["print-word-vectors", str(trained) + ".bin"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" ")[0] for line in lines] == ["the", "governmment", "привет"]
    for line, word in zip(lines, ["the", "governmment", "привет"]):
        assert line == format_vector(word, kv[word])
        values = np.array(line.split()[1:], dtype=np.float64)
        np.testing.assert_allclose(values, kv[word], rtol=1e-4, atol=1e-9)


def test_format_is_fasttexts():
    assert format_vector("w", np.array([0.1234567, -2.5e-6, 100000.0, 0.0], dtype=np.float32)) == \
        "w 0.12346 -2.5e-06 1e+05 0 "


@pytest.mark.parametrize("extra,status", [(["-wordNgrams", "2"], 2), (["-loss", "hs"], 2), (["-dim", "0"], 2)])
def test_bad_flags(small_path, tmp_path, extra, status):
    assert _train(small_path, tmp_path / "x", "skipgram", *extra) == status


def test_missing_input(tmp_path):
    assert main(["skipgram", "-input", str(tmp_path / "nope.txt"), "-output", str(tmp_path / "m")]) == 1
