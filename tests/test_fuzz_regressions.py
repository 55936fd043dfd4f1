"""Replays the fuzz inputs (tests/fuzz/seeds/<target>/ and tests/fuzz/regressions/<target>/,
where tests/fuzz/run.sh saves any input that broke a target) through the Python API, checked
against Python itself: bytes.decode for UTF-8 repair, str.split() for words, numpy.float32(str)
for word2vec text values.  Needs no clang.

Input layouts are the fuzz targets' (see the comment at the top of each tests/fuzz/*.cpp).
"""
import collections
import math
import os
import random
import re
import struct

import numpy as np
import pytest

import fastembed
from fastembed import _core

FUZZ = os.path.join(os.path.dirname(__file__), "fuzz")
POLICIES = ["replace", "ignore", "strict", "replace"]


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
    """Raw words of corpus bytes, split where Python's str.split() splits the decoded text
    (surrogateescape keeps every byte, and no space is ever part of an ill-formed sequence)."""
    return [w.encode("utf-8", "surrogateescape") for w in data.decode("utf-8", "surrogateescape").split()]


def _raw_sentences(text, newline_ends=True, max_words=0):
    """Sentences of raw words: ended by each newline (LineSentence) and/or cut every
    `max_words` words."""
    out = []
    for line in text.split(b"\n") if newline_ends else [text]:
        cur = []
        for w in _split(line):
            if max_words and len(cur) == max_words:
                out.append(cur)
                cur = []
            cur.append(w)
        if cur:
            out.append(cur)
    return out


def _reference_count(text, policy, cap, newline_ends=True, max_words=0):
    """Counts as CorpusCounter should: Python's decoder per word, sentences holding a word,
    and the word2vec C tool's ReduceVocab above `cap` distinct words."""
    counts = {}  # insertion-ordered
    total = sentences = 0
    min_reduce = 1
    for raw_sentence in _raw_sentences(text, newline_ends, max_words):
        in_sentence = False
        for raw in raw_sentence:
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


def _check_counter(text, policy, cap, cuts, newline_ends=True, max_words=0):
    counter = _core.CorpusCounter(cap, getattr(_core.Utf8Policy, policy.upper()), newline_ends, max_words)
    try:
        expected = _reference_count(text, policy, cap, newline_ends, max_words)
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
    model.train(corpus_file=str(path), total_words=model.corpus_total_words, epochs=model.epochs)
    total = int(model.wv.expandos["count"].sum())
    assert [s["words"] for s in model.epoch_stats] == [total, total]


@pytest.mark.parametrize("path", _inputs("fuzz_tokenizer"), ids=_ids(_inputs("fuzz_tokenizer")))
def test_tokenizer_inputs(path, tmp_path):
    data = open(path, "rb").read()
    flags, cap_byte, rule = data[:3].ljust(3, b"\0")
    ncuts = (flags >> 2) & 7
    header = data[3 : 3 + 2 * ncuts].ljust(2 * ncuts, b"\0")
    text = data[3 + 2 * ncuts :]
    raw = struct.unpack(f"<{ncuts}H", header)
    cuts = sorted(r % (len(text) + 1) for r in raw)
    cap = cap_byte + 1 if flags & 0x20 else 0
    _check_counter(text, POLICIES[flags & 3], cap, cuts, not rule & 1, (rule >> 1) & 7)
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
    assert _core.chunk_words(str(corpus), chunk) == text.decode("utf-8", "replace").split()
    _train_file(tmp_path, text, max(chunk, 1))


def _random_bytes(rng, n):
    # Mostly the bytes that matter to UTF-8 and the tokenizer.
    pool = [b"a", b"\xc3", b"\xa9", b"\xe2", b"\x82", b"\xac", b"\xf0", b"\x9f", b"\x90", b"\x80",
            b"\xed", b"\xa0", b"\xf4", b"\xbf", b"\xc0", b"\xff", b"\xe0", b" ", b"\n", b"\t", b"\x1c",
            b"\xc2", b"\x85", b"\xe3", b"\xa8"]
    return b"".join(rng.choice(pool) if rng.random() < 0.9 else bytes([rng.randrange(256)]) for _ in range(n))


def test_random_bytes_match_python_decoder():
    """File-mode UTF-8 repair agrees with Python's decoder (and so with LineSentence) on
    thousands of random byte strings, under each policy and with random stream cuts."""
    rng = random.Random(12345)
    for i in range(1500):
        text = _random_bytes(rng, rng.randrange(1, 40))
        cuts = sorted(rng.randrange(len(text) + 1) for _ in range(rng.randrange(3)))
        _check_counter(text, ("replace", "ignore", "strict")[i % 3], 0, cuts, i % 5 != 0, i % 4)


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


def _load_w2v(tmp_path, body, **kw):
    """load_word2vec_format on the bytes: a KeyedVectors, or None after a clean ValueError
    (TruncatedFileError is one)."""
    path = tmp_path / ("v.bin" if kw.get("binary") else "v.txt")
    path.write_bytes(body)
    try:
        kv = fastembed.KeyedVectors.load_word2vec_format(str(path), unicode_errors="replace", **kw)
    except ValueError:
        return None
    assert kv.vectors.dtype == np.float32 and kv.vectors.shape == (len(kv.index_to_key), kv.vector_size)
    assert len(set(kv.index_to_key)) == len(kv.index_to_key)
    return kv


def _first_wins(rows):
    seen = {}
    for word, values in rows:
        seen.setdefault(word, values)
    return seen


def _check_rows(kv, rows):
    expected = _first_wins(rows)
    assert kv.index_to_key == list(expected)
    for i, values in enumerate(expected.values()):
        got = kv.vectors[i]
        for g, v in zip(got.tolist(), values):
            assert (math.isnan(g) and math.isnan(v)) or np.float32(g).tobytes() == np.float32(v).tobytes()


@pytest.mark.parametrize("path", _inputs("fuzz_w2v_text"), ids=_ids(_inputs("fuzz_w2v_text")))
def test_w2v_text_inputs(path, tmp_path):
    data = open(path, "rb").read()
    opts, lb = data[:2].ljust(2, b"\0")
    body = data[2:]
    limit = lb - 1 if lb else None
    kv = _load_w2v(tmp_path, body, no_header=bool(opts & 1), limit=limit)
    if kv is None:
        return
    # Accepted: each of the first n lines is a word and vector_size values (separated by
    # spaces or tabs) that numpy.float32 reads the same.
    lines = body.split(b"\n")
    if opts & 1:
        if lines[-1] == b"":
            lines.pop()
        count = len(lines)
    else:
        count = int(lines.pop(0).split()[0])
    rows = []
    for line in lines[: min(count, limit) if limit else count]:
        line = line.rstrip(b" \t\r\x0b\x0c")
        word, _, rest = line.partition(b" ")
        values = [v for v in re.split(rb"[ \t]+", rest) if v]
        assert len(values) == kv.vector_size, line
        with np.errstate(over="ignore"):  # 1e39 -> inf, as the loader does
            rows.append((word.decode("utf-8", "replace"), [np.float32(v.decode()) for v in values]))
    _check_rows(kv, rows)


@pytest.mark.parametrize("path", _inputs("fuzz_w2v_binary"), ids=_ids(_inputs("fuzz_w2v_binary")))
def test_w2v_binary_inputs(path, tmp_path):
    data = open(path, "rb").read()
    lb = data[0] if data else 0
    body = data[1:]
    limit = lb - 1 if lb else None
    kv = _load_w2v(tmp_path, body, binary=True, limit=limit)
    if kv is None:
        return
    header, _, rest = body.partition(b"\n")
    count, dim = (int(x) for x in header.split())
    n = min(count, limit) if limit else count
    rows, pos = [], 0
    for _ in range(n):
        while rest[pos : pos + 1] == b"\n":
            pos += 1
        sp = rest.index(b" ", pos)
        values = np.frombuffer(rest[sp + 1 : sp + 1 + 4 * dim], dtype="<f4").tolist()
        rows.append((rest[pos:sp].decode("utf-8", "replace"), values))
        pos = sp + 1 + 4 * dim
    _check_rows(kv, rows)


@pytest.mark.parametrize("path", _inputs("fuzz_w2v_roundtrip"), ids=_ids(_inputs("fuzz_w2v_roundtrip")))
def test_w2v_roundtrip_inputs(path, tmp_path):
    data = open(path, "rb").read()
    dim, rows = 1 + (data[0] if data else 0) % 16, 1 + (data[1] if len(data) > 1 else 0) % 8
    values = np.frombuffer(data[2:].ljust(2 + 4 * dim * rows, b"\0")[: 4 * dim * rows], dtype="<f4")
    kv = fastembed.KeyedVectors(dim)
    kv.index_to_key = [f"w{r}\u00e9" for r in range(rows)]
    kv.key_to_index = {w: i for i, w in enumerate(kv.index_to_key)}
    kv.vectors = values.reshape(rows, dim).copy()
    for binary in (False, True):
        p = str(tmp_path / f"r{int(binary)}.w2v")
        kv.save_word2vec_format(p, binary=binary)
        back = fastembed.KeyedVectors.load_word2vec_format(p, binary=binary)
        assert back.index_to_key == kv.index_to_key
        same = (back.vectors.view(np.uint32) == kv.vectors.view(np.uint32)) | (
            np.isnan(back.vectors) & np.isnan(kv.vectors))
        assert same.all()
