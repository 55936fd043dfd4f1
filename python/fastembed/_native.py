"""fastembed's native KeyedVectors file (``KeyedVectors.save`` / ``load``): one file, so a save
is atomic as a whole (one rename), checksummed, and memory-mappable.

Layout (format version 2)::

    FASTEMBED-KV\\n
    {JSON header}\\n                       counts, sections, dtypes (at most 1 MiB)
    VVVVVVVV HHHHHHHH\\n                   CRC-32 of the vectors; CRC-32 of the header line + VVVVVVVV
    payload                               keys, then each per-key attribute (offsets and size in the header)
    zero padding to a 64-byte boundary
    vectors                               float32 little-endian [count, vector_size], C order

The payload's CRC-32 is in the header; the vectors' CRC-32 is computed from the very bytes
written (a block is copied, summed and written), so a file saved while another thread changes
the vectors still loads (with the vectors as they were copied).  Every load checks all three
checksums and that the file's size is exactly what the header declares, before allocating
anything: a flipped byte, a truncated file or a forged header is a ``ValueError`` naming the
file, never a wrong vector, an ``AttributeError`` or a huge allocation.  With ``mmap`` the
vectors are read once through the file to check them (about 0.3 s per GB; the pages stay in
the page cache for the map, and out of the process's resident memory until used).

Version 1 (``path`` plus ``path.vectors.npy``, before 0.x) is still read; a version-2 save
over a version-1 file removes the old ``.vectors.npy`` after the new file is in place.
"""
from __future__ import annotations

import contextlib
import json
import os
import zlib
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

import numpy as np

from . import _npy
from ._atomic import atomic_write, fault_point

if TYPE_CHECKING:  # pragma: no cover
    from .vectors import KeyedVectors

MAGIC = b"FASTEMBED-KV\n"
VERSION = 2
_MAX_HEADER = 1 << 20
_ALIGN = 64
_BLOCK_BYTES = 16 << 20  # vectors copied, summed and written per block
_ATTR_KINDS = "biufc?SU"  # per-key attribute dtypes that can be stored as raw bytes


def vectors_path(path: Any) -> str:
    """The vectors file of a version-1 save of ``path`` (version 2 keeps them in ``path``)."""
    return os.fspath(path) + ".vectors.npy"


def _crc_hex(crc: int) -> bytes:
    return b"%08x" % (crc & 0xFFFFFFFF)


def _encode_keys(keys: List[Any]) -> Tuple[bytes, str]:
    n = len(keys)
    for k in keys:
        if not isinstance(k, (str, int)) or isinstance(k, bool):
            raise TypeError(f"only str and int keys can be saved, got {type(k).__name__} {k!r}")
    if len(set(keys)) != n:
        raise ValueError("index_to_key holds repeated keys")
    if all(type(k) is str and "\n" not in k for k in keys):
        # one key per line: split("\n") reads 400,000 keys in ~10 ms
        return "\n".join(keys).encode("utf-8"), "lines"
    return json.dumps(keys, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), "json"


def _encode_attrs(kv: "KeyedVectors", n: int, offset: int) -> Tuple[List[bytes], Dict[str, Any]]:
    blobs, specs = [], {}
    for name, arr in kv.expandos.items():
        arr = np.asarray(arr)
        if arr.shape != (n,):
            raise ValueError(f"attribute {name!r} has shape {arr.shape}, expected ({n},)")
        if arr.dtype == object:
            blob = json.dumps(arr.tolist(), ensure_ascii=False).encode("utf-8")
            specs[name] = {"dtype": "json", "offset": offset, "nbytes": len(blob)}
        else:
            le = arr.astype(arr.dtype.newbyteorder("<"), copy=False)
            blob = np.ascontiguousarray(le).tobytes()
            specs[name] = {"dtype": le.dtype.str, "offset": offset, "nbytes": len(blob)}
        blobs.append(blob)
        offset += len(blob)
    return blobs, specs


def save(kv: "KeyedVectors", path: str) -> None:
    """Write ``kv`` to ``path`` (format version 2, one file, atomically)."""
    vectors = kv.vectors
    n = len(kv.index_to_key)
    if vectors.shape != (n, kv.vector_size):
        raise ValueError(f"vectors have shape {vectors.shape}, expected ({n}, {kv.vector_size})")
    keys_blob, keys_encoding = _encode_keys(kv.index_to_key)
    blobs, specs = _encode_attrs(kv, n, len(keys_blob))
    payload = [keys_blob] + blobs
    payload_crc = 0
    for b in payload:
        payload_crc = zlib.crc32(b, payload_crc)
    payload_len = sum(len(b) for b in payload)
    header: Dict[str, Any] = {
        "format_version": VERSION, "count": n, "vector_size": int(kv.vector_size),
        "keys": {"offset": 0, "nbytes": len(keys_blob), "encoding": keys_encoding},
        "expandos": specs, "payload_nbytes": payload_len, "payload_crc32": payload_crc & 0xFFFFFFFF,
        "vectors": {"offset": 0, "dtype": "<f4"},
    }
    for _ in range(8):  # the offset's own digits change the header's length: iterate to a fixpoint
        line = json.dumps(header, separators=(",", ":")).encode("utf-8") + b"\n"
        start = len(MAGIC) + len(line) + 18 + payload_len
        offset = -(-start // _ALIGN) * _ALIGN
        if header["vectors"]["offset"] == offset:
            break
        header["vectors"]["offset"] = offset
    else:  # pragma: no cover - a digit more moves the offset by at most one alignment step
        raise AssertionError("the vectors offset did not settle")
    with atomic_write(path, "wb") as f:
        f.write(MAGIC + line)
        crc_pos = len(MAGIC) + len(line)
        f.write(b"00000000 00000000\n")  # patched once the vectors are written
        for b in payload:
            f.write(b)
        f.write(b"\0" * (offset - start))
        vcrc = 0
        step = max(1, _BLOCK_BYTES // (4 * max(1, kv.vector_size)))
        for s in range(0, n, step):
            block = np.ascontiguousarray(vectors[s : s + step], dtype="<f4").tobytes()
            vcrc = zlib.crc32(block, vcrc)
            f.write(block)
        vhex = _crc_hex(vcrc)
        f.seek(crc_pos)
        f.write(vhex + b" " + _crc_hex(zlib.crc32(vhex, zlib.crc32(line))) + b"\n")
        f.seek(0, os.SEEK_END)
    old = vectors_path(path)
    if os.path.exists(old):  # the companion of a version-1 save this one replaced
        fault_point("cleanup")
        with contextlib.suppress(OSError):
            os.unlink(old)


class _Corrupt(ValueError):
    """A damaged or forged file (the caller adds the path)."""


def _int(spec: Any, key: str, what: str) -> int:
    v = spec.get(key) if isinstance(spec, dict) else None
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise _Corrupt(f"{what}: {key!r} must be a non-negative integer, got {v!r}")
    return v


def _dict(spec: Any, key: str) -> Dict[str, Any]:
    v = spec.get(key) if isinstance(spec, dict) else None
    if not isinstance(v, dict):
        raise _Corrupt(f"{key!r} must be an object, got {type(v).__name__}")
    return v


def read_header(f: Any, path: str, size: int) -> Tuple[Dict[str, Any], int, bytes]:
    """(header dict, payload start, the header line) of a version 1 or 2 file open at 0."""
    head = f.read(len(MAGIC))
    if head != MAGIC:
        hint = " (it looks like a pickle, e.g. a gensim save; use load_word2vec_format on a " \
               "word2vec export instead)" if head[:1] == b"\x80" else ""
        raise ValueError(f"{path} is not a fastembed KeyedVectors file{hint}")
    line = f.readline(_MAX_HEADER + 1)
    if not line.endswith(b"\n"):
        raise _Corrupt("no header line" if len(line) <= _MAX_HEADER else f"header line longer than {_MAX_HEADER} bytes")
    try:
        header = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise _Corrupt(f"header is not JSON ({e})") from None
    if not isinstance(header, dict):
        raise _Corrupt(f"header is a JSON {type(header).__name__}, not an object")
    return header, len(MAGIC) + len(line), line


def load(cls: Any, path: str, mmap: Optional[str]) -> "KeyedVectors":
    """Read a version 1 or 2 file; every failure of a damaged file is a ValueError naming it."""
    if mmap not in (None, "r", "r+", "c"):
        raise ValueError(f"mmap must be None, 'r', 'r+' or 'c', got {mmap!r}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"expected a KeyedVectors file, got a directory: {path!r}")
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            header, pos, line = read_header(f, path, size)
            version = header.get("format_version")
            if version == VERSION:
                return _load_v2(cls, f, path, size, header, pos, line, mmap)
            if version == 1:
                return _load_v1(cls, f, path, size, header, pos, mmap)
            raise _Corrupt(f"unsupported format version {version!r}")
    except _Corrupt as e:
        raise ValueError(f"{path}: corrupt fastembed KeyedVectors file: {e}") from None


def _sections(header: Dict[str, Any], payload: memoryview, n: int) -> Tuple[List[Any], Dict[str, np.ndarray]]:
    """The keys and per-key attributes, every offset and type checked."""

    def section(spec: Any, what: str) -> memoryview:
        off, size = _int(spec, "offset", what), _int(spec, "nbytes", what)
        if off + size > len(payload):
            raise _Corrupt(f"{what} lies outside the file (truncated?)")
        return payload[off : off + size]

    keys_spec = _dict(header, "keys")
    try:
        text = bytes(section(keys_spec, "keys")).decode("utf-8")
        if keys_spec.get("encoding") == "lines":
            keys: List[Any] = text.split("\n") if n else []
        elif keys_spec.get("encoding") == "json":
            keys = json.loads(text)
            if not isinstance(keys, list) or not all(isinstance(k, (str, int)) and not isinstance(k, bool) for k in keys):
                raise _Corrupt("keys must be a list of str and int")
        else:
            raise _Corrupt(f"unknown keys encoding {keys_spec.get('encoding')!r}")
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise _Corrupt(f"bad keys section ({e})") from None
    if len(keys) != n:
        raise _Corrupt(f"expected {n} keys, found {len(keys)}")
    expandos = {}
    for name, spec in _dict(header, "expandos").items():
        what = f"attribute {name!r}"
        kind = spec.get("dtype") if isinstance(spec, dict) else None
        if kind == "json":
            try:
                values = json.loads(bytes(section(spec, what)).decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                raise _Corrupt(f"bad {what} ({e})") from None
            if not isinstance(values, list):
                raise _Corrupt(f"{what} is not a list")
            arr = np.empty(len(values), dtype=object)
            arr[:] = values
        else:
            try:
                dtype = np.dtype(kind) if isinstance(kind, str) and len(kind) <= 16 else None
            except (TypeError, ValueError):
                dtype = None
            if dtype is None or dtype.kind not in _ATTR_KINDS or dtype.shape != () or dtype.fields or dtype.itemsize == 0:
                raise _Corrupt(f"bad dtype {kind!r} for {what}")
            data = section(spec, what)
            if len(data) != n * dtype.itemsize:
                raise _Corrupt(f"{what} has {len(data)} bytes, expected {n} values of {dtype.itemsize}")
            arr = np.frombuffer(data, dtype=dtype).astype(dtype.newbyteorder("="))
        if arr.shape != (n,):
            raise _Corrupt(f"{what} has {arr.shape[0]} values, expected {n}")
        expandos[name] = arr
    return keys, expandos


def _make(cls: Any, dim: int, keys: List[Any], vectors: np.ndarray, expandos: Dict[str, np.ndarray]) -> Any:
    kv = cls(dim)
    kv.index_to_key = keys
    kv.key_to_index = None  # built on first use
    kv.vectors = vectors
    kv.expandos = expandos
    return kv


def _load_v2(cls: Any, f: Any, path: str, size: int, header: Dict[str, Any], pos: int, line: bytes,
             mmap: Optional[str]) -> "KeyedVectors":
    sums = f.read(18)
    if len(sums) != 18 or sums[8:9] != b" " or sums[17:] != b"\n":
        raise _Corrupt("truncated checksum line")
    vhex = sums[:8]
    if _crc_hex(zlib.crc32(vhex, zlib.crc32(line))) != sums[9:17]:
        raise _Corrupt("header checksum mismatch (the file was changed after it was saved)")
    n, dim = _int(header, "count", "header"), _int(header, "vector_size", "header")
    if dim < 1:
        raise _Corrupt("vector_size must be >= 1")
    vspec = _dict(header, "vectors")
    voff = _int(vspec, "offset", "vectors")
    if vspec.get("dtype") != "<f4":
        raise _Corrupt(f"vectors dtype {vspec.get('dtype')!r}, expected '<f4'")
    start = pos + 18
    need = voff + 4 * n * dim
    if voff < start or need != size:
        raise _Corrupt(f"the header declares {n} vectors of {dim} dimensions at byte {voff} "
                       f"({need} bytes in all) but the file has {size} bytes (truncated or forged)")
    region = memoryview(f.read(voff - start))
    plen = _int(header, "payload_nbytes", "header")
    if not plen <= len(region) < plen + _ALIGN or any(region[plen:]):
        raise _Corrupt(f"the keys and attributes ({plen} bytes) do not end where the vectors begin")
    payload = region[:plen]
    if zlib.crc32(payload) != _int(header, "payload_crc32", "header"):
        raise _Corrupt("checksum mismatch in the keys and attributes (damaged file)")
    keys, expandos = _sections(header, payload, n)
    if mmap is None or n == 0:
        vectors = np.empty((n, dim), dtype=np.float32)
        flat = memoryview(vectors.reshape(-1).view(np.uint8)) if n else memoryview(b"")
        got, vcrc = 0, 0
        while got < len(flat):
            k = f.readinto(flat[got : got + _BLOCK_BYTES])
            if not k:
                raise _Corrupt("truncated vectors")
            vcrc = zlib.crc32(flat[got : got + k], vcrc)
            got += k
        flat.release()
    else:
        # Checked through the file, not the map: the map's pages would all count in this
        # process's resident memory (the page cache keeps them for the map either way).
        vcrc, left, block = 0, 4 * n * dim, bytearray(min(_BLOCK_BYTES, 4 * n * dim))
        view = memoryview(block)
        while left:
            k = f.readinto(view[: min(left, len(block))])
            if not k:
                raise _Corrupt("truncated vectors")
            vcrc = zlib.crc32(view[:k], vcrc)
            left -= k
        view.release()
        vectors = np.memmap(path, dtype="<f4", mode=mmap, offset=voff, shape=(n, dim))
    if _crc_hex(vcrc) != vhex:
        raise _Corrupt("checksum mismatch in the vectors (damaged file, or changed in place through mmap='r+')")
    return _make(cls, dim, keys, vectors, expandos)


def _fingerprint(vectors: np.ndarray) -> int:
    """Version 1's check that a ``.npy`` belongs to its keys file: a CRC of a few rows."""
    n = vectors.shape[0]
    rows = sorted({0, n // 2, n - 1}) if n else []
    crc = zlib.crc32(np.asarray(vectors.shape, dtype="<i8").tobytes())
    for r in rows:
        crc = zlib.crc32(np.ascontiguousarray(vectors[r], dtype="<f4").tobytes(), crc)
    return crc


def _load_v1(cls: Any, f: Any, path: str, size: int, header: Dict[str, Any], pos: int,
             mmap: Optional[str]) -> "KeyedVectors":
    n, dim = _int(header, "count", "header"), _int(header, "vector_size", "header")
    payload = memoryview(f.read())
    keys, expandos = _sections(header, payload, n)
    name = header.get("vectors_file")
    if not isinstance(name, str) or not name:
        raise _Corrupt("no vectors_file in the header")
    vfile = os.path.join(os.path.dirname(os.path.abspath(path)), os.path.basename(name))
    try:
        vectors = _npy.load_file(vfile, mmap)
    except FileNotFoundError:
        raise FileNotFoundError(f"{vfile}: the vectors file of {path} is missing") from None
    if vectors.shape != (n, dim) or vectors.dtype != np.float32:
        raise ValueError(f"{vfile} holds {vectors.dtype} {vectors.shape}, expected float32 ({n}, {dim})")
    if _fingerprint(vectors) != header.get("fingerprint"):
        raise ValueError(f"{vfile} does not belong to {path} (saved by another save() call?)")
    return _make(cls, dim, keys, vectors, expandos)
