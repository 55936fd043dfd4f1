"""Benchmark corpus preparation: decompress once, derive a line-split copy and a prefix.

Every derived file lives in bench/cache/ (git-ignored) and is written to a temporary name and
renamed, so an interrupted run never leaves a truncated corpus that a later run would reuse.
Word counts are cached in a small sidecar file ``<file>.words`` so they are computed once.
"""
from __future__ import annotations

import bz2
import gzip
import lzma
import os
from pathlib import Path
from typing import BinaryIO, Iterator

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
CACHE_DIR = BENCH_DIR / "cache"
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "data" / "enwiki-2015-text8like.xz"
EVAL_DIR_CANDIDATES = (
    REPO_ROOT.parent / "shared" / "data" / "eval",
    REPO_ROOT / "python" / "fastembed" / "data" / "eval",
)

_CHUNK = 1 << 24  # 16 MiB reads keep memory flat for any corpus size


def eval_dir() -> Path:
    """Directory holding questions-words.txt, wordsim353.tsv and simlex999.txt."""
    for d in EVAL_DIR_CANDIDATES:
        if (d / "questions-words.txt").is_file():
            return d
    raise FileNotFoundError(f"no evaluation sets in any of {[str(d) for d in EVAL_DIR_CANDIDATES]}")


def _open_any(path: Path) -> BinaryIO:
    suffix = path.suffix.lower()
    if suffix == ".xz":
        return lzma.open(path, "rb")
    if suffix == ".gz":
        return gzip.open(path, "rb")
    if suffix == ".bz2":
        return bz2.open(path, "rb")
    return open(path, "rb")


def _tmp_for(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def _iter_words(path: Path) -> Iterator[bytes]:
    """Yield whitespace-separated tokens, streaming, never holding the whole file."""
    tail = b""
    with _open_any(path) as f:
        while True:
            chunk = f.read(_CHUNK)
            if not chunk:
                break
            parts = (tail + chunk).split()
            # the last token may continue in the next chunk unless the chunk ended in whitespace
            if chunk[-1:].isspace() or not parts:
                tail = b""
            else:
                tail = parts.pop()
            yield from parts
    if tail:
        yield tail


def plain_corpus(src: Path) -> Path:
    """Return a plain-text version of ``src``: itself if uncompressed, else a cached copy."""
    src = Path(src).resolve()
    if not src.is_file():
        raise FileNotFoundError(f"corpus not found: {src}")
    if src.suffix.lower() not in (".xz", ".gz", ".bz2"):
        return src
    target = CACHE_DIR / (src.stem if src.stem.endswith(".txt") else src.stem + ".txt")
    if target.is_file():
        return target
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_for(target)
    with _open_any(src) as fin, open(tmp, "wb") as fout:
        while True:
            chunk = fin.read(_CHUNK)
            if not chunk:
                break
            fout.write(chunk)
    os.replace(tmp, target)
    return target


def _write_words(words: Iterator[bytes], target: Path, per_line: int | None, limit: int | None) -> int:
    """Write tokens to ``target`` atomically: ``per_line`` words a line, or one line if None."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_for(target)
    n = 0
    buf: list[bytes] = []
    with open(tmp, "wb") as out:
        for w in words:
            if limit is not None and n >= limit:
                break
            buf.append(w)
            n += 1
            if per_line is not None and len(buf) == per_line:
                out.write(b" ".join(buf) + b"\n")
                buf = []
            elif per_line is None and len(buf) == 1_000_000:
                out.write(b" ".join(buf) + b" ")
                buf = []
        if buf:
            out.write(b" ".join(buf))
            if per_line is not None:
                out.write(b"\n")
    os.replace(tmp, target)
    _store_count(target, n)
    return n


def _count_file(path: Path) -> Path:
    return path.with_name(path.name + ".words")


def _store_count(path: Path, n: int) -> None:
    _count_file(path).write_text(f"{n}\n")


def word_count(path: Path) -> int:
    """Number of whitespace-separated tokens in ``path`` (cached in a sidecar file)."""
    path = Path(path)
    side = _count_file(path)
    if path.parent == CACHE_DIR and side.is_file() and side.stat().st_mtime >= path.stat().st_mtime:
        return int(side.read_text())
    n = sum(1 for _ in _iter_words(path))
    if path.parent == CACHE_DIR:
        _store_count(path, n)
    return n


def prefix_corpus(plain: Path, n_words: int) -> Path:
    """One-line copy of the first ``n_words`` tokens of ``plain`` (for --quick runs)."""
    target = CACHE_DIR / f"{plain.stem}.prefix{n_words}.txt"
    if not target.is_file():
        _write_words(_iter_words(plain), target, per_line=None, limit=n_words)
    return target


def line_split_corpus(plain: Path, per_line: int = 1000) -> Path:
    """Copy of ``plain`` with ``per_line`` words per line, for trainers that read by line
    (gensim's corpus_file mode trains almost nothing from a single 100 MB line)."""
    target = CACHE_DIR / f"{plain.stem}.lines{per_line}.txt"
    if not target.is_file():
        _write_words(_iter_words(plain), target, per_line=per_line, limit=None)
    return target
