"""Streaming corpora: gensim-compatible sentence iterables and raw byte readers.

A corpus is any re-iterable of sentences, each a list of ``str`` words.  These classes read
files lazily (plain text or ``.gz`` / ``.bz2`` / ``.xz``) so a corpus never has to fit in memory.
Bytes that are not valid UTF-8 are replaced with U+FFFD (``errors='replace'``), never fatal.
"""
from __future__ import annotations

import bz2
import gzip
import lzma
import os
from typing import IO, Iterator, List, Optional, Union

PathLike = Union[str, "os.PathLike[str]"]

#: Longest sentence handed out by the readers; longer lines are split (as gensim does).
MAX_WORDS_IN_BATCH = 10000

_COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open, ".lzma": lzma.open}


def is_compressed(path: PathLike) -> bool:
    """True when ``path`` names a compressed file this package decompresses on the fly."""
    return os.path.splitext(os.fspath(path))[1].lower() in _COMPRESSED


def open_binary(path: PathLike) -> IO[bytes]:
    """Open a corpus file for reading bytes, decompressing by extension."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"expected a file, got a directory: {path!r}")
    if not os.path.exists(path):
        raise FileNotFoundError(f"corpus file not found: {path!r}")
    opener = _COMPRESSED.get(os.path.splitext(path)[1].lower())
    return opener(path, "rb") if opener else open(path, "rb")


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

    def __iter__(self) -> Iterator[List[str]]:
        sentence: List[str] = []
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
                sentence.extend(text[: cut + 1].decode("utf-8", errors="replace").split())
                while len(sentence) >= self.max_sentence_length:
                    yield sentence[: self.max_sentence_length]
                    sentence = sentence[self.max_sentence_length :]
        sentence.extend(rest.decode("utf-8", errors="replace").split())
        while sentence:
            yield sentence[: self.max_sentence_length]
            sentence = sentence[self.max_sentence_length :]


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

    def __iter__(self) -> Iterator[List[str]]:
        for path in self.input_files:
            yield from LineSentence(path, self.max_sentence_length, self.limit)


def read_blocks(path: PathLike, block_size: int = 1 << 20) -> Iterator[bytes]:
    """The decompressed bytes of a corpus file, in blocks."""
    with open_binary(path) as f:
        while True:
            block = f.read(block_size)
            if not block:
                return
            yield block
