"""Callbacks, loss and Ctrl-C with the real trainer, on slices of the shipped sample corpus."""
from __future__ import annotations

import io
import lzma
import math
import os
import signal
import threading
import time

import numpy as np
import pytest

import fastembed
from fastembed import Word2Vec
from fastembed.callbacks import CallbackAny2Vec, LossHistory
from fastembed.demo import SAMPLE_CORPUS
from fastembed.progress import LiveLine, ProgressBar


def write_prefix(path, words):
    """The first ``words`` words of the shipped sample as a plain one-line file."""
    with lzma.open(SAMPLE_CORPUS, "rb") as f:
        data = f.read(words * 8)
    tokens = data.split()[:words]
    path.write_bytes(b" ".join(tokens) + b"\n")
    return str(path)


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    return write_prefix(tmp_path_factory.mktemp("corpus") / "small.txt", 100_000)


@pytest.fixture(scope="module")
def full_corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("corpus") / "full.txt"
    with lzma.open(SAMPLE_CORPUS, "rb") as src, open(path, "wb") as dst:
        dst.write(src.read())
    return str(path)


class Recorder(CallbackAny2Vec):
    def __init__(self):
        self.events = []
        self.fractions = []
        self.times = []

    def on_train_begin(self, model):
        self.events.append(("train_begin", model.progress.epoch))

    def on_epoch_begin(self, model):
        self.events.append(("epoch_begin", model.progress.epoch))

    def on_progress(self, model, fraction):
        self.events.append(("progress", model.progress.epoch))
        self.fractions.append(fraction)
        self.times.append(time.monotonic())

    def on_epoch_end(self, model):
        self.events.append(("epoch_end", model.progress.epoch))

    def on_train_end(self, model):
        self.events.append(("train_end", model.progress.epoch))


def test_exported_from_the_package():
    assert fastembed.CallbackAny2Vec is CallbackAny2Vec


def test_base_class_hooks_do_nothing():
    cb = CallbackAny2Vec()
    for hook in ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
                 "on_batch_begin", "on_batch_end"):
        assert getattr(cb, hook)(object()) is None
    assert cb.on_progress(object(), 0.5) is None


def test_hooks_are_called_in_gensim_order(small_corpus):
    rec = Recorder()
    model = Word2Vec(corpus_file=small_corpus, epochs=3, workers=2, min_count=2,
                     callbacks=[rec])
    # progress events vary in number; without them the sequence is fixed
    skeleton = [e for e in rec.events if e[0] != "progress"]
    assert skeleton == [("train_begin", 0),
                        ("epoch_begin", 1), ("epoch_end", 1),
                        ("epoch_begin", 2), ("epoch_end", 2),
                        ("epoch_begin", 3), ("epoch_end", 3),
                        ("train_end", 3)]
    # at least one progress report per epoch, the last one just before its epoch_end
    for epoch in (1, 2, 3):
        i = rec.events.index(("epoch_end", epoch))
        assert rec.events[i - 1] == ("progress", epoch)
    assert all(0.0 <= f <= 1.0 for f in rec.fractions)
    assert rec.fractions == sorted(rec.fractions)
    assert rec.fractions[-1] == pytest.approx(1.0)
    assert model.progress.fraction == pytest.approx(1.0)
    assert model.progress.epoch == model.progress.epochs == 3


def test_callbacks_given_to_train_are_called_too(small_corpus):
    in_init, in_train = Recorder(), Recorder()
    model = Word2Vec(epochs=2, workers=1, min_count=2, callbacks=[in_init])
    model.build_vocab(corpus_file=small_corpus)
    model.train(corpus_file=small_corpus, total_examples=model.corpus_count,
                epochs=2, callbacks=[in_train])
    for rec in (in_init, in_train):
        assert [e for e in rec.events if e[0] == "epoch_end"] == [("epoch_end", 1),
                                                                  ("epoch_end", 2)]


def test_loss_is_positive_and_falls(small_corpus):
    history = LossHistory()
    model = Word2Vec(corpus_file=small_corpus, epochs=3, workers=2, min_count=2, sg=1,
                     compute_loss=True, callbacks=[history], seed=3)
    losses = history.losses
    assert len(losses) == 3
    assert all(math.isfinite(x) and x > 0 for x in losses)
    assert losses[2] < losses[0]
    # gensim's meaning: the whole latest train() call
    assert model.get_latest_training_loss() == pytest.approx(sum(losses), rel=1e-12)


def test_a_failing_callback_stops_training(small_corpus):
    class Boom(CallbackAny2Vec):
        def on_epoch_end(self, model):
            raise RuntimeError("boom")

    model = Word2Vec(epochs=3, workers=2, min_count=2, callbacks=[Boom()])
    model.build_vocab(corpus_file=small_corpus)
    with pytest.raises(RuntimeError, match="boom"):
        model.train(corpus_file=small_corpus, total_examples=model.corpus_count, epochs=3)
    assert model.progress.epoch == 1
    assert np.isfinite(model.wv.vectors).all()


def test_on_progress_at_most_about_once_a_second(full_corpus):
    class Timed(CallbackAny2Vec):
        def __init__(self):
            self.calls = []  # (time, epoch), then the epoch-end report marked with None

        def on_progress(self, model, fraction):
            self.calls.append((time.monotonic(), model.progress.epoch))

        def on_epoch_end(self, model):
            self.calls[-1] = (self.calls[-1][0], None)

    rec = Timed()
    start = time.monotonic()
    # Skip-gram without sub-sampling: each epoch takes seconds, so mid-epoch reports must appear.
    Word2Vec(corpus_file=full_corpus, epochs=3, workers=1, callbacks=[rec], sample=0, sg=1)
    elapsed = time.monotonic() - start
    assert sum(epoch is None for _, epoch in rec.calls) == 3  # one report at each epoch end
    assert len(rec.calls) <= elapsed + 3
    mid = [(t, epoch) for t, epoch in rec.calls if epoch is not None]
    assert len(mid) >= 2, "training too quick to see periodic reports"
    gaps = [b[0] - a[0] for a, b in zip(mid, mid[1:]) if a[1] == b[1]]
    assert all(g >= 0.9 for g in gaps), gaps


def test_progress_bar_on_a_terminal_during_real_training(small_corpus):
    class TTY(io.StringIO):
        def isatty(self):
            return True

    tty = TTY()
    Word2Vec(corpus_file=small_corpus, epochs=2, workers=2, min_count=2, compute_loss=True,
             callbacks=[ProgressBar(stream=tty)])
    lines = tty.getvalue().split("\n")
    assert len(lines) == 3  # one finished line per epoch, then the blanked live line
    assert "epoch 1/2" in lines[0] and "epoch 2/2" in lines[1]
    assert all("100.0%" in line or "50.0%" in line for line in lines[:2])
    assert all("words/s" in line and "loss" in line and "lr" in line for line in lines[:2])
    assert lines[2].strip() == ""
    assert LiveLine.active() is None


def test_sigint_stops_training_quickly_and_leaves_a_usable_model(full_corpus, small_corpus):
    model = Word2Vec(epochs=50, workers=2, min_count=5)
    model.build_vocab(corpus_file=full_corpus)
    sent = []

    def interrupt():
        sent.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Timer(1.5, interrupt)
    # Under a runner that ignores SIGINT (started in the background) the signal would be lost.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            model.train(corpus_file=full_corpus, total_examples=model.corpus_count, epochs=50)
        raised = time.monotonic()
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
    assert sent, "training ended before the signal"
    assert raised - sent[0] < 3.0
    assert model.progress.epoch < 50
    vectors = model.wv.vectors
    assert np.isfinite(vectors).all() and np.abs(vectors).sum() > 0
    assert len(model.wv.most_similar(model.wv.index_to_key[0], topn=3)) == 3
    # the model is consistent: it can train again
    model.train(corpus_file=full_corpus, total_examples=model.corpus_count, epochs=1)
    assert np.isfinite(model.wv.vectors).all()
