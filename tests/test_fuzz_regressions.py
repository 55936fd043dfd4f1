"""Replays the fuzz inputs (tests/fuzz/seeds/<target>/ and tests/fuzz/regressions/<target>/,
where tests/fuzz/run.sh saves any input that broke a target) through the Python API, checked
against Python's own decoder and str-free byte splitting.  Needs no clang.

Input layouts are the fuzz targets' (see the comment at the top of each tests/fuzz/*.cpp).
"""
import collections
import os
import random
import re
import struct

import pytest

import fastembed
from fastembed import _core

FUZZ = os.path.join(os.path.dirname(__file__), "fuzz")
POLICIES = ["replace", "ignore", "strict", "replace"]
_SPACE = re.compile(rb"[ \t\n\v\f\r\x1c-\x1f]+")


def _inputs(target):
    out = []
    for kind in ("seeds", "regressions"):
        d = os.path.join(FUZZ, kind, target)
        if os.path.isdir(d):
            out += [os.path.join(d, n) for n in sorted(os.listdir(d)) if not n.startswith(".")]
    return out


def _ids(paths):
    return [os.path.relpath(p, FUZZ) for p in paths]


def _split(data):
    """Words of raw corpus bytes: the ASCII whitespace of Python's str.split()."""
    return [w for w in _SPACE.split(data) if w]


def _reference_count(text, policy, cap):
    """Counts as CorpusCounter should: Python's decoder per word, a sentence per line with a
    word, and the word2vec C tool's ReduceVocab above `cap` distinct words."""
    counts = {}  # insertion-ordered
    total = sentences = 0
    min_reduce = 1
    for line in text.split(b"\n"):
        in_sentence = False
        for raw in _split(line):
            word = raw.decode("utf-8", errors=policy)  # strict raises UnicodeDecodeError
            if not word:
                continue
            counts[word] = counts.get(word, 0) + 1
            total += 1
            in_sentence = True
            while cap and len(counts) > cap:
                counts = {w: c for w, c in counts.items() if c > min_reduce}
                min_reduce += 1
        sentences += in_sentence
    return counts, total, sentences, min_reduce


def _feed(counter, text, cuts):
    prev = 0
    for c in cuts:
        counter.feed(text[prev:c])
        prev = c
    counter.feed(text[prev:])
    counter.finish()


def _check_counter(text, policy, cap, cuts):
    counter = _core.CorpusCounter(cap, policy)
    try:
        expected = _reference_count(text, policy, cap)
    except UnicodeDecodeError:
        with pytest.raises(ValueError, match="UTF-8"):
            _feed(counter, text, cuts)
        return None
    _feed(counter, text, cuts)
    counts, total, sentences, min_reduce = expected
    assert (counter.total_words, counter.sentences, counter.min_reduce) == (total, sentences, min_reduce)
    if counts:
        vocab = counter.finalize(1, 0, False)  # first-seen order, nothing dropped
        assert vocab.words() == list(counts)
        assert vocab.counts().tolist() == list(counts.values())
    return counts


def _train_file(tmp_path, text, chunk):
    """Trains on the bytes as a corpus file read in `chunk`-byte ranges: each epoch must read
    every in-vocabulary word once, or the corpus must be rejected as empty."""
    path = tmp_path / "corpus.txt"
    path.write_bytes(text)
    model = fastembed.Word2Vec(vector_size=4, min_count=1, epochs=2, workers=2, seed=1)
    model._file_chunk_bytes = chunk
    if not _split(text):
        with pytest.raises(ValueError, match="empty"):
            model.build_vocab(corpus_file=str(path))
        return
    model.build_vocab(corpus_file=str(path))
    model.train(corpus_file=str(path))
    total = int(model.wv.expandos["count"].sum())
    assert [s["words"] for s in model.epoch_stats] == [total, total]


@pytest.mark.parametrize("path", _inputs("fuzz_tokenizer"), ids=_ids(_inputs("fuzz_tokenizer")))
def test_tokenizer_inputs(path, tmp_path):
    data = open(path, "rb").read()
    flags = data[0] if data else 0
    cap_byte = data[1] if len(data) > 1 else 0
    ncuts = (flags >> 2) & 7
    header = data[2 : 2 + 2 * ncuts].ljust(2 * ncuts, b"\0") if ncuts else b""
    text = data[2 + 2 * ncuts :]
    raw = struct.unpack(f"<{ncuts}H", header) if ncuts else ()
    cuts = sorted(r % (len(text) + 1) for r in raw)
    cap = cap_byte + 1 if flags & 0x20 else 0
    _check_counter(text, POLICIES[flags & 3], cap, cuts)
    _train_file(tmp_path, text, 7)


@pytest.mark.parametrize("path", _inputs("fuzz_utf8"), ids=_ids(_inputs("fuzz_utf8")))
def test_utf8_inputs(path):
    data = open(path, "rb").read()
    for policy in ("replace", "ignore", "strict"):
        _check_counter(data, policy, 0, [])


@pytest.mark.parametrize("path", _inputs("fuzz_file_chunks"), ids=_ids(_inputs("fuzz_file_chunks")))
def test_file_chunk_inputs(path, tmp_path):
    data = open(path, "rb").read()
    chunk = struct.unpack("<H", data[:2].ljust(2, b"\0"))[0]
    text = data[2:]
    corpus = tmp_path / "c.txt"
    corpus.write_bytes(text)
    assert _core.chunk_words(str(corpus), chunk) == [w.decode("utf-8", "replace") for w in _split(text)]
    _train_file(tmp_path, text, max(chunk, 1))


def _random_bytes(rng, n):
    # Mostly the bytes that matter to UTF-8 and the tokenizer.
    pool = [b"a", b"\xc3", b"\xa9", b"\xe2", b"\x82", b"\xac", b"\xf0", b"\x9f", b"\x90", b"\x80",
            b"\xed", b"\xa0", b"\xf4", b"\xbf", b"\xc0", b"\xff", b"\xe0", b" ", b"\n", b"\t", b"\x1c"]
    return b"".join(rng.choice(pool) if rng.random() < 0.9 else bytes([rng.randrange(256)]) for _ in range(n))


def test_random_bytes_match_python_decoder():
    """File-mode UTF-8 repair agrees with Python's decoder (and so with LineSentence) on
    thousands of random byte strings, under each policy and with random stream cuts."""
    rng = random.Random(12345)
    for i in range(1500):
        text = _random_bytes(rng, rng.randrange(1, 40))
        cuts = sorted(rng.randrange(len(text) + 1) for _ in range(rng.randrange(3)))
        _check_counter(text, ("replace", "ignore", "strict")[i % 3], 0, cuts)


def test_file_mode_and_line_sentence_agree_on_invalid_utf8(tmp_path):
    """The same invalid bytes give the same words whether read by the C++ reader or decoded by
    Python (LineSentence): one U+FFFD per maximal ill-formed subpart, as Python decodes."""
    text = b"caf\xe2\x82 na\xc3 \xf0\x9f\x98 x\xed\xa0\x80y \xf4\x90\x80\x80 ok\n" * 3
    p = tmp_path / "c.txt"
    p.write_bytes(text)
    a = fastembed.Word2Vec(min_count=1)
    a.build_vocab(corpus_file=str(p))
    b = fastembed.Word2Vec(min_count=1)
    b.build_vocab(corpus_iterable=fastembed.LineSentence(str(p)))
    assert a.wv.index_to_key == b.wv.index_to_key
    assert "caf\ufffd" in a.wv.index_to_key and "x\ufffd\ufffd\ufffdy" in a.wv.index_to_key
    assert collections.Counter(a.wv.index_to_key) == collections.Counter(set(a.wv.index_to_key))
