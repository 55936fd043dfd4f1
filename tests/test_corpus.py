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


def _vocab(corpus=None, corpus_file=None, **kw):
    m = fastembed.Word2Vec(min_count=1, **kw)
    m.build_vocab(corpus_iterable=corpus, corpus_file=corpus_file)
    return m.wv.index_to_key, m.wv.expandos["count"].tolist(), m.corpus_count


ODD_TEXT = ("one two\u00a0three\u2003four\r\nfive\u3000six \x1cseven\x85eight\n\n"
            "nine ten eleven twelve thirteen fourteen fifteen sixteen\n  \t last").encode()


@pytest.mark.parametrize("n", [1, 3, 7, 10000])
def test_native_reading_matches_python_iteration(tmp_path, n):
    p = tmp_path / "odd.txt"
    p.write_bytes(ODD_TEXT + b" caf\xc3 caf\xe2\x80 ok\xff\xfe end")
    for corpus in (fastembed.LineSentence(str(p), max_sentence_length=n),
                   fastembed.Text8Corpus(str(p), max_sentence_length=n),
                   fastembed.PathLineSentences(str(p), max_sentence_length=n)):
        assert corpus._native_plan() is not None
        python_side = list(corpus)
        assert _vocab(corpus) == _vocab(python_side)


def test_file_mode_splits_like_str_split(tmp_path):
    p = tmp_path / "odd.txt"
    p.write_bytes(ODD_TEXT)
    words = ODD_TEXT.decode().split()
    assert _core.chunk_words(str(p), 5) == words
    keys, counts, _ = _vocab(corpus_file=str(p))
    assert sorted(keys) == sorted(set(words))


@pytest.mark.parametrize("seed", range(5))
def test_invalid_utf8_replaced_like_python(tmp_path, seed):
    import random
    rng = random.Random(seed)
    alphabet = [b"a", b"b", b"\xc3\xa9", b"\xe2\x82\xac", b"\xf0\x9f\x98\x80", b"\xc3", b"\xe2\x82",
                b"\xf0\x9f", b"\xff", b"\x80", b"\xed\xa0\x80", b"\xc0\xaf", b" ", b"\n"]
    data = b"".join(rng.choice(alphabet) for _ in range(3000))
    p = tmp_path / "bytes.txt"
    p.write_bytes(data)
    from_file = _vocab(corpus_file=str(p))
    python_side = [line.decode("utf-8", errors="replace").split() for line in data.split(b"\n")]
    from_python = _vocab([s for s in python_side if s])
    assert sorted(from_file[0]) == sorted(from_python[0])
    assert dict(zip(from_file[0], from_file[1])) == dict(zip(from_python[0], from_python[1]))


def _boundaries(sentences):
    """Cumulative word positions where sentences end."""
    out, n = set(), 0
    for s in sentences:
        n += len(s)
        out.add(n)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_stream_pieces_keep_sentence_rules_exact(tmp_path, seed):
    # Stream mode cuts the bytes into pieces on the calling thread and tokenises them on the
    # workers: the words must be Python's, in order, and the sentence ends Python's plus, at
    # most, one at each cut (a window never reaches across a piece).
    import random
    rng = random.Random(seed)
    alphabet = ["ab", "c", "dé", "€", "x\u00a0y", "z\u2003", "\u3000", " ", " ", "  ", "\n", "\t", "\r\n", "q"]
    files = []
    for k in range(1 + seed % 3):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 4000)))
        p = tmp_path / f"f{k}.txt"
        p.write_bytes(text.encode())
        files.append(p)
    max_words = rng.choice([1, 3, 7, 10000])
    piece_bytes = rng.choice([1, 5, 64, 1000, 1 << 16])
    blocks = []
    for p in files:
        data, cuts = p.read_bytes(), []
        pos = 0
        while pos < len(data):
            step = rng.randrange(1, 300)
            cuts.append(data[pos:pos + step])
            pos += step
        blocks.append(cuts)
    for corpus, newline_ends in ((fastembed.PathLineSentences(str(tmp_path), max_sentence_length=max_words), True),
                                 (fastembed.Text8Corpus(str(files[0]), max_sentence_length=max_words), False)):
        use = blocks if newline_ends else blocks[:1]
        pieces = _core.stream_pieces(use, newline_ends, max_words, piece_bytes)
        ours = [s for piece in pieces for s in piece]
        reference = [s for s in corpus if s]
        assert [w for s in ours for w in s] == [w for s in reference for w in s]
        cuts, n = set(), 0
        for piece in pieces:
            n += sum(len(s) for s in piece)
            cuts.add(n)
        R, O = _boundaries(reference), _boundaries(ours)
        assert R <= O
        assert O <= R | cuts
        if piece_bytes >= 1 << 16:
            assert O == R  # one piece per file: nothing extra
