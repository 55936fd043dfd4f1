"""fastText's subword rules in the C++ core against a plain Python reading of fastText's
published algorithm (Dictionary::hash and computeSubwords in fastText's dictionary.cc)."""
from __future__ import annotations

import numpy as np
import pytest

from fastembed import _core

from fasttext_ref import ref_hash, ref_ngrams


WORDS = ["where", "a", "ab", "", "naïve", "привет", "слово", "東京都", "日本語の文", "😀", "👍🏽ok",
         "x\u0301y", "</s>", "<s>", "a>b", "\u00ff\u0080", "\U0010FFFF"]


@pytest.mark.parametrize("text", WORDS + ["<wh", "her", "ere>", "<pri", "вет>"])
def test_hash_matches_fasttexts_algorithm(text):
    data = text.encode("utf-8")
    assert _core.ft_hash(data) == ref_hash(data)


def test_hash_known_values():
    # The empty string is the FNV offset basis; one ASCII byte is the plain FNV-1a step; a byte
    # >= 0x80 is xored as 0xFFFFFFxx (signed char), which unsigned FNV-1a (gensim's old bug)
    # gets wrong.
    assert _core.ft_hash(b"") == 2166136261
    assert _core.ft_hash(b"a") == ((2166136261 ^ 0x61) * 16777619) & 0xFFFFFFFF
    assert _core.ft_hash(b"\xd0") == ((2166136261 ^ 0xFFFFFFD0) * 16777619) & 0xFFFFFFFF
    assert _core.ft_hash(b"\xd0") != ((2166136261 ^ 0xD0) * 16777619) & 0xFFFFFFFF


@pytest.mark.parametrize("word", WORDS)
@pytest.mark.parametrize("min_n,max_n", [(3, 6), (1, 1), (1, 3), (2, 2), (5, 5), (3, 0), (4, 3), (1, 40)])
def test_ngrams_match_reference(word, min_n, max_n):
    assert _core.ngrams(word, min_n, max_n) == ref_ngrams(word, min_n, max_n)


def test_ngram_examples():
    assert _core.ngrams("where", 3, 3) == ["<wh", "whe", "her", "ere", "re>"]
    assert _core.ngrams("a", 3, 6) == ["<a>"]           # shorter than min_n: only with markers
    assert _core.ngrams("a", 4, 6) == []                # too short even with them
    assert _core.ngrams("ab", 1, 2) == ["<a", "a", "ab", "b", "b>"]  # lone markers skipped
    assert _core.ngrams("привет", 3, 3)[:2] == ["<пр", "при"]       # characters, not bytes
    assert _core.ngrams("😀", 3, 3) == ["<😀>"]
    assert _core.ngrams("where", 3, 0) == []            # max_n = 0: subwords off
    assert _core.ngrams("</s>", 1, 6) == []             # fastText's end-of-sentence token


@pytest.mark.parametrize("word", WORDS)
@pytest.mark.parametrize("bucket", [1, 7, 2_000_000, 2**31 - 1])
def test_buckets_are_hash_mod_bucket(word, bucket):
    want = [ref_hash(g.encode("utf-8")) % bucket for g in ref_ngrams(word, 3, 6)]
    got = _core.ngram_buckets(word, 3, 6, bucket)
    assert got.dtype == np.int32 and got.tolist() == want


def test_table_lists_word_row_then_ngram_rows():
    words = ["where", "</s>", "a", "東京"]
    vocab = _core.Vocab(words, np.array([5, 4, 3, 2], dtype=np.int64))
    bucket = 1000
    t = _core.subword_table(vocab, 3, 6, bucket)
    assert t.input_rows == len(words) + bucket
    offsets, rows = t.offsets.tolist(), t.rows.tolist()
    for i, w in enumerate(words):
        want = [i] + [len(words) + ref_hash(g.encode()) % bucket for g in ref_ngrams(w, 3, 6)]
        assert rows[offsets[i]:offsets[i + 1]] == want
    assert rows[offsets[1]:offsets[2]] == [1]  # </s>: its own row only
    off = _core.subword_table(vocab, 3, 0, 0)
    assert off.rows.tolist() == [0, 1, 2, 3] and off.input_rows == 4


def test_bad_rules_raise():
    with pytest.raises(ValueError, match="min_n"):
        _core.ngrams("x", 0, 3)
    with pytest.raises(ValueError, match="bucket must be positive"):
        _core.ngram_buckets("x", 3, 6, 0)
    with pytest.raises(ValueError, match="bucket"):
        _core.ngram_buckets("x", 3, 6, 2**31)
    vocab = _core.Vocab(["a"], np.array([1], dtype=np.int64))
    with pytest.raises(ValueError, match="2\\^31"):
        _core.subword_table(vocab, 3, 6, 2**31 - 1)


def test_compose_is_the_float32_mean_of_the_rows():
    rng = np.random.default_rng(3)
    vocab = _core.Vocab(["where", "a", "</s>"], np.array([3, 2, 1], dtype=np.int64))
    t = _core.subword_table(vocab, 3, 6, 50)
    syn0 = rng.standard_normal((53, 16)).astype(np.float32)
    out = np.zeros((3, 10), dtype=np.float32)
    _core.compose_vectors(syn0, t, out, 10)
    offsets, rows = t.offsets.tolist(), t.rows.tolist()
    for i in range(3):
        acc = np.zeros(10, dtype=np.float32)
        for r in rows[offsets[i]:offsets[i + 1]]:
            acc += syn0[r, :10]
        want = acc * np.float32(1.0 / (offsets[i + 1] - offsets[i]))
        assert out[i].tobytes() == want.tobytes()


def test_uniform_rows_are_in_range_and_seeded_by_place():
    a = np.zeros((10, 16), dtype=np.float32)
    b = np.zeros((12, 16), dtype=np.float32)
    _core.init_rows_uniform(a, 2, 8, 10, 7)
    _core.init_rows_uniform(b, 4, 8, 10, 7)
    assert not a[:2].any() and not a[:, 10:].any()
    assert (np.abs(a[2:, :10]) <= 0.1).all() and np.abs(a[2:, :10]).max() > 0.05
    assert a[2:].tobytes() == b[4:].tobytes()  # a bucket starts the same after any vocabulary
    c = np.zeros((10, 16), dtype=np.float32)
    _core.init_rows_uniform(c, 2, 8, 10, 8)
    assert c.tobytes() != a.tobytes()
