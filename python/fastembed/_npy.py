"""Reading ``.npy`` arrays (plain files and ``.npz`` zip members) with every size checked
against the bytes actually there, before anything is allocated.

``numpy.load`` trusts the header: a 100-byte file whose header says ``shape (10**6, 10**6)``
makes it allocate 4 TB (a ``MemoryError``, or the machine swapping).  Here the header is read
first, the array's size is compared with what the file (or zip member) holds after the
header, and only then is the array allocated and read.  Object arrays are never read.
"""
from __future__ import annotations

import io
import zipfile
from typing import IO, Optional, Tuple

import numpy as np

_MAX_HEADER = 1 << 16  # bytes of an .npy header (numpy writes ~128)
_READ_BLOCK = 16 << 20


class NpyHeader:
    """What an ``.npy`` header declares: dtype, shape, Fortran order, and where the data starts."""

    __slots__ = ("dtype", "shape", "fortran", "data_offset")

    def __init__(self, dtype: np.dtype, shape: Tuple[int, ...], fortran: bool, data_offset: int):
        self.dtype, self.shape, self.fortran, self.data_offset = dtype, shape, fortran, data_offset

    @property
    def nbytes(self) -> int:
        n = 1
        for s in self.shape:
            n *= s
        return n * self.dtype.itemsize


def read_header(f: IO[bytes], name: str) -> NpyHeader:
    """Parse the header at the current position of ``f``; ``ValueError`` naming ``name``.

    The header's length field is checked before its text is read (numpy's reader reads a
    version-2 header of up to 4 GB into memory first), then numpy parses the bounded bytes."""
    preamble = f.read(8)
    if len(preamble) < 8 or not preamble.startswith(b"\x93NUMPY"):
        what = "empty" if not preamble else "no .npy magic string"
        raise ValueError(f"{name}: not a valid .npy array: {what}")
    version = (preamble[6], preamble[7])
    if version not in ((1, 0), (2, 0), (3, 0)):
        raise ValueError(f"{name}: not a valid .npy array: unsupported .npy version {version}")
    width = 2 if version == (1, 0) else 4
    length_field = f.read(width)
    if len(length_field) < width:
        raise ValueError(f"{name}: not a valid .npy array: truncated header")
    hlen = int.from_bytes(length_field, "little")
    if hlen > _MAX_HEADER:
        raise ValueError(f"{name}: not a valid .npy array: a {hlen}-byte header (at most {_MAX_HEADER})")
    text = f.read(hlen)
    if len(text) < hlen:
        raise ValueError(f"{name}: not a valid .npy array: truncated header")
    raw = io.BytesIO(preamble + length_field + text)
    try:
        np.lib.format.read_magic(raw)
        reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran, dtype = reader(raw, max_header_size=_MAX_HEADER)
    except Exception as e:  # numpy's header parser: ValueError, SyntaxError, tokenize.TokenError...
        raise ValueError(f"{name}: not a valid .npy array: bad header ({type(e).__name__}: {e})") from None
    if dtype.hasobject:
        raise ValueError(f"{name}: holds Python objects (dtype {dtype}); fastembed never unpickles")
    if any(s < 0 for s in shape):
        raise ValueError(f"{name}: not a valid .npy array: negative shape {shape}")
    return NpyHeader(dtype, tuple(int(s) for s in shape), bool(fortran), 8 + width + hlen)


def check_size(header: NpyHeader, available: int, name: str) -> None:
    """Refuse a header that declares more data than the ``available`` bytes after it."""
    if header.nbytes > available:
        raise ValueError(f"{name}: the .npy header declares a {header.dtype} array of shape {header.shape} "
                         f"({header.nbytes} bytes) but only {available} bytes follow it (damaged or forged file)")


def read_into(f: IO[bytes], header: NpyHeader, name: str) -> np.ndarray:
    """Allocate the declared array (already size-checked) and fill it from ``f``."""
    shape = header.shape[::-1] if header.fortran else header.shape
    arr = np.empty(shape, dtype=header.dtype)
    view = memoryview(arr.reshape(-1).view(np.uint8)) if arr.size else memoryview(b"")
    got = 0
    while got < len(view):
        n = f.readinto(view[got : got + _READ_BLOCK])
        if not n:
            raise ValueError(f"{name}: truncated: the array data ends after {got} of {len(view)} bytes")
        got += n
    view.release()
    return arr.T if header.fortran else arr


def load_file(path: str, mmap: Optional[str] = None) -> np.ndarray:
    """``numpy.load(path, mmap_mode=mmap, allow_pickle=False)`` for one array, with the header
    checked against the file size first (also when the array is memory-mapped)."""
    import os

    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        header = read_header(f, path)
        check_size(header, size - header.data_offset, path)
        if mmap is None or header.nbytes == 0:
            return read_into(f, header, path)
    order = "F" if header.fortran else "C"
    return np.memmap(path, dtype=header.dtype, mode=mmap, offset=header.data_offset, shape=header.shape, order=order)


def load_member(z: zipfile.ZipFile, member: str, path: str) -> np.ndarray:
    """One array of an ``.npz`` archive.  Only stored (uncompressed) members are read, so the
    array can never be larger than the file: fastembed writes stored members, and a deflated
    member is how a few-MB file expands to gigabytes (a decompression bomb)."""
    name = f"{path}: member {member!r}"
    info = z.getinfo(member)
    if info.compress_type != zipfile.ZIP_STORED:
        raise ValueError(f"{name} is compressed; fastembed model files hold stored members only "
                         "(refusing to inflate it: it could be a decompression bomb)")
    with z.open(info) as f:
        header = read_header(f, name)
        consumed = header.data_offset  # the data is the rest of the member
        check_size(header, info.file_size - consumed, name)
        arr = read_into(f, header, name)
        if f.read(1):
            raise ValueError(f"{name}: {info.file_size - consumed - header.nbytes} bytes after the array data")
    return arr

