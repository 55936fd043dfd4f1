"""Tool-independent word-vector evaluation, the same code for every trainer in the benchmark.

Re-implements, in numpy only, the protocol of gensim 4's ``KeyedVectors.evaluate_word_analogies``
(3CosAdd over unit vectors, candidates restricted to the ``restrict_vocab`` most frequent words,
the three question words excluded, case-insensitive, questions with an out-of-vocabulary word
skipped) and ``evaluate_word_pairs`` (Spearman correlation of cosine similarities), so that a
fastembed model and a gensim model are scored identically. Analogies are batched as matrix
products: the whole Google set takes seconds instead of the minutes of one query at a time.

Inputs are plain ``index_to_key`` (most frequent first) and a float32 ``vectors`` array.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

_BATCH = 512  # questions per matrix product: 30,000 x 512 float32 scores = 60 MB


@dataclass
class AnalogyResult:
    """Analogy accuracy with gensim's accounting (OOV questions skipped, counted apart)."""

    correct: int
    incorrect: int
    oov: int
    total_questions: int
    sections: list[dict] = field(default_factory=list)  # {'section', 'correct', 'incorrect'}

    @property
    def accuracy(self) -> float:
        """Share of in-vocabulary questions answered correctly (gensim's 'Total accuracy')."""
        seen = self.correct + self.incorrect
        return self.correct / seen if seen else 0.0

    @property
    def coverage(self) -> float:
        """Share of questions whose four words are all in the restricted vocabulary."""
        return 1.0 - self.oov / self.total_questions if self.total_questions else 0.0


@dataclass
class PairResult:
    """Word-pair similarity score: Spearman rho over in-vocabulary pairs, plus the OOV share."""

    spearman: float
    pairs_used: int
    oov: int

    @property
    def oov_ratio(self) -> float:
        n = self.pairs_used + self.oov
        return self.oov / n if n else 0.0


def _upper_vocab(index_to_key: Sequence[str], restrict_vocab: int) -> dict[str, int]:
    """Upper-cased key -> index over the first ``restrict_vocab`` keys; like gensim, the most
    frequent of several case variants wins."""
    vocab: dict[str, int] = {}
    for i, key in enumerate(index_to_key[:restrict_vocab]):
        vocab.setdefault(key.upper(), i)
    return vocab


def _unit_rows(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """float32 rows, their norms and the unit rows, computed the way gensim's fill_norms/get_vector do."""
    vecs = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vecs, axis=1)
    safe = np.where(norms > 0, norms, np.float32(1.0)).astype(np.float32)
    return vecs, norms, vecs / safe[:, None]


def _unit64(rows: np.ndarray) -> np.ndarray:
    """Unit rows normalised in float64 then rounded to float32, as gensim's matutils.unitvec
    (dnrm2 + dscal) does: keeps cosine values bit-identical, so rank ties fall the same way."""
    d = np.asarray(rows, dtype=np.float64)
    n = np.sqrt(np.einsum("ij,ij->i", d, d))[:, None]
    return (d * (1.0 / np.where(n > 0, n, 1.0))).astype(np.float32)


def read_analogies(path: Path | str) -> list[tuple[str, list[tuple[str, str, str, str]]]]:
    """Parse questions-words.txt into [(section, [(A, B, C, EXPECTED) upper-cased])].
    Lines that do not hold exactly four words are skipped, as gensim does."""
    sections: list[tuple[str, list[tuple[str, str, str, str]]]] = []
    with open(path, encoding="utf8") as f:
        for line_no, line in enumerate(f):
            if line.startswith(": "):
                sections.append((line.lstrip(": ").strip(), []))
                continue
            if not sections:
                raise ValueError(f"missing section header before line #{line_no} in {path}")
            words = line.split()
            if len(words) != 4:
                continue
            sections[-1][1].append(tuple(w.upper() for w in words))  # type: ignore[arg-type]
    return sections


def evaluate_analogies(index_to_key: Sequence[str], vectors: np.ndarray, path: Path | str,
                       restrict_vocab: int = 30000) -> AnalogyResult:
    """Score the analogy set at ``path`` with 3CosAdd (b - a + c) like gensim's
    ``evaluate_word_analogies(path, restrict_vocab=restrict_vocab)``."""
    vocab = _upper_vocab(index_to_key, restrict_vocab)
    n_cand = min(restrict_vocab, len(index_to_key))
    raw, norms, unit = _unit_rows(vectors[:n_cand])
    # indices of all case variants of each upper-cased key: gensim skips a candidate whose
    # upper-cased form is one of the question words, not only the question words' own rows
    variants: dict[str, list[int]] = {}
    for i, key in enumerate(index_to_key[:n_cand]):
        variants.setdefault(key.upper(), []).append(i)
    cand_upper = [key.upper() for key in index_to_key[:n_cand]]
    safe_norms = np.where(norms > 0, norms, np.float32(1.0)).astype(np.float32)

    total = 0
    oov = 0
    sections_out = []
    for name, questions in read_analogies(path):
        total += len(questions)
        known = [q for q in questions if all(w in vocab for w in q)]
        oov += len(questions) - len(known)
        correct = 0
        for start in range(0, len(known), _BATCH):
            batch = known[start:start + _BATCH]
            ia = np.array([vocab[q[0]] for q in batch])
            ib = np.array([vocab[q[1]] for q in batch])
            ic = np.array([vocab[q[2]] for q in batch])
            # mean of unit vectors with weights +1 (b), +1 (c), -1 (a), re-normalised
            query = _unit64(((unit[ib] + unit[ic]) - unit[ia]).astype(np.float64) / 3.0)
            # cosine of every candidate with every query: raw rows / norms, as gensim computes
            scores = (raw @ query.T) / safe_norms[:, None]
            for j, q in enumerate(batch):
                for w in q[:3]:
                    scores[variants[w], j] = -np.inf
            best = np.argmax(scores, axis=0)
            correct += sum(cand_upper[b] == q[3] for b, q in zip(best, batch))
        sections_out.append({"section": name, "correct": int(correct),
                             "incorrect": len(known) - int(correct)})
    n_correct = sum(s["correct"] for s in sections_out)
    n_incorrect = sum(s["incorrect"] for s in sections_out)
    return AnalogyResult(n_correct, n_incorrect, oov, total, sections_out)


def _ranks(x: np.ndarray) -> np.ndarray:
    """1-based ranks with ties given their average rank (as Spearman's rho requires)."""
    order = np.argsort(x, kind="mergesort")
    sorted_x = x[order]
    # boundaries of runs of equal values
    starts = np.r_[0, np.flatnonzero(sorted_x[1:] != sorted_x[:-1]) + 1]
    ends = np.r_[starts[1:], len(x)]
    avg = (starts + ends + 1) / 2.0  # mean of ranks start+1 .. end
    ranks = np.empty(len(x), dtype=np.float64)
    ranks[order] = np.repeat(avg, ends - starts)
    return ranks


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman rank correlation: Pearson correlation of the (tie-averaged) ranks."""
    ra = _ranks(np.asarray(a, dtype=np.float64))
    rb = _ranks(np.asarray(b, dtype=np.float64))
    ra -= ra.mean()
    rb -= rb.mean()
    denom = np.sqrt((ra * ra).sum() * (rb * rb).sum())
    return float((ra * rb).sum() / denom) if denom > 0 else float("nan")


def read_pairs(path: Path | str, delimiter: str = "\t") -> list[tuple[str, str, float]]:
    """Parse a word-pair file (``#`` comments, ``word1<TAB>word2<TAB>score``), upper-cased."""
    pairs = []
    with open(path, encoding="utf8") as f:
        for line in f:
            if not line or line.startswith("#"):
                continue
            parts = line.split(delimiter)
            if len(parts) != 3:
                continue
            try:
                score = float(parts[2])
            except ValueError:
                continue
            pairs.append((parts[0].upper(), parts[1].upper(), score))
    return pairs


def evaluate_pairs(index_to_key: Sequence[str], vectors: np.ndarray, path: Path | str,
                   restrict_vocab: int = 300000) -> PairResult:
    """Spearman rho between the gold scores and cosine similarities, like gensim's
    ``evaluate_word_pairs`` (pairs with an out-of-vocabulary word skipped and counted)."""
    vocab = _upper_vocab(index_to_key, restrict_vocab)
    gold, model = [], []
    oov = 0
    vecs = np.asarray(vectors)
    for a, b, score in read_pairs(path):
        if a not in vocab or b not in vocab:
            oov += 1
            continue
        ua = _unit64(vecs[vocab[a]][None, :])[0]
        ub = _unit64(vecs[vocab[b]][None, :])[0]
        gold.append(score)
        model.append(float(np.dot(ua, ub)))  # float32 dot of float32 unit vectors, as gensim
    if not gold:
        raise ValueError(f"no word pair of {path} is in the vocabulary")
    return PairResult(spearman(gold, model), len(gold), oov)


def evaluate_all(index_to_key: Sequence[str], vectors: np.ndarray, eval_dir: Path | str,
                 restrict_vocab: int = 30000) -> dict:
    """The benchmark's standard scores as a flat dict ready for a JSON line."""
    d = Path(eval_dir)
    ana = evaluate_analogies(index_to_key, vectors, d / "questions-words.txt", restrict_vocab)
    ws = evaluate_pairs(index_to_key, vectors, d / "wordsim353.tsv")
    sl = evaluate_pairs(index_to_key, vectors, d / "simlex999.txt")
    return {
        "analogy_accuracy": ana.accuracy,
        "analogy_coverage": ana.coverage,
        "analogy_correct": ana.correct,
        "analogy_seen": ana.correct + ana.incorrect,
        "analogy_questions": ana.total_questions,
        "analogy_semantic": _section_share(ana, semantic=True),
        "analogy_syntactic": _section_share(ana, semantic=False),
        "ws353_spearman": ws.spearman,
        "ws353_oov": ws.oov_ratio,
        "simlex_spearman": sl.spearman,
        "simlex_oov": sl.oov_ratio,
    }


def _section_share(ana: AnalogyResult, semantic: bool) -> float | None:
    """Accuracy over the semantic sections (names not starting 'gram') or the syntactic ones."""
    secs = [s for s in ana.sections if s["section"].startswith("gram") != semantic]
    seen = sum(s["correct"] + s["incorrect"] for s in secs)
    return sum(s["correct"] for s in secs) / seen if seen else None
