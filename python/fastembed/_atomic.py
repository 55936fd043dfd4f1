"""Atomic file writes: write to a temporary file beside the target, then rename over it, so an
interrupted save never destroys the previous file.

Temporary files are named ``.NAME.PID-RANDOM.tmp`` beside the target ``NAME`` (hidden, and
carrying the writer's process id).  A failed write removes its own; a write killed outright
(SIGKILL, power loss) cannot, so every later save to the same target first removes the
``.NAME.*.tmp`` files whose process no longer exists.

:func:`atomic_write_set` writes several files that belong together: all are written and
flushed to disk before the first rename, and an exception before the commit removes every
temporary file, leaving all the old files untouched.  Where one file names or checks the others
(fastembed's own formats are one file each, so this is only the word2vec ``fvocab`` pair) the
last path given is renamed last.

The fault-injection hook: with ``FASTEMBED_FAULT_STEP=N`` in the environment, the process kills
itself with SIGKILL at the N-th file-system step of a save (create, write, flush, rename,
directory sync, clean-up), numbered from 1 in the process.  ``tests/test_atomic_saves.py``
uses it to show that a kill at any step leaves the old or the new file set loadable.
"""
from __future__ import annotations

import contextlib
import errno
import glob
import os
import signal
import tempfile
from typing import IO, Any, Iterator, List, Sequence, Union

PathLike = Union[str, "os.PathLike[str]"]


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp creates files readable by the owner only; saved files get the usual permissions.
_FILE_MODE = 0o666 & ~_read_umask()

_FAULT_AT = int(os.environ.get("FASTEMBED_FAULT_STEP", "0") or 0)
_steps = 0


def fault_point(what: str) -> None:
    """One file-system step of a save: the test hook may kill the process here."""
    global _steps
    if _FAULT_AT:
        _steps += 1
        if _steps == _FAULT_AT:
            os.kill(os.getpid(), signal.SIGKILL)


class _HookedFile:
    """A file whose writes are fault points (np.savez and zipfile write through it) and whose
    write errors name the target (a full disk says which save failed)."""

    def __init__(self, f: IO[bytes], target: str):
        self._f, self._target = f, target

    def write(self, data: Any) -> int:
        try:
            fault_point("write")
            return self._f.write(data)
        except OSError as e:
            err = _with_path(e, self._target)
            if err is e:
                raise
            raise err from e

    def __getattr__(self, name: str) -> Any:
        return getattr(self._f, name)


def temp_pattern(path: PathLike) -> str:
    """The glob of the temporary files of saves to ``path``."""
    path = os.path.abspath(os.fspath(path))
    return os.path.join(glob.escape(os.path.dirname(path)), "." + glob.escape(os.path.basename(path)) + ".*.tmp")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_stale_temps(path: PathLike) -> List[str]:
    """Remove the temporary files of killed saves to ``path`` (their process is gone); returns
    what was removed.  Temporary files of saves still running are left alone."""
    removed = []
    prefix = "." + os.path.basename(os.fspath(path)) + "."
    for tmp in glob.glob(temp_pattern(path)):
        pid_part = os.path.basename(tmp)[len(prefix):].split("-", 1)[0]
        if not pid_part.isdigit() or int(pid_part) == os.getpid() or _alive(int(pid_part)):
            continue
        with contextlib.suppress(OSError):
            os.unlink(tmp)
            removed.append(tmp)
    return removed


def _check_target(path: str) -> str:
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"directory does not exist: {directory!r}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"cannot save to {path!r}: it is a directory")
    return directory


def _fsync_dir(directory: str) -> None:
    """Make the renames durable (a crash after the save returns keeps the new file)."""
    fault_point("fsync-dir")
    with contextlib.suppress(OSError):  # some file systems cannot open or sync a directory
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _with_path(e: OSError, path: str) -> OSError:
    """An OSError that names the target (ENOSPC and EDQUOT say "disk full" in words)."""
    if getattr(e, "_names_target", False) or getattr(e, "filename", None):
        return e
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        err = type(e)(e.errno, f"no space left on the device while writing {path!r} "
                      "(the previous file, if any, is unchanged)")
    else:
        err = type(e)(e.errno, f"{e.strerror or e} while writing {path!r}")
    err._names_target = True  # type: ignore[attr-defined]
    return err


@contextlib.contextmanager
def atomic_write_set(paths: Sequence[PathLike], mode: str = "wb") -> Iterator[List[IO]]:
    """Open one temporary file per path; on success all replace their targets (in the order
    given, after all are on disk).  On any exception (KeyboardInterrupt included) every
    temporary file is removed and the old files are untouched."""
    targets = [os.fspath(p) for p in paths]
    dirs = [_check_target(p) for p in targets]
    for p in targets:
        remove_stale_temps(p)
    temps: List[str] = []
    files: List[IO] = []
    committed = 0
    try:
        for p, d in zip(targets, dirs):
            fault_point("create")
            fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(p)}.{os.getpid()}-", suffix=".tmp", dir=d)
            temps.append(tmp)
            os.fchmod(fd, _FILE_MODE)
            files.append(os.fdopen(fd, mode))
        yield [_HookedFile(f, p) if "b" in mode else f for f, p in zip(files, targets)]
        for f in files:
            fault_point("flush")
            f.flush()
            os.fsync(f.fileno())
            f.close()
        for tmp, p in zip(temps, targets):
            fault_point("rename")
            os.replace(tmp, p)
            committed += 1
        for d in sorted(set(dirs)):
            _fsync_dir(d)
    except OSError as e:
        _discard(files, temps[committed:])
        err = _with_path(e, targets[min(committed, len(targets) - 1)])
        if err is e:
            raise
        raise err from e
    except BaseException:
        _discard(files, temps[committed:])
        raise


def _discard(files: List[IO], temps: List[str]) -> None:
    for f in files:
        with contextlib.suppress(OSError, ValueError):
            f.close()
    for tmp in temps:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


@contextlib.contextmanager
def atomic_write(path: PathLike, mode: str = "wb") -> Iterator[IO]:
    """Open a temporary file next to ``path``; on success it replaces ``path`` atomically.

    On any exception (including KeyboardInterrupt) the temporary file is removed and the
    original ``path``, if any, is left untouched.
    """
    with atomic_write_set([path], mode) as (f,):
        yield f


def check_writable(path: PathLike) -> None:
    """Raise now if a save to ``path`` could not create its temporary file (a missing or
    read-only folder, a read-only file system), e.g. before a long training run."""
    target = os.fspath(path)
    directory = _check_target(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.{os.getpid()}-", suffix=".tmp", dir=directory)
    except OSError as e:
        raise type(e)(e.errno, f"cannot write {target!r}: {e.strerror}") from None
    os.close(fd)
    os.unlink(tmp)
