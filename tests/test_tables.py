"""The sampling formulas and tables, checked exactly against their definitions."""
import heapq
import math

import numpy as np
import pytest

from fastembed import _core

COUNTS = np.array([5000, 3000, 1200, 900, 400, 150, 60, 30, 9, 5, 5, 1], dtype=np.int64)


@pytest.mark.parametrize("sample", [0.0, 1e-5, 1e-3, 0.05])
def test_keep_probability_formula(sample):
    p = np.array(_core.keep_probabilities(COUNTS, sample))
    total = COUNTS.sum()
    for c, got in zip(COUNTS, p):
        if sample == 0:
            want = 1.0
        else:
            f = c / total
            want = min(1.0, math.sqrt(sample / f) + sample / f)
        assert got == pytest.approx(want, rel=1e-12)
    assert (p <= 1).all()


@pytest.mark.parametrize("power", [0.75, 1.0, 0.0, -0.5])
def test_alias_table_encodes_unigram_power(power):
    p = np.array(_core.alias_probabilities(COUNTS, power))
    w = COUNTS.astype(float) ** power
    np.testing.assert_allclose(p, w / w.sum(), rtol=1e-7, atol=1e-9)


def test_alias_draws_pass_chi_square():
    n = 2_000_000
    hist = np.array(_core.alias_draws(COUNTS, 0.75, n, 7), dtype=float)
    w = COUNTS.astype(float) ** 0.75
    expected = n * w / w.sum()
    chi2 = ((hist - expected) ** 2 / expected).sum()
    # 11 degrees of freedom: the 99.9th percentile is 31.3.
    assert chi2 < 31.3, chi2


def _optimal_cost(counts):
    heap = list(map(int, counts))
    heapq.heapify(heap)
    cost = 0
    while len(heap) > 1:
        a, b = heapq.heappop(heap), heapq.heappop(heap)
        cost += a + b
        heapq.heappush(heap, a + b)
    return cost


@pytest.mark.parametrize("counts", [COUNTS, np.arange(1, 200, dtype=np.int64)[::-1],
                                    np.array([7, 7], dtype=np.int64)])
def test_huffman_codes_prefix_free_and_optimal(counts):
    codes, points = _core.huffman_paths(counts)
    n = len(counts)
    strings = ["".join(map(str, c)) for c in codes]
    assert len(set(strings)) == n
    for a in strings:
        for b in strings:
            assert a == b or not b.startswith(a)
    # Weighted path length equals the optimum (any Huffman tree reaches it).
    assert sum(int(c) * len(s) for c, s in zip(counts, strings)) == _optimal_cost(counts)
    for p, c in zip(points, codes):
        assert len(p) == len(c)
        assert p[0] == n - 2  # every path starts at the root
        assert all(0 <= x <= n - 2 for x in p)
    # A more frequent word never gets a longer code.
    for i in range(n):
        for j in range(n):
            if counts[i] > counts[j]:
                assert len(strings[i]) <= len(strings[j])


def test_huffman_depth_unbounded():
    # Fibonacci counts give a maximally deep tree: depth n-1, past the C tool's 40.
    fib = [1, 1]
    while len(fib) < 60:
        fib.append(fib[-1] + fib[-2])
    codes, _ = _core.huffman_paths(np.array(fib[::-1], dtype=np.int64))
    assert max(len(c) for c in codes) == 59


@pytest.mark.parametrize("window", [1, 5, 8])
def test_window_radius_uniform(window):
    n = 400_000
    hist = np.array(_core.window_radii(window, n, 11), dtype=float)
    assert hist[0] == 0
    if window == 1:
        assert hist[1] == n
        return
    expected = n / window
    chi2 = ((hist[1:] - expected) ** 2 / expected).sum()
    assert chi2 < 30, chi2  # <= 7 degrees of freedom, far past the 99.9th percentile (24.3)


@pytest.mark.parametrize("name", _core.available_kernels())
@pytest.mark.parametrize("ahead", [True, False])
def test_kernel_negatives_follow_unigram_power_and_skip_the_centre(name, ahead):
    # What each kernel actually trains against: the sets drawn ahead (CBOW, shared-negative
    # skip-gram) and the per-pair draws (classic skip-gram).  Every draw is unigram^0.75;
    # a draw equal to the centre word is dropped, so the centre's cell counts the drops.
    centres = np.array([0, 1, 4, 11], dtype=np.int32)
    rounds, negative = 100_000, 5
    hist = np.asarray(_core.kernel_negatives(name, COUNTS, 0.75, negative, centres, rounds, ahead, 11))
    w = COUNTS.astype(float) ** 0.75
    p = w / w.sum()
    draws = rounds * negative
    for c in centres:
        row = hist[c].astype(float)
        assert row[c] == 0
        observed = row.copy()
        observed[c] = draws - row.sum()
        expected = draws * p
        chi2 = ((observed - expected) ** 2 / expected).sum()
        assert chi2 < 40, (c, chi2)  # 11 degrees of freedom: the 99.99th percentile is 35.7
    assert hist[[v for v in range(len(COUNTS)) if v not in centres]].sum() == 0
