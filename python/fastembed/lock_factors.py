"""Per-word lock factors (gensim's ``wv.vectors_lockf``): how much of each step an input row
takes.  1 trains the row as usual, 0 freezes it (it keeps every bit), values in between (or
above 1) scale its step.  Output rows (``syn1neg``, ``syn1``) are never locked, as in gensim.

The model keeps the factors with its matrices (``_weights["lockf"]``, saved, loaded and
pickled with them); ``wv.vectors_lockf`` is that array.  A user may also assign a new array to
``wv.vectors_lockf`` (gensim's full-length workaround): it is checked and adopted at the next
``train()``.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np


def check_lock_factors(value: Any, rows: int, name: str = "vectors_lockf") -> np.ndarray:
    """``value`` as a float32 vector of ``rows`` finite, non-negative factors, or a clear error."""
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name} must be a numpy float32 array with one factor per word, "
                        f"got {type(value).__name__}")
    if value.dtype != np.float32:
        raise TypeError(f"{name} must have dtype float32 (one factor per word), got {value.dtype}; "
                        "use .astype(np.float32)")
    if value.ndim != 1 or len(value) != rows:
        raise ValueError(f"{name} must hold one factor per word ({rows}), got shape {value.shape}")
    finite = np.isfinite(value)
    if not finite.all():
        raise ValueError(f"{name}[{int(np.argmin(finite))}] is not finite")
    if (value < 0).any():
        raise ValueError(f"{name}[{int(np.argmax(value < 0))}] is negative ({value[value < 0][0]}); "
                         "lock factors are >= 0 (0 = frozen, 1 = train)")
    return value


def factors_for_training(model: Any) -> Optional[np.ndarray]:
    """The model's lock factors for the trainer, or None when every factor is 1 (the kernels'
    unlocked path, bit for bit what they did before lock factors existed)."""
    store = model._weights.get("lockf")
    if store is None:
        return None
    current = getattr(model.wv, "vectors_lockf", store)
    if current is not store:  # the user assigned a new array: check it and adopt its values
        store[...] = check_lock_factors(current, len(store))
        model.wv.vectors_lockf = store
    else:
        check_lock_factors(store, len(store))
    return None if (store == 1.0).all() else store
