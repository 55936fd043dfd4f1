"""Progress reporting: a live status line on a terminal, plain log lines otherwise.

:class:`ProgressBar` is a training callback that reads ``model.progress`` (filled from the
trainer's atomic counters by the calling thread) each time ``on_progress`` fires. On a
terminal it redraws one line with ``\\r``; when the stream is not a terminal (a pipe, a log
file, CI) it writes an INFO record through :mod:`logging` every ``log_every`` seconds, so log
files stay readable.

:class:`LiveLineHandler` is a logging handler that prints records *above* the live line
instead of garbling it; the command line installs it on the ``fastembed`` logger.
"""
from __future__ import annotations

import logging
import shutil
import sys
import threading
import time
from typing import IO, Any, Optional

from .callbacks import CallbackAny2Vec

__all__ = [
    "LiveLine",
    "LiveLineHandler",
    "ProgressBar",
    "format_count",
    "format_duration",
    "format_training",
]

logger = logging.getLogger("fastembed.progress")


def format_count(n: float) -> str:
    """Short human form of a count or rate: 950, 12.3k, 1.23M, 4.56G."""
    n = float(n)
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= limit:
            value = n / limit
            # three significant digits: 1.23M, 12.3M, 123M
            decimals = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
            return f"{value:.{decimals}f}{suffix}"
    return f"{n:.0f}"


def format_duration(seconds: Optional[float]) -> str:
    """``m:ss`` below an hour, ``h:mm:ss`` above; ``?`` when unknown."""
    if seconds is None or seconds != seconds or seconds < 0 or seconds == float("inf"):
        return "?"
    total = int(round(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _get(p: Any, name: str, default: Any = None) -> Any:
    value = getattr(p, name, default)
    return default if value is None else value


def format_training(progress: Any, show_loss: bool = True, compact: bool = True) -> str:
    """One line describing ``model.progress`` (any object with the contract's attributes).

    ``compact`` gives the terminal form (``1.23M words/s``); otherwise the log form with
    exact figures. The loss is included when ``show_loss`` and ``progress.epoch_loss`` is set.
    """
    fraction = float(_get(progress, "fraction", 0.0))
    wps = float(_get(progress, "words_per_sec", 0.0))
    eta = _get(progress, "eta")
    phase = _get(progress, "phase", "train")
    if phase != "train":
        # e.g. the vocabulary scan: no epoch, learning rate or loss yet
        if compact:
            return (f"{phase} {100 * fraction:5.1f}%  {format_count(wps)} words/s  "
                    f"ETA {format_duration(eta)}")
        return (f"{phase}: {100 * fraction:.1f}% done, {wps:,.0f} words/s, "
                f"ETA {format_duration(eta)}")
    epoch, epochs = int(_get(progress, "epoch", 0)), int(_get(progress, "epochs", 0))
    alpha = float(_get(progress, "alpha", 0.0))
    loss = _get(progress, "epoch_loss") if show_loss else None
    if compact:
        parts = [f"epoch {epoch}/{epochs}", f"{100 * fraction:5.1f}%",
                 f"{format_count(wps)} words/s", f"lr {alpha:.6f}"]
        if loss is not None:
            parts.append(f"loss {format_count(loss)}")
        parts.append(f"ETA {format_duration(eta)}")
        return "  ".join(parts)
    parts = [f"epoch {epoch}/{epochs}", f"{100 * fraction:.1f}% done",
             f"{wps:,.0f} words/s", f"lr {alpha:.6f}"]
    if loss is not None:
        parts.append(f"loss {float(loss):.1f}")
    parts.append(f"ETA {format_duration(eta)}")
    return "training: " + ", ".join(parts)


class LiveLine:
    """A single status line redrawn in place with ``\\r`` on a terminal stream.

    Only one live line is active per process (the latest created that is still open);
    :class:`LiveLineHandler` uses it to print log records above it.
    """

    _active: Optional["LiveLine"] = None
    _lock = threading.RLock()

    def __init__(self, stream: Optional[IO[str]] = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self._text = ""

    def _width(self) -> int:
        # never wrap: a wrapped line cannot be redrawn with \r
        return max(20, shutil.get_terminal_size((80, 24)).columns - 1)

    def _draw(self, text: str) -> None:
        text = text[: self._width()]
        pad = max(0, len(self._text) - len(text))
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()
        self._text = text

    def show(self, text: str) -> None:
        """Replace the line's text."""
        with LiveLine._lock:
            other = LiveLine._active
            if other is not None and other is not self and other.stream is self.stream:
                other.clear()  # one terminal line: never draw over another's leftovers
            LiveLine._active = self
            self._draw(text)

    def clear(self) -> None:
        """Blank the line (the cursor stays at its start) and keep it active."""
        with LiveLine._lock:
            if self._text:
                self.stream.write("\r" + " " * len(self._text) + "\r")
                self.stream.flush()
                self._text = ""

    def commit(self, text: str) -> None:
        """Leave ``text`` on screen as a finished line; later ``show`` calls start a new one."""
        with LiveLine._lock:
            self._draw(text)
            self.stream.write("\n")
            self.stream.flush()
            self._text = ""

    def close(self) -> None:
        """Blank the line and stop being the active live line."""
        with LiveLine._lock:
            self.clear()
            if LiveLine._active is self:
                LiveLine._active = None

    @classmethod
    def active(cls) -> Optional["LiveLine"]:
        return cls._active


class LiveLineHandler(logging.StreamHandler):
    """A stream handler that prints each record above the active :class:`LiveLine`, if any.

    Records logged with ``extra={"live": True}`` (repeated status messages such as
    "vocabulary scan: 40%") are drawn on a transient live line instead when the stream is a
    terminal; the next ordinary record replaces that line.
    """

    def __init__(self, stream: Optional[IO[str]] = None) -> None:
        super().__init__(stream)
        self._status: Optional[LiveLine] = None

    def _tty(self) -> bool:
        isatty = getattr(self.stream, "isatty", None)
        return bool(isatty and isatty())

    def emit(self, record: logging.LogRecord) -> None:
        with LiveLine._lock:
            if getattr(record, "live", False) and self._tty():
                try:
                    if self._status is None:
                        self._status = LiveLine(self.stream)
                    self._status.show(record.getMessage())
                except Exception:
                    self.handleError(record)
                return
            if self._status is not None:  # a status line is stale once real output follows
                self._status.close()
                self._status = None
            line = LiveLine.active()
            saved = ""
            if line is not None and line.stream is self.stream and line._text:
                saved = line._text
                line.clear()
            super().emit(record)
            if saved:
                line.show(saved)

    def close(self) -> None:
        with LiveLine._lock:
            if self._status is not None:
                self._status.close()
                self._status = None
        super().close()


class ProgressBar(CallbackAny2Vec):
    """Training progress: a live line on a terminal, log lines otherwise.

    Parameters
    ----------
    stream:
        Where the live line goes (default ``sys.stderr``).
    live:
        Force (True) or forbid (False) the live line; by default it is used when ``stream``
        is a terminal.
    log_every:
        Seconds between INFO log lines when not live.
    epoch_lines:
        On a terminal, leave one finished line per epoch on screen (turn off when the
        ``fastembed`` logger already prints one per epoch).
    """

    def __init__(self, stream: Optional[IO[str]] = None, live: Optional[bool] = None,
                 log_every: float = 10.0, epoch_lines: bool = True) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if live is None:
            isatty = getattr(self.stream, "isatty", None)
            live = bool(isatty and isatty())
        self.live = live
        self.log_every = float(log_every)
        self.epoch_lines = epoch_lines
        self._line: Optional[LiveLine] = LiveLine(self.stream) if live else None
        self._last_log = float("-inf")
        self._clock = time.monotonic

    def _text(self, model: Any, compact: bool) -> str:
        show_loss = bool(getattr(model, "compute_loss", False))
        return format_training(model.progress, show_loss=show_loss, compact=compact)

    def on_train_begin(self, model: Any) -> None:
        # the first log line comes after log_every seconds, not at once
        self._last_log = self._clock()

    def on_progress(self, model: Any, fraction: float) -> None:
        if self._line is not None:
            self._line.show(self._text(model, compact=True))
            return
        now = self._clock()
        if now - self._last_log >= self.log_every:
            self._last_log = now
            logger.info("%s", self._text(model, compact=False))

    def on_epoch_end(self, model: Any) -> None:
        if self._line is not None:
            if self.epoch_lines:
                self._line.commit(self._text(model, compact=True))
            else:
                self._line.clear()

    def on_train_end(self, model: Any) -> None:
        if self._line is not None:
            self._line.close()

    def close(self) -> None:
        """Blank the live line, e.g. after an interrupted training (no on_train_end)."""
        if self._line is not None:
            self._line.close()
