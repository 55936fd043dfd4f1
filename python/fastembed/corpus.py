"""Streaming corpora: gensim-compatible sentence iterables and raw byte readers.

A corpus is any re-iterable of sentences, each a list of ``str`` words.  These classes read
files lazily (plain text or ``.gz`` / ``.bz2`` / ``.xz`` / ``.lzma``, any case) so a corpus
never has to fit in memory.
Bytes that are not valid UTF-8 are replaced with U+FFFD (``errors='replace'``), never fatal.
"""
from __future__ import annotations

import contextlib
import os
import re
import stat
from typing import IO, Any, Iterator, List, NamedTuple, Optional, Tuple, Union

from . import _compression
from ._compression import is_compressed  # noqa: F401  (model.py picks stream mode by it)

PathLike = Union[str, "os.PathLike[str]"]

#: Longest sentence handed out by the readers; longer lines are split (as gensim does).
MAX_WORDS_IN_BATCH = 10000

#: Longest word any reader accepts (16 MiB, ``kMaxTokenBytes`` in ``cpp/tokenizer.h``): a
#: stream without whitespace (``/dev/zero``, a binary file, a decompression bomb) ends in a
#: ``ValueError`` naming the file instead of exhausting memory.
MAX_TOKEN_BYTES = 1 << 24

_PIECE = 1 << 20  # bytes read per step by the Python-side readers
_ASCII_SPACE = re.compile(rb"[ \t\n\r\x0b\x0c\x1c-\x1f]")  # cpp/text.h is_space: never inside UTF-8


def token_too_long(name: str, offset: int) -> ValueError:
    return ValueError(f"{name}: a word longer than {MAX_TOKEN_BYTES} bytes before byte {offset} "
                      "(no whitespace: is it a text corpus?)")


def decompress_failed(name: str, offset: int, e: BaseException) -> ValueError:
    """A damaged compressed corpus: the file, how far it decompressed, and the codec's words."""
    return ValueError(f"{name}: damaged {_compression.compression_of(name) or 'compressed'} data after "
                      f"{offset} decompressed bytes ({type(e).__name__}: {e})")


@contextlib.contextmanager
def _reading(name: str, position: List[int]) -> Iterator[None]:
    """Turn a codec's error while reading ``name`` into :func:`decompress_failed`;
    ``position[0]`` is the decompressed offset reached."""
    try:
        yield
    except (FileNotFoundError, PermissionError, IsADirectoryError):
        raise
    except _compression.DECOMPRESS_ERRORS as e:
        if not _compression.is_compressed(name):
            raise
        raise decompress_failed(name, position[0], e) from None


def check_streamable(path: str) -> None:
    """A corpus path must be a regular file: training reads it once for the vocabulary and
    once per epoch, which a pipe cannot give (a second read blocks or is empty) and a device
    such as /dev/zero never ends."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise FileNotFoundError(f"corpus file not found: {path!r}") from None
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(f"expected a file, got a directory: {path!r}")
    if not stat.S_ISREG(mode):
        kind = "a pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device or socket"
        raise ValueError(f"{path!r} is not a regular file ({kind}): a corpus is read once for the vocabulary "
                         "and once per epoch, so save the text to a file first")


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
        name = self.source if isinstance(self.source, str) else getattr(self.source, "name", "<file object>")
        for n, words in enumerate(line_words(f, str(name))):
            if self.limit is not None and n >= self.limit:
                return
            yield from _split_long(words, self.max_sentence_length)


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
        position = [0]
        with open_binary(self.fname) as f, _reading(self.fname, position):
            while True:
                block = f.read(_PIECE)
                if not block:
                    break
                position[0] += len(block)
                text = rest + block
                # Keep a word cut by the block boundary for the next block.
                cut = max(text.rfind(b" "), text.rfind(b"\n"), text.rfind(b"\t"), text.rfind(b"\r"))
                if cut < 0:
                    rest = text
                    if len(rest) > MAX_TOKEN_BYTES:
                        raise token_too_long(self.fname, position[0])
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
        elif os.path.exists(source):
            check_streamable(source)  # a pipe or a device: says so
            raise ValueError(f"not a file or folder: {source!r}")  # pragma: no cover (a socket...)
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
    check_streamable(path)
    size = max(os.path.getsize(path), 1)
    position = [0]
    run = 0  # bytes since the last ASCII whitespace: the word the C++ side is still waiting on
    with open(path, "rb") as raw:  # the raw file's position measures progress
        f = _compression.wrap_binary(raw, path, "rb")
        try:
            while True:
                with _reading(path, position):
                    block = f.read(block_size)
                if not block:
                    return
                position[0] += len(block)
                last = _last_space(block)
                run = run + len(block) if last < 0 else len(block) - last - 1
                if run > MAX_TOKEN_BYTES:
                    raise token_too_long(path, position[0])
                yield block, min(1.0, raw.tell() / size)
        finally:
            if f is not raw:
                f.close()


def _last_space(block: bytes) -> int:
    """Index of the last ASCII whitespace byte of ``block``, -1 if none."""
    tail = block[-4096:]
    for m in _ASCII_SPACE.finditer(tail[::-1]):  # cheap: only the block's end is scanned
        return len(block) - 1 - m.start()
    if len(block) <= 4096:
        return -1
    m = None
    for m in _ASCII_SPACE.finditer(block):  # rare: a word over 4 KB at the block's end
        pass
    return m.start() if m else -1


def line_words(f: IO, name: str) -> Iterator[List[str]]:
    """The whitespace-separated words of each line of ``f`` (bytes, decoded as UTF-8 with
    U+FFFD for bad bytes, or text), read in pieces of at most 1 MB so that memory is bounded by
    the longest line's words, not by its raw text; a word over MAX_TOKEN_BYTES raises."""
    position = [0]
    words: List[str] = []
    carry: Any = None  # the start of a word cut by the end of a piece

    def split(text: Any) -> List[str]:
        return (text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text).split()

    with _reading(name, position):
        while True:
            piece = f.readline(_PIECE)
            if not piece:
                break
            position[0] += len(piece)
            if carry is None:
                carry = piece[:0]
            if piece[-1:].isspace():
                complete, tail = piece, piece[:0]
            else:  # cut after the last whitespace (bytes: ASCII, never inside a UTF-8 sequence)
                last = piece.rsplit(None, 1)[-1]
                if len(last) == len(piece):  # no whitespace at all: the word goes on
                    carry += piece
                    if len(carry) > MAX_TOKEN_BYTES:
                        raise token_too_long(name, position[0])
                    continue
                complete, tail = piece[: len(piece) - len(last)], last
            words.extend(split(carry + complete))
            carry = tail
            if len(carry) > MAX_TOKEN_BYTES:
                raise token_too_long(name, position[0])
            if piece.endswith(b"\n" if isinstance(piece, bytes) else "\n"):
                yield words
                words = []
        if carry:
            words.extend(split(carry))
        if words:
            yield words
