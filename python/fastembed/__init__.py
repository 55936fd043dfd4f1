"""fastembed: fast, correct word2vec training with a gensim-compatible API."""
from __future__ import annotations

__version__ = "0.1.0"
from .vectors import KeyedVectors
