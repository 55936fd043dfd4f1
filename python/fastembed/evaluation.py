"""Analogy and word-pair evaluation for :class:`fastembed.KeyedVectors`, gensim-compatible,
and the reports built on it that ``fastembed evaluate`` and ``fastembed demo`` print.

The evaluations follow gensim 4.4's rules line by line (sections, case folding, which lines are skipped,
what counts as out-of-vocabulary), but answer all analogy questions with batched matrix products
and never modify the vectors object, so several threads may evaluate the same vectors at once.
The correlation p-values are computed here (no scipy): a regularized incomplete beta function
gives the two-sided p-value of the t test that scipy's pearsonr and spearmanr use.
"""
from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from .io import open_text

if TYPE_CHECKING:  # pragma: no cover
    from .vectors import KeyedVectors

logger = logging.getLogger("fastembed")

SIMILARITY_FUNCTIONS = ("most_similar", "most_similar_cosmul")


class CorrelationResult(NamedTuple):
    """A correlation coefficient and its two-sided p-value (indexable like scipy's result)."""

    statistic: float
    pvalue: float


@dataclass
class AnalogyReport:
    """Result of :func:`evaluate_analogies`: gensim's ``(score, sections)`` plus counts."""

    score: float
    sections: List[Dict[str, Any]]
    questions: int  # well-formed question lines
    oov: int  # questions with a word outside the first restrict_vocab keys
    similarity_function: str = "most_similar"

    @property
    def coverage(self) -> float:
        """Share of the questions that were answered (not skipped as out-of-vocabulary)."""
        return 1.0 - self.oov / self.questions if self.questions else 0.0


@dataclass
class PairsReport:
    """Result of :func:`evaluate_pairs`: gensim's triple plus counts."""

    pearson: CorrelationResult
    spearman: CorrelationResult
    oov_ratio: float  # percent, gensim's definition
    pairs: int  # pairs used in the correlation (including dummies with dummy4unknown)
    oov: int
    similarities: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))


def _ok_vocab(kv: "KeyedVectors", restrict_vocab: Optional[int], case_insensitive: bool) -> Dict[Any, int]:
    """Key (upper-cased if case-insensitive) -> row, over the first restrict_vocab keys; the
    first (most frequent) of several case variants wins, as in gensim."""
    ok: Dict[Any, int] = {}
    keys = kv.index_to_key[:restrict_vocab] if restrict_vocab is not None else kv.index_to_key
    if case_insensitive:
        for i, k in enumerate(keys):
            ok.setdefault(k.upper() if isinstance(k, str) else k, i)
    else:
        for i, k in enumerate(keys):
            ok.setdefault(k, i)
    return ok


def _check_restrict(restrict_vocab: Optional[int]) -> None:
    if restrict_vocab is not None and (isinstance(restrict_vocab, bool) or not isinstance(restrict_vocab, (int, np.integer))
                                       or restrict_vocab < 0):
        raise ValueError(f"restrict_vocab must be a non-negative int or None, got {restrict_vocab!r}")


def evaluate_analogies(kv: "KeyedVectors", path: str, restrict_vocab: Optional[int] = 300000,
                       case_insensitive: bool = True, dummy4unknown: bool = False,
                       similarity_function: str = "most_similar") -> AnalogyReport:
    """Answer every question ``a b c expected`` of an analogy file with the best key for
    ``b - a + c`` (3CosAdd, ``most_similar``) or 3CosMul (``most_similar_cosmul``) among the
    first ``restrict_vocab`` keys, the question's words excluded; gensim's scoring rules."""
    if similarity_function not in SIMILARITY_FUNCTIONS:
        raise ValueError(f"similarity_function must be one of {SIMILARITY_FUNCTIONS}, got {similarity_function!r}")
    _check_restrict(restrict_vocab)
    ok_vocab = _ok_vocab(kv, restrict_vocab, case_insensitive)
    # entries: per section, the file-ordered (quadruplet, question number or -1 for OOV)
    sections: List[Tuple[str, List[Tuple[tuple, int]]]] = []
    questions: List[Tuple[int, int, int]] = []
    quadruplets = oov = 0
    with open_text(path) as fin:
        for line_no, line in enumerate(fin):
            if line.startswith(": "):
                sections.append((line.lstrip(": ").strip(), []))
                continue
            if not sections:
                raise ValueError(f"Missing section header before line #{line_no} in {path}")
            words = line.split()
            if len(words) != 4:
                logger.debug("skipping invalid line #%d in %s", line_no, path)
                continue
            if case_insensitive:
                words = [w.upper() for w in words]
            quad = tuple(words)
            quadruplets += 1
            if any(w not in ok_vocab for w in quad):
                oov += 1
                if dummy4unknown:
                    sections[-1][1].append((quad, -1))
                continue
            a, b, c, _ = quad
            questions.append((ok_vocab[a], ok_vocab[b], ok_vocab[c]))
            sections[-1][1].append((quad, len(questions) - 1))

    top = _answer_analogies(kv, questions, restrict_vocab, similarity_function)
    keys = kv.index_to_key
    out_sections: List[Dict[str, Any]] = []
    for name, entries in sections:
        sec: Dict[str, Any] = {"section": name, "correct": [], "incorrect": []}
        for quad, qi in entries:
            ok = False
            if qi >= 0:
                ignore = set(quad[:3])
                predicted = None
                for row in top[qi]:  # gensim: first of the top 5 that is not an input word
                    if row < 0:
                        break
                    k = keys[row]
                    predicted = k.upper() if case_insensitive and isinstance(k, str) else k
                    if predicted in ok_vocab and predicted not in ignore:
                        break
                ok = predicted == quad[3]
            sec["correct" if ok else "incorrect"].append(quad)
        _log_section(sec)
        out_sections.append(sec)
    total = {
        "section": "Total accuracy",
        "correct": [q for s in out_sections for q in s["correct"]],
        "incorrect": [q for s in out_sections for q in s["incorrect"]],
    }
    score = _log_section(total)
    out_sections.append(total)
    if quadruplets:
        logger.info("Quadruplets with out-of-vocabulary words: %.1f%%", 100.0 * oov / quadruplets)
    return AnalogyReport(score, out_sections, quadruplets, oov, similarity_function)


def _answer_analogies(kv: "KeyedVectors", questions: List[Tuple[int, int, int]], restrict_vocab: Optional[int],
                      similarity_function: str) -> np.ndarray:
    """Top-5 rows for each (a, b, c) question, inputs excluded: what gensim's
    ``most_similar(positive=[b, c], negative=[a], topn=5, restrict_vocab=...)`` returns."""
    if not questions:
        return np.zeros((0, 5), dtype=np.int64)
    q = np.asarray(questions, dtype=np.int64)
    lo, hi = kv._window(restrict_vocab)
    exclude = q.tolist()
    if similarity_function == "most_similar":
        # The same arithmetic as KeyedVectors._query(positive=[b, c], negative=[a]), batched.
        words, inverse = np.unique(q, return_inverse=True)
        units = np.array([kv._unit64(int(w)) for w in words])
        inv = inverse.reshape(q.shape)
        mean = units[inv[:, 1]] + units[inv[:, 2]]
        mean = mean + -1.0 * units[inv[:, 0]]
        mean = mean / 3.0
        norms = np.sqrt((mean * mean).sum(axis=1))
        queries = np.divide(mean, norms[:, None], out=mean.copy(), where=norms[:, None] > 0)
        # b + c - a over ~1,000 distinct words: sums of their cosine rows, not a full product
        combos = inv[:, [1, 2, 0]]
        weights = np.tile(np.array([1.0, 1.0, -1.0]), (len(q), 1))
        rows, _ = kv._top_add_terms(units, combos, weights, queries, exclude, 5, lo, hi)
        return rows
    words, inverse = np.unique(q, return_inverse=True)
    # most_similar_cosmul's terms: each word's float32 unit vector (gensim's), in float64
    terms = np.array([kv.get_vector(kv.index_to_key[int(w)], norm=True) for w in words], dtype=np.float64)
    inv = inverse.reshape(q.shape)
    rows, _ = kv._top_cosmul(terms, inv[:, 1:3], inv[:, :1], exclude, 5, lo, hi)
    return rows


def _log_section(section: Dict[str, Any]) -> float:
    correct, incorrect = len(section["correct"]), len(section["incorrect"])
    if correct + incorrect == 0:
        return 0.0
    score = correct / (correct + incorrect)
    logger.info("%s: %.1f%% (%i/%i)", section["section"], 100.0 * score, correct, correct + incorrect)
    return score


def evaluate_pairs(kv: "KeyedVectors", path: str, delimiter: str = "\t", encoding: str = "utf8",
                   restrict_vocab: Optional[int] = 300000, case_insensitive: bool = True,
                   dummy4unknown: bool = False) -> PairsReport:
    """Pearson and Spearman correlation between the cosine of each ``word1 word2 score`` pair
    and the human score, gensim's rules (``#`` comments and malformed lines skipped; pairs with
    a word outside the first ``restrict_vocab`` keys skipped, or scored 0 with dummy4unknown)."""
    _check_restrict(restrict_vocab)
    ok_vocab = _ok_vocab(kv, restrict_vocab, case_insensitive)
    gold: List[float] = []
    pair_rows: List[Tuple[int, int]] = []  # (-1, -1) marks a dummy
    oov = 0
    with open_text(path, encoding=encoding) as fin:
        for line_no, line in enumerate(fin):
            if not line or line.startswith("#"):
                continue
            parts = line.split(delimiter)
            if len(parts) != 3:
                logger.debug("skipping invalid line #%d in %s", line_no, path)
                continue
            a, b, sim = parts
            if case_insensitive:
                a, b = a.upper(), b.upper()
            try:
                value = float(sim)
            except ValueError:
                logger.debug("skipping invalid line #%d in %s", line_no, path)
                continue
            if a not in ok_vocab or b not in ok_vocab:
                oov += 1
                if dummy4unknown:
                    gold.append(value)
                    pair_rows.append((-1, -1))
                continue
            gold.append(value)
            pair_rows.append((ok_vocab[a], ok_vocab[b]))
    if not gold:
        raise ValueError(f"No valid similarity judgements found in {path}: either invalid format or "
                         f"all are out-of-vocabulary in {kv}")
    model = _pair_cosines(kv, np.asarray(pair_rows, dtype=np.int64))
    gold_arr = np.asarray(gold, dtype=np.float64)
    pearson = pearsonr(gold_arr, model)
    spearman = spearmanr(gold_arr, model)
    n_used = len(gold)
    oov_ratio = 100.0 * oov / n_used if dummy4unknown else 100.0 * oov / (n_used + oov)
    logger.info("Pearson correlation coefficient against %s: %.4f", path, pearson[0])
    logger.info("Spearman rank-order correlation coefficient against %s: %.4f", path, spearman[0])
    logger.info("Pairs with unknown words ratio: %.1f%%", oov_ratio)
    return PairsReport(pearson, spearman, oov_ratio, n_used, oov, model)


def _pair_cosines(kv: "KeyedVectors", rows: np.ndarray) -> np.ndarray:
    """Exact cosines of row pairs; dummy pairs (-1) score 0."""
    out = np.zeros(len(rows), dtype=np.float64)
    real = rows[:, 0] >= 0
    if real.any():
        a = kv.vectors[rows[real, 0]].astype(np.float64)
        b = kv.vectors[rows[real, 1]].astype(np.float64)
        den = np.sqrt((a * a).sum(axis=1)) * np.sqrt((b * b).sum(axis=1))
        out[real] = np.divide((a * b).sum(axis=1), den, out=np.zeros(len(a)), where=den > 0)
    return out


# --- reports: what ``fastembed evaluate`` and ``fastembed demo`` print ------------------------

EVAL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "eval")
#: The evaluation sets shipped with fastembed, used when none are named.
SHIPPED_ANALOGIES = (os.path.join(EVAL_DIR, "questions-words.txt"),)
SHIPPED_PAIRS = (os.path.join(EVAL_DIR, "wordsim353.tsv"), os.path.join(EVAL_DIR, "simlex999.txt"))


def summarize_analogies(kv: "KeyedVectors", path: str, restrict_vocab: int = 300000,
                        case_insensitive: bool = True) -> Dict[str, Any]:
    """Accuracy on an analogy file, with how many questions the vocabulary covered, as the
    JSON-ready record ``fastembed evaluate`` prints (per-section counts included)."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"analogy file not found: {path!r}")
    report = evaluate_analogies(kv, path, restrict_vocab=restrict_vocab,
                                case_insensitive=case_insensitive)
    *parts, total = report.sections  # evaluate_analogies appends the total last
    correct = len(total["correct"])
    evaluated = correct + len(total["incorrect"])
    return {
        "file": path, "accuracy": float(report.score), "correct": correct, "evaluated": evaluated,
        "questions": report.questions,
        "coverage": evaluated / report.questions if report.questions else 0.0,
        "sections": [{"section": s["section"], "correct": len(s["correct"]),
                      "evaluated": len(s["correct"]) + len(s["incorrect"])} for s in parts],
    }


def summarize_pairs(kv: "KeyedVectors", path: str, delimiter: str = "\t",
                    restrict_vocab: int = 300000, case_insensitive: bool = True) -> Dict[str, Any]:
    """Pearson and Spearman correlations on a word-pair file, with the vocabulary's coverage,
    as the JSON-ready record ``fastembed evaluate`` prints."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"word-pair file not found: {path!r}")
    report = evaluate_pairs(kv, path, delimiter=delimiter, restrict_vocab=restrict_vocab,
                            case_insensitive=case_insensitive)
    return {
        "file": path,
        "pearson": float(report.pearson[0]), "pearson_pvalue": float(report.pearson[1]),
        "spearman": float(report.spearman[0]), "spearman_pvalue": float(report.spearman[1]),
        "coverage": 1.0 - float(report.oov_ratio) / 100.0,
    }


def run_evaluation(kv: "KeyedVectors", analogies: Sequence[str], pairs: Sequence[str],
                   delimiter: str = "\t", restrict_vocab: int = 300000,
                   case_insensitive: bool = True) -> Dict[str, Any]:
    """Evaluate on every file; returns the dict ``fastembed evaluate --json`` prints."""
    return {
        "analogies": [summarize_analogies(kv, p, restrict_vocab, case_insensitive)
                      for p in analogies],
        "pairs": [summarize_pairs(kv, p, delimiter, restrict_vocab, case_insensitive)
                  for p in pairs],
    }


def format_evaluation(report: Dict[str, Any]) -> str:
    """The table ``fastembed evaluate`` prints for a :func:`run_evaluation` report."""
    rows = []
    for r in report["analogies"]:
        rows.append((os.path.basename(r["file"]), "analogies",
                     f"accuracy {r['accuracy']:.4f}",
                     f"coverage {100 * r['coverage']:.1f}% ({r['evaluated']}/{r['questions']})"))
    for r in report["pairs"]:
        rows.append((os.path.basename(r["file"]), "pairs",
                     f"pearson {r['pearson']:.4f}  spearman {r['spearman']:.4f}",
                     f"coverage {100 * r['coverage']:.1f}%"))
    if not rows:
        return ""
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join(f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:<{widths[2]}}  {d}"
                     for a, b, c, d in rows)


# --- statistics ------------------------------------------------------------------------------


def rankdata(x: Sequence[float]) -> np.ndarray:
    """Ranks 1..n with ties given their average rank (scipy's ``method='average'``)."""
    x = np.asarray(x, dtype=np.float64)
    order = np.argsort(x, kind="mergesort")
    xs = x[order]
    new = np.concatenate(([True], xs[1:] != xs[:-1]))
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:], len(x))
    avg = (starts + ends + 1) / 2.0  # mean of the 1-based ranks start+1 .. end
    ranks = np.empty(len(x), dtype=np.float64)
    ranks[order] = np.repeat(avg, ends - starts)
    return ranks


def pearsonr(x: Sequence[float], y: Sequence[float]) -> CorrelationResult:
    """Pearson's r and the two-sided p-value of ``r = 0`` (t test with n - 2 degrees of
    freedom, as scipy.stats.pearsonr).  NaN for a constant input."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError("x and y must be 1-D arrays of the same length")
    n = len(x)
    if n < 2:
        raise ValueError("x and y must have length at least 2")
    xm = x - x.mean()
    ym = y - y.mean()
    # scipy's arithmetic: scale by the largest deviation (no overflow), normalise, then dot
    xmax, ymax = float(np.abs(xm).max()), float(np.abs(ym).max())
    if xmax == 0.0 or ymax == 0.0 or not (math.isfinite(xmax) and math.isfinite(ymax)):
        return CorrelationResult(float("nan"), float("nan"))
    nx = xmax * float(np.linalg.norm(xm / xmax))
    ny = ymax * float(np.linalg.norm(ym / ymax))
    r = max(-1.0, min(1.0, float(np.dot(xm / nx, ym / ny))))
    return CorrelationResult(r, _correlation_pvalue(r, n))


def spearmanr(x: Sequence[float], y: Sequence[float]) -> CorrelationResult:
    """Spearman's rho (Pearson's r of the average ranks) and its two-sided p-value (t test
    with n - 2 degrees of freedom, as scipy.stats.spearmanr)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError("x and y must be 1-D arrays of the same length")
    if len(x) < 2:
        raise ValueError("x and y must have length at least 2")
    rx, ry = rankdata(x), rankdata(y)
    if rx.min() == rx.max() or ry.min() == ry.max():
        return CorrelationResult(float("nan"), float("nan"))
    rho = float(np.clip(np.corrcoef(rx, ry)[0, 1], -1.0, 1.0))  # scipy's arithmetic
    return CorrelationResult(rho, _correlation_pvalue(rho, len(x)))


def _correlation_pvalue(r: float, n: int) -> float:
    """P(|R| >= |r|) for the correlation of n independent normal pairs:
    I_{1-r^2}((n-2)/2, 1/2), the t distribution's two-sided tail at t = r sqrt((n-2)/(1-r^2))."""
    if n <= 2:
        return 1.0
    a = abs(r)
    if a >= 1.0:
        return 0.0
    return betainc((n - 2) / 2.0, 0.5, (1.0 - a) * (1.0 + a), a * a)


def betainc(a: float, b: float, x: float, y: Optional[float] = None) -> float:
    """Regularized incomplete beta function I_x(a, b) for a, b > 0, 0 <= x <= 1.  ``y`` may
    pass 1 - x computed without cancellation.  Continued fraction (modified Lentz), relative
    accuracy about 1e-14."""
    if y is None:
        y = 1.0 - x
    if not (a > 0 and b > 0) or not (0.0 <= x <= 1.0):
        raise ValueError("betainc needs a, b > 0 and 0 <= x <= 1")
    if x == 0.0:
        return 0.0
    if y == 0.0:
        return 1.0
    if x > (a + 1.0) / (a + b + 2.0):  # the fraction converges fast on the other side
        return 1.0 - betainc(b, a, y, x)
    log_front = a * math.log(x) + b * math.log(y) - _log_beta(a, b)
    return math.exp(log_front) * _beta_fraction(a, b, x) / a


def _stirling_tail(x: float) -> float:
    """lgamma(x) - ((x - 1/2) ln x - x + ln(2 pi)/2), by its asymptotic series (x >= 8)."""
    z = 1.0 / (x * x)
    return (1.0 / 12 - z * (1.0 / 360 - z * (1.0 / 1260 - z * (1.0 / 1680 - z / 1188)))) / x


def _log_beta(a: float, b: float) -> float:
    """ln B(a, b).  When one argument is large, lgamma(a) - lgamma(a + b) cancels badly (the
    p-values of n ~ 1000 pairs lose ~1e-12); Stirling's formula rearranged around log1p keeps
    full precision there."""
    if a < b:
        a, b = b, a
    if a < 8.0:
        return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    # lgamma(a) - lgamma(a + b) = -(a - 1/2) log1p(b/a) - b ln(a + b) + b + tail(a) - tail(a + b)
    diff = -(a - 0.5) * math.log1p(b / a) - b * math.log(a + b) + b + _stirling_tail(a) - _stirling_tail(a + b)
    return math.lgamma(b) + diff


def _beta_fraction(a: float, b: float, x: float) -> float:
    """Continued fraction 1/(1+ d1/(1+ d2/(1+ ...))) of I_x(a, b), evaluated by Lentz's method."""
    tiny = 1e-300
    c = 1.0
    d = 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10000):
        m2 = 2 * m
        # even step: d_{2m} = m (b - m) x / ((a + 2m - 1)(a + 2m))
        num = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2))
        d = 1.0 + num * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + num / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        # odd step: d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1))
        num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0))
        d = 1.0 + num * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + num / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            return h
    return h
