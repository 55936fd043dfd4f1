"""Phrases / FrozenPhrases / word2phrase: counts and scores against hand-computed values and a
plain-Python reference of gensim's rules (tests/_phrases_reference.py), connector words,
pruning, delimiter, streaming, save / load, bad input, gensim itself when installed, and the
word2phrase tool (built from its C source when one is at hand)."""
from __future__ import annotations

import math
import os
import random
import shutil
import subprocess
import sys

import pytest

import fastembed
from fastembed import ENGLISH_CONNECTOR_WORDS, FrozenPhrases, LineSentence, Phrases, Text8Corpus
from fastembed.cli import main
from fastembed.phrases import npmi_scorer, original_scorer

sys.path.insert(0, os.path.dirname(__file__))
import _phrases_reference as ref  # noqa: E402

SENTENCES = [
    ["the", "mayor", "of", "new", "york", "was", "there"],
    ["new", "york", "is", "big"],
    ["machine", "learning", "in", "new", "york"],
    ["bank", "of", "america", "and", "new", "york"],
    ["bank", "of", "america", "in", "new", "york"],
    ["machine", "learning", "is", "new"],
]


def synthetic(n_sentences: int, seed: int, vocab: int = 300, length=(1, 30)):
    """Sentences from a skewed vocabulary with planted pairs, so phrases exist."""
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(vocab)] + ["of", "the", "in"]
    weights = [1.0 / (i + 1) for i in range(len(words))]
    pairs = [("new", "york"), ("san", "francisco"), ("bank", "of", "america")]
    out = []
    for _ in range(n_sentences):
        s = rng.choices(words, weights, k=rng.randint(*length))
        if rng.random() < 0.5:
            s[rng.randrange(len(s)):0] = list(rng.choice(pairs))
        out.append(s)
    return out


def reference_score(vocab, words, scoring, min_count, threshold):
    def score(a, b, key):
        ca, cb, cab = vocab.get(a, 0), vocab.get(b, 0), vocab.get(key, 0)
        if not (ca and cb and cab):
            return None
        s = (ref.default_score(ca, cb, cab, len(vocab), min_count) if scoring == "default"
             else ref.npmi_score(ca, cb, cab, words, min_count))
        return s if s > threshold else None
    return score


# ------------------------------------------------------------------ counts and scores

def test_counts_and_default_score_by_hand():
    p = Phrases(SENTENCES, min_count=1, threshold=1.0)
    assert p.corpus_word_count == 32
    assert p.vocab["new"] == 6 and p.vocab["york"] == 5 and p.vocab["new_york"] == 5
    assert p.vocab["of_new"] == 1 and "york_new" not in p.vocab
    # (5 - 1) / (6 * 5) * |vocab|
    n = len(p.vocab)
    assert n == len(ref.learn(SENTENCES)[0])
    assert p.export_phrases()["new_york"] == (5 - 1) / 30.0 * n
    assert p[["new", "york", "city"]] == ["new_york", "city"]


def test_npmi_score_by_hand():
    p = Phrases(SENTENCES, min_count=1, threshold=0.5, scoring="npmi")
    pa, pb, pab = 6 / 32, 5 / 32, 5 / 32
    assert p.export_phrases()["new_york"] == math.log(pab / (pa * pb)) / -math.log(pab)
    assert p.scoring is npmi_scorer


@pytest.mark.parametrize("scoring,threshold", [("default", 5.0), ("npmi", 0.3)])
@pytest.mark.parametrize("connectors", [frozenset(), ENGLISH_CONNECTOR_WORDS])
def test_matches_reference(scoring, threshold, connectors):
    sents = synthetic(3000, seed=1)
    p = Phrases(sents, min_count=3, threshold=threshold, scoring=scoring, connector_words=connectors)
    vocab, words, _ = ref.learn(sents, connectors)
    assert dict(p.vocab.items()) == vocab and list(p.vocab) == list(vocab)
    assert p.corpus_word_count == words
    score = reference_score(vocab, words, scoring, 3, threshold)
    for s in sents[:500]:
        assert p[s] == ref.apply(s, score, connectors)
    exported = p.export_phrases()
    expected = {}
    for key in vocab:
        parts = key.split("_")
        if len(parts) > 1:
            sc = score(parts[0], parts[-1], key)
            if sc is not None:
                expected[key] = (ref.default_score(vocab[parts[0]], vocab[parts[-1]], vocab[key], len(vocab), 3)
                                 if scoring == "default" else
                                 ref.npmi_score(vocab[parts[0]], vocab[parts[-1]], vocab[key], words, 3))
    assert exported == expected and exported
    frozen = p.freeze()
    assert frozen.phrasegrams == exported
    assert [frozen[s] for s in sents[:500]] == [p[s] for s in sents[:500]]
    found = p.find_phrases(sents)
    assert set(found) <= set(exported) and found


def test_connector_words():
    p = Phrases(SENTENCES, min_count=1, threshold=0.1, connector_words=ENGLISH_CONNECTOR_WORDS)
    assert "of" not in p.vocab and "the" not in p.vocab  # connectors are never unigrams
    assert p.vocab["bank_of_america"] == 2
    assert p.corpus_word_count == 32  # but they count as words
    assert p[["bank", "of", "america"]] == ["bank_of_america"]
    assert p[["of", "new", "york", "of"]] == ["of", "new_york", "of"]  # never at either end
    assert ENGLISH_CONNECTOR_WORDS == frozenset("a an the for of with without at from to in on by and or".split())


def test_delimiter():
    p = Phrases(SENTENCES, min_count=1, threshold=1.0, delimiter="+", connector_words={"of"})
    assert p.vocab["new+york"] == 5 and p.vocab["bank+of+america"] == 2
    assert p[["new", "york"]] == ["new+york"]
    assert "new+york" in p.export_phrases()


def test_pruning_matches_gensims_rule():
    sents = synthetic(2000, seed=2, vocab=2000)
    for cap in (500, 3000):
        p = Phrases(sents, min_count=2, threshold=1.0, max_vocab_size=cap)
        vocab, words, min_reduce = ref.learn(sents, max_vocab_size=cap)
        assert list(p.vocab.items()) == list(vocab.items())
        assert p.min_reduce == 1  # an empty model takes the pass as it is (gensim keeps its own)
        assert min_reduce > 2
    # add_vocab merges, then prunes once with the larger min_reduce
    p = Phrases(sents[:1000], min_count=2, max_vocab_size=3000)
    p.add_vocab(sents[1000:])
    first, _, _ = ref.learn(sents[:1000], max_vocab_size=3000)
    second, _, r2 = ref.learn(sents[1000:], max_vocab_size=3000)
    for k, c in second.items():
        first[k] = first.get(k, 0) + c
    if len(first) > 3000:
        first = {k: c for k, c in first.items() if c >= max(1, r2)}
    assert dict(p.vocab.items()) == first
    assert p.corpus_word_count == sum(map(len, sents))


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    """Over 2 MB of lines, so two threads count byte ranges; and the same as one line."""
    sents = synthetic(60000, seed=3, length=(1, 40))
    d = tmp_path_factory.mktemp("phr")
    lines = d / "lines.txt"
    lines.write_text("\n".join(" ".join(s) for s in sents) + "\n")
    one = d / "one.txt"
    one.write_text(" ".join(w for s in sents for w in s))
    return sents, str(lines), str(one)


def test_threaded_file_count_equals_one_pass(big_file):
    sents, lines, one = big_file
    assert os.path.getsize(lines) > 2 << 20
    vocab, words, _ = ref.learn(sents)
    for workers in (1, 2, 3):
        p = Phrases(corpus_file=lines, min_count=5, workers=workers)
        assert p.corpus_word_count == words
        assert list(p.vocab.items()) == list(vocab.items())
    # one line: sentences of 10,000 words (LineSentence / Text8Corpus); cuts land inside them
    flat = [w for s in sents for w in s]
    chunks = [flat[i:i + 10000] for i in range(0, len(flat), 10000)]
    vocab1, _, _ = ref.learn(chunks)
    for src in (dict(corpus_file=one), dict(sentences=Text8Corpus(one)), dict(sentences=LineSentence(one))):
        p = Phrases(min_count=5, workers=2, **src)
        assert list(p.vocab.items()) == list(vocab1.items())


def test_threaded_count_over_the_cap_is_redone_serially(big_file):
    sents, lines, _ = big_file
    vocab, _, _ = ref.learn(sents, max_vocab_size=20000)
    p = Phrases(corpus_file=lines, min_count=5, max_vocab_size=20000, workers=2)
    assert list(p.vocab.items()) == list(vocab.items())


def test_transform_file_equals_applying(big_file, tmp_path):
    sents, lines, _ = big_file
    p = Phrases(corpus_file=lines, min_count=5, threshold=5.0, connector_words=ENGLISH_CONNECTOR_WORDS)
    expected = [p[s] for s in sents]
    assert expected != sents
    for target, workers in ((p, 2), (p.freeze(), 3), (p, 1)):
        out = tmp_path / "out.txt"
        assert target.transform_file(lines, out, workers=workers) == len(sents)
        assert [line.split() for line in out.read_text().splitlines()] == expected
    assert list(p[LineSentence(lines)]) == expected  # the C++ stream reader
    assert list(p.freeze()[LineSentence(lines)]) == expected


def test_model_does_not_change_under_an_unfinished_stream(big_file):
    _, lines, _ = big_file
    p = Phrases(corpus_file=lines, min_count=5)
    it = iter(p[LineSentence(lines)])
    first = next(it)
    assert first == p[next(iter(LineSentence(lines)))]
    with pytest.raises(ValueError, match="not read to the end"):
        p.add_vocab(SENTENCES)
    del it  # the stream ends with its generator
    p.add_vocab(SENTENCES)
    assert p.vocab["new_york"] >= 5


# ------------------------------------------------------------------ application API

def test_streaming_a_generator_is_lazy():
    p = Phrases(SENTENCES, min_count=1, threshold=1.0)
    pulled = []

    def gen():
        for s in SENTENCES * 1000:
            pulled.append(1)
            yield s

    out = p[gen()]
    it = iter(out)
    assert next(it) == p[SENTENCES[0]]
    assert len(pulled) < len(SENTENCES) * 1000  # not read to the end for one sentence
    rest = list(it)
    assert len(rest) == len(SENTENCES) * 1000 - 1
    # a list stays re-iterable, so Word2Vec can read it once per epoch
    corpus = p[SENTENCES]
    assert list(corpus) == list(corpus) == [p[s] for s in SENTENCES]
    assert p[[]] == [] and p[iter(["new", "york"])] == ["new_york"]


def test_same_str_objects_for_single_tokens():
    p = Phrases(SENTENCES, min_count=1, threshold=1.0)
    s = ["big", "new", "york"]
    out = p[s]
    assert out == ["big", "new_york"] and out[0] is s[0]


def test_custom_scorer_matches_builtin():
    def my_scorer(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
        return original_scorer(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count)

    sents = synthetic(500, seed=4)
    a = Phrases(sents, min_count=2, threshold=3.0)
    b = Phrases(sents, min_count=2, threshold=3.0, scoring=my_scorer)
    assert a.export_phrases() == b.export_phrases()
    assert [a[s] for s in sents] == [b[s] for s in sents]
    assert a.find_phrases(sents) == b.find_phrases(sents)


# ------------------------------------------------------------------ files

def test_save_load_round_trip(tmp_path):
    sents = synthetic(500, seed=5)
    p = Phrases(sents, min_count=2, threshold=3.0, delimiter="~", connector_words={"of", "the"},
                max_vocab_size=10**6)
    p.save(tmp_path / "p.phr")
    q = Phrases.load(tmp_path / "p.phr")
    assert isinstance(q, Phrases)
    assert list(q.vocab.items()) == list(p.vocab.items())
    assert (q.corpus_word_count, q.min_count, q.threshold, q.delimiter, q.connector_words, q.max_vocab_size) == \
        (p.corpus_word_count, p.min_count, p.threshold, p.delimiter, p.connector_words, p.max_vocab_size)
    assert q.export_phrases() == p.export_phrases()
    f = p.freeze()
    f.save(tmp_path / "f.phr")
    g = Phrases.load(tmp_path / "f.phr")
    assert isinstance(g, FrozenPhrases) and g.phrasegrams == f.phrasegrams
    assert [g[s] for s in sents] == [p[s] for s in sents]


def test_custom_scorer_is_never_loaded_from_the_file(tmp_path):
    def scorer(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
        return bigram_count / 2

    p = Phrases(SENTENCES, min_count=1, threshold=1.0, scoring=scorer)
    p.save(tmp_path / "p.phr")
    with pytest.raises(ValueError, match="custom scorer"):
        Phrases.load(tmp_path / "p.phr")
    q = Phrases.load(tmp_path / "p.phr", scoring=scorer)
    assert q.export_phrases() == p.export_phrases()


def test_damaged_files(tmp_path):
    p = Phrases(SENTENCES, min_count=1, threshold=1.0)
    path = tmp_path / "p.phr"
    p.save(path)
    data = path.read_bytes()
    for bad in (data[:-3], data[:40], b"\x80\x04junk", data.replace(b'"entries": ', b'"entries": 9')):
        path.write_bytes(bad)
        with pytest.raises(ValueError):
            Phrases.load(path)


# ------------------------------------------------------------------ bad input

def test_bad_parameters():
    with pytest.raises(ValueError, match="threshold"):
        Phrases(threshold=float("nan"))
    with pytest.raises(ValueError, match="min_count"):
        Phrases(min_count=-1)
    with pytest.raises(ValueError, match="threshold"):
        Phrases(threshold=0)
    with pytest.raises(ValueError, match="threshold"):
        Phrases(scoring="npmi", threshold=2)
    with pytest.raises(ValueError, match="scoring"):
        Phrases(scoring="pmi")
    with pytest.raises(ValueError, match="missing"):
        Phrases(scoring=lambda a, b: 1.0)
    with pytest.raises(TypeError, match="connector_words"):
        Phrases(connector_words="of the")
    with pytest.raises(ValueError, match="delimiter"):
        Phrases(delimiter="")
    with pytest.raises(TypeError):
        Phrases(max_vocab_size=1.5)
    with pytest.raises(ValueError):
        Phrases(SENTENCES, corpus_file="x.txt")
    with pytest.raises(TypeError, match="list of str"):
        Phrases([["ok"], "not a list"])
    with pytest.raises(TypeError, match="str"):
        Phrases([["ok", 3]])
    with pytest.raises(FileNotFoundError):
        Phrases(corpus_file="/no/such/file.txt")


def test_scorer_that_raises_or_returns_nan():
    def boom(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
        raise RuntimeError("scorer failed")

    def nan(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
        return float("nan")

    p = Phrases(SENTENCES, min_count=1, threshold=1.0, scoring=boom)
    with pytest.raises(RuntimeError, match="scorer failed"):
        p[["new", "york"]]
    with pytest.raises(RuntimeError, match="scorer failed"):
        p.export_phrases()
    q = Phrases(SENTENCES, min_count=1, threshold=1.0, scoring=nan)
    with pytest.raises(ValueError, match="NaN"):
        q.freeze()


# ------------------------------------------------------------------ gensim itself

def test_same_as_gensim(sample_words):
    phrases = pytest.importorskip("gensim.models.phrases")
    words = sample_words[:200_000]
    sents = [words[i:i + 1000] for i in range(0, len(words), 1000)]
    for kwargs in (dict(), dict(scoring="npmi", threshold=0.5), dict(connector_words=ENGLISH_CONNECTOR_WORDS)):
        g = phrases.Phrases(sents, min_count=5, **kwargs)
        f = Phrases(sents, min_count=5, **kwargs)
        assert dict(f.vocab.items()) == g.vocab
        assert f.export_phrases() == g.export_phrases()
        gf, ff = g.freeze(), f.freeze()
        assert [ff[s] for s in sents] == [gf[s] for s in sents] == [f[s] for s in sents]


# ------------------------------------------------------------------ word2phrase

def w2p_corpus(tmp_path):
    rng = random.Random(7)
    words = ["alpha", "beta", "new", "york", "san", "francisco", "x" * 70, "y" * 57 + "é"]
    words += [f"f{i}" for i in range(500)]
    weights = [8, 5, 0.02, 0.02, 0.02, 0.02, 1, 1] + [3.0 / (i + 1) for i in range(500)]
    lines = []
    for _ in range(4000):
        s = rng.choices(words, weights, k=rng.randint(0, 12))
        if rng.random() < 0.03:
            s[rng.randrange(len(s) + 1):0] = ["new", "york"]
        if rng.random() < 0.02:
            s[rng.randrange(len(s) + 1):0] = ["san", "francisco"]
        sep = rng.choice([" ", "  ", "\t", " \r"])
        lines.append(sep.join(s))
    path = tmp_path / "w2p.txt"
    path.write_bytes(("\n".join(lines) + "\n").encode())
    return path


def word2phrase_c_source():
    src = os.environ.get("WORD2PHRASE_C")
    if src and os.path.isfile(src):
        return open(src, "rb").read()
    mirror = "/work/.mirror/tmikolov+word2vec/repo"
    if os.path.isdir(mirror) and shutil.which("git"):
        r = subprocess.run(["git", "--git-dir", mirror, "show", "HEAD:word2phrase.c"], capture_output=True)
        if r.returncode == 0:
            return r.stdout
    return None


@pytest.mark.parametrize("min_count,threshold", [(5, 100.0), (3, 20.0), (1, 0.5)])
def test_word2phrase_cli_equals_the_formula(tmp_path, min_count, threshold):
    path = w2p_corpus(tmp_path)
    out = tmp_path / "out.txt"
    assert main(["phrases", "-train", str(path), "-output", str(out), "-min-count", str(min_count),
                 "-threshold", str(threshold), "-debug", "0"]) == 0
    expected = ref.word2phrase(path.read_bytes(), min_count, threshold)
    assert out.read_bytes() == expected
    assert b"new_york" in expected


def test_word2phrase_two_passes_and_threads(tmp_path):
    path = w2p_corpus(tmp_path)
    one, two = tmp_path / "p1.txt", tmp_path / "p2.txt"
    assert main(["phrases", "-train", str(path), "-output", str(one), "-threshold", "50", "-debug", "0"]) == 0
    assert main(["phrases", "-train", str(one), "-output", str(two), "-threshold", "20", "-debug", "0"]) == 0
    assert two.read_bytes() == ref.word2phrase(one.read_bytes(), 5, 20.0)
    assert b"new_york" in one.read_bytes() and two.read_bytes() != one.read_bytes()
    # > 2 MB: two threads count byte ranges, and the pairs across their cut are not lost
    big = tmp_path / "big.txt"
    big.write_bytes(path.read_bytes().replace(b"\n", b" ") * 40)
    outs = []
    for threads in ("1", "2"):
        out = tmp_path / f"big{threads}.txt"
        assert main(["phrases", "-train", str(big), "-output", str(out), "-threshold", "100",
                     "-threads", threads, "-debug", "0"]) == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] and b"new_york" in outs[0]


def test_word2phrase_equals_the_c_tool(tmp_path):
    source = word2phrase_c_source()
    gcc = shutil.which("gcc")
    if source is None or gcc is None:
        pytest.skip("no word2phrase.c or gcc at hand")
    # Its hash table is 2 GB; 5M slots change nothing but when it would prune (past 3.5M
    # entries, far beyond this corpus).
    source = source.replace(b"vocab_hash_size = 500000000", b"vocab_hash_size = 5000000")
    (tmp_path / "word2phrase.c").write_bytes(source)
    subprocess.run([gcc, "word2phrase.c", "-o", "word2phrase", "-lm", "-pthread", "-O2", "-w"], check=True,
                   cwd=tmp_path)
    path = w2p_corpus(tmp_path)
    for min_count, threshold in ((5, 100), (2, 10)):
        # Relative names: the tool keeps paths in 60-byte buffers.
        subprocess.run(["./word2phrase", "-train", path.name, "-output", "c.txt", "-min-count", str(min_count),
                        "-threshold", str(threshold), "-debug", "0"], check=True, capture_output=True, cwd=tmp_path)
        ours = tmp_path / "f.txt"
        assert main(["phrases", "-train", str(path), "-output", str(ours), "-min-count", str(min_count),
                     "-threshold", str(threshold), "-debug", "0"]) == 0
        theirs = (tmp_path / "c.txt").read_bytes()
        assert b"new_york" in theirs
        assert ours.read_bytes() == theirs


def test_word2phrase_bad_input(tmp_path):
    assert main(["phrases", "-train", str(tmp_path / "none.txt"), "-output", str(tmp_path / "o")]) == 1
    assert main(["phrases", "-train", "x", "-output", "y", "-threshold", "nan"]) == 2
    assert main(["phrases", "-train", "x", "-output", "y", "-min-count", "-1"]) == 2
    assert not (tmp_path / "o").exists()


# ------------------------------------------------------------------ training on phrases

def test_phrase_tokens_train_in_word2vec(sample_path, tmp_path):
    p = Phrases(corpus_file=sample_path, min_count=5, threshold=10.0)
    assert p[["new", "york"]] == ["new_york"]
    # Through the API, streamed: phrase tokens reach the vocabulary.
    small = fastembed.Word2Vec(sentences=p.freeze()[Text8Corpus(sample_path)], vector_size=10, min_count=20, epochs=1,
                               workers=2, seed=1)
    assert "new_york" in small.wv.key_to_index
    # The fast way, and enough training for neighbours: a transformed file.
    phrased = tmp_path / "phrased.txt"
    p.freeze().transform_file(sample_path, phrased, workers=2)
    model = fastembed.Word2Vec(corpus_file=str(phrased), vector_size=50, window=5, min_count=5, sg=1,
                               epochs=3, workers=2, sample=1e-4, seed=1)
    near = {w for w, _ in model.wv.most_similar("new_york", topn=20)}
    places = {"london", "paris", "washington", "boston", "chicago", "philadelphia", "los_angeles",
              "san_francisco", "toronto", "brooklyn", "manhattan", "berlin", "moscow", "rome", "california",
              "new_jersey", "texas", "tennessee", "florida", "virginia", "ohio", "massachusetts", "pennsylvania",
              "detroit", "baltimore", "montreal", "sydney", "vienna", "dublin", "edinburgh", "madrid", "tokyo"}
    assert len(near & places) >= 2, sorted(near)
