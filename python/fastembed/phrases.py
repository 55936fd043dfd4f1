"""Multi-word tokens (``new_york``, ``bank_of_america``) with gensim 4's ``Phrases`` API,
counted and applied in C++.

``Phrases`` counts unigrams and candidate phrases (a word, any connector words, the next
word), scores each candidate when it is applied and joins the accepted ones with the
delimiter; ``FrozenPhrases`` keeps only the accepted phrases and their scores.  Counts, scores
(float64, the same operations in the same order as gensim) and joined output are gensim's.

A custom ``scoring`` callable works too, but scoring, applying and exporting then run in
Python, at about gensim's speed.
"""
from __future__ import annotations

import inspect
import itertools
import logging
import math
import numbers
import os
from typing import (Any, Callable, Dict, FrozenSet, Iterable, Iterator, List, Mapping, Optional,
                    Sequence, Tuple, Union)

from . import _core, _phrases_file
from ._atomic import atomic_write
from ._corpus_source import batches, check_file
from ._phrases_source import PhraseSource, learn, phrase_source, phrased
from ._validate import check_float, check_int
from .corpus import LineSentence, MAX_WORDS_IN_BATCH, is_compressed

__all__ = ["Phrases", "FrozenPhrases", "Phraser", "ENGLISH_CONNECTOR_WORDS", "original_scorer",
           "npmi_scorer"]

logger = logging.getLogger(__name__)

PathLike = Union[str, "os.PathLike[str]"]

#: gensim's English connector words: a phrase may hold any number of them inside
#: (``bank_of_america``) but never start or end with one.
ENGLISH_CONNECTOR_WORDS: FrozenSet[str] = frozenset(
    "a an the for of with without at from to in on by and or".split())

NEGATIVE_INFINITY = float("-inf")
_SCORER_PARAMS = ("worda_count", "wordb_count", "bigram_count", "len_vocab", "min_count",
                  "corpus_word_count")


def original_scorer(worda_count: int, wordb_count: int, bigram_count: int, len_vocab: int,
                    min_count: float, corpus_word_count: int) -> float:
    """Mikolov et al.'s score: ``(bigram_count - min_count) / (worda_count * wordb_count) * len_vocab``."""
    denom = worda_count * wordb_count
    if denom == 0:
        return NEGATIVE_INFINITY
    return (bigram_count - min_count) / float(denom) * len_vocab


def npmi_scorer(worda_count: int, wordb_count: int, bigram_count: int, len_vocab: int,
                min_count: float, corpus_word_count: int) -> float:
    """Normalised pointwise mutual information, in [-1, 1]; -inf below ``min_count``."""
    if bigram_count < min_count:
        return NEGATIVE_INFINITY
    n = float(corpus_word_count)
    pa, pb, pab = worda_count / n, wordb_count / n, bigram_count / n
    ratio = pab / (pa * pb)
    if ratio <= 0 or pab <= 0:
        return NEGATIVE_INFINITY
    return math.log(ratio) / -math.log(pab)


_BUILTIN = {"default": _core.PhraseScoring.DEFAULT, "npmi": _core.PhraseScoring.NPMI}
_BUILTIN_FUNCTIONS = {original_scorer: "default", npmi_scorer: "npmi"}


def _resolve_scoring(scoring: Any) -> Tuple[Optional[str], Optional[Callable[..., float]]]:
    """(built-in name, None) or (None, custom callable); gensim's own scorer functions count
    as the built-ins they are."""
    if isinstance(scoring, str):
        if scoring not in _BUILTIN:
            raise ValueError(f"unknown scoring {scoring!r}: use 'default', 'npmi' or a function")
        return scoring, None
    if not callable(scoring):
        raise TypeError(f"scoring must be 'default', 'npmi' or a function, got {type(scoring).__name__}")
    if scoring in _BUILTIN_FUNCTIONS:
        return _BUILTIN_FUNCTIONS[scoring], None
    if getattr(scoring, "__module__", None) == "gensim.models.phrases":
        name = {"original_scorer": "default", "npmi_scorer": "npmi"}.get(getattr(scoring, "__name__", ""))
        if name:
            return name, None
    try:
        params = inspect.signature(scoring).parameters
    except (TypeError, ValueError):
        raise TypeError("scoring: cannot read the function's parameters") from None
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        missing = [p for p in _SCORER_PARAMS if p not in params]
        if missing:
            raise ValueError(f"scoring function missing expected parameters {missing}")
    return None, scoring


def _checked_score(score: Any, phrase: str) -> float:
    if isinstance(score, bool) or not isinstance(score, numbers.Real):
        raise TypeError(f"the scoring function returned {type(score).__name__} for {phrase!r}, not a number")
    score = float(score)
    if math.isnan(score):
        raise ValueError(f"the scoring function returned NaN for {phrase!r}")
    return score


def _connectors(connector_words: Any) -> FrozenSet[str]:
    if isinstance(connector_words, (str, bytes)):
        raise TypeError("connector_words must be a set of words, not one string "
                        "(e.g. frozenset('of the'.split()))")
    words = frozenset(connector_words)
    bad = [w for w in words if not isinstance(w, str)]
    if bad:
        raise TypeError(f"connector_words must be str, got {type(bad[0]).__name__} {bad[0]!r}")
    return words


def _workers(workers: Optional[int]) -> int:
    if workers is None:
        return os.cpu_count() or 1
    return int(check_int("workers", workers, low=1))


def _is_single(obj: Any) -> Tuple[bool, Any]:
    """(True, sentence) for one sentence (its first item is a str, or it is empty), else
    (False, corpus); a one-shot iterator comes back with its first item put back."""
    it = iter(obj)
    try:
        first = next(it)
    except StopIteration:
        return True, obj
    rest = itertools.chain([first], it)
    if isinstance(first, str):
        return True, rest
    return False, (rest if it is obj else obj)


class _PhrasedCorpus:
    """``phrases[corpus]``: the corpus' sentences with phrases joined, lazily; re-iterable when
    the corpus is (so ``Word2Vec(sentences=phrases[corpus])`` trains several epochs)."""

    def __init__(self, model: "_PhrasesTransformation", corpus: Any) -> None:
        self.model = model
        self.corpus = corpus
        self._source = phrase_source(corpus, None)

    def __iter__(self) -> Iterator[List[str]]:
        return self.model._phrase_source(self._source)

    def __len__(self) -> int:
        return len(self.corpus)


class _PhrasesTransformation:
    """What Phrases and FrozenPhrases share: applying phrases, finding them, files."""

    delimiter: str
    connector_words: FrozenSet[str]
    threshold: float
    min_count: float
    _table: Any

    # -- subclass hooks
    def score_candidate(self, word_a: str, word_b: str, in_between: Sequence[str]) -> Tuple[Optional[str], Optional[float]]:
        """``(phrase, score)`` if word_a, in_between..., word_b form a phrase, else ``(None, None)``."""
        raise NotImplementedError

    def _python_only(self) -> bool:
        return False

    # -- applying
    def analyze_sentence(self, sentence: Iterable[str]) -> Iterator[Tuple[str, Optional[float]]]:
        """Yields ``(token, None)`` for each word left alone and ``(phrase, score)`` for each phrase."""
        start: Optional[str] = None
        between: List[str] = []
        for word in sentence:
            if word in self.connector_words:
                if start is None:
                    yield word, None
                else:
                    between.append(word)
                continue
            if start is not None:
                phrase, score = self.score_candidate(start, word, between)
                if phrase is not None:
                    yield phrase, score
                    start, between = None, []
                    continue
                yield start, None
                yield from ((w, None) for w in between)
            start, between = word, []
        if start is not None:
            yield start, None
            yield from ((w, None) for w in between)

    def __getitem__(self, sentence: Any) -> Any:
        """One sentence (a list of str) -> the list of its tokens with phrases joined; a corpus
        (an iterable of sentences) -> a lazy iterable of such lists."""
        single, sentence = _is_single(sentence)
        if not single:
            return _PhrasedCorpus(self, sentence)
        words = sentence if isinstance(sentence, (list, tuple)) else list(sentence)
        if self._python_only():
            return [token for token, _ in self.analyze_sentence(words)]
        return self._table.analyze([words])[0]

    def _phrase_source(self, source: PhraseSource) -> Iterator[List[str]]:
        if not self._python_only():
            return phrased(self._table, source)
        sentences = source.sentences if source.plan is None else _plan_sentences(source)
        return ([t for t, _ in self.analyze_sentence(s)] for s in sentences)

    def find_phrases(self, sentences: Any = None, corpus_file: Optional[PathLike] = None) -> Dict[str, float]:
        """Every phrase that occurs in the corpus, with its score."""
        source = phrase_source(sentences, corpus_file)
        result: Dict[str, float] = {}
        sentences = source.sentences if source.plan is None else _plan_sentences(source)
        if self._python_only():
            for sentence in sentences:
                for token, score in self.analyze_sentence(sentence):
                    if score is not None:
                        result[token] = score
            return result
        offset = 0
        for batch in batches(sentences):
            self._table.find(batch, offset, result)
            offset += len(batch)
        return result

    def transform_file(self, src: PathLike, dst: PathLike, workers: Optional[int] = None) -> int:
        """Reads ``src`` as ``LineSentence`` does and writes its sentences with phrases joined
        to ``dst`` (atomically), one per line, tokens separated by single spaces.  A plain
        ``src`` is read by ``workers`` threads.  Returns the number of sentences written."""
        src = check_file(src)
        threads = _workers(workers)
        with atomic_write(dst, "wb") as f:
            if not self._python_only() and not is_compressed(src):
                return int(self._table.transform_file(src, f.fileno(), True, MAX_WORDS_IN_BATCH, threads))
            n = 0
            for sentence in self._phrase_source(PhraseSource(None, LineSentence(src))):
                f.write((" ".join(sentence) + "\n").encode("utf-8"))
                n += 1
            return n

    # -- files
    @classmethod
    def load(cls, fname: PathLike, scoring: Any = None) -> Any:
        """Loads a model saved by ``save`` (Phrases or FrozenPhrases, whichever the file holds).
        A Phrases model saved with a custom scorer needs ``scoring=`` that function again."""
        header, data, offset = _phrases_file.read(fname)
        kind = header.get("class")
        if kind == "Phrases":
            return Phrases._from_file(fname, header, data, offset, scoring)
        if kind == "FrozenPhrases":
            return FrozenPhrases._from_file(fname, header, data, offset, scoring)
        raise ValueError(f"damaged phrases file {os.fspath(fname)!r}: unknown class {kind!r}")

    def _header_common(self) -> Dict[str, Any]:
        return {"threshold": self.threshold, "min_count": self.min_count, "delimiter": self.delimiter,
                "connector_words": sorted(self.connector_words), "scoring": _scoring_name(self.scoring)}


def _scoring_name(scoring: Any) -> str:
    if isinstance(scoring, str):
        return scoring
    builtin, _ = _resolve_scoring(scoring)
    if builtin:
        return builtin
    return "custom:" + getattr(scoring, "__module__", "?") + "." + getattr(scoring, "__qualname__", "?")


def _plan_sentences(source: PhraseSource) -> Iterator[List[str]]:
    """The sentences of a NativePlan's files, read in Python (the custom-scorer path)."""
    from .corpus import Text8Corpus

    plan = source.plan
    assert plan is not None
    for path in plan.paths:
        if plan.newline_ends:
            yield from LineSentence(path, plan.max_words or 10**18)
        else:
            yield from Text8Corpus(path, plan.max_words or 10**18)


class Phrases(_PhrasesTransformation):
    """Detects phrases from unigram and candidate counts (gensim 4's ``Phrases``).

    ``sentences`` (an iterable of lists of str, read once) or ``corpus_file`` (a path: one
    sentence per line, read by ``workers`` C++ threads when it is not compressed) is counted
    at once if given.  ``min_count``, ``threshold``, ``max_vocab_size``, ``delimiter``,
    ``scoring`` ('default', 'npmi' or a function with gensim's six parameters) and
    ``connector_words`` mean what they mean in gensim.
    """

    def __init__(self, sentences: Any = None, corpus_file: Optional[PathLike] = None,
                 min_count: float = 5, threshold: float = 10.0, max_vocab_size: int = 40_000_000,
                 delimiter: str = "_", scoring: Any = "default",
                 connector_words: Iterable[str] = frozenset(), workers: Optional[int] = None) -> None:
        builtin, custom = _resolve_scoring(scoring)
        min_count = check_float("min_count", min_count, low=0, low_open=True)
        threshold = check_float("threshold", threshold)
        if builtin == "default" and threshold <= 0:
            raise ValueError(f"threshold must be > 0 for default scoring, got {threshold}")
        if builtin == "npmi" and not -1 <= threshold <= 1:
            raise ValueError(f"threshold must be in [-1, 1] for npmi scoring, got {threshold}")
        max_vocab_size = check_int("max_vocab_size", max_vocab_size, low=1)
        if not isinstance(delimiter, str) or not delimiter:
            raise ValueError(f"delimiter must be a non-empty str, got {delimiter!r}")
        self.connector_words = _connectors(connector_words)
        self.workers = _workers(workers)
        self.delimiter = delimiter
        self.max_vocab_size = max_vocab_size
        self.scoring: Any = custom if custom is not None else {"default": original_scorer, "npmi": npmi_scorer}[builtin]
        self._custom = custom
        self._table = _core.PhraseModel(min_count, threshold, _BUILTIN[builtin or "default"], delimiter,
                                        sorted(self.connector_words), max_vocab_size)
        if sentences is not None or corpus_file is not None:
            self.add_vocab(sentences, corpus_file)

    # min_count and threshold live in the C++ model, which scores with them.
    @property
    def min_count(self) -> float:  # type: ignore[override]
        value = self._table.min_count
        return int(value) if value == int(value) else value

    @min_count.setter
    def min_count(self, value: float) -> None:
        self._table.min_count = check_float("min_count", value, low=0, low_open=True)

    @property
    def threshold(self) -> float:  # type: ignore[override]
        return self._table.threshold

    @threshold.setter
    def threshold(self, value: float) -> None:
        self._table.threshold = check_float("threshold", value)

    @property
    def corpus_word_count(self) -> int:
        """Words counted so far, connector words included."""
        return int(self._table.corpus_word_count)

    @property
    def min_reduce(self) -> int:
        """Entries counted fewer times than this were pruned under ``max_vocab_size``."""
        return int(self._table.min_reduce)

    @property
    def vocab(self) -> "PhraseVocabView":
        """The counts of unigrams and candidate phrases (a read-only mapping, first-seen order)."""
        return PhraseVocabView(self._table)

    def __str__(self) -> str:
        return (f"Phrases<{len(self._table)} vocab, min_count={self.min_count}, threshold={self.threshold}, "
                f"max_vocab_size={self.max_vocab_size}>")

    def _python_only(self) -> bool:
        return self._custom is not None

    def add_vocab(self, sentences: Any = None, corpus_file: Optional[PathLike] = None) -> None:
        """Counts more sentences (gensim's two steps: a pass of its own, pruned under
        ``max_vocab_size``, then merged into the model and pruned once more if over the cap)."""
        source = phrase_source(sentences, corpus_file)
        before = self.corpus_word_count
        learn(self._table, source, self.workers)
        logger.info("collected %i token types (unigram + bigrams) from %i more words; %s",
                    len(self._table), self.corpus_word_count - before, self)

    def score_candidate(self, word_a: str, word_b: str, in_between: Sequence[str]) -> Tuple[Optional[str], Optional[float]]:
        count_a = self._table.count(word_a)
        if count_a <= 0:
            return None, None
        count_b = self._table.count(word_b)
        if count_b <= 0:
            return None, None
        phrase = self.delimiter.join([word_a, *in_between, word_b])
        count_ab = self._table.count(phrase)
        if count_ab <= 0:
            return None, None
        score = _checked_score(self.scoring(
            worda_count=count_a, wordb_count=count_b, bigram_count=count_ab, len_vocab=len(self._table),
            min_count=self.min_count, corpus_word_count=self.corpus_word_count), phrase)
        if score <= self.threshold:
            return None, None
        return phrase, score

    def export_phrases(self) -> Dict[str, float]:
        """Every counted candidate (every entry holding the delimiter) that scores above the
        threshold, scored from its first and last parts: gensim's ``export_phrases``."""
        if self._custom is None:
            keys, scores = self._table.export()
            return dict(zip(keys, scores.tolist()))
        keys, ca, cb, cab = self._table.candidates()
        result: Dict[str, float] = {}
        n, words, mc = len(self._table), self.corpus_word_count, self.min_count
        for key, a, b, ab in zip(keys, ca.tolist(), cb.tolist(), cab.tolist()):
            score = _checked_score(self._custom(worda_count=a, wordb_count=b, bigram_count=ab, len_vocab=n,
                                                min_count=mc, corpus_word_count=words), key)
            if score > self.threshold:
                result[key] = score
        return result

    def freeze(self) -> "FrozenPhrases":
        """A FrozenPhrases holding only the accepted phrases."""
        return FrozenPhrases(self)

    def save(self, fname: PathLike) -> None:
        """Writes the model (counts and settings) to ``fname`` atomically."""
        header = self._header_common()
        header.update({"class": "Phrases", "max_vocab_size": self.max_vocab_size,
                       "corpus_word_count": self.corpus_word_count, "min_reduce": self.min_reduce})
        _phrases_file.save(fname, header, self._table)

    @classmethod
    def _from_file(cls, fname: PathLike, header: Dict[str, Any], data: bytes, offset: int,
                   scoring: Any) -> "Phrases":
        f = _phrases_file.field
        stored = f(header, "scoring", str, fname)
        if stored.startswith("custom:"):
            if scoring is None:
                raise ValueError(f"{os.fspath(fname)!r} was saved with the custom scorer {stored[7:]}: "
                                 "pass scoring=<that function> to load it (functions are never read from files)")
        elif scoring is None:
            scoring = stored
        model = cls(min_count=f(header, "min_count", (int, float), fname),
                    threshold=f(header, "threshold", (int, float), fname),
                    max_vocab_size=f(header, "max_vocab_size", int, fname),
                    delimiter=f(header, "delimiter", str, fname), scoring=scoring,
                    connector_words=f(header, "connector_words", list, fname))
        model._table.read_entries(data, offset, header["entries"])
        model._table.corpus_word_count = f(header, "corpus_word_count", int, fname)
        model._table.min_reduce = f(header, "min_reduce", int, fname)
        return model


class PhraseVocabView(Mapping[str, int]):
    """Read-only view of a Phrases model's counts (gensim's ``phrases.vocab`` dict)."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def __getitem__(self, key: str) -> int:
        n = self._table.count(key) if isinstance(key, str) else 0
        if n == 0:
            raise KeyError(key)
        return int(n)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._table.count(key) > 0

    def __len__(self) -> int:
        return len(self._table)

    def __iter__(self) -> Iterator[str]:
        step = 1 << 16
        for start in range(0, len(self._table), step):
            yield from self._table.keys(start, step)

    def items(self) -> Iterator[Tuple[str, int]]:  # type: ignore[override]
        step = 1 << 16
        for start in range(0, len(self._table), step):
            yield from zip(self._table.keys(start, step), self._table.counts(start, step).tolist())


class FrozenPhrases(_PhrasesTransformation):
    """The accepted phrases of a Phrases model and their scores, nothing else: smaller and
    faster, no more counting (gensim 4's ``FrozenPhrases``)."""

    def __init__(self, phrases_model: Phrases) -> None:
        if not isinstance(phrases_model, Phrases):
            raise TypeError(f"FrozenPhrases needs a Phrases model, got {type(phrases_model).__name__}")
        self.threshold = phrases_model.threshold
        self.min_count = phrases_model.min_count
        self.delimiter = phrases_model.delimiter
        self.scoring = phrases_model.scoring
        self.connector_words = phrases_model.connector_words
        self._init_table()
        phrasegrams = phrases_model.export_phrases()
        self._table.set(list(phrasegrams), list(phrasegrams.values()))

    def _init_table(self) -> None:
        self._table = _core.FrozenPhraseTable(self.threshold, self.delimiter, sorted(self.connector_words))

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name == "threshold" and "_table" in self.__dict__:
            self._table.threshold = check_float("threshold", value)

    @property
    def phrasegrams(self) -> Dict[str, float]:
        """phrase -> score (a copy)."""
        keys, scores = self._table.items()
        return dict(zip(keys, scores.tolist()))

    def __str__(self) -> str:
        return f"FrozenPhrases<{len(self._table)} phrases, min_count={self.min_count}, threshold={self.threshold}>"

    def score_candidate(self, word_a: str, word_b: str, in_between: Sequence[str]) -> Tuple[Optional[str], Optional[float]]:
        phrase = self.delimiter.join([word_a, *in_between, word_b])
        score = self._table.get(phrase)
        if score > self.threshold:
            return phrase, score
        return None, None

    def save(self, fname: PathLike) -> None:
        """Writes the phrases, their scores and the settings to ``fname`` atomically."""
        header = self._header_common()
        header["class"] = "FrozenPhrases"
        _phrases_file.save(fname, header, self._table)

    @classmethod
    def _from_file(cls, fname: PathLike, header: Dict[str, Any], data: bytes, offset: int,
                   scoring: Any) -> "FrozenPhrases":
        f = _phrases_file.field
        self = cls.__new__(cls)
        object.__setattr__(self, "threshold", float(f(header, "threshold", (int, float), fname)))
        self.min_count = f(header, "min_count", (int, float), fname)
        self.delimiter = f(header, "delimiter", str, fname)
        if not self.delimiter:
            raise ValueError(f"damaged phrases file {os.fspath(fname)!r}: empty delimiter")
        stored = f(header, "scoring", str, fname)
        self.scoring = scoring if scoring is not None else (
            {"default": original_scorer, "npmi": npmi_scorer}.get(stored, stored))
        self.connector_words = _connectors(f(header, "connector_words", list, fname))
        self._init_table()
        self._table.read_entries(data, offset, header["entries"])
        return self


#: gensim's older name for FrozenPhrases.
Phraser = FrozenPhrases


def word2phrase(train: PathLike, output: PathLike, min_count: int = 5, threshold: float = 100.0,
                workers: Optional[int] = None, progress: Optional[Callable[[int], Any]] = None) -> Tuple[int, int]:
    """The word2vec C distribution's ``word2phrase -train train -output output -min-count
    min_count -threshold threshold``: same tokens, counts, float32 score
    ``(count(ab) - min_count) / count(a) / count(b) * train_words`` and output bytes (see
    ``cpp/phrases_w2p.h`` for its rules and the two places fastembed fixes its bugs).
    Run it twice with falling thresholds for longer phrases, as ``demo-phrases.sh`` does.
    A compressed ``train`` is decompressed to a temporary file first (the tool reads twice).
    Returns ``(words in the file, vocabulary entries kept)``."""
    min_count = int(check_int("min_count", min_count))
    threshold = check_float("threshold", threshold)
    threads = _workers(workers)
    src = check_file(train)
    with atomic_write(output, "wb") as f:
        if not is_compressed(src):
            return tuple(_core.word2phrase(src, f.fileno(), min_count, threshold, threads, progress))  # type: ignore[return-value]
        import shutil
        import tempfile

        from ._compression import open_binary

        directory = os.path.dirname(os.path.abspath(os.fspath(output)))
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".word2phrase.", suffix=".txt") as plain:
            with open_binary(src, "rb") as raw:
                shutil.copyfileobj(raw, plain, 1 << 20)
            plain.flush()
            return tuple(_core.word2phrase(plain.name, f.fileno(), min_count, threshold, threads, progress))  # type: ignore[return-value]
