"""Vocabulary building: counts, filtering, sorting and pruning, from files and iterables."""
import bz2
import collections
import gzip
import lzma

import numpy as np
import pytest

import fastembed
from fastembed import _core


def _model(**kw):
    kw.setdefault("min_count", 5)
    return fastembed.Word2Vec(**kw)


def test_counts_match_python(small_path):
    words = open(small_path).read().split()
    expected = collections.Counter(words)
    m = _model(min_count=5)
    m.build_vocab(corpus_file=small_path)
    kept = {w: c for w, c in expected.items() if c >= 5}
    assert len(m.wv.index_to_key) == len(kept)
    counts = m.wv.expandos["count"]
    for w, i in m.wv.key_to_index.items():
        assert counts[i] == kept[w]
    assert m.corpus_total_words == len(words)
    assert m.corpus_count == 300  # lines
    # Descending counts, ties in first-seen order (as gensim's stable sort).
    assert all(np.diff(counts) <= 0)
    first_seen = {}
    for i, w in enumerate(words):
        first_seen.setdefault(w, i)
    for a, b in zip(m.wv.index_to_key, m.wv.index_to_key[1:]):
        if kept[a] == kept[b]:
            assert first_seen[a] < first_seen[b]


def test_iterable_and_file_and_compressed_agree(small_path, tmp_path):
    ref = _model()
    ref.build_vocab(corpus_file=small_path)
    data = open(small_path, "rb").read()
    for name, opener in [("c.gz", gzip.open), ("c.bz2", bz2.open), ("c.xz", lzma.open)]:
        p = tmp_path / name
        with opener(p, "wb") as f:
            f.write(data)
        m = _model()
        m.build_vocab(corpus_file=str(p))
        assert m.wv.index_to_key == ref.wv.index_to_key
        assert m.corpus_count == ref.corpus_count
    for corpus in (fastembed.LineSentence(small_path), [line.split() for line in open(small_path)]):
        m = _model()
        m.build_vocab(corpus_iterable=corpus)
        assert m.wv.index_to_key == ref.wv.index_to_key
        np.testing.assert_array_equal(m.wv.expandos["count"], ref.wv.expandos["count"])
        assert m.corpus_total_words == ref.corpus_total_words


def test_unsorted_vocab_keeps_first_seen_order(small_path):
    m = _model(sorted_vocab=0)
    m.build_vocab(corpus_file=small_path)
    known = set(m.wv.index_to_key)
    seen = dict.fromkeys(w for w in open(small_path).read().split() if w in known)
    assert m.wv.index_to_key == list(seen)


def test_max_final_vocab_raises_min_count(small_path):
    counts = collections.Counter(open(small_path).read().split())
    ordered = sorted(counts.values(), reverse=True)
    m = _model(min_count=1, max_final_vocab=1000)
    m.build_vocab(corpus_file=small_path)
    assert m.effective_min_count == ordered[1000] + 1
    assert len(m.wv.index_to_key) == sum(1 for c in counts.values() if c > ordered[1000])
    assert len(m.wv.index_to_key) <= 1000


def _reduce_vocab_reference(words, cap):
    """The word2vec C tool's ReduceVocab, written plainly."""
    counts, min_reduce = {}, 1
    for w in words:
        counts[w] = counts.get(w, 0) + 1
        while len(counts) > cap:
            counts = {k: c for k, c in counts.items() if c > min_reduce}
            min_reduce += 1
    return counts


def test_max_vocab_size_prunes_like_word2vec(small_path):
    words = open(small_path).read().split()[:60000]
    ref = _reduce_vocab_reference(words, 2000)
    counter = _core.CorpusCounter(2000, _core.Utf8Policy.REPLACE)
    counter.add_sentences([words], 0)
    vocab = counter.finalize(1, 0, True)
    got = dict(zip(vocab.words(), vocab.counts().tolist()))
    assert got == ref
    assert counter.num_words <= 2000


def test_total_word_count_is_64_bit():
    counter = _core.CorpusCounter(0, _core.Utf8Policy.REPLACE)
    counter.add_count("big", 3 * 2**32)
    counter.add_count("small", 7)
    vocab = counter.finalize(1, 0, True)
    assert vocab.counts().tolist() == [3 * 2**32, 7]
    assert vocab.total() == 3 * 2**32 + 7
    assert counter.total_words == 3 * 2**32 + 7


def test_invalid_utf8_is_replaced_not_fatal(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_bytes(b"caf\xe9 ok ok caf\xe9 ok\n" * 10)
    m = _model(min_count=1)
    m.build_vocab(corpus_file=str(p))
    assert set(m.wv.index_to_key) == {"ok", "caf\ufffd"}
    strict = _model(min_count=1, unicode_errors="strict")
    with pytest.raises(ValueError, match="UTF-8"):
        strict.build_vocab(corpus_file=str(p))


def test_whitespace_and_crlf(tmp_path):
    p = tmp_path / "ws.txt"
    p.write_bytes(b"a\tb  c\r\nb\x0bc\x0ca\r\n\n\nc a b")
    m = _model(min_count=1)
    m.build_vocab(corpus_file=str(p))
    assert sorted(m.wv.index_to_key) == ["a", "b", "c"]
    assert m.wv.expandos["count"].tolist() == [3, 3, 3]
    assert m.corpus_count == 3


def test_build_vocab_from_freq():
    m = _model(min_count=2)
    m.build_vocab_from_freq({"a": 10, "b": 1, "c": 4}, corpus_count=5)
    assert m.wv.index_to_key == ["a", "c"]
    assert m.corpus_count == 5


def _messy_corpus(seed: int) -> bytes:
    # Words (ASCII, multi-byte, invalid UTF-8, some that 'ignore' empties), ASCII and Unicode
    # spaces, CRLF, blank lines and a last word with no newline: every place a cut can fall.
    rng = np.random.default_rng(seed)
    words = [b"a", b"bb", b"the", "caf\u00e9".encode(), "\u4e2d\u6587".encode(), b"x\xffy", b"\xfe\xff",
             b"q" * 40] + [b"w%d" % i for i in range(30)]
    seps = [b" ", b"  ", b"\t", b"\n", b"\r\n", b"\n\n", "\u00a0".encode(), "\u2003".encode(), b" \n "]
    out = []
    for _ in range(int(rng.integers(200, 3000))):
        out.append(words[int(rng.integers(len(words)))])
        out.append(seps[int(rng.choice(len(seps), p=[.45, .1, .05, .12, .05, .03, .08, .07, .05]))])
    if rng.random() < 0.5:
        out.pop()  # end on a word
    return b"".join(out)


def _count(path, threads, policy, newline_ends, max_words):
    c = _core.CorpusCounter(0, getattr(_core.Utf8Policy, policy.upper()), newline_ends, max_words)
    c.count_file(str(path), None, threads, 1)
    v = c.finalize(1, 0, False)
    return v.words(), list(v.counts()), c.total_words, c.sentences


@pytest.mark.parametrize("seed", range(6))
def test_threaded_file_count_equals_one_thread_exactly(tmp_path, seed):
    # Byte ranges cut anywhere after whitespace, merged in order: same words in first-seen order,
    # same counts, total and sentence count (whose rule spans ranges) as one sequential scan.
    path = tmp_path / "messy.txt"
    path.write_bytes(_messy_corpus(seed))
    for policy in ("replace", "ignore"):
        for newline_ends, max_words in ((True, 0), (True, 3), (False, 7), (True, 1), (False, 0)):
            want = _count(path, 1, policy, newline_ends, max_words)
            assert want[3] > 0
            for threads in (2, 3, 8, 64):
                assert _count(path, threads, policy, newline_ends, max_words) == want, (policy, newline_ends, max_words, threads)


def test_threaded_count_of_the_sample_matches_python(small_path):
    c = _core.CorpusCounter(0)
    c.count_file(str(small_path), None, 2, 1)
    text = open(small_path, encoding="utf-8").read()
    counts = collections.Counter(text.split())
    v = c.finalize(1, 0, True)
    assert dict(zip(v.words(), v.counts().tolist())) == dict(counts)
    assert c.total_words == sum(counts.values())
    assert c.sentences == sum(1 for line in text.split("\n") if line.split())
