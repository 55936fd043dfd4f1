"""How Phrases reads a corpus, decided in one place: a plain ``corpus_file`` (or a single plain
file behind fastembed's own readers) is read by C++ threads in sentence-aligned byte ranges;
compressed files and several files are streamed to C++ as bytes; any other iterable of token
lists goes to C++ in batches.  The sentence rules are the readers' own (``corpus_file`` reads
as ``LineSentence``: a newline ends a sentence, longer lines are cut every 10,000 words)."""
from __future__ import annotations

import os
from typing import Any, Iterable, Iterator, List, NamedTuple, Optional, Sequence

from . import _core
from ._corpus_source import batches, check_file
from .corpus import MAX_WORDS_IN_BATCH, NativePlan, is_compressed, native_plan, read_blocks


class PhraseSource(NamedTuple):
    """Exactly one is set: files read in C++ (with their sentence rule) or Python sentences."""

    plan: Optional[NativePlan]
    sentences: Optional[Iterable[Sequence[str]]]


def phrase_source(sentences: Any, corpus_file: Any) -> PhraseSource:
    """Check the corpus arguments (exactly one, of the right kind) and say how to read it."""
    if sentences is None and corpus_file is None:
        raise ValueError("give a corpus: either sentences or corpus_file")
    if sentences is not None and corpus_file is not None:
        raise ValueError("give either sentences or corpus_file, not both")
    if corpus_file is not None:
        return PhraseSource(NativePlan([check_file(corpus_file)], True, MAX_WORDS_IN_BATCH), None)
    if isinstance(sentences, (str, bytes, os.PathLike)):
        raise TypeError("sentences must be an iterable of lists of str; to read a file "
                        "pass corpus_file=path or LineSentence(path)")
    plan = native_plan(sentences)
    if plan is not None:
        return PhraseSource(plan, None)
    return PhraseSource(None, sentences)


def learn(model: Any, source: PhraseSource, workers: int) -> None:
    """One add_vocab pass of ``source`` merged into ``model`` (a ``_core.PhraseModel``)."""
    plan = source.plan
    if plan is not None and len(plan.paths) == 1 and not is_compressed(plan.paths[0]):
        model.learn_file(plan.paths[0], plan.newline_ends, plan.max_words, workers)
        return
    if plan is not None:
        learner = model.learner(plan.newline_ends, plan.max_words)
        for path in plan.paths:
            for block in read_blocks(path):
                learner.feed(block)
            learner.end_file()
        learner.finish_into(model)
        return
    learner = model.learner()
    offset = 0
    for batch in batches(source.sentences):
        learner.add_sentences(batch, offset)
        offset += len(batch)
    learner.finish_into(model)


def phrased(table: Any, source: PhraseSource) -> Iterator[List[str]]:
    """The corpus' sentences with phrases joined, by ``table`` (a model or a frozen table)."""
    plan = source.plan
    if plan is not None:
        for path in plan.paths:
            stream = table.stream(plan.newline_ends, plan.max_words)
            for block in read_blocks(path):
                yield from stream.feed(block)
            yield from stream.finish()
        return
    offset = 0
    for batch in batches(source.sentences):
        yield from table.analyze(batch, offset)
        offset += len(batch)
