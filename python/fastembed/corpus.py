"""Streaming corpora: gensim-compatible sentence iterables and raw byte readers.

A corpus is any re-iterable of sentences, each a list of ``str`` words.  These classes read
files lazily (plain text or ``.gz`` / ``.bz2`` / ``.xz`` / ``.lzma``, any case) so a corpus
never has to fit in memory.
Bytes that are not valid UTF-8 are replaced with U+FFFD (``errors='replace'``), never fatal.
"""
from __future__ import annotations

import os
from typing import IO, Iterator, List, NamedTuple, Optional, Tuple, Union

from . import _compression
from ._compression import is_compressed  # noqa: F401  (model.py picks stream mode by it)

PathLike = Union[str, "os.PathLike[str]"]

#: Longest sentence handed out by the readers; longer lines are split (as gensim does).
MAX_WORDS_IN_BATCH = 10000


def _corpus_file(path: PathLike) -> str:
    """``path`` as a str, after checking it names an existing file (clear errors up front)."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"expected a file, got a directory: {path!r}")
    if not os.path.exists(path):
        raise FileNotFoundError(f"corpus file not found: {path!r}")
    return path


def open_binary(path: PathLike) -> IO[bytes]:
    """Open a corpus file for reading bytes, decompressing by extension."""
    return _compression.open_binary(_corpus_file(path), "rb")


class NativePlan(NamedTuple):
    """How the trainer can read a corpus object's files itself, with the same sentences the
    object would yield: the files in order, whether a newline ends a sentence, and the longest
    sentence (0 = no cap)."""

    paths: List[str]
    newline_ends: bool
    max_words: int


def native_plan(corpus: object) -> Optional[NativePlan]:
    """The NativePlan of fastembed's own readers (``None`` for any other iterable): training
    and vocabulary scans then tokenise the file in C++ instead of building Python lists."""
    plan = getattr(corpus, "_native_plan", None)
    return plan() if callable(plan) else None


def _split_long(words: List[str], max_len: int) -> Iterator[List[str]]:
    for i in range(0, len(words), max_len):
        yield words[i : i + max_len]


class LineSentence:
    """One sentence per line of a text file; words separated by whitespace.

    ``source`` is a path (plain or compressed) or an open file object.  Lines longer than
    ``max_sentence_length`` words are split; ``limit`` stops after that many lines.
    """

    def __init__(self, source: Union[PathLike, IO], max_sentence_length: int = MAX_WORDS_IN_BATCH,
                 limit: Optional[int] = None) -> None:
        if max_sentence_length < 1:
            raise ValueError(f"max_sentence_length must be >= 1, got {max_sentence_length}")
        if not hasattr(source, "read"):
            source = os.fspath(source)
            if not os.path.exists(source):
                raise FileNotFoundError(f"corpus file not found: {source!r}")
        self.source = source
        self.max_sentence_length = max_sentence_length
        self.limit = limit

    def _native_plan(self) -> Optional[NativePlan]:
        if hasattr(self.source, "read") or self.limit is not None:
            return None
        return NativePlan([self.source], True, self.max_sentence_length)

    def __iter__(self) -> Iterator[List[str]]:
        if hasattr(self.source, "read"):
            if hasattr(self.source, "seek"):
                self.source.seek(0)
            yield from self._lines(self.source)
        else:
            with open_binary(self.source) as f:
                yield from self._lines(f)

    def _lines(self, f: IO) -> Iterator[List[str]]:
        for n, line in enumerate(f):
            if self.limit is not None and n >= self.limit:
                return
            if isinstance(line, bytes):
                line = line.decode("utf-8", errors="replace")
            yield from _split_long(line.split(), self.max_sentence_length)


class Text8Corpus:
    """A corpus in the form of text8: words separated by whitespace, line breaks ignored,
    handed out as sentences of ``max_sentence_length`` words."""

    def __init__(self, fname: PathLike, max_sentence_length: int = MAX_WORDS_IN_BATCH) -> None:
        if max_sentence_length < 1:
            raise ValueError(f"max_sentence_length must be >= 1, got {max_sentence_length}")
        fname = os.fspath(fname)
        if not os.path.exists(fname):
            raise FileNotFoundError(f"corpus file not found: {fname!r}")
        self.fname = fname
        self.max_sentence_length = max_sentence_length

    def _native_plan(self) -> NativePlan:
        return NativePlan([self.fname], False, self.max_sentence_length)

    def __iter__(self) -> Iterator[List[str]]:
        n = self.max_sentence_length
        pending: List[str] = []  # words not yet handed out (fewer than n)
        rest = b""
        with open_binary(self.fname) as f:
            while True:
                block = f.read(1 << 20)
                if not block:
                    break
                text = rest + block
                # Keep a word cut by the block boundary for the next block.
                cut = max(text.rfind(b" "), text.rfind(b"\n"), text.rfind(b"\t"), text.rfind(b"\r"))
                if cut < 0:
                    rest = text
                    continue
                rest = text[cut + 1 :]
                words = pending + text[: cut + 1].decode("utf-8", errors="replace").split()
                full = len(words) - len(words) % n
                for i in range(0, full, n):
                    yield words[i : i + n]
                pending = words[full:]
        words = pending + rest.decode("utf-8", errors="replace").split()
        for i in range(0, len(words), n):
            yield words[i : i + n]


class PathLineSentences:
    """Like :class:`LineSentence`, for every file in a folder (sorted by name), or one file."""

    def __init__(self, source: PathLike, max_sentence_length: int = MAX_WORDS_IN_BATCH,
                 limit: Optional[int] = None) -> None:
        source = os.fspath(source)
        if os.path.isfile(source):
            self.input_files = [source]
        elif os.path.isdir(source):
            self.input_files = sorted(
                os.path.join(source, name) for name in os.listdir(source)
                if os.path.isfile(os.path.join(source, name)))
            if not self.input_files:
                raise ValueError(f"no files in folder {source!r}")
        else:
            raise FileNotFoundError(f"no such file or folder: {source!r}")
        self.source = source
        self.max_sentence_length = max_sentence_length
        self.limit = limit

    def _native_plan(self) -> Optional[NativePlan]:
        if self.limit is not None:
            return None
        return NativePlan(list(self.input_files), True, self.max_sentence_length)

    def __iter__(self) -> Iterator[List[str]]:
        for path in self.input_files:
            yield from LineSentence(path, self.max_sentence_length, self.limit)


def read_blocks(path: PathLike, block_size: int = 1 << 20) -> Iterator[bytes]:
    """The decompressed bytes of a corpus file, in blocks."""
    for block, _ in read_blocks_with_position(path, block_size):
        yield block


def read_blocks_with_position(path: PathLike, block_size: int = 1 << 20) -> Iterator[Tuple[bytes, float]]:
    """Like :func:`read_blocks`, with the share of the file (compressed bytes) read so far."""
    path = _corpus_file(path)
    size = max(os.path.getsize(path), 1)
    with open(path, "rb") as raw:  # the raw file's position measures progress
        f = _compression.wrap_binary(raw, path, "rb")
        try:
            while True:
                block = f.read(block_size)
                if not block:
                    return
                yield block, min(1.0, raw.tell() / size)
        finally:
            if f is not raw:
                f.close()
