"""Pretrained vectors in the common text forms: GloVe (no header line; ``no_header=True`` and
the command line's detection) and fastText ``.vec`` (word2vec text with a space before each
newline), plain or compressed."""
from __future__ import annotations

import gzip
import json

import numpy as np
import pytest

from fastembed import KeyedVectors
from fastembed.cli import main
from fastembed.io import detect_format, load_vectors

WORDS = ["the", "king", "queen", "<unk>", "naïve"]
VECTORS = np.array([[0.1, -0.2, 0.3], [1.0, 1.0, 0.0], [1.0, 0.9, 0.1], [0.0, 0.0, 0.5], [-0.25, 0.5, 2.0]],
                   dtype=np.float32)


def _kv():
    kv = KeyedVectors(3)
    kv.add_vectors(WORDS, VECTORS)
    return kv


def _glove_text():
    return "".join(w + " " + " ".join(repr(float(x)) for x in v) + "\n" for w, v in zip(WORDS, VECTORS))


@pytest.mark.parametrize("suffix", ["txt", "txt.gz"])
def test_glove_round_trip(tmp_path, suffix):
    path = str(tmp_path / f"glove.{suffix}")
    _kv().save_word2vec_format(path, write_header=False)
    with (gzip.open if suffix.endswith("gz") else open)(path, "rt", encoding="utf-8") as f:
        lines = f.read().splitlines()
    assert [line.split()[0] for line in lines] == WORDS and all(len(line.split()) == 4 for line in lines)
    kv = KeyedVectors.load_word2vec_format(path, no_header=True)
    assert kv.index_to_key == WORDS  # "<unk>" is a word like any other
    assert kv.vectors.tobytes() == VECTORS.tobytes()
    assert detect_format(path) == "glove"
    assert load_vectors(path).vectors.tobytes() == VECTORS.tobytes()


def test_glove_file_written_by_hand(tmp_path):
    path = tmp_path / "glove.6B.3d.txt"
    path.write_text(_glove_text(), encoding="utf-8")
    assert detect_format(str(path)) == "glove"
    kv = KeyedVectors.load_word2vec_format(str(path), no_header=True)
    assert kv.index_to_key == WORDS and np.array_equal(kv.vectors, VECTORS)
    assert kv.expandos["count"].tolist() == [5, 4, 3, 2, 1]


def test_glove_through_the_command_line(tmp_path, capsys):
    path = tmp_path / "glove.txt"
    path.write_text(_glove_text(), encoding="utf-8")
    assert main(["similar", str(path), "king", "-n", "1", "--json", "-q"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["results"][0][0] == "queen"


def test_fasttext_vec_file(tmp_path):
    """fastText writes a header and a space after the last value of each line."""
    path = tmp_path / "wiki.vec"
    path.write_text(f"{len(WORDS)} 3\n" + _glove_text().replace("\n", " \n"), encoding="utf-8")
    assert detect_format(str(path)) == "text"
    kv = KeyedVectors.load_word2vec_format(str(path))
    assert kv.index_to_key == WORDS and kv.vectors.tobytes() == VECTORS.tobytes()
    assert load_vectors(str(path)).index_to_key == WORDS


def test_ragged_glove_file_is_refused(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("a 1 2 3\nb 1 2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.txt"):
        KeyedVectors.load_word2vec_format(str(path), no_header=True)
    assert detect_format(str(path)) == "native"  # not GloVe-shaped: the loader reports it


def test_header_is_not_mistaken_for_glove(tmp_path):
    path = tmp_path / "w2v.txt"
    _kv().save_word2vec_format(str(path))
    assert detect_format(str(path)) == "text"
    with pytest.raises(ValueError):
        KeyedVectors.load_word2vec_format(str(path), no_header=True)  # "5 3" is a 1-value row
