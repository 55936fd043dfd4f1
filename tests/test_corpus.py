"""Corpus readers: byte ranges read every word exactly once; gensim-style iterables."""
import os

import pytest

import fastembed
from fastembed import _core


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1000, 10**9])
def test_chunks_read_every_word_once(tmp_path, chunk):
    text = b"alpha beta\ngamma  delta\n\n epsilon\tzeta " + b"x" * 300 + b" eta\ntheta"
    p = tmp_path / "c.txt"
    p.write_bytes(text)
    assert _core.chunk_words(str(p), chunk) == text.decode().split()


def test_chunks_on_one_line_corpus(sample_path):
    words = _core.chunk_words(sample_path, 1 << 16)
    assert len(words) == 2_000_000
    with open(sample_path) as f:
        assert words == f.read().split()


def test_line_sentence_splits_long_lines(tmp_path):
    p = tmp_path / "l.txt"
    p.write_text("a b c d e\n\nf g\n")
    assert list(fastembed.LineSentence(str(p), max_sentence_length=2)) == [
        ["a", "b"], ["c", "d"], ["e"], ["f", "g"]]  # empty lines yield nothing, as in gensim
    assert list(fastembed.LineSentence(str(p), limit=1)) == [["a", "b", "c", "d", "e"]]


def test_text8_corpus_chunks_words(sample_path, sample_words):
    sentences = list(fastembed.Text8Corpus(sample_path))
    assert all(len(s) == 10000 for s in sentences[:-1])
    assert [w for s in sentences for w in s] == sample_words


def test_path_line_sentences_reads_folder_in_order(tmp_path):
    (tmp_path / "b.txt").write_text("three four\n")
    (tmp_path / "a.txt").write_text("one two\n")
    assert list(fastembed.PathLineSentences(str(tmp_path))) == [["one", "two"], ["three", "four"]]


def test_missing_files_raise_file_not_found(tmp_path):
    missing = str(tmp_path / "nope.txt")
    for make in (fastembed.LineSentence, fastembed.Text8Corpus, fastembed.PathLineSentences):
        with pytest.raises(FileNotFoundError):
            make(missing)
    with pytest.raises(FileNotFoundError):
        fastembed.Word2Vec(corpus_file=missing)
