"""``fastembed demo`` on a slice of the shipped sample (the full demo is run by hand)."""
from __future__ import annotations

import io
import os
import re

from fastembed.cli import main
from fastembed.demo import DATA_DIR, SAMPLE_CORPUS, corpus_slice, run_demo


def test_sample_corpus_ships_with_its_attribution():
    assert os.path.getsize(SAMPLE_CORPUS) < 5_000_000
    sources = open(os.path.join(DATA_DIR, "SOURCES.md"), encoding="utf-8").read()
    assert "enwiki-sample-2M.txt.xz" in sources and "CC BY-SA 3.0" in sources
    for name in ("questions-words.txt", "wordsim353.tsv", "simlex999.txt"):
        assert os.path.exists(os.path.join(DATA_DIR, "eval", name))


def test_corpus_slice_takes_the_first_words():
    with corpus_slice(1234) as path:
        words = open(path, "rb").read().split()
    assert len(words) == 1234
    assert words[:4] == [b"anarchism", b"is", b"a", b"political"]
    with corpus_slice(None) as path:
        assert path == SAMPLE_CORPUS


def test_demo_on_a_slice_prints_neighbours_analogies_and_scores():
    out = io.StringIO()
    assert run_demo(epochs=1, workers=2, max_words=300_000, progress=False, out=out) == 0
    text = out.getvalue()
    vocab = int(re.search(r"([\d,]+) words in the vocabulary", text).group(1).replace(",", ""))
    assert 1000 < vocab < 20000
    sections = text.split("\n\n")
    assert sections[2].startswith("nearest neighbours")
    neighbours = sections[2].splitlines()[1:]
    assert len(neighbours) >= 4
    for line in neighbours:  # "word  n1 0.71, n2 0.68, ..." with 6 descending scores
        scores = [float(s) for s in re.findall(r" (-?\d\.\d\d)(?:,|$)", line)]
        assert len(scores) == 6 and scores == sorted(scores, reverse=True)
    assert sections[3].startswith("analogies")
    assert re.search(r"questions-words\.txt +analogies +accuracy 0\.\d{4} +coverage", text)
    assert re.search(r"wordsim353\.tsv +pairs +pearson -?0\.\d{4} +spearman -?0\.\d{4}", text)
    assert "simlex999.txt" in text and re.search(r"done in \d+\.\d s", text)


def test_demo_command_saves_vectors(tmp_path, capsys):
    out = tmp_path / "demo.txt"
    assert main(["demo", "--max-words", "50000", "--epochs", "1", "--workers", "1", "-q",
                 "-o", str(out)]) == 0
    header = out.read_text().splitlines()[0].split()
    assert header[1] == "100" and int(header[0]) > 100
    assert "nearest neighbours" in capsys.readouterr().out


def test_demo_does_not_import_the_cli():
    # demo takes its reports from evaluation.py; cli imports demo only to run it (no cycle)
    import subprocess
    import sys

    code = ("import sys, fastembed.demo, fastembed.evaluation, fastembed.io; "
            "print('fastembed.cli' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
