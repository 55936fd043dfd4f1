"""``fastembed plot``: PCA coordinates and the image file."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from fastembed.cli import main, pca_2d

WORDS = {
    "king": [1.0, 1.0, 0.0, 0.0, 0.1],
    "queen": [0.0, 1.0, 1.0, 0.0, 0.1],
    "man": [1.0, 0.0, 0.0, 0.0, 0.2],
    "woman": [0.0, 0.0, 1.0, 0.0, 0.2],
    "apple": [0.0, 0.1, 0.0, 1.0, 0.0],
}


@pytest.fixture
def vectors_file(tmp_path):
    path = tmp_path / "v.txt"
    path.write_text("5 5\n" + "".join(w + " " + " ".join(map(str, v)) + "\n"
                                      for w, v in WORDS.items()))
    return str(path)


def test_pca_keeps_planar_geometry():
    rng = np.random.default_rng(0)
    flat = rng.normal(size=(6, 2))
    basis, _ = np.linalg.qr(rng.normal(size=(10, 2)))  # a random plane in 10-D
    coords = pca_2d(flat @ basis.T + 3.0)
    dist = lambda x: np.linalg.norm(x[:, None] - x[None], axis=-1)
    np.testing.assert_allclose(dist(coords), dist(flat), atol=1e-9)
    np.testing.assert_allclose(coords.mean(axis=0), 0, atol=1e-12)
    # the first component carries the most variance
    assert coords[:, 0].var() >= coords[:, 1].var()


def test_pca_of_points_on_a_line_and_of_two_points():
    line = np.outer(np.arange(4.0), [1.0, 2.0, 2.0])
    coords = pca_2d(line)
    np.testing.assert_allclose(np.abs(coords[:, 0]), [4.5, 1.5, 1.5, 4.5])
    np.testing.assert_allclose(coords[:, 1], 0, atol=1e-12)
    assert pca_2d([[0.0, 0.0], [3.0, 4.0]]).shape == (2, 2)
    with pytest.raises(ValueError):
        pca_2d([[1.0, 2.0]])


def test_png_file(vectors_file, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "words.png"
    assert main(["plot", vectors_file, "king", "queen", "man", "woman", "-o", str(out),
                 "-q"]) == 0
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.txt", "words.png"]


def test_svg_has_the_labels_at_the_pca_positions(vectors_file, tmp_path, monkeypatch):
    matplotlib = pytest.importorskip("matplotlib")
    from fastembed.cli import load_vectors, plot_words

    monkeypatch.setitem(matplotlib.rcParams, "svg.fonttype", "none")  # text stays text
    out = tmp_path / "words.svg"
    words = ["king", "queen", "man", "woman", "apple", "king"]  # a repeat is drawn once
    coords = plot_words(load_vectors(vectors_file), words, str(out), title="royals")
    svg = out.read_text()
    for word in ("king", "queen", "man", "woman", "apple", "royals"):
        assert f">{word}<" in svg
    unit = np.array([WORDS[w] for w in ("king", "queen", "man", "woman", "apple")])
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    expected = pca_2d(unit)
    signs = np.sign((coords * expected).sum(axis=0))  # a component's sign is arbitrary
    np.testing.assert_allclose(coords * signs, expected, atol=1e-6)


@pytest.mark.parametrize("args, message", [
    (["king", "zebra"], "zebra"),
    (["king"], "two"),
    (["king", "king"], "two"),
])
def test_bad_words_exit_1_and_write_nothing(args, message, vectors_file, tmp_path, capsys):
    out = tmp_path / "words.png"
    assert main(["plot", vectors_file, *args, "-o", str(out)]) == 1
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_unknown_image_format_exits_1(vectors_file, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    for name in ("words.xyz", "words"):
        assert main(["plot", vectors_file, "king", "queen", "-o", str(tmp_path / name)]) == 1
        assert "words" in capsys.readouterr().err
        assert not (tmp_path / name).exists()


def test_missing_matplotlib_is_a_clear_error(vectors_file, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    assert main(["plot", vectors_file, "king", "queen", "-o", str(tmp_path / "w.png")]) == 1
    assert "pip install 'fastembed[plot]'" in capsys.readouterr().err
