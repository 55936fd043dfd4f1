"""Class 4 of issue 17: no silently wrong result.

* Queries while training (from a callback, or from the corpus iterator while the workers run)
  use the vectors as they are, never norms cached before an epoch: every score is a cosine.
* NaN and infinite vectors: a similarity with one is NaN (as gensim), a query with one raises
  ValueError naming the key, a NaN row is never anyone's neighbour and ranks last, and word-pair
  evaluation gives NaN correlations (as scipy), not a score that counted NaN as 0.
* Native KeyedVectors files are checksummed: every single flipped byte is caught.
* A vocabulary none of whose words occur in the corpus raises instead of training nothing
  (the CLI's ``-read-vocab``: exit 1 with a message naming the corpus).
"""
import subprocess
import sys

import numpy as np
import pytest

import fastembed
from fastembed import KeyedVectors, Word2Vec

SENTENCES = [[f"w{(i * 7 + j * 3) % 50}" for j in range(10)] for i in range(400)]


def _exact_cosines(vectors, key_row):
    v = vectors.astype(np.float64)
    q = v[key_row] / np.linalg.norm(v[key_row])
    return (v @ q) / np.linalg.norm(v, axis=1)


def test_queries_in_callbacks_see_each_epoch():
    """Before: norms cached at the end of epoch 1 were used at epoch 2, 3, ... of the same
    train() call; the scores were not cosines."""
    seen = []

    class Probe(fastembed.CallbackAny2Vec):
        def on_epoch_end(self, model):
            top = model.wv.most_similar("w1", topn=3)
            exact = _exact_cosines(model.wv.vectors, model.wv.key_to_index["w1"])
            seen.append([(s, exact[model.wv.key_to_index[k]]) for k, s in top])

    m = Word2Vec(vector_size=16, min_count=1, workers=1, epochs=4, alpha=0.1, min_alpha=0.05, seed=3, callbacks=[Probe()])
    m.build_vocab(SENTENCES)
    m.train(SENTENCES, total_examples=len(SENTENCES), epochs=4)
    assert len(seen) == 4
    for epoch in seen:
        for score, exact in epoch:
            assert abs(score - exact) < 1e-6 and abs(score) <= 1.0 + 1e-6


class _QueryingCorpus:
    """Queries the model from inside the epoch, while the workers train on earlier batches."""

    def __init__(self, model):
        self.model, self.scores = model, []

    def __iter__(self):
        for i, s in enumerate(SENTENCES * 20):
            if i % 2000 == 1999:
                self.scores += [sc for _, sc in self.model.wv.most_similar("w1", topn=5)]
                self.scores += self.model.wv.most_similar("w2", topn=None).tolist()
            yield s


def test_queries_while_workers_run_are_cosines():
    m = Word2Vec(vector_size=16, min_count=1, workers=2, epochs=1, alpha=1e-6, min_alpha=1e-6, seed=1)
    m.build_vocab(SENTENCES)
    m.train(SENTENCES, total_examples=len(SENTENCES), epochs=1)  # vectors still at their start scale
    m.wv.most_similar("w1")  # caches norms of the small start vectors
    corpus = _QueryingCorpus(m)
    m.train(corpus, total_examples=len(SENTENCES) * 20, epochs=1, start_alpha=0.1, end_alpha=0.1)
    assert len(corpus.scores) > 50
    # Each query runs on a copy of the vectors taken at its start, so its scores are cosines
    # (before: the norms cached before train() gave "cosines" of 10 and more).
    assert max(abs(s) for s in corpus.scores) <= 1.0 + 1e-5, max(corpus.scores)


def _nan_kv():
    rng = np.random.default_rng(0)
    kv = KeyedVectors(4)
    keys = ["a", "b", "c", "nan", "inf", "d"]
    vectors = rng.standard_normal((6, 4)).astype(np.float32)
    vectors[3, 1] = np.nan
    vectors[4, 0] = np.inf
    kv.add_vectors(keys, vectors)
    return kv


def test_nan_and_inf_vectors_in_queries():
    kv = _nan_kv()
    assert np.isnan(kv.similarity("a", "nan")) and np.isnan(kv.similarity("inf", "b"))
    assert np.isnan(kv.n_similarity(["a", "nan"], ["b"]))
    assert np.isnan(kv.distance("a", "nan"))
    for query in (lambda: kv.most_similar("nan"), lambda: kv.most_similar(positive=["a", "inf"]),
                  lambda: kv.most_similar_cosmul("nan"), lambda: kv.similar_by_vector(np.full(4, np.nan, np.float32)),
                  lambda: kv.batch_most_similar(["a", "nan"]), lambda: kv.closer_than("nan", "a"),
                  lambda: kv.doesnt_match(["a", "b", "nan"])):
        with pytest.raises(ValueError, match="NaN or infinite"):
            query()
    top = kv.most_similar("a", topn=10)
    assert [k for k, _ in top] and not {"nan", "inf"} & {k for k, _ in top}  # never a neighbour
    assert len(top) == 3 and all(np.isfinite(s) for _, s in top)
    assert not {"nan", "inf"} & {k for k, _ in kv.most_similar_cosmul("a", topn=10)}
    assert kv.rank("a", "nan") == 4  # after b, c, d: a NaN distance is the farthest
    assert kv.closer_than("a", "nan") == ["b", "c", "d"]
    assert kv.most_similar_to_given("a", ["nan", "b"]) == "b"
    assert np.isnan(KeyedVectors.cosine_similarities(kv["a"], kv[["nan", "b"]])[0])
    with pytest.raises(ValueError, match="no similarity"):
        kv.most_similar_to_given("a", ["nan", "inf"])


def test_nan_vectors_make_pair_correlations_nan(tmp_path):
    kv = _nan_kv()
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("a\tb\t1\nc\td\t2\na\tnan\t3\nb\tc\t4\nd\ta\t5\n")
    (pearson, _), (spearman, _), oov = kv.evaluate_word_pairs(str(pairs))
    assert np.isnan(pearson) and np.isnan(spearman) and oov == 0
    pairs.write_text("a\tb\t1\nc\td\t2\nb\tc\t4\nd\ta\t5\n")  # without the NaN pair: numbers
    (pearson, _), (spearman, _), _ = kv.evaluate_word_pairs(str(pairs))
    assert np.isfinite(pearson) and np.isfinite(spearman)


def test_nan_vectors_are_never_an_analogy_answer(tmp_path):
    kv = KeyedVectors(2)
    kv.add_vectors(["a", "b", "c", "d", "nan"],
                   np.array([[1, 0], [0, 1], [1, 0.1], [0.1, 1], [np.nan, 1]], dtype=np.float32))
    q = tmp_path / "q.txt"
    q.write_text(": s\na b c d\na b c nan\nnan b c d\n")
    score, sections = kv.evaluate_word_analogies(str(q))
    assert sections[-1]["correct"] == [("A", "B", "C", "D")] and len(sections[-1]["incorrect"]) == 2


def test_every_flipped_byte_of_a_native_file_is_caught(tmp_path):
    kv = KeyedVectors(3)
    kv.add_vectors(["alpha", "beta", "gamma"], np.arange(9, dtype=np.float32).reshape(3, 3) / 7)
    kv.expandos["count"] = np.array([5, 3, 1], dtype=np.int64)
    kv.set_vecattr("beta", "tag", "x")
    path = str(tmp_path / "v.kv")
    kv.save(path)
    good = open(path, "rb").read()
    missed = []
    for i in range(len(good)):
        for bit in (0x01, 0x80):
            bad = bytearray(good)
            bad[i] ^= bit
            open(path, "wb").write(bytes(bad))
            for mmap in (None, "r"):
                try:
                    KeyedVectors.load(path, mmap=mmap)
                    missed.append((i, bit, mmap))
                except ValueError:
                    pass
    assert missed == [], f"{len(missed)} flips of {len(good)} bytes loaded, e.g. {missed[:5]}"


def test_vocabulary_absent_from_the_corpus(tmp_path):
    m = Word2Vec(vector_size=8, min_count=1)
    m.build_vocab_from_freq({"x": 5, "y": 3})
    with pytest.raises(ValueError, match=r"no word of the 2-word vocabulary occurs in the corpus"):
        m.train(SENTENCES, total_examples=len(SENTENCES), epochs=2)
    corpus, vocab, out = tmp_path / "c.txt", tmp_path / "v.vocab", tmp_path / "out.txt"
    corpus.write_text("a b c\nd e f\n")
    vocab.write_text("</s> 0\nx 5\ny 3\n")
    proc = subprocess.run([sys.executable, "-m", "fastembed", "train", "-train", str(corpus), "-output", str(out),
                           "-read-vocab", str(vocab), "-min-count", "1", "-debug", "0"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "no word of the 2-word vocabulary occurs in the corpus file" in proc.stderr and "c.txt" in proc.stderr
    assert not out.exists()
