"""Same answers as gensim 4 on the same trained vectors (skipped without gensim).

fastembed's scores are exact cosines of the float32 vectors; gensim's are float32 and off by
~1e-7, so two keys whose scores differ by less than that may come out in either order.  The
comparisons allow exactly that and nothing more."""
import lzma
import os

import numpy as np
import pytest

import fastembed
from fastembed import KeyedVectors

gensim_models = pytest.importorskip("gensim.models")

EVAL = os.path.join(os.path.dirname(fastembed.__file__), "data", "eval")
NEAR_TIE = 2e-6


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """A small CBOW model trained by gensim on the shipped sample, and the same vectors in
    fastembed (read from gensim's binary word2vec export)."""
    src = os.path.join(os.path.dirname(fastembed.__file__), "data", "enwiki-sample-2M.txt.xz")
    with lzma.open(src, "rt") as f:
        words = f.read().split()
    sentences = [words[i : i + 1000] for i in range(0, len(words), 1000)]
    model = gensim_models.Word2Vec(sentences, vector_size=32, window=5, negative=5, sample=1e-4, min_count=5,
                                   epochs=1, alpha=0.05, workers=1, sg=0, seed=3)
    g = model.wv
    path = str(tmp_path_factory.mktemp("gensim") / "vectors.bin")
    g.save_word2vec_format(path, binary=True)
    return g, KeyedVectors.load_word2vec_format(path, binary=True)


def assert_same_ranking(ours, theirs, score_tol=1e-5):
    assert len(ours) == len(theirs)
    their_scores = dict(theirs)
    for i, ((k1, s1), (k2, s2)) in enumerate(zip(ours, theirs)):
        assert abs(s1 - s2) < score_tol
        if k1 != k2:  # only a near-tie may swap (or a key just past gensim's cut)
            assert k1 not in their_scores or abs(their_scores[k1] - s2) < NEAR_TIE, (i, ours, theirs)


def test_word2vec_files_interoperate(models, tmp_path):
    g, kv = models
    assert kv.index_to_key == g.index_to_key and np.array_equal(kv.vectors, g.vectors)
    for binary in (False, True):
        path = str(tmp_path / f"fe{binary}")
        kv.save_word2vec_format(path, binary=binary)
        back = gensim_models.KeyedVectors.load_word2vec_format(path, binary=binary)
        assert back.index_to_key == kv.index_to_key and np.array_equal(back.vectors, kv.vectors)
        g.save_word2vec_format(path, binary=binary)
        ours = KeyedVectors.load_word2vec_format(path, binary=binary)
        assert ours.index_to_key == g.index_to_key and np.array_equal(ours.vectors, g.vectors)
        assert np.array_equal(ours.expandos["count"], back.expandos["count"])


def test_queries_match_gensim(models):
    g, kv = models
    rng = np.random.default_rng(0)
    keys = g.index_to_key[:40] + [g.index_to_key[i] for i in rng.choice(len(g), 40, replace=False)]
    for k in keys:
        assert_same_ranking(kv.most_similar(k), g.most_similar(k))
    batch = kv.batch_most_similar(keys)
    for k, ours in zip(keys, batch):
        assert_same_ranking(ours, g.most_similar(k))
    for _ in range(15):
        a, b, c = (g.index_to_key[i] for i in rng.choice(2000, 3, replace=False))
        assert_same_ranking(kv.most_similar(positive=[b, c], negative=[a], topn=5),
                            g.most_similar(positive=[b, c], negative=[a], topn=5))
        assert_same_ranking(kv.most_similar(positive=[b, c], negative=[a], restrict_vocab=3000),
                            g.most_similar(positive=[b, c], negative=[a], restrict_vocab=3000))
        assert_same_ranking(kv.most_similar_cosmul(positive=[b, c], negative=[a]),
                            g.most_similar_cosmul(positive=[b, c], negative=[a]))
        group = [g.index_to_key[i] for i in rng.choice(3000, 4, replace=False)]
        assert kv.doesnt_match(group) == g.doesnt_match(group)
        assert kv.similarity(a, b) == pytest.approx(float(g.similarity(a, b)), abs=1e-6)
        assert kv.n_similarity([a, b], [c]) == pytest.approx(float(g.n_similarity([a, b], [c])), abs=1e-6)
    assert np.allclose(kv.distances("king"), g.distances("king"), atol=1e-6)
    assert np.allclose(kv.most_similar("king", topn=None), g.most_similar("king", topn=None), atol=1e-6)


def analogy_disagreements(ours, theirs):
    """Questions answered differently: (section, quadruplet) pairs."""
    out = []
    for s1, s2 in zip(ours, theirs):
        assert s1["section"] == s2["section"]
        assert sorted(s1["correct"] + s1["incorrect"]) == sorted(s2["correct"] + s2["incorrect"])
        out += [(s1["section"], q) for q in set(s1["correct"]) ^ set(s2["correct"])]
    return out


def assert_only_near_ties(kv, differing, cosmul):
    """A question may be answered differently only if gensim's float32 rounding decides it."""
    for _, (a, b, c, _) in differing:
        lower = {k.upper(): k for k in reversed(kv.index_to_key[:30000])}
        pa, pb, pc = (lower[w] for w in (a, b, c))
        top = (kv.most_similar_cosmul if cosmul else kv.most_similar)(positive=[pb, pc], negative=[pa], topn=2,
                                                                      restrict_vocab=30000)
        assert top[0][1] - top[1][1] < NEAR_TIE, top


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_analogies_match_gensim(models, tmp_path):
    g, kv = models
    # every 40th question of each section (gensim needs minutes for all of them)
    path = str(tmp_path / "questions.txt")
    with open(os.path.join(EVAL, "questions-words.txt")) as fin, open(path, "w") as out:
        for i, line in enumerate(fin):
            if line.startswith(":") or i % 40 == 0:
                out.write(line)
    score, sections = kv.evaluate_word_analogies(path, restrict_vocab=30000)
    g_score, g_sections = g.evaluate_word_analogies(path, restrict_vocab=30000)
    differing = analogy_disagreements(sections, g_sections)
    assert_only_near_ties(kv, differing, cosmul=False)
    assert abs(score - g_score) <= len(differing) / max(1, len(sections[-1]["correct"] + sections[-1]["incorrect"]))
    # gensim 4.4 ignores similarity_function; its 3CosMul is most_similar_cosmul over the first
    # 30000 keys, which is what gensim's loop computes on a copy restricted to them
    restricted = gensim_models.KeyedVectors(g.vector_size)
    restricted.add_vectors(g.index_to_key[:30000], g.vectors[:30000])
    restricted.most_similar = lambda positive, negative, topn, restrict_vocab: restricted.most_similar_cosmul(
        positive=positive, negative=negative, topn=topn)
    _, g_mul = restricted.evaluate_word_analogies(path, restrict_vocab=30000)
    _, mul = kv.evaluate_word_analogies(path, restrict_vocab=30000, similarity_function="most_similar_cosmul")
    assert_only_near_ties(kv, analogy_disagreements(mul, g_mul), cosmul=True)


@pytest.mark.parametrize("name", ["wordsim353.tsv", "simlex999.txt"])
def test_word_pairs_match_gensim(models, name):
    g, kv = models
    path = os.path.join(EVAL, name)
    for dummy in (False, True):
        (r, p_r), (rho, p_rho), oov = kv.evaluate_word_pairs(path, restrict_vocab=30000, dummy4unknown=dummy)
        (g_r, g_pr), (g_rho, g_prho), g_oov = g.evaluate_word_pairs(path, restrict_vocab=30000, dummy4unknown=dummy)
        assert r == pytest.approx(g_r, abs=1e-5) and rho == pytest.approx(g_rho, abs=1e-5)
        assert p_r == pytest.approx(g_pr, rel=1e-3) and p_rho == pytest.approx(g_prho, rel=1e-3)
        assert oov == pytest.approx(g_oov, abs=1e-12)
