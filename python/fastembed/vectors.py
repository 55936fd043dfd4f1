"""Placeholder KeyedVectors for the trainer's development; replaced by the full class."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import numpy as np


class KeyedVectors:
    def __init__(self, vector_size: int) -> None:
        self.vector_size = vector_size
        self.index_to_key: List[str] = []
        self.key_to_index: Dict[str, int] = {}
        self.expandos: Dict[str, Any] = {}
        self._vectors = np.zeros((0, vector_size), dtype=np.float32)
        self.norms: Optional[np.ndarray] = None

    @property
    def vectors(self) -> np.ndarray:
        return self._vectors

    @vectors.setter
    def vectors(self, value: np.ndarray) -> None:
        self._vectors = value
        self.norms = None

    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, key: str) -> bool:
        return key in self.key_to_index

    def __getitem__(self, key: str) -> np.ndarray:
        return self._vectors[self.key_to_index[key]]

    def most_similar(self, positive, negative=(), topn=10, restrict_vocab=None):
        if isinstance(positive, str):
            positive = [positive]
        unit = self._vectors / np.maximum(np.linalg.norm(self._vectors, axis=1, keepdims=True), 1e-12)
        q = sum(unit[self.key_to_index[k]] for k in positive) - sum((unit[self.key_to_index[k]] for k in negative), 0)
        lim = restrict_vocab or len(unit)
        sims = unit[:lim] @ (q / np.linalg.norm(q))
        order = np.argsort(-sims)
        skip = {self.key_to_index[k] for k in list(positive) + list(negative)}
        return [(self.index_to_key[i], float(sims[i])) for i in order if i not in skip][:topn]
