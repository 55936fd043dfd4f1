"""Where a model's words come from, decided once: the vocabulary scan and every epoch read the
corpus through the same :class:`CorpusSource`, so the choice between a plain file (read by the
C++ workers in byte ranges), streamed bytes (compressed files and fastembed's own readers,
tokenised on the workers) and Python sentences is written in one place."""
from __future__ import annotations

import os
from typing import Any, Iterable, Iterator, List, NamedTuple, Optional, Sequence

from .corpus import NativePlan, is_compressed, native_plan

#: Sentences handed to the C++ side per batch (counted in words).
BATCH_WORDS = 10000


class CorpusSource(NamedTuple):
    """Exactly one of the three is set."""

    file: Optional[str]                       #: a plain file: the workers read byte ranges
    stream: Optional[NativePlan]              #: files whose bytes the calling thread streams
    sentences: Optional[Iterable[Sequence[str]]]  #: Python token lists, in batches


def corpus_source(corpus_iterable: Any, corpus_file: Any) -> CorpusSource:
    """Check the corpus arguments (exactly one, of the right kind) and say how to read it."""
    if corpus_iterable is None and corpus_file is None:
        raise ValueError("give a corpus: either corpus_iterable (sentences) or corpus_file")
    if corpus_iterable is not None and corpus_file is not None:
        raise ValueError("give either corpus_iterable (sentences) or corpus_file, not both")
    if corpus_file is not None:
        path = check_file(corpus_file)
        if is_compressed(path):
            # A compressed file streams like fastembed's own readers: newline ends a sentence.
            return CorpusSource(None, NativePlan([path], True, 0), None)
        return CorpusSource(path, None, None)
    if isinstance(corpus_iterable, (str, bytes, os.PathLike)):
        raise TypeError("sentences must be an iterable of lists of str; to read a file "
                        "pass corpus_file=path or LineSentence(path)")
    if iter(corpus_iterable) is corpus_iterable:
        raise TypeError("sentences must be re-iterable (a list or an object with __iter__, "
                        "such as LineSentence), not a one-shot iterator or generator: "
                        "training reads it once per epoch")
    plan = native_plan(corpus_iterable)
    if plan is not None:
        return CorpusSource(None, plan, None)
    return CorpusSource(None, None, corpus_iterable)


def check_file(corpus_file: Any) -> str:
    """The path of an existing regular corpus file, or a clear error."""
    if not isinstance(corpus_file, (str, os.PathLike)):
        raise TypeError(f"corpus_file must be a path, got {type(corpus_file).__name__}")
    path = os.fspath(corpus_file)
    if not os.path.exists(path):
        raise FileNotFoundError(f"corpus file not found: {path!r}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"corpus_file is a directory (use PathLineSentences for folders): {path!r}")
    return path


def batches(corpus: Iterable[Sequence[str]], batch_words: int = BATCH_WORDS) -> Iterator[List[Sequence[str]]]:
    """Groups sentences into batches of about ``batch_words`` words (gensim's ``batch_words``:
    a longer sentence makes a batch of its own)."""
    batch: List[Sequence[str]] = []
    words = 0
    for sentence in corpus:
        batch.append(sentence)
        try:
            words += len(sentence)
        except TypeError:
            words += 1  # not sized: the C++ side raises a TypeError naming its position
        if words >= batch_words:
            yield batch
            batch, words = [], 0
    if batch:
        yield batch
