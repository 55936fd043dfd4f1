"""Vector files: the word2vec C tool's text and binary formats, and fastembed's native format.

word2vec files are read once, streamed through a 16 MB window (``.gz``/``.bz2``/``.xz``/
``.lzma`` decompressed on the fly, any case) and parsed in C++ with the GIL released, so peak
memory is the vectors plus one window.  A header is checked against the file size before
anything is allocated (for a compressed file, whose size is unknown, the matrix grows with the
data instead), so a damaged or hostile file fails with ``ValueError`` instead of exhausting
memory.

The native format is two files: ``path`` (keys, per-key attributes, a small JSON header) and
``path + ".vectors.npy"``, a plain ``.npy`` matrix that :func:`load_native` can memory-map.
All writes go through a temporary file renamed over the target, so an interrupted save never
leaves a half-written file behind.

The command line's file handling lives here too: :func:`detect_format` and :func:`load_vectors`
(any supported vectors file), the C tool's vocabulary files (:func:`read_vocab_file`,
:func:`write_vocab_file`) and :func:`save_model_output`.
"""
from __future__ import annotations

import contextlib
import json
import logging
import lzma
import os
import zlib
from typing import IO, TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Tuple, Union

import numpy as np

from . import _core
from ._atomic import atomic_write
from ._compression import compression_of, open_binary, open_text, wrap_binary

if TYPE_CHECKING:  # pragma: no cover
    from .vectors import KeyedVectors

logger = logging.getLogger("fastembed")

PathLike = Union[str, "os.PathLike[str]"]

#: Raised when a file ends before the data its header declares; both a ``ValueError`` and an
#: ``EOFError`` (what gensim raises in that case).
TruncatedFileError = _core.TruncatedFileError

_NATIVE_MAGIC = b"FASTEMBED-KV\n"
_NATIVE_VERSION = 1
_UNICODE_ERRORS = ("strict", "replace", "ignore")
_ROWS_PER_CHUNK = 16384  # rows formatted per call when writing word2vec files
_WINDOW_BYTES = 16 << 20  # input parsed per call when reading word2vec files
_MAX_HEADER_BYTES = 1 << 20  # a "count dim" line longer than this is not a header
_MAX_WORD_BYTES = 1 << 20  # longest word accepted (the C tool's limit is 100 bytes)

_DECOMPRESS_ERRORS = (OSError, EOFError, lzma.LZMAError, zlib.error)


class _Window:
    """A bytearray window over a stream: records are parsed from [start, filled); ``refill``
    moves the unparsed tail to the front and reads after it."""

    def __init__(self, stream: IO[bytes], size: int, path: str):
        self.stream, self.path = stream, path
        self.buf = bytearray(size)
        self.start = self.filled = 0
        self.eof = False

    def view(self) -> memoryview:
        return memoryview(self.buf)[: self.filled]

    def refill(self) -> None:
        if self.start:
            tail = self.filled - self.start
            self.buf[:tail] = self.buf[self.start : self.filled]
            self.start, self.filled = 0, tail
        target = memoryview(self.buf)
        try:
            while self.filled < len(self.buf) and not self.eof:
                got = self.stream.readinto(target[self.filled :])
                if not got:
                    self.eof = True
                else:
                    self.filled += got
        except (FileNotFoundError, PermissionError):
            raise
        except _DECOMPRESS_ERRORS as e:  # corrupt or cut compressed stream
            raise ValueError(f"cannot decompress {self.path!r}: {e}") from e
        finally:
            target.release()

    def grow(self, limit: int) -> None:
        """Double the window (a record longer than it); refuse beyond ``limit`` bytes."""
        if len(self.buf) >= limit:
            raise ValueError(f"{self.path}: a record is longer than {limit} bytes")
        bigger = bytearray(min(limit, 2 * len(self.buf)))
        bigger[: self.filled - self.start] = self.buf[self.start : self.filled]
        self.buf, self.filled, self.start = bigger, self.filled - self.start, 0


@contextlib.contextmanager
def _write_stream(path: str) -> Iterator[IO[bytes]]:
    """Atomic binary writer that compresses according to the path's extension."""
    with atomic_write(path, "wb") as raw:
        if compression_of(path) is None:
            yield raw
        else:
            with wrap_binary(raw, path, "wb") as z:
                yield z


def _check_key_for_word2vec(key: Any) -> bytes:
    word = key if isinstance(key, str) else str(key)
    if not word or " " in word or "\n" in word:
        raise ValueError(
            f"key {key!r} cannot be stored in word2vec format (empty, or contains a space or newline)"
        )
    return word.encode("utf-8")


def save_word2vec_format(
    kv: "KeyedVectors",
    path: PathLike,
    binary: bool = False,
    write_header: bool = True,
    fvocab: Optional[PathLike] = None,
    binary_newline: bool = False,
) -> None:
    """Write ``kv`` in the word2vec C tool's format, in index order (as gensim does).

    ``binary_newline=True`` ends each binary vector with a newline, as the C tool does; the
    default leaves it out, as gensim does.  Both read back with either tool.  ``fvocab``
    also writes ``word count`` lines from the ``count`` attribute.
    """
    path = os.fspath(path)
    vectors = kv.vectors
    n = len(kv.index_to_key)
    if vectors.shape != (n, kv.vector_size):
        raise ValueError(f"vectors have shape {vectors.shape}, expected ({n}, {kv.vector_size})")
    words = [_check_key_for_word2vec(k) for k in kv.index_to_key]
    if fvocab is not None:
        if "count" not in kv.expandos:
            raise ValueError("cannot write a vocabulary file: the vectors have no 'count' attribute")
        counts = kv.expandos["count"]
        with _write_stream(os.fspath(fvocab)) as f:
            f.write(b"".join(w + b" %d\n" % int(c) for w, c in zip(words, counts)))
    with _write_stream(path) as f:
        if write_header:
            f.write(f"{n} {kv.vector_size}\n".encode("ascii"))
        for start in range(0, n, _ROWS_PER_CHUNK):
            stop = min(n, start + _ROWS_PER_CHUNK)
            block = np.ascontiguousarray(vectors[start:stop], dtype=np.float32)
            f.write(_core.format_word2vec(words[start:stop], block, bool(binary), bool(binary_newline)))


def _read_vocab_counts(fvocab: str, unicode_errors: str) -> Dict[str, int]:
    counts: Dict[str, int] = {}
    with open_text(fvocab, "utf-8", unicode_errors) as fin:
        for line_no, line in enumerate(fin, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 2 or not parts[1].lstrip("+").isdigit():
                raise ValueError(f"{fvocab}:{line_no}: expected 'word count', got {line.strip()[:60]!r}")
            counts[parts[0]] = int(parts[1])
    return counts


def load_word2vec_format(
    cls,
    path: PathLike,
    binary: bool = False,
    limit: Optional[int] = None,
    unicode_errors: str = "strict",
    no_header: bool = False,
    encoding: str = "utf-8",
    fvocab: Optional[PathLike] = None,
) -> "KeyedVectors":
    """Read a word2vec C tool file (text or binary, with or without the newline after each
    binary vector).  ``limit`` reads only the first vectors; a repeated word keeps its first
    vector, as in gensim.  The ``count`` attribute is made up as ``n - index`` (gensim's
    convention) unless ``fvocab`` names a ``word count`` vocabulary file."""
    path = os.fspath(path)
    if unicode_errors not in _UNICODE_ERRORS:
        raise ValueError(f"unicode_errors must be one of {_UNICODE_ERRORS}, got {unicode_errors!r}")
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)):
            raise TypeError(f"limit must be an int or None, got {limit!r}")
        if limit < 0:
            raise ValueError(f"limit must be >= 0, got {limit}")
    if no_header and binary:
        raise ValueError("no_header is only available for text-format files")
    c_limit = int(limit) if limit else -1  # None or 0: read everything (gensim's `if limit:`)
    try:
        keys, vectors = _read_word2vec(path, bool(binary), bool(no_header), c_limit, encoding, unicode_errors)
    except TruncatedFileError as e:
        raise TruncatedFileError(f"{path}: {e}") from None
    except UnicodeDecodeError:
        raise
    except ValueError as e:
        message = str(e)
        raise ValueError(message if message.startswith(path) else f"{path}: {message}") from None
    n_read = len(keys)
    key_to_index = _core.index_dict(keys)
    if len(key_to_index) != n_read:
        keys, vectors, key_to_index = _drop_duplicates(keys, vectors, path)
    kv = cls(vectors.shape[1])
    kv.index_to_key = keys
    kv.key_to_index = key_to_index
    kv.vectors = vectors
    if fvocab is not None:
        counts = _read_vocab_counts(os.fspath(fvocab), unicode_errors)
        missing = [k for k in keys if k not in counts]
        if missing:
            logger.warning("vocabulary file %s lacks %d words, e.g. %r; their count is 0",
                           fvocab, len(missing), missing[0])
        kv.expandos["count"] = np.array([counts.get(k, 0) for k in keys], dtype=np.int64)
    else:
        kv.expandos["count"] = n_read - np.arange(len(keys), dtype=np.int64)
    return kv


def _read_word2vec(path: str, binary: bool, no_header: bool, limit: int, encoding: str,
                   errors: str) -> Tuple[List[str], np.ndarray]:
    """Stream the file through a window of ~16 MB: peak memory is the vectors plus one window,
    whatever the file's size or compression."""
    size = None if compression_of(path) else os.path.getsize(path)
    if no_header:
        n, dim = _scan_no_header(path, limit)
    with open_binary(path) as stream:
        # compressed: unknown size, start small (the window grows for a record that needs it)
        window = _Window(stream, min(_WINDOW_BYTES, 4 << 20 if size is None else size + 1), path)
        window.refill()
        if no_header:
            offset = 0
        else:
            if window.buf.find(b"\n", 0, window.filled) < 0 and not window.eof:
                raise ValueError(f"bad word2vec header: no line break in the first {window.filled} bytes")
            count, dim, offset = _core.parse_word2vec_header(window.view())
            n = count if limit < 0 else min(count, limit)
        if size is not None:  # a lying header fails here, before anything is allocated
            fits = _core.max_word2vec_records(size - offset, dim, binary)
            if n > fits:
                raise TruncatedFileError(f"header declares {n} vectors of {dim} dimensions but the file "
                                         f"can hold at most {fits}")
            capacity = n
        else:  # compressed: grow the matrix as the data arrives, never beyond twice what was read
            capacity = min(n, _core.max_word2vec_records(window.filled - offset, dim, binary))
        vectors = np.empty((capacity, dim), dtype=np.float32)
        window.start = offset
        keys: List[str] = []
        threads = max(1, min(8, os.cpu_count() or 1))
        first = 0 if binary else (1 if no_header else 2)  # record or line number of row 0
        max_record = _MAX_WORD_BYTES + (4 * dim + 2 if binary else 64 * dim)
        rows = 0
        while rows < n:
            # rows are allocated only for bytes already read (an upper bound on the records in them)
            attempt = min(n - rows, _core.max_word2vec_records(window.filled - window.start, dim, binary))
            if attempt == 0:  # not even one record's worth of bytes left
                if window.eof:
                    raise TruncatedFileError(f"file ends inside record {rows + 1}" if binary else
                                             f"file ends before line {first + rows} (fewer vectors than declared)")
                if window.start == 0 and window.filled == len(window.buf):
                    window.grow(max(_WINDOW_BYTES, max_record))  # one record fills the window
                window.refill()
                continue
            data = window.view()
            if rows + attempt > len(vectors):
                grown = np.empty((min(n, max(2 * len(vectors), rows + attempt)), dim), dtype=np.float32)
                grown[:rows] = vectors[:rows]
                vectors = grown
            end, parsed, offsets, lengths = _core.parse_word2vec_records(
                data, binary, window.start, vectors[rows : rows + attempt], first + rows, threads, not window.eof
            )
            keys += _decode(data, offsets, lengths, encoding, errors, path, rows)
            rows += parsed
            window.start = end
            del data
            if rows < n:
                if parsed == 0 and window.start == 0 and window.filled == len(window.buf):
                    window.grow(max(_WINDOW_BYTES, max_record))  # one record fills the window
                window.refill()
    return keys, vectors[:rows] if len(vectors) != rows else vectors


def _scan_no_header(path: str, limit: int) -> Tuple[int, int]:
    """gensim's first pass for header-less files: the number of lines (up to limit) and the
    number of values on the first line."""
    lines, first, last = 0, b"", b""
    with open_binary(path) as stream:
        try:
            while True:
                chunk = stream.read(_WINDOW_BYTES)
                if not chunk:
                    break
                if lines == 0 and b"\n" not in first:
                    first += chunk[: chunk.find(b"\n") + 1] if b"\n" in chunk else chunk
                    if len(first) > _MAX_HEADER_BYTES + _MAX_WORD_BYTES:
                        first = first[: _MAX_HEADER_BYTES + _MAX_WORD_BYTES]
                lines += chunk.count(b"\n")
                last = chunk[-1:]
                if 0 <= limit <= lines:
                    break
        except (FileNotFoundError, PermissionError):
            raise
        except _DECOMPRESS_ERRORS as e:
            raise ValueError(f"cannot decompress {path!r}: {e}") from e
    if last and last != b"\n":
        lines += 1  # a last line without its newline
    n = lines if limit < 0 else min(lines, limit)
    if n == 0:
        raise TruncatedFileError("empty file: no vectors")
    return n, _core.first_line_dims(first)


def _decode(buf: Any, offsets: np.ndarray, lengths: np.ndarray, encoding: str, errors: str, path: str,
            first: int) -> List[str]:
    keys, bad = _core.decode_words(buf, offsets, lengths, encoding, errors)
    if bad < 0:
        return keys
    raw = bytes(buf[int(offsets[bad]) : int(offsets[bad]) + int(lengths[bad])])
    try:
        raw.decode(encoding)
    except UnicodeDecodeError as e:
        raise UnicodeDecodeError(
            e.encoding, e.object, e.start, e.end,
            f"{e.reason} in word #{first + bad + 1} of {path} (try unicode_errors='replace' or 'ignore')",
        ) from None
    raise AssertionError("decode_words reported a word that decodes")  # pragma: no cover


def _drop_duplicates(keys: List[str], vectors: np.ndarray, path: str):
    """Keep each word's first vector (gensim's rule); warn about the others."""
    first: Dict[str, int] = {}
    keep: List[int] = []
    for i, k in enumerate(keys):
        if k not in first:
            first[k] = len(keep)
            keep.append(i)
    dups = len(keys) - len(keep)
    kept = set(keep)
    example = next(keys[i] for i in range(len(keys)) if i not in kept)
    logger.warning("%d duplicate words in %s (e.g. %r); kept the first vector of each",
                   dups, path, example)
    return [keys[i] for i in keep], np.ascontiguousarray(vectors[keep]), first


# --- native format ------------------------------------------------------------------------


def vectors_path(path: PathLike) -> str:
    """Where :func:`save_native` puts the ``.npy`` matrix belonging to ``path``."""
    return os.fspath(path) + ".vectors.npy"


def _fingerprint(vectors: np.ndarray) -> int:
    """CRC of a few rows: cheap, and enough to notice a ``.npy`` from another save."""
    n = vectors.shape[0]
    rows = sorted({0, n // 2, n - 1}) if n else []
    crc = zlib.crc32(np.asarray(vectors.shape, dtype="<i8").tobytes())
    for r in rows:
        crc = zlib.crc32(np.ascontiguousarray(vectors[r], dtype="<f4").tobytes(), crc)
    return crc


def save_native(kv: "KeyedVectors", path: PathLike) -> None:
    """Save ``kv`` as ``path`` (keys, attributes) plus ``path.vectors.npy`` (the matrix)."""
    path = os.fspath(path)
    vectors = kv.vectors
    n = len(kv.index_to_key)
    if vectors.shape != (n, kv.vector_size):
        raise ValueError(f"vectors have shape {vectors.shape}, expected ({n}, {kv.vector_size})")
    keys = kv.index_to_key
    for k in keys:
        if not isinstance(k, (str, int)) or isinstance(k, bool):
            raise TypeError(f"only str and int keys can be saved, got {type(k).__name__} {k!r}")
    if len(set(keys)) != n:
        raise ValueError("index_to_key holds repeated keys")
    if all(type(k) is str and "\n" not in k for k in keys):
        # one key per line: split("\n") reads 400,000 keys in ~10 ms
        keys_blob, keys_encoding = "\n".join(keys).encode("utf-8"), "lines"
    else:  # int keys, or keys with newlines
        keys_blob, keys_encoding = json.dumps(keys, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), "json"
    sections = [keys_blob]
    offset = len(keys_blob)
    expandos: Dict[str, Any] = {}
    for name, arr in kv.expandos.items():
        arr = np.asarray(arr)
        if arr.shape != (n,):
            raise ValueError(f"attribute {name!r} has shape {arr.shape}, expected ({n},)")
        if arr.dtype == object:
            blob = json.dumps(arr.tolist(), ensure_ascii=False).encode("utf-8")
            expandos[name] = {"dtype": "json", "offset": offset, "nbytes": len(blob)}
        else:
            le = arr.astype(arr.dtype.newbyteorder("<"), copy=False)
            blob = np.ascontiguousarray(le).tobytes()
            expandos[name] = {"dtype": le.dtype.str, "offset": offset, "nbytes": len(blob)}
        sections.append(blob)
        offset += len(blob)
    header = {
        "format_version": _NATIVE_VERSION,
        "count": n,
        "vector_size": int(kv.vector_size),
        "vectors_file": os.path.basename(vectors_path(path)),
        "fingerprint": _fingerprint(vectors),
        "keys": {"offset": 0, "nbytes": len(keys_blob), "encoding": keys_encoding},
        "expandos": expandos,
    }
    # The matrix first: if the keys file cannot be written, the old keys file still fails
    # its fingerprint check against the new matrix instead of silently mismatching.
    with atomic_write(vectors_path(path), "wb") as f:
        np.lib.format.write_array(f, np.asarray(vectors, dtype=np.float32), allow_pickle=False)
    with atomic_write(path, "wb") as f:
        f.write(_NATIVE_MAGIC)
        f.write(json.dumps(header, separators=(",", ":")).encode("utf-8") + b"\n")
        for blob in sections:
            f.write(blob)


def load_native(cls, path: PathLike, mmap: Optional[str] = None) -> "KeyedVectors":
    """Load a :func:`save_native` pair; ``mmap='r'`` maps the matrix read-only instead of
    reading it."""
    path = os.fspath(path)
    if mmap not in (None, "r", "r+", "c"):
        raise ValueError(f"mmap must be None, 'r', 'r+' or 'c', got {mmap!r}")
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(_NATIVE_MAGIC):
        hint = " (it looks like a pickle, e.g. a gensim save; use load_word2vec_format on a " \
               "word2vec export instead)" if data[:1] == b"\x80" else ""
        raise ValueError(f"{path} is not a fastembed KeyedVectors file{hint}")
    end = data.find(b"\n", len(_NATIVE_MAGIC))
    try:
        if end < 0:
            raise ValueError("no header line")
        header = json.loads(data[len(_NATIVE_MAGIC) : end].decode("utf-8"))
        if header.get("format_version") != _NATIVE_VERSION:
            raise ValueError(f"unsupported format version {header.get('format_version')!r}")
        n, dim = int(header["count"]), int(header["vector_size"])
        payload = memoryview(data)[end + 1 :]

        def section(spec) -> memoryview:
            off, size = int(spec["offset"]), int(spec["nbytes"])
            if off < 0 or size < 0 or off + size > len(payload):
                raise ValueError("section outside the file (truncated?)")
            return payload[off : off + size]

        text = bytes(section(header["keys"])).decode("utf-8")
        if header["keys"]["encoding"] == "lines":
            keys = text.split("\n") if n else []
        else:
            keys = json.loads(text)
            if not isinstance(keys, list) or not all(isinstance(k, (str, int)) for k in keys):
                raise ValueError("keys must be a list of str and int")
        if len(keys) != n:
            raise ValueError(f"expected {n} keys, found {len(keys)}")
        expandos = {}
        for name, spec in header["expandos"].items():
            if spec["dtype"] == "json":
                values = json.loads(bytes(section(spec)).decode("utf-8"))
                arr = np.empty(len(values), dtype=object)
                arr[:] = values
            else:
                dtype = np.dtype(spec["dtype"])
                if dtype.hasobject:
                    raise ValueError(f"bad dtype for attribute {name!r}")
                arr = np.frombuffer(section(spec), dtype=dtype).astype(dtype.newbyteorder("="))
            if arr.shape != (n,):
                raise ValueError(f"attribute {name!r} has {arr.shape[0]} values, expected {n}")
            expandos[name] = arr
        vfile = os.path.join(os.path.dirname(os.path.abspath(path)), os.path.basename(header["vectors_file"]))
    except (KeyError, TypeError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{path}: corrupt fastembed KeyedVectors header: {e}") from None
    except ValueError as e:
        raise ValueError(f"{path}: corrupt fastembed KeyedVectors file: {e}") from None
    try:
        vectors = np.load(vfile, mmap_mode=mmap, allow_pickle=False)
    except FileNotFoundError:
        raise FileNotFoundError(f"{vfile}: the vectors file of {path} is missing") from None
    if vectors.shape != (n, dim) or vectors.dtype != np.float32:
        raise ValueError(f"{vfile} holds {vectors.dtype} {vectors.shape}, expected float32 ({n}, {dim})")
    if _fingerprint(vectors) != header["fingerprint"]:
        raise ValueError(f"{vfile} does not belong to {path} (saved by another save() call?)")
    kv = cls(dim)
    kv.index_to_key = keys
    kv.key_to_index = None  # built on first use
    kv.vectors = vectors
    kv.expandos = expandos
    return kv


# --- what the command line reads and writes ----------------------------------------------


def detect_format(path: str) -> str:
    """Guess a vectors file's format: ``"text"``, ``"binary"`` (word2vec), ``"glove"`` (word2vec
    text without the header line, as GloVe writes it) or ``"native"``.

    A word2vec file starts with a ``count dims`` line; its first record is text when the
    rest of that record's line holds ``dims`` numbers, binary otherwise.  A GloVe file's
    complete lines in the first 64 KB are each a word and the same number of numbers.
    """
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such file: {path!r}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"expected a file, got a directory: {path!r}")
    with open_binary(path) as f:  # a compressed file is judged by its content
        head = f.read(1 << 16)
    first, sep, rest = head.partition(b"\n")
    fields = first.split()
    if not sep or len(fields) != 2 or not all(x.isdigit() for x in fields):
        return "glove" if _looks_like_glove(head) else "native"
    dims = int(fields[1])
    _word, sep, record = rest.lstrip(b"\n").partition(b" ")
    if not sep:
        return "text"  # header only, or a word without values: let the text reader complain
    numbers = record.split(b"\n", 1)[0].split()
    if len(numbers) == dims:
        try:
            [float(x) for x in numbers]
            return "text"
        except ValueError:
            pass
    return "binary"


def _looks_like_glove(head: bytes) -> bool:
    lines = head.split(b"\n")[:-1][:50]  # complete lines only
    width = len(lines[0].split()) if lines else 0
    if width < 2:
        return False
    for line in lines:
        fields = line.split()
        if len(fields) != width:
            return False
        try:
            [float(x) for x in fields[1:]]
        except ValueError:
            return False
    return True


def load_vectors(path: str) -> Any:
    """Load a ``fastembed.KeyedVectors`` from any format the command line accepts: word2vec
    text or binary (possibly compressed), a ``KeyedVectors.save`` file or a ``Word2Vec.save``
    model."""
    from .vectors import KeyedVectors

    fmt = detect_format(path)
    if fmt in ("text", "binary", "glove"):
        return KeyedVectors.load_word2vec_format(path, binary=(fmt == "binary"), no_header=(fmt == "glove"))
    with open(path, "rb") as f:
        magic = f.read(16)
    if magic.startswith(_NATIVE_MAGIC):
        return KeyedVectors.load(path, mmap="r")  # read-only queries: no need to copy
    if magic.startswith(b"PK"):  # a model's save: a numpy .npz (zip) archive
        from .doc2vec import Doc2Vec
        from .model import Word2Vec
        cls = Doc2Vec if _model_format(path) == Doc2Vec._FORMAT else Word2Vec
        return cls.load(path).wv
    raise ValueError(f"{path!r} is not a vectors file: expected word2vec text or binary "
                     "(a 'count dims' first line), or a fastembed KeyedVectors/Word2Vec save")


def _model_format(path: str) -> Optional[str]:
    """The format marker of a model save (only its small parameters member is read)."""
    try:
        with np.load(path, allow_pickle=False) as z:
            return json.loads(bytes(z["params"]).decode("utf-8")).get("format")
    except Exception:  # not ours, or damaged: the model loader says what is wrong
        return None


def read_vocab_file(path: str) -> Dict[str, int]:
    """Read a C-tool vocabulary file (``word count`` per line) into a dict.

    The C tool's sentence marker ``</s>`` is skipped: fastembed ends sentences at newlines
    without giving them a vector.
    """
    counts: Dict[str, int] = {}
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            fields = raw.split()
            if not fields:
                continue
            if len(fields) != 2:
                raise ValueError(f"{path}:{lineno}: expected 'word count', got {raw[:80]!r}")
            try:
                word, count = fields[0].decode("utf-8"), int(fields[1])
            except (UnicodeDecodeError, ValueError):
                raise ValueError(f"{path}:{lineno}: expected 'word count', "
                                 f"got {raw[:80]!r}") from None
            if count < 0:
                raise ValueError(f"{path}:{lineno}: negative count {count}")
            if word == "</s>":
                continue
            counts[word] = counts.get(word, 0) + count
    if not counts:
        raise ValueError(f"{path}: the vocabulary file has no words")
    return counts


def write_vocab_file(path: str, model: Any) -> None:
    """Write the model's vocabulary as the C tool does: ``</s>`` first, then ``word count``."""
    counts = model.wv.expandos["count"]
    with atomic_write(path, "wb") as f:
        f.write(f"</s> {int(getattr(model, 'corpus_count', 0) or 0)}\n".encode("utf-8"))
        for word, count in zip(model.wv.index_to_key, counts):
            f.write(f"{word} {int(count)}\n".encode("utf-8"))


def save_model_output(model: Any, path: str, fmt: str) -> None:
    """Write the trained vectors in ``fmt`` (the writers replace ``path`` atomically)."""
    if fmt == "native":
        model.save(path)
    else:
        model.wv.save_word2vec_format(path, binary=(fmt == "binary"))
