"""One table of compressed-file suffixes, shared by the corpus readers, vector files and the CLI.

``.gz``, ``.bz2``, ``.xz`` and ``.lzma`` are decompressed (or compressed) on the fly; the suffix
is matched case-insensitively, so ``CORPUS.TXT.GZ`` is gzip too.  Everything else is plain.
Before this module, three tables disagreed (one was case-sensitive, two lacked ``.lzma``).
"""
from __future__ import annotations

import bz2
import gzip
import lzma
import os
import zlib
from typing import IO, Optional, Union

PathLike = Union[str, "os.PathLike[str]"]

#: What the codecs raise on damaged data (gzip's BadGzipFile and bz2's errors are OSErrors).
DECOMPRESS_ERRORS = (OSError, EOFError, lzma.LZMAError, zlib.error)

#: The suffixes (lower case) this package reads and writes compressed.
SUFFIXES = (".gz", ".bz2", ".xz", ".lzma")


def compression_of(path: PathLike) -> Optional[str]:
    """The compression suffix of ``path`` in lower case (``".gz"``, ...), or None if plain."""
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    return suffix if suffix in SUFFIXES else None


def is_compressed(path: PathLike) -> bool:
    """True when ``path`` names a file this package decompresses on the fly."""
    return compression_of(path) is not None


_OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open, ".lzma": lzma.open}


def _lzma_format(suffix: str, mode: str) -> Optional[int]:
    # Reading auto-detects .xz and legacy .lzma; a written .lzma must be the legacy format,
    # not xz under the wrong name.
    return lzma.FORMAT_ALONE if suffix == ".lzma" and "r" not in mode else None


def _open(path: PathLike, mode: str, **kwargs: str) -> IO:
    path = os.fspath(path)
    suffix = compression_of(path)
    if suffix is None:
        return open(path, mode, **kwargs)
    if suffix == ".lzma":
        return lzma.open(path, mode, format=_lzma_format(suffix, mode), **kwargs)
    return _OPENERS[suffix](path, mode, **kwargs)


def wrap_binary(fileobj: IO[bytes], path: PathLike, mode: str = "rb") -> IO[bytes]:
    """``fileobj`` (open in binary ``mode``, ``"rb"`` or ``"wb"``) seen through the compression
    that ``path``'s suffix names; ``fileobj`` itself for a plain path.  Closing the wrapper
    leaves ``fileobj`` open.  Written gzip has no timestamp, so equal data gives equal files."""
    suffix = compression_of(path)
    if suffix is None:
        return fileobj
    if suffix == ".gz":
        if "r" in mode:
            return gzip.GzipFile(fileobj=fileobj, mode="rb")
        name = os.path.basename(os.fspath(path))[: -len(suffix)]
        return gzip.GzipFile(filename=name, mode="wb", fileobj=fileobj, compresslevel=6, mtime=0)
    if suffix == ".bz2":
        return bz2.BZ2File(fileobj, mode)
    return lzma.LZMAFile(fileobj, mode, format=_lzma_format(suffix, mode))


def open_binary(path: PathLike, mode: str = "rb") -> IO[bytes]:
    """Open ``path`` for reading (``"rb"``) or writing (``"wb"``) bytes, (de)compressing by
    its suffix."""
    return _open(path, mode)


def open_text(path: PathLike, encoding: str = "utf-8", errors: str = "strict") -> IO[str]:
    """Open ``path`` for reading text, decompressing by its suffix."""
    return _open(path, "rt", encoding=encoding, errors=errors)
