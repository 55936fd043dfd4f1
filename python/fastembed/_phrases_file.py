"""The Phrases / FrozenPhrases file: a magic line, one JSON line of settings, then binary
records (u32 key length, UTF-8 key, u64 count or f64 score, little-endian) written by C++.
Never a pickle: loading runs no code from the file.  A custom scorer is named in the file
but never imported: a Phrases model saved with one is loaded with ``scoring=`` given again."""
from __future__ import annotations

import json
import os
from typing import Any, Dict, Tuple, Union

from ._atomic import atomic_write

PathLike = Union[str, "os.PathLike[str]"]

MAGIC = b"FASTEMBED-PHRASES\n"
FORMAT_VERSION = 1
_MAX_HEADER_BYTES = 64 << 20  # the header lists the connector words; nothing sane is bigger


def save(path: PathLike, header: Dict[str, Any], table: Any) -> None:
    """Writes ``header`` and the C++ ``table``'s entries (``table.write_entries(fd)``) atomically."""
    header = dict(header, format=FORMAT_VERSION, entries=len(table))
    line = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8")
    with atomic_write(path, "wb") as f:
        f.write(MAGIC + line + b"\n")
        f.flush()
        table.write_entries(f.fileno())


def read(path: PathLike) -> Tuple[Dict[str, Any], bytes, int]:
    """(header, the file's bytes, offset of the first record); ValueError for other files."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(MAGIC):
        hint = " (gensim's pickled models cannot be loaded: fastembed never unpickles)" \
            if data[:1] == b"\x80" else ""
        raise ValueError(f"{path!r} is not a fastembed phrases file{hint}")
    end = data.find(b"\n", len(MAGIC), len(MAGIC) + _MAX_HEADER_BYTES)
    if end < 0:
        raise ValueError(f"damaged phrases file {path!r}: no header line")
    try:
        header = json.loads(data[len(MAGIC):end].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"damaged phrases file {path!r}: bad header ({e})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT_VERSION:
        raise ValueError(f"{path!r}: unsupported phrases file format {header.get('format')!r}"
                         if isinstance(header, dict) else f"damaged phrases file {path!r}")
    entries = header.get("entries")
    if isinstance(entries, bool) or not isinstance(entries, int) or entries < 0:
        raise ValueError(f"damaged phrases file {path!r}: bad entry count {entries!r}")
    return header, data, end + 1


def field(header: Dict[str, Any], name: str, kinds: Any, path: PathLike) -> Any:
    """header[name], checked to be of ``kinds``."""
    value = header.get(name)
    if isinstance(value, bool) and bool not in (kinds if isinstance(kinds, tuple) else (kinds,)):
        value = None
    if not isinstance(value, kinds):
        raise ValueError(f"damaged phrases file {os.fspath(path)!r}: bad {name!r} ({value!r})")
    return value
