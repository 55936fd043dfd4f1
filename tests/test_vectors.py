"""KeyedVectors: access, the norm cache, and queries checked against brute-force float64
formulas (exact cosines, 3CosMul), including near-ties that float32 cannot separate."""
import pickle
import threading

import numpy as np
import pytest

from fastembed import KeyedVectors


def random_kv(n=400, dim=12, seed=0):
    rng = np.random.default_rng(seed)
    kv = KeyedVectors(dim)
    kv.add_vectors([f"w{i}" for i in range(n)], rng.standard_normal((n, dim)).astype(np.float32))
    return kv


def exact_unit(kv):
    v = kv.vectors.astype(np.float64)
    n = np.sqrt((v * v).sum(axis=1))
    return np.divide(v, n[:, None], out=np.zeros_like(v), where=n[:, None] > 0)


def brute_most_similar(kv, query, exclude=(), topn=10, lo=0, hi=None):
    """Reference: rank rows lo..hi by exact cosine with `query`, best first, ties by row."""
    hi = len(kv) if hi is None else hi
    q = np.asarray(query, dtype=np.float64)
    q = q / np.linalg.norm(q)
    sims = exact_unit(kv)[lo:hi] @ q
    order = sorted((i for i in range(lo, hi) if i not in exclude), key=lambda i: (-sims[i - lo], i))
    return [(kv.index_to_key[i], sims[i - lo]) for i in order[:topn]]


def assert_same(result, expected, tol=1e-12):
    assert [k for k, _ in result] == [k for k, _ in expected]
    np.testing.assert_allclose([s for _, s in result], [s for _, s in expected], rtol=0, atol=tol)


# --- construction and access ---------------------------------------------------------------


def test_construction_and_access():
    kv = KeyedVectors(3)
    assert len(kv) == 0 and kv.vectors.shape == (0, 3) and kv.norms is None
    kv.add_vectors(["a", "b"], [[1, 0, 0], [0, 2, 0]])
    kv.add_vector("c", np.array([0, 0, 3]))
    assert kv.index_to_key == ["a", "b", "c"] and kv.key_to_index == {"a": 0, "b": 1, "c": 2}
    assert len(kv) == 3 and "b" in kv and "z" not in kv and kv.vector_size == 3
    assert kv.vectors.dtype == np.float32
    assert kv["b"].tolist() == [0, 2, 0]
    assert kv[["c", "a"]].tolist() == [[0, 0, 3], [1, 0, 0]]
    assert kv.get_vector("b", norm=True).tolist() == [0, 1, 0]
    with pytest.raises(ValueError):
        kv["b"][0] = 5  # a read-only view: writing would bypass the norm cache
    # gensim: an int that is not a key is a row number
    assert kv.get_index(1) == 1 and kv[2].tolist() == [0, 0, 3] and 2 in kv and 3 not in kv
    assert kv.get_index("zz", default=-1) == -1
    with pytest.raises(KeyError, match="Key 'zz' not present"):
        kv["zz"]
    for bad in (0, -3, 2.5, "4", True):
        with pytest.raises(ValueError):
            KeyedVectors(bad)
    assert str(kv) == "KeyedVectors<vector_size=3, 3 keys>"


def test_add_vectors_replace_and_extras():
    kv = KeyedVectors(2)
    kv.add_vectors(["a", "b"], np.ones((2, 2)), extras={"count": np.array([5, 6])})
    kv.add_vectors(["b", "c"], np.full((2, 2), 7.0), extras={"count": np.array([8, 9])})
    assert kv["b"].tolist() == [1, 1] and kv["c"].tolist() == [7, 7]
    assert kv.expandos["count"].tolist() == [5, 6, 9]
    kv.add_vectors(["b"], np.full((1, 2), 3.0), extras={"count": np.array([4])}, replace=True)
    assert kv["b"].tolist() == [3, 3] and kv.get_vecattr("b", "count") == 4
    kv["d"] = np.array([1.0, 2.0])
    assert kv["d"].tolist() == [1, 2] and kv.expandos["count"].tolist() == [5, 4, 9, 0]
    with pytest.raises(ValueError, match="shape"):
        kv.add_vectors(["e"], np.ones((1, 3)))


def test_vecattr_like_gensim():
    kv = random_kv(n=4)
    kv.set_vecattr("w1", "count", 10)
    assert kv.expandos["count"].dtype == np.int64 and kv.expandos["count"].tolist() == [0, 10, 0, 0]
    kv.set_vecattr("w2", "tag", "noun")
    assert kv.get_vecattr("w2", "tag") == "noun"
    with pytest.raises(TypeError):
        kv.set_vecattr("w1", "count", 1.5)


def test_sort_by_descending_frequency():
    kv = random_kv(n=5)
    before = {k: kv[k].copy() for k in kv.index_to_key}
    kv.expandos["count"] = np.array([1, 5, 3, 5, 2], dtype=np.int64)
    kv.sort_by_descending_frequency()
    assert kv.index_to_key == ["w3", "w1", "w2", "w4", "w0"]  # gensim: equal counts, later first
    assert all(np.array_equal(kv[k], v) for k, v in before.items())
    assert kv.expandos["count"].tolist() == [5, 5, 3, 2, 1]


def test_norm_cache_follows_the_trainer_protocol():
    # Word2Vec hands over a strided view of a padded matrix, trains in place, then sets norms = None
    padded = np.zeros((3, 8), dtype=np.float32)
    padded[:, :2] = [[1, 0], [0, 1], [1, 1]]
    kv = KeyedVectors(2)
    kv.index_to_key = ["a", "b", "c"]
    kv.key_to_index = {"a": 0, "b": 1, "c": 2}
    kv.expandos["count"] = np.array([3, 2, 1], dtype=np.int64)
    kv.vectors = padded[:, :2]
    assert not kv.vectors.flags.c_contiguous
    assert kv.most_similar("a", topn=1)[0][0] == "c"
    kv.fill_norms()
    assert kv.norms.tolist() == pytest.approx([1, 1, np.sqrt(2)])
    padded[2, :2] = [-1, 0.1]  # training moved "c"
    padded[1, :2] = [1, 0.2]
    kv.norms = None
    assert kv.norms is None
    assert kv.most_similar("a", topn=1)[0][0] == "b"
    assert kv.norms[2] == pytest.approx(np.hypot(1, 0.1))
    # assigning new vectors drops the cache too
    kv.vectors = np.eye(3, 2, dtype=np.float32)
    assert kv.norms is None and kv.most_similar("a", topn=1)[0][0] == "b"
    with pytest.raises(ValueError, match="shape"):
        kv.vectors = np.zeros((3, 5), dtype=np.float32)
    kv.vectors = np.ones((3, 2), dtype=np.float64)
    assert kv.vectors.dtype == np.float32


def test_pickle_drops_caches():
    kv = random_kv(n=20)
    kv.get_normed_vectors()
    back = pickle.loads(pickle.dumps(kv))
    assert back.norms is None and np.array_equal(back.vectors, kv.vectors)
    assert back.most_similar("w3") == kv.most_similar("w3")


def test_normed_vectors_and_zero_vectors():
    kv = random_kv(n=10)
    kv.vectors = np.vstack([kv.vectors[:9], np.zeros((1, 12), dtype=np.float32)])
    u = kv.get_normed_vectors()
    assert np.allclose(np.linalg.norm(u[:9], axis=1), 1, atol=1e-6) and not u[9].any()
    assert kv.similarity("w9", "w1") == 0.0
    assert kv.get_vector("w9", norm=True).tolist() == [0.0] * 12
    assert all(np.isfinite(s) for _, s in kv.most_similar("w1", topn=10))


# --- queries against brute force ------------------------------------------------------------


def test_most_similar_is_the_exact_cosine_ranking():
    kv = random_kv()
    u = exact_unit(kv)
    for key in ["w0", "w17", "w399"]:
        assert_same(kv.most_similar(key), brute_most_similar(kv, u[kv.get_index(key)], {kv.get_index(key)}))
    # 3CosAdd: mean of unit vectors, +1 / -1 weights
    q = u[1] + u[2] - u[3]
    assert_same(kv.most_similar(positive=["w1", "w2"], negative=["w3"], topn=25), brute_most_similar(kv, q, {1, 2, 3}, 25))
    # (key, weight) pairs and raw vectors (not normalised), as gensim
    raw = (kv.vectors[7] * 3).astype(np.float64)
    q = 2 * u[4] + raw - 0.5 * u[5]
    got = kv.most_similar(positive=[("w4", 2.0), kv.vectors[7] * 3], negative=[("w5", -0.5)], topn=15)
    assert_same(got, brute_most_similar(kv, q, {4, 5}, 15))


def test_most_similar_windows_and_topn():
    kv = random_kv()
    u = exact_unit(kv)
    assert_same(kv.most_similar("w3", restrict_vocab=100), brute_most_similar(kv, u[3], {3}, 10, 0, 100))
    assert_same(kv.most_similar("w3", clip_start=50, clip_end=200), brute_most_similar(kv, u[3], {3}, 10, 50, 200))
    assert kv.most_similar("w3", topn=0) == []
    assert len(kv.most_similar("w3", topn=1000)) == 399
    assert len(kv.most_similar_cosmul("w3", topn=10**12)) == 399  # no [1, topn] allocation
    assert [len(r) for r in kv.batch_most_similar(["w1", "w2"], topn=10**12)] == [399, 399]
    assert kv.most_similar("w3", clip_start=5, clip_end=5) == []
    all_sims = kv.most_similar("w3", topn=None)
    assert all_sims.shape == (400,) and all_sims.dtype == np.float32
    np.testing.assert_allclose(all_sims, u @ u[3], atol=1e-6)
    assert kv.most_similar("w3", topn=None, restrict_vocab=10).shape == (10,)
    with pytest.raises(KeyError):
        kv.most_similar("nope")
    with pytest.raises(ValueError, match="no input"):
        kv.most_similar(positive=[])
    with pytest.raises(ValueError, match="shape"):
        kv.most_similar(positive=[np.ones(5)])


def test_near_ties_are_ranked_exactly():
    # cosines with e1 differ by ~1e-12: float32 ties, float64 does not.  The better vector
    # sits at the higher row, so a tie broken by row would be wrong.
    dim = 8
    rng = np.random.default_rng(0)
    filler = rng.standard_normal((50, dim)).astype(np.float32)
    filler[:, 0] = 0.1
    close = np.zeros((2, dim), dtype=np.float32)
    close[:, 0] = 1
    close[0, 1], close[1, 1] = 1.0001e-4, 1e-4  # row 1 is closer to e1
    kv = KeyedVectors(dim)
    kv.add_vectors([f"f{i}" for i in range(50)] + ["far", "near"], np.vstack([filler, close]))
    e1 = np.eye(dim, dtype=np.float32)[0]
    top = kv.similar_by_vector(e1, topn=2)
    assert [k for k, _ in top] == ["near", "far"]
    assert top[0][1] > top[1][1]
    assert kv.batch_most_similar([e1], topn=2)[0] == top


def test_exact_ties_break_by_row():
    kv = KeyedVectors(2)
    kv.add_vectors(["q", "a", "b", "c"], np.array([[1, 0], [0, 1], [0.5, 0.5], [0.5, 0.5]], dtype=np.float32))
    assert [k for k, _ in kv.most_similar("q", topn=3)] == ["b", "c", "a"]


def test_batch_most_similar_is_identical_to_single_queries():
    kv = random_kv(n=3000, dim=20, seed=4)
    rng = np.random.default_rng(1)
    items = [kv.index_to_key[i] for i in rng.choice(3000, 60, replace=False)]
    items += list(rng.standard_normal((10, 20)).astype(np.float32))
    for restrict in (None, 500):
        batch = kv.batch_most_similar(items, topn=12, restrict_vocab=restrict)
        single = [kv.most_similar(positive=[it], topn=12, restrict_vocab=restrict) for it in items]
        assert batch == single  # identical keys and float scores
    matrix = rng.standard_normal((5, 20))
    assert kv.batch_most_similar(matrix, topn=3) == [kv.most_similar(positive=[v], topn=3) for v in matrix]
    assert kv.batch_most_similar(["w1"], topn=0) == [[]]
    with pytest.raises(KeyError):
        kv.batch_most_similar(["w1", "missing"])


def cosmul_reference(kv, pos, neg, exclude, topn, hi=None):
    u = exact_unit(kv)[:hi]
    def half(t):
        t = np.asarray(t, dtype=np.float64)
        return (1 + u @ t) / 2
    num = np.prod([half(t) for t in pos], axis=0)
    den = np.prod([half(t) for t in neg], axis=0) if neg else 1.0
    score = num / (den + 1e-6)
    order = sorted((i for i in range(len(u)) if i not in exclude), key=lambda i: (-score[i], i))
    return [(kv.index_to_key[i], score[i]) for i in order[:topn]]


def test_most_similar_cosmul_formula():
    kv = random_kv()
    u = exact_unit(kv)
    # a key's term is its float32 unit vector, as gensim's (rows are scored exactly)
    t = [kv.get_vector(f"w{i}", norm=True).astype(np.float64) for i in range(20)]
    got = kv.most_similar_cosmul(positive=["w1", "w2"], negative=["w3"], topn=20)
    assert_same(got, cosmul_reference(kv, [t[1], t[2]], [t[3]], {1, 2, 3}, 20))
    got = kv.most_similar_cosmul(positive="w8", topn=5)
    assert_same(got, cosmul_reference(kv, [t[8]], [], {8}, 5))
    # a raw vector is used as given (not normalised), like gensim; long ones take the exact path
    long = kv.vectors[9] * 4
    got = kv.most_similar_cosmul(positive=["w1", long], negative=[kv.vectors[10] * 3], topn=10)
    assert_same(got, cosmul_reference(kv, [t[1], long], [kv.vectors[10] * 3], {1}, 10), tol=1e-9)
    # restrict_vocab is honoured (gensim 4.4 ignores it)
    got = kv.most_similar_cosmul(positive=["w1"], negative=["w2"], topn=5, restrict_vocab=50)
    assert_same(got, cosmul_reference(kv, [t[1]], [t[2]], {1, 2}, 5, hi=50))
    all_scores = kv.most_similar_cosmul(positive=["w1"], negative=["w2"], topn=None)
    np.testing.assert_allclose(all_scores, (1 + u @ t[1]) / 2 / ((1 + u @ t[2]) / 2 + 1e-6), rtol=1e-12)
    with pytest.raises(ValueError, match="no input"):
        kv.most_similar_cosmul(negative=["w1"])


def test_similarity_family():
    kv = random_kv()
    v = kv.vectors.astype(np.float64)
    cos = lambda a, b: a @ b / np.linalg.norm(a) / np.linalg.norm(b)
    assert kv.similarity("w1", "w2") == pytest.approx(cos(v[1], v[2]), abs=1e-15)
    assert kv.distance("w1", "w2") == pytest.approx(1 - cos(v[1], v[2]), abs=1e-15)
    assert kv.n_similarity(["w1", "w2"], ["w3", "nope"]) == pytest.approx(cos(v[1] + v[2], v[3]), abs=1e-14)
    with pytest.raises(ZeroDivisionError):
        kv.n_similarity([], ["w1"])
    d = kv.distances("w5")
    assert d.dtype == np.float32 and d.shape == (400,)
    np.testing.assert_allclose(d, 1 - exact_unit(kv) @ exact_unit(kv)[5], atol=1e-6)
    np.testing.assert_allclose(kv.distances("w5", ["w1", "w2"]), [1 - cos(v[5], v[1]), 1 - cos(v[5], v[2])], atol=1e-7)
    closer = kv.closer_than("w5", "w9")
    assert all(d[kv.get_index(k)] < d[9] for k in closer) and "w5" not in closer
    assert len(closer) == int((d < d[9]).sum()) - 1
    assert kv.rank("w5", "w9") == len(closer) + 1
    best = kv.most_similar("w5", topn=1)[0][0]
    assert kv.rank("w5", best) == 1
    assert kv.most_similar_to_given("w5", ["w1", best, "w2"]) == best
    np.testing.assert_allclose(KeyedVectors.cosine_similarities(v[1], v[:3]), [cos(v[1], v[i]) for i in range(3)])


def test_doesnt_match_and_centrality():
    kv = KeyedVectors(3)
    kv.add_vectors(["a", "b", "c", "odd"], np.array([[1, 0.1, 0], [1, 0, 0.1], [1, 0.1, 0.1], [0, 0, 1]], dtype=np.float32))
    assert kv.doesnt_match(["a", "b", "c", "odd", "missing"]) == "odd"
    ranked = kv.rank_by_centrality(["a", "b", "odd"])
    assert [w for _, w in ranked][-1] == "odd" and ranked[0][0] >= ranked[1][0] >= ranked[2][0]
    with pytest.raises(ValueError):
        kv.doesnt_match(["x", "y"])


def test_get_mean_vector():
    kv = random_kv()
    u = exact_unit(kv)
    v = kv.vectors.astype(np.float64)
    raw = np.arange(12, dtype=np.float64)
    m = kv.get_mean_vector(["w1", "w2", raw, "missing"], weights=[1, 2, -1, 5])
    np.testing.assert_allclose(m, (u[1] + 2 * u[2] - raw) / 4, rtol=1e-6)
    m = kv.get_mean_vector(["w1", "w2"], pre_normalize=False, post_normalize=True)
    np.testing.assert_allclose(m, (v[1] + v[2]) / np.linalg.norm(v[1] + v[2]), rtol=1e-6)
    with pytest.raises(KeyError):
        kv.get_mean_vector(["w1", "missing"], ignore_missing=False)
    with pytest.raises(ValueError):
        kv.get_mean_vector([])


def test_concurrent_queries_agree():
    kv = random_kv(n=2000, dim=16, seed=9)
    keys = kv.index_to_key[:40]
    expected = [kv.most_similar(k) for k in keys]
    kv.norms = None  # every thread starts with an empty cache
    results, errors = {}, []

    def work(i):
        try:
            results[i] = kv.batch_most_similar(keys) if i % 2 else [kv.most_similar(k) for k in keys]
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and all(r == expected for r in results.values())


def test_results_do_not_depend_on_block_sizes(monkeypatch):
    import fastembed.vectors as fv

    kv = random_kv(n=1500, dim=10, seed=12)
    u = exact_unit(kv)
    keys = kv.index_to_key[:30]
    add = kv.batch_most_similar(keys, topn=7)
    mul = [kv.most_similar_cosmul(positive=[k, "w7"], negative=["w9"], topn=7) for k in keys[:10]]
    monkeypatch.setattr(fv._topk, "BLOCK_BYTES", 4096)  # many small blocks of queries and rows
    kv.norms = None
    assert kv.batch_most_similar(keys, topn=7) == add
    assert [kv.most_similar_cosmul(positive=[k, "w7"], negative=["w9"], topn=7) for k in keys[:10]] == mul
    for k, got in zip(keys, add):
        i = kv.get_index(k)
        assert_same(got, brute_most_similar(kv, u[i], {i}, 7))


@pytest.mark.parametrize("block", [64 << 20, 2048])
def test_term_combination_search_equals_the_direct_search(monkeypatch, block):
    # the analogy evaluation's path: queries that are weighted sums of a few term vectors
    import fastembed.vectors as fv

    monkeypatch.setattr(fv._topk, "BLOCK_BYTES", block)
    kv = random_kv(n=900, dim=9, seed=21)
    rng = np.random.default_rng(2)
    words = rng.choice(900, 12, replace=False)
    terms = exact_unit(kv)[words]
    idx = rng.integers(0, 12, (40, 3))
    weights = rng.choice([1.0, -1.0, 0.5, 2.0], (40, 3))
    mean = (terms[idx] * weights[:, :, None]).sum(axis=1)
    queries = mean / np.linalg.norm(mean, axis=1, keepdims=True)
    exclude = [list(words[i]) for i in idx]
    direct = kv._top_add(queries, exclude, 6, 0, 900)
    combined = kv._top_add_terms(terms, idx, weights, queries, exclude, 6, 0, 900)
    assert np.array_equal(direct[0], combined[0]) and np.array_equal(direct[1], combined[1])
    restricted = kv._top_add_terms(terms, idx, weights, queries, exclude, 6, 100, 700)
    assert np.array_equal(restricted[0], kv._top_add(queries, exclude, 6, 100, 700)[0])
