"""Exact top-k search over the rows of a float32 matrix: the engine behind
``KeyedVectors.most_similar``, ``most_similar_cosmul``, their batch forms and the analogy
evaluation.

Two steps: a float32 matrix product scores every row approximately, then the few candidates
that could still be in the top k (given a proven bound on float32 rounding) are re-scored
exactly in float64.  So a query gives the same rows and scores alone or among a thousand
others, and the scores are the true cosines of the stored float32 vectors.

Plain functions over arrays: ``vectors`` [n, dim] float32 (any strides), ``inv32`` the float32
reciprocal row norms (0 for a zero row), ``norms64`` the float64 row norms.  Results are
(rows [m, k] int64 padded with -1, scores [m, k] float64 padded with NaN).
"""
from __future__ import annotations

from typing import List, Tuple

import numpy as np

# Working-memory budget for one block of scores or converted vectors (bytes).
BLOCK_BYTES = 64 << 20
U = 2.0 ** -24  # float32 unit roundoff
COSMUL_EPS = 1e-6  # gensim's guard against division by zero in 3CosMul


def row_norms(m: np.ndarray) -> np.ndarray:
    """Euclidean norms of the rows of a float64 matrix, row by row the same for any batch."""
    return np.sqrt((m * m).sum(axis=1))


def top_add(vectors: np.ndarray, inv32: np.ndarray, norms64: np.ndarray, queries: np.ndarray, exclude: List[List[int]], topn: int, lo: int, hi: int) -> Tuple[np.ndarray, np.ndarray]:
    """Top ``topn`` rows in [lo, hi) by exact cosine with each unit float64 query, leaving
    out each query's ``exclude`` rows.  Returns (rows [m, topn] with -1 padding,
    scores [m, topn] float64 with NaN padding)."""
    m = len(queries)
    width = hi - lo
    topn = min(topn, width)
    rows_out, scores_out = _padded_top(m, topn)
    if topn == 0 or m == 0:
        return rows_out, scores_out
    # Scores are float32 dot products with the raw vectors times the float32 reciprocal
    # norms (no normalised copy of the matrix is needed).  |float32 score - exact cosine|
    # <= err: the dot product's accumulation (dim roundings) plus the roundings of the
    # query, the norm, its reciprocal and the product, with a 2x margin.  A row of the
    # overall top n is within 2 err of its block's threshold too, so blocks of rows can be
    # searched separately.
    err = 2.0 * (vectors.shape[1] + 16) * U
    # blocks of >= 256 queries x rows: the big unit matrix is streamed fewer times
    qstep = min(m, max(256, BLOCK_BYTES // (4 * width)))
    rstep = max(1, min(width, BLOCK_BYTES // (4 * qstep)))
    for s in range(0, m, qstep):
        q64 = queries[s : s + qstep]
        q32 = q64.astype(np.float32)
        c = len(q64)
        found_q, found_r = [], []
        for r0 in range(lo, hi, rstep):
            r1 = min(hi, r0 + rstep)
            scores = q32 @ vectors[r0:r1].T
            scores *= inv32[r0:r1]
            _mask(scores, exclude[s : s + c], r0, r1)
            r, col = _candidates(scores, topn, 2.0 * err, 0.0)
            found_q.append(r)
            found_r.append(col + r0)
            del scores
        r, rows = np.concatenate(found_q), np.concatenate(found_r)
        exact = _exact_cosines(vectors, q64, r, rows, norms64)
        _select(r, rows, exact, c, topn, rows_out[s : s + c], scores_out[s : s + c])
    return rows_out, scores_out

def top_add_terms(vectors: np.ndarray, inv32: np.ndarray, norms64: np.ndarray, terms: np.ndarray, idx: np.ndarray, weights: np.ndarray, queries: np.ndarray,
                   exclude: List[List[int]], topn: int, lo: int, hi: int) -> Tuple[np.ndarray, np.ndarray]:
    """:func:`top_add` for many queries built from few term vectors (an analogy set:
    ~20,000 questions over ~1,000 words): query i is proportional to
    sum_j weights[i, j] * terms[idx[i, j]], and ``queries[i]`` is that sum normalised (the
    exact query, used for the final scores).  Instead of a [queries x rows x dim] product,
    the cosines of the terms with every row are computed once, and each query's scores are
    a few additions of those rows (in cache), about 20x less arithmetic."""
    m, p = idx.shape
    width = hi - lo
    topn = min(topn, width)
    rows_out, scores_out = _padded_top(m, topn)
    if topn == 0 or m == 0:
        return rows_out, scores_out
    t32 = terms.astype(np.float32)
    # each term cosine is within err of exact (as in top_add); a query's sum of p of them
    # within sum|w| * (err + p u), plus the rounding of the weights.
    err = 2.0 * (vectors.shape[1] + 16) * U
    slack = 2.0 * float(np.abs(weights).sum(axis=1).max()) * (err + (p + 2) * U)
    w32 = weights.astype(np.float32)
    plus, minus = w32 == 1, w32 == -1
    rstep = max(1, min(width, 2 * BLOCK_BYTES // (4 * len(terms))))
    found_q, found_r = [], []
    for r0 in range(lo, hi, rstep):
        r1 = min(hi, r0 + rstep)
        cos = (t32 @ vectors[r0:r1].T) * inv32[r0:r1]  # [terms, rows]
        qstep = max(1, BLOCK_BYTES // (4 * (r1 - r0)))
        block = np.empty((min(qstep, m), r1 - r0), dtype=np.float32)
        tmp = np.empty(r1 - r0, dtype=np.float32)
        for s in range(0, m, qstep):
            c = min(qstep, m - s)
            scores = block[:c]
            for i in range(c):  # row by row: the rows involved stay in cache
                row, q = scores[i], s + i
                np.multiply(cos[idx[q, 0]], w32[q, 0], out=row)
                for j in range(1, p):
                    if plus[q, j]:
                        np.add(row, cos[idx[q, j]], out=row)
                    elif minus[q, j]:
                        np.subtract(row, cos[idx[q, j]], out=row)
                    else:
                        np.multiply(cos[idx[q, j]], w32[q, j], out=tmp)
                        np.add(row, tmp, out=row)
            _mask(scores, exclude[s : s + c], r0, r1)
            r, col = _candidates(scores, topn, slack, 0.0)
            found_q.append(r + s)
            found_r.append(col + r0)
    q, rows = np.concatenate(found_q), np.concatenate(found_r)
    exact = _exact_cosines(vectors, queries, q, rows, norms64)
    _select(q, rows, exact, m, topn, rows_out, scores_out)
    return rows_out, scores_out

def _exact_cosines(vectors: np.ndarray, q64: np.ndarray, r: np.ndarray, rows: np.ndarray, norms64: np.ndarray) -> np.ndarray:
    """cos(vector[rows[i]], q64[r[i]]) in float64, gathered in memory-bounded pieces."""
    out = np.empty(len(rows), dtype=np.float64)
    piece = max(1024, BLOCK_BYTES // (8 * vectors.shape[1]))
    for s in range(0, len(rows), piece):
        rr = rows[s : s + piece]
        dots = (vectors[rr].astype(np.float64) * q64[r[s : s + piece]]).sum(axis=1)
        n = norms64[rr]
        out[s : s + piece] = np.divide(dots, n, out=np.zeros_like(dots), where=n > 0)
    return out

def top_cosmul(vectors: np.ndarray, norms64: np.ndarray, terms: np.ndarray, pos: np.ndarray, neg: np.ndarray, exclude: List[List[int]],
                topn: int, lo: int, hi: int) -> Tuple[np.ndarray, np.ndarray]:
    """Top ``topn`` rows in [lo, hi) by 3CosMul (Levy & Goldberg, as gensim's
    most_similar_cosmul): prod((1+cos(v, p))/2) / (prod((1+cos(v, n))/2) + 1e-6).
    ``pos``/``neg`` index ``terms`` (float64 vectors) per query, -1 padding.

    The cosines come from a float64 product, the combination runs in float32 (half the
    memory traffic), and the candidates its rounding could misplace are re-scored exactly."""
    m = len(pos)
    topn = min(topn, max(hi - lo, 0))
    rows_out, scores_out = _padded_top(m, topn)
    if topn == 0 or m == 0:
        return rows_out, scores_out
    t = len(terms)
    pos = np.where(pos < 0, t, pos)  # padding points at a row of ones
    neg = np.where(neg < 0, t, neg)
    if np.any(row_norms(terms) > 1.0 + 1e-6):
        # A raw vector longer than 1 can push (1+cos)/2 below 0 and the denominator through
        # 0, where no rounding bound holds: score every row exactly.  Up to 1 + 1e-6 (float32
        # unit vectors are within a few 1e-8 of 1) a half is > -5e-7, so the denominator stays
        # above 1e-6 - 5e-7 and the bound holds.
        width = hi - lo
        q = np.repeat(np.arange(m), width)
        rows = np.tile(np.arange(lo, hi), m)
        exact = _exact_cosmul(vectors, terms, pos, neg, q, rows, norms64)
        for i, ex in enumerate(exclude):
            exact[[i * width + r - lo for r in ex if lo <= r < hi]] = -np.inf
        keep = exact > -np.inf
        _select(q[keep], rows[keep], exact[keep], m, topn, rows_out, scores_out)
        return rows_out, scores_out
    # float32 combination: each factor, product and the quotient rounds once (relative u);
    # the float64 cosines are off by ~1e-16 (absolute), which the absolute slack covers.
    rel = 2.2 * (pos.shape[1] + 2 * neg.shape[1] + 6) * U
    rc = max(1, min(hi - lo, BLOCK_BYTES // (8 * max(vectors.shape[1], t + 1))))
    found_q, found_r = [], []
    for r0 in range(lo, hi, rc):
        r1 = min(hi, r0 + rc)
        width = r1 - r0
        n = norms64[r0:r1]
        cos = terms @ vectors[r0:r1].astype(np.float64).T
        np.divide(cos, n, out=cos, where=n > 0)
        cos[:, n == 0] = 0.0
        half = np.empty((t + 1, width), dtype=np.float32)
        half[:t] = (1.0 + cos) * 0.5
        half[t] = 1.0
        del cos
        step = max(1, BLOCK_BYTES // (4 * width))
        num_buf = np.empty((min(step, m), width), dtype=np.float32)
        den = np.empty(width, dtype=np.float32)
        eps = np.float32(COSMUL_EPS)
        for s in range(0, m, step):
            p, ng = pos[s : s + step], neg[s : s + step]
            c = len(p)
            num = num_buf[:c]
            for i in range(c):  # row by row: the rows involved stay in cache
                row, pi, ni = num[i], p[i], ng[i]
                if len(pi) > 1:
                    np.multiply(half[pi[0]], half[pi[1]], out=row)
                else:
                    row[:] = half[pi[0]]
                for j in range(2, len(pi)):
                    np.multiply(row, half[pi[j]], out=row)
                if len(ni) == 1:
                    np.add(half[ni[0]], eps, out=den)
                else:
                    np.multiply(half[ni[0]], half[ni[1]], out=den)
                    for j in range(2, len(ni)):
                        np.multiply(den, half[ni[j]], out=den)
                    np.add(den, eps, out=den)
                np.divide(row, den, out=row)
            _mask(num, exclude[s : s + step], r0, r1)
            r, col = _candidates(num, topn, 1e-9, rel)
            found_q.append(r + s)
            found_r.append(col + r0)
    q = np.concatenate(found_q)
    rows = np.concatenate(found_r)
    exact = _exact_cosmul(vectors, terms, pos, neg, q, rows, norms64)
    _select(q, rows, exact, m, topn, rows_out, scores_out)
    return rows_out, scores_out

def _exact_cosmul(vectors: np.ndarray, terms: np.ndarray, pos: np.ndarray, neg: np.ndarray, q: np.ndarray,
                  rows: np.ndarray, norms64: np.ndarray) -> np.ndarray:
    """3CosMul of (query q[i], row rows[i]) pairs in float64, row by row the same
    arithmetic whatever the batch (so single and batched queries agree exactly)."""
    out = np.empty(len(rows), dtype=np.float64)
    piece = max(1024, BLOCK_BYTES // (8 * vectors.shape[1]))
    padded = np.vstack([terms, np.zeros((1, terms.shape[1]))])
    for s in range(0, len(rows), piece):
        rr, qq = rows[s : s + piece], q[s : s + piece]
        vecs = vectors[rr].astype(np.float64)
        n = norms64[rr]

        def half(term_idx: np.ndarray) -> np.ndarray:
            dots = (vecs * padded[term_idx]).sum(axis=1)
            cos = np.divide(dots, n, out=np.zeros_like(dots), where=n > 0)
            return np.where(term_idx == len(terms), 1.0, (1.0 + cos) * 0.5)

        num = half(pos[qq, 0])
        for j in range(1, pos.shape[1]):
            num = num * half(pos[qq, j])
        den = half(neg[qq, 0])
        for j in range(1, neg.shape[1]):
            den = den * half(neg[qq, j])
        out[s : s + piece] = num / (den + COSMUL_EPS)
    return out

def cosmul_all(vectors: np.ndarray, norms64: np.ndarray, terms: np.ndarray, n_pos: int, lo: int, hi: int) -> np.ndarray:
    n64 = norms64[lo:hi]
    out = np.empty(hi - lo, dtype=np.float64)
    step = max(1, BLOCK_BYTES // (8 * vectors.shape[1]))
    for s in range(lo, hi, step):
        e = min(hi, s + step)
        cos = terms @ vectors[s:e].astype(np.float64).T
        n = n64[s - lo : e - lo]
        np.divide(cos, n, out=cos, where=n > 0)
        cos[:, n == 0] = 0.0
        half = (1.0 + cos) * 0.5
        out[s - lo : e - lo] = half[:n_pos].prod(axis=0) / (half[n_pos:].prod(axis=0) + COSMUL_EPS)
    return out


def _padded_top(m: int, topn: int) -> Tuple[np.ndarray, np.ndarray]:
    """Result arrays for the top ``topn`` of ``m`` queries, all padding: rows -1, scores NaN."""
    return np.full((m, topn), -1, dtype=np.int64), np.full((m, topn), np.nan, dtype=np.float64)


def _mask(scores: np.ndarray, exclude: List[List[int]], lo: int, hi: int) -> None:
    """Set the excluded rows of each query (those inside [lo, hi)) to -inf."""
    qs, cols = [], []
    for i, rows in enumerate(exclude):
        for r in rows:
            if lo <= r < hi:
                qs.append(i)
                cols.append(r - lo)
    if qs:
        scores[qs, cols] = -np.inf


def _candidates(scores: np.ndarray, k: int, slack: float, rel_slack: float) -> Tuple[np.ndarray, np.ndarray]:
    """(rows, columns) of the scores >= theta - slack - rel_slack*|theta|, where theta <= each row's k-th largest
    score.  theta is the k-th largest of the maxima of disjoint column groups (columns j, j+g,
    j+2g, ...: whole-row vector operations, far cheaper than a partition), and only the groups
    reaching the threshold are looked into, so the full score block is scanned once.  -inf and
    NaN scores (left-out rows) are never returned."""
    c, width = scores.shape
    size = max(1, min(32, width // (4 * k))) if k < width else 1  # columns per group
    groups = width // size
    if size > 1:
        maxima = np.fmax.reduce(scores[:, : groups * size].reshape(c, size, groups), axis=1)
        maxima = np.concatenate([maxima, scores[:, groups * size :]], axis=1)  # tail: own groups
    else:
        maxima = scores
    g = maxima.shape[1]
    if k >= g:
        theta = np.full(c, -np.inf)
    else:
        theta = np.partition(maxima, g - k, axis=1)[:, g - k].astype(np.float64)
        theta[np.isnan(theta)] = -np.inf
    floor = float(np.finfo(scores.dtype).min)
    finite = np.isfinite(theta)
    theta = np.where(finite, theta, 0.0)
    thr64 = np.where(finite, np.maximum(theta - slack - rel_slack * np.abs(theta), floor), floor)
    thr = thr64.astype(scores.dtype)
    up = thr > thr64  # rounding to float32 must not raise the threshold
    thr[up] = np.nextafter(thr[up], scores.dtype.type(-np.inf))
    r, grp = np.nonzero(maxima >= thr[:, None])
    if size > 1:
        main = grp < groups
        cols = np.concatenate([
            (grp[main][:, None] + groups * np.arange(size)[None, :]).ravel(),
            grp[~main] - groups + groups * size,
        ])
        r = np.concatenate([np.repeat(r[main], size), r[~main]])
        keep = scores[r, cols] >= thr[r]
        r, cols = r[keep], cols[keep]
    else:
        cols = grp
    return r, cols


def _select(q: np.ndarray, rows: np.ndarray, scores: np.ndarray, m: int, k: int,
            rows_out: np.ndarray, scores_out: np.ndarray) -> None:
    """Best k (score descending, then row ascending) of each query's candidates."""
    if len(q) == 0:
        return
    order = np.lexsort((rows, -scores, q))
    q, rows, scores = q[order], rows[order], scores[order]
    start = np.searchsorted(q, np.arange(m))
    rank = np.arange(len(q)) - start[q]
    keep = rank < k
    rows_out[q[keep], rank[keep]] = rows[keep]
    scores_out[q[keep], rank[keep]] = scores[keep]
