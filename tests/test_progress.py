"""Progress line and log lines (fastembed.progress), driven by fake progress objects."""
from __future__ import annotations

import io
import logging
from types import SimpleNamespace

import pytest

from fastembed.progress import (LiveLine, LiveLineHandler, ProgressBar, format_count,
                                format_duration, format_training)


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def fake_model(**overrides):
    progress = dict(epoch=2, epochs=5, fraction=0.431, words_done=4_310_000,
                    words_total=10_000_000, words_per_sec=1_234_567.0, alpha=0.021305,
                    epoch_loss=1_234_567.8, elapsed=3.5, eta=12.4)
    progress.update(overrides)
    return SimpleNamespace(progress=SimpleNamespace(**progress), compute_loss=True)


@pytest.mark.parametrize("n, text", [
    (0, "0"), (950, "950"), (1_000, "1.00k"), (12_345, "12.3k"), (999_499, "999k"),
    (1_234_567, "1.23M"), (45_600_000, "45.6M"), (4_560_000_000, "4.56G"),
])
def test_format_count(n, text):
    assert format_count(n) == text


@pytest.mark.parametrize("seconds, text", [
    (None, "?"), (float("nan"), "?"), (float("inf"), "?"), (-1, "?"),
    (0, "0:00"), (12.4, "0:12"), (65, "1:05"), (3599.6, "1:00:00"), (3725, "1:02:05"),
])
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


def test_format_training_compact_and_log_forms():
    p = fake_model().progress
    assert format_training(p) == ("epoch 2/5   43.1%  1.23M words/s  lr 0.021305  "
                                  "loss 1.23M  ETA 0:12")
    assert format_training(p, compact=False) == (
        "training: epoch 2/5, 43.1% done, 1,234,567 words/s, lr 0.021305, "
        "loss 1234567.8, ETA 0:12")
    assert "loss" not in format_training(p, show_loss=False)
    # no loss tracked (None): no loss column even when asked
    assert "loss" not in format_training(fake_model(epoch_loss=None).progress)


def test_format_training_other_phase():
    p = fake_model(phase="vocabulary", fraction=0.5, eta=4).progress
    assert format_training(p) == "vocabulary  50.0%  1.23M words/s  ETA 0:04"


def test_live_bar_redraws_one_line_and_clears_at_end():
    tty = FakeTTY()
    bar = ProgressBar(stream=tty, epoch_lines=False)
    assert bar.live
    model = fake_model()
    bar.on_train_begin(model)
    bar.on_progress(model, 0.431)
    first = tty.getvalue()
    assert first == "\r" + format_training(model.progress)
    model.progress.eta = 1.0
    model.progress.epoch_loss = None  # shorter text: padded over the old one
    bar.on_progress(model, 0.5)
    second = tty.getvalue()[len(first):]
    new_text = format_training(model.progress)
    assert second == "\r" + new_text + " " * (len(first) - 1 - len(new_text))
    assert "\n" not in tty.getvalue()
    bar.on_epoch_end(model)  # epoch_lines=False: the line is blanked, nothing kept
    bar.on_train_end(model)
    assert tty.getvalue().endswith("\r")
    assert "\n" not in tty.getvalue()
    assert LiveLine.active() is None


def test_live_bar_keeps_one_line_per_epoch():
    tty = FakeTTY()
    bar = ProgressBar(stream=tty, epoch_lines=True)
    model = fake_model()
    for epoch in (1, 2):
        model.progress.epoch = epoch
        bar.on_progress(model, epoch / 2)
        bar.on_epoch_end(model)
    bar.on_train_end(model)
    lines = tty.getvalue().split("\n")
    assert len(lines) == 3  # two committed epoch lines, then the blanked live line
    assert lines[0].rstrip().endswith(format_training(model.progress).replace(
        "epoch 2/5", "epoch 1/5"))
    assert "epoch 2/5" in lines[1]


def test_not_a_tty_logs_at_most_every_log_every_seconds(caplog):
    stream = io.StringIO()
    bar = ProgressBar(stream=stream, log_every=10.0)
    assert not bar.live
    now = [100.0]
    bar._clock = lambda: now[0]
    model = fake_model()
    caplog.set_level(logging.INFO, logger="fastembed.progress")
    bar.on_train_begin(model)
    for t in (100.5, 105, 110.0, 115, 119.9, 120.1, 200):
        now[0] = t
        bar.on_progress(model, 0.5)
    messages = [r.getMessage() for r in caplog.records if r.name == "fastembed.progress"]
    assert len(messages) == 3  # at 110.0, 120.1 and 200
    assert messages[0] == format_training(model.progress, compact=False)
    assert "words/s" in messages[0]
    assert stream.getvalue() == ""  # nothing written to the stream itself


def test_loss_hidden_when_model_does_not_compute_it():
    tty = FakeTTY()
    model = fake_model()
    model.compute_loss = False
    ProgressBar(stream=tty).on_progress(model, 0.4)
    assert "loss" not in tty.getvalue()


def test_log_records_are_printed_above_the_live_line():
    tty = FakeTTY()
    handler = LiveLineHandler(tty)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log = logging.getLogger("fastembed.test_progress")
    log.addHandler(handler)
    log.propagate = False
    log.setLevel(logging.INFO)
    line = LiveLine(tty)
    try:
        line.show("epoch 1/5 10%")
        log.info("vocabulary: 123 words")
        # blanked, the record on its own line, then the live line drawn again
        assert tty.getvalue() == ("\repoch 1/5 10%" + "\r" + " " * 13 + "\r"
                                  + "vocabulary: 123 words\n" + "\repoch 1/5 10%")
    finally:
        line.close()
        log.removeHandler(handler)
    assert LiveLine.active() is None


def test_live_line_is_cut_to_the_terminal_width(monkeypatch):
    import shutil
    monkeypatch.setattr(shutil, "get_terminal_size", lambda fallback=None: SimpleNamespace(
        columns=30, lines=24))
    tty = FakeTTY()
    line = LiveLine(tty)
    line.show("x" * 100)
    line.close()
    assert tty.getvalue().startswith("\r" + "x" * 29 + "\r")


def test_live_records_use_a_transient_line_on_a_terminal():
    tty = FakeTTY()
    handler = LiveLineHandler(tty)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log = logging.getLogger("fastembed.test_progress_live")
    log.addHandler(handler)
    log.propagate = False
    log.setLevel(logging.INFO)
    try:
        log.info("vocabulary scan: %d%%", 40, extra={"live": True})
        log.info("vocabulary scan: %d%%", 80, extra={"live": True})
        log.info("vocabulary: 10 words")
        # the status is redrawn in place, then blanked for good by the ordinary record
        assert tty.getvalue() == ("\rvocabulary scan: 40%" + "\rvocabulary scan: 80%"
                                  + "\r" + " " * 20 + "\r" + "INFO vocabulary: 10 words\n")
    finally:
        log.removeHandler(handler)
        handler.close()
    # not a terminal: live records are ordinary log lines
    plain = io.StringIO()
    handler = LiveLineHandler(plain)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)
    try:
        log.info("vocabulary scan: 40%", extra={"live": True})
        assert plain.getvalue() == "vocabulary scan: 40%\n"
    finally:
        log.removeHandler(handler)
        handler.close()
