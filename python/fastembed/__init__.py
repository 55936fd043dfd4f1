"""fastembed: fast, correct word2vec training with a gensim-compatible API."""
from __future__ import annotations

from .callbacks import CallbackAny2Vec
from .corpus import LineSentence, PathLineSentences, Text8Corpus
from .fasttext_bin import load_facebook_model, load_facebook_vectors, save_facebook_model
from .fasttext_model import FastText
from .fasttext_vectors import FastTextKeyedVectors
from .model import TrainingProgress, Word2Vec
from .vectors import KeyedVectors

__version__ = "0.1.0"

__all__ = ["Word2Vec", "KeyedVectors", "FastText", "FastTextKeyedVectors", "load_facebook_model",
           "load_facebook_vectors", "save_facebook_model", "LineSentence", "Text8Corpus", "PathLineSentences",
           "CallbackAny2Vec", "TrainingProgress", "__version__"]
