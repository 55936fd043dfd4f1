"""Analogy and word-pair evaluation: gensim's rules checked against a one-question-at-a-time
brute-force reference, and the correlation statistics (p-values without scipy)."""
import math
import threading

import numpy as np
import pytest

from fastembed import KeyedVectors
from fastembed.evaluation import betainc, evaluate_analogies, pearsonr, rankdata, spearmanr

COUNTRIES = ["greece", "iraq", "thailand", "china", "germany", "france", "italy", "spain", "japan", "egypt",
             "peru", "chile", "cuba", "kenya", "nepal", "oman", "iran", "laos", "mali", "fiji"]
CAPITALS = ["athens", "baghdad", "bangkok", "beijing", "berlin", "paris", "rome", "madrid", "tokyo", "cairo",
            "lima", "santiago", "havana", "nairobi", "kathmandu", "muscat", "tehran", "vientiane", "bamako", "suva"]


@pytest.fixture(scope="module")
def analogy_kv():
    """Capitals = country + a shared offset + noise, so some analogies hold and some fail."""
    rng = np.random.default_rng(5)
    dim = 10
    countries = rng.standard_normal((20, dim))
    offset = rng.standard_normal(dim) * 1.5
    capitals = countries + offset + rng.standard_normal((20, dim)) * 0.9
    filler = rng.standard_normal((60, dim))
    keys = COUNTRIES + CAPITALS + [f"filler{i}" for i in range(60)]
    vecs = np.vstack([countries, capitals, filler])
    # "Berlin", a later case variant of an input word, sits exactly on berlin - germany + france:
    # gensim skips it because its upper-case form is one of the question's words.
    u = vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
    keys.append("Berlin")
    vecs = np.vstack([vecs, u[24] - u[4] + u[5]])
    kv = KeyedVectors(dim)
    kv.add_vectors(keys, vecs.astype(np.float32))
    return kv


@pytest.fixture(scope="module")
def analogy_file(tmp_path_factory):
    lines = [": capitals-a"]
    for i in range(0, 10):
        for j in range(10):
            if i != j:
                lines.append(f"{COUNTRIES[i]} {CAPITALS[i]} {COUNTRIES[j]} {CAPITALS[j]}")
    lines += ["not four words", "", "Greece Athens unknownland Nowhere"]
    lines.append(": capitals-b")
    for i in range(10, 20):
        for j in range(8, 20):
            if i != j:
                lines.append(f"{COUNTRIES[i].upper()} {CAPITALS[i]} {COUNTRIES[j]} {CAPITALS[j]}")
    lines.append(": empty-section")
    path = tmp_path_factory.mktemp("eval") / "questions.txt"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def reference_analogies(kv, path, restrict, case_insensitive, dummy4unknown, cosmul):
    """gensim 4.4's loop, one question at a time, with exact float64 scores."""
    keys = kv.index_to_key[:restrict]
    norm = (lambda k: k.upper()) if case_insensitive else (lambda k: k)
    ok = {}
    for i, k in enumerate(keys):
        ok.setdefault(norm(k), i)
    v = kv.vectors[:restrict].astype(np.float64)
    u = v / np.linalg.norm(v, axis=1, keepdims=True)
    sections, sec = [], None
    for line in open(path):
        if line.startswith(": "):
            sec = {"section": line.lstrip(": ").strip(), "correct": [], "incorrect": []}
            sections.append(sec)
            continue
        words = [norm(w) for w in line.split()]
        if len(words) != 4:
            continue
        if any(w not in ok for w in words):
            if dummy4unknown:
                sec["incorrect"].append(tuple(words))
            continue
        a, b, c, expected = words
        ia, ib, ic = ok[a], ok[b], ok[c]
        if cosmul:
            half = lambda i: (1 + u @ kv.get_vector(kv.index_to_key[i], norm=True).astype(np.float64)) / 2
            scores = half(ib) * half(ic) / (half(ia) + 1e-6)
        else:
            q = u[ib] + u[ic] - u[ia]
            scores = u @ (q / np.linalg.norm(q))
        order = sorted((i for i in range(len(u)) if i not in (ia, ib, ic)), key=lambda i: (-scores[i], i))[:5]
        predicted = None
        for i in order:
            predicted = norm(kv.index_to_key[i])
            if predicted in ok and predicted not in {a, b, c}:
                break
        sec["correct" if predicted == expected else "incorrect"].append(tuple(words))
    total = {"section": "Total accuracy", "correct": [q for s in sections for q in s["correct"]],
             "incorrect": [q for s in sections for q in s["incorrect"]]}
    sections.append(total)
    n = len(total["correct"]) + len(total["incorrect"])
    return (len(total["correct"]) / n if n else 0.0), sections


@pytest.mark.parametrize("function", ["most_similar", "most_similar_cosmul"])
@pytest.mark.parametrize("case_insensitive,dummy4unknown,restrict", [(True, False, 300000), (False, True, 300000),
                                                                      (True, True, 30), (True, False, 41)])
def test_analogies_follow_gensims_rules(analogy_kv, analogy_file, function, case_insensitive, dummy4unknown, restrict):
    score, sections = analogy_kv.evaluate_word_analogies(analogy_file, restrict_vocab=restrict,
                                                         case_insensitive=case_insensitive,
                                                         dummy4unknown=dummy4unknown, similarity_function=function)
    ref_score, ref_sections = reference_analogies(analogy_kv, analogy_file, restrict, case_insensitive, dummy4unknown,
                                                  function == "most_similar_cosmul")
    assert sections == ref_sections
    assert score == ref_score
    assert [s["section"] for s in sections] == ["capitals-a", "capitals-b", "empty-section", "Total accuracy"]


def test_analogy_details(analogy_kv, analogy_file):
    report = evaluate_analogies(analogy_kv, analogy_file, restrict_vocab=300000)
    total = report.sections[-1]
    assert 0 < len(total["correct"]) < report.questions  # the planted structure: neither trivial nor hopeless
    # the case variant "Berlin" is the nearest key but is skipped, as gensim does
    assert ("GERMANY", "BERLIN", "FRANCE", "PARIS") in total["correct"]
    assert analogy_kv.most_similar(positive=["berlin", "france"], negative=["germany"], topn=1)[0][0] == "Berlin"
    assert report.oov == 1 and report.questions == 90 + 1 + 10 * 11
    assert report.coverage == pytest.approx(1 - 1 / report.questions)
    assert report.score == len(total["correct"]) / (report.questions - 1)


def test_analogy_file_errors(analogy_kv, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("athens greece rome italy\n")
    with pytest.raises(ValueError, match="Missing section header"):
        analogy_kv.evaluate_word_analogies(str(bad))
    with pytest.raises(ValueError, match="similarity_function"):
        analogy_kv.evaluate_word_analogies(str(bad), similarity_function="most_similar_3cosadd")
    only_oov = tmp_path / "oov.txt"
    only_oov.write_text(": s\na b c d\n")
    score, sections = analogy_kv.evaluate_word_analogies(str(only_oov))
    assert score == 0.0 and sections[-1] == {"section": "Total accuracy", "correct": [], "incorrect": []}


@pytest.fixture(scope="module")
def pairs_file(tmp_path_factory):
    rows = ["# header comment", "greece\tathens\t9.0", "Greece\tgermany\t2.5", "paris\tfrance\t8.0",
            "rome\tfiller3\t1.0", "not a pair", "peru\tlima\tnotanumber", "spain\tmadrid\t7.5",
            "mars\tvenus\t5.0", "china\tbeijing\t8.5", "filler1\tfiller2\t0.5", "laos\tchile\t2.5"]
    path = tmp_path_factory.mktemp("pairs") / "pairs.tsv"
    path.write_text("\n".join(rows) + "\n")
    return str(path)


def test_word_pairs(analogy_kv, pairs_file):
    (r, p_r), (rho, p_rho), oov = analogy_kv.evaluate_word_pairs(pairs_file)
    pairs = [("greece", "athens", 9.0), ("greece", "germany", 2.5), ("paris", "france", 8.0), ("rome", "filler3", 1.0),
             ("spain", "madrid", 7.5), ("china", "beijing", 8.5), ("filler1", "filler2", 0.5), ("laos", "chile", 2.5)]
    v = lambda k: analogy_kv[k].astype(np.float64)
    model = [v(a) @ v(b) / np.linalg.norm(v(a)) / np.linalg.norm(v(b)) for a, b, _ in pairs]
    gold = [g for _, _, g in pairs]
    assert r == pytest.approx(np.corrcoef(gold, model)[0, 1], abs=1e-14)
    assert rho == pytest.approx(np.corrcoef(rankdata(gold), rankdata(model))[0, 1], abs=1e-14)
    assert 0 < p_r < 1 and 0 < p_rho < 1
    assert oov == pytest.approx(100 * 1 / 9)  # mars/venus
    # dummy4unknown: the OOV pair scores 0 and the ratio is over the pairs used (gensim)
    (r2, _), _, oov2 = analogy_kv.evaluate_word_pairs(pairs_file, dummy4unknown=True)
    assert r2 == pytest.approx(np.corrcoef(gold + [5.0], model + [0.0])[0, 1], abs=1e-14)
    assert oov2 == pytest.approx(100 * 1 / 9)
    # case-sensitive: "Greece" is unknown
    _, _, oov3 = analogy_kv.evaluate_word_pairs(pairs_file, case_insensitive=False)
    assert oov3 == pytest.approx(100 * 2 / 9)
    with pytest.raises(ValueError, match="No valid similarity judgements"):
        analogy_kv.evaluate_word_pairs(pairs_file, restrict_vocab=2)


def test_evaluation_is_thread_safe(analogy_kv, analogy_file, pairs_file):
    expected = (analogy_kv.evaluate_word_analogies(analogy_file),
                analogy_kv.evaluate_word_analogies(analogy_file, similarity_function="most_similar_cosmul"),
                analogy_kv.evaluate_word_pairs(pairs_file, restrict_vocab=45))
    key_to_index = analogy_kv.key_to_index
    snapshot = dict(key_to_index)
    analogy_kv.norms = None
    results, errors = [], []

    def work(i):
        try:
            for _ in range(3):
                results.append((analogy_kv.evaluate_word_analogies(analogy_file, restrict_vocab=300000 - i),
                                analogy_kv.evaluate_word_analogies(analogy_file, similarity_function="most_similar_cosmul"),
                                analogy_kv.evaluate_word_pairs(pairs_file, restrict_vocab=45)))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 12 and all(r == expected for r in results)
    assert analogy_kv.key_to_index is key_to_index and key_to_index == snapshot


# --- statistics ----------------------------------------------------------------------------


def test_betainc_closed_forms():
    for x in (1e-9, 0.01, 0.3, 0.5, 0.77, 0.999):
        assert betainc(1.0, 1.0, x) == pytest.approx(x, rel=1e-13)
        assert betainc(3.5, 1.0, x) == pytest.approx(x ** 3.5, rel=1e-12)
        assert betainc(1.0, 2.5, x) == pytest.approx(1 - (1 - x) ** 2.5, rel=1e-12)
        # I_x(1/2, 1/2) = (2/pi) asin(sqrt(x))
        assert betainc(0.5, 0.5, x) == pytest.approx(2 / math.pi * math.asin(math.sqrt(x)), rel=1e-12)
    for a in (0.5, 3.0, 175.5, 2000.0):
        assert betainc(a, a, 0.5) == pytest.approx(0.5, rel=1e-13)
    assert betainc(2.0, 3.0, 0.0) == 0.0 and betainc(2.0, 3.0, 1.0) == 1.0
    with pytest.raises(ValueError):
        betainc(0.0, 1.0, 0.5)


def test_correlation_p_values_closed_forms():
    # n = 3 (one degree of freedom): p = 1 - (2/pi) asin(|r|)
    r = 0.6
    assert spearmanr([1, 2, 3], [1, 5, 9]) == (1.0, 0.0)  # perfect rank correlation
    x = np.array([0.0, 1.0, 2.0])
    y = np.array([0.0, 2.0, 1.0])
    res = pearsonr(x, y)
    assert res.statistic == pytest.approx(0.5)
    assert res.pvalue == pytest.approx(1 - 2 / math.pi * math.asin(0.5), rel=1e-12)
    # n = 4 (two degrees of freedom): p = 1 - |r|
    x = np.array([1.0, 2.0, 3.0, 4.0])
    y = np.array([1.0, 3.0, 2.0, 4.0])
    r = pearsonr(x, y).statistic
    assert pearsonr(x, y).pvalue == pytest.approx(1 - r, rel=1e-12)
    assert pearsonr([1, 2], [2, 1]).statistic == pytest.approx(-1.0, abs=1e-15) and pearsonr([1, 2], [2, 1]).pvalue == 1.0
    assert all(math.isnan(v) for v in pearsonr([1, 1, 1], [1, 2, 3]))
    with pytest.raises(ValueError):
        pearsonr([1], [2])


def test_rankdata_averages_ties():
    assert rankdata([10, 20, 10, 30, 20, 20]).tolist() == [1.5, 4.0, 1.5, 6.0, 4.0, 4.0]


def test_statistics_match_scipy():
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(11)
    for n in (3, 5, 10, 60, 353, 999, 5000):
        for strength in (0.0, 0.05, 0.3, 0.9, 0.999):
            x = rng.standard_normal(n)
            y = strength * x + np.sqrt(1 - strength ** 2) * rng.standard_normal(n)
            y = np.round(y, 1)  # ties for Spearman
            for ours, theirs in ((pearsonr(x, y), stats.pearsonr(x, y)), (spearmanr(x, y), stats.spearmanr(x, y))):
                assert ours[0] == pytest.approx(theirs[0], rel=1e-12, abs=1e-14)
                assert ours[1] == pytest.approx(theirs[1], rel=1e-9, abs=1e-300)
    for a, b, x in ((175.5, 0.5, 0.51), (0.5, 175.5, 0.01), (2.0, 0.5, 0.999), (498.5, 0.5, 1e-3), (30.0, 40.0, 0.4)):
        from scipy.special import betainc as sp_betainc

        assert betainc(a, b, x) == pytest.approx(sp_betainc(a, b, x), rel=1e-11)
