"""Training callbacks with gensim's method names.

Subclass :class:`CallbackAny2Vec` and pass instances as ``callbacks=[...]`` to
``fastembed.Word2Vec`` or ``Word2Vec.train``. Every method is called from the thread that
called ``train()``; the worker threads never run Python, so a slow callback slows reporting,
not training.
"""
from __future__ import annotations

from typing import Any, List

__all__ = ["CallbackAny2Vec", "LossHistory"]


class CallbackAny2Vec:
    """Base class for training callbacks; every hook is a no-op by default.

    The trainer calls, in order: ``on_train_begin`` once, then for each epoch
    ``on_epoch_begin``, ``on_progress`` (at most about once a second, and once when the epoch
    ends) and ``on_epoch_end``; finally ``on_train_end``.

    ``on_batch_begin``/``on_batch_end`` exist only so that gensim callbacks which override or
    ``super()``-call them keep working: fastembed never calls them, because its batches are
    processed by C++ threads that never enter Python.
    """

    def on_train_begin(self, model: Any) -> None:
        """Called once before the first epoch of a ``train()`` call."""

    def on_train_end(self, model: Any) -> None:
        """Called once after the last epoch of a ``train()`` call (not after Ctrl-C)."""

    def on_epoch_begin(self, model: Any) -> None:
        """Called before each epoch; ``model.progress.epoch`` is the (1-based) epoch about to run."""

    def on_epoch_end(self, model: Any) -> None:
        """Called after each epoch; ``model.epoch_losses[-1]`` is that epoch's loss and
        ``model.get_latest_training_loss()`` the loss so far in this ``train()`` call (gensim's)."""

    def on_progress(self, model: Any, fraction: float) -> None:
        """Called from the training thread at most about once a second, and at each epoch end.

        ``fraction`` (0..1) is the share of the whole ``train()`` call done so far; the other
        figures (words/s, learning rate, running loss, ETA) are in ``model.progress``.
        """

    def on_batch_begin(self, model: Any) -> None:
        """Never called by fastembed (kept for gensim compatibility)."""

    def on_batch_end(self, model: Any) -> None:
        """Never called by fastembed (kept for gensim compatibility)."""


class LossHistory(CallbackAny2Vec):
    """Record each epoch's loss (``model.epoch_losses[-1]``) after every epoch (needs
    ``compute_loss=True``).

    >>> history = LossHistory()
    >>> model = Word2Vec(corpus_file="text.txt", compute_loss=True, callbacks=[history])
    >>> history.losses  # one float per epoch
    """

    def __init__(self) -> None:
        self.losses: List[float] = []

    def on_epoch_end(self, model: Any) -> None:
        self.losses.append(float(model.epoch_losses[-1]))
