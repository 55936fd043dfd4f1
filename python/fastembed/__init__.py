"""fastembed: fast, correct word2vec training with a gensim-compatible API."""
from __future__ import annotations

from ._core import TrainingDivergedError
from .callbacks import CallbackAny2Vec
from .corpus import LineSentence, PathLineSentences, Text8Corpus
from .doc2vec import Doc2Vec, TaggedDocument, TaggedLineDocument
from .model import TrainingProgress, Word2Vec
from .phrases import ENGLISH_CONNECTOR_WORDS, FrozenPhrases, Phraser, Phrases
from .training import EmptyVocabularyError
from .vectors import KeyedVectors

__version__ = "0.1.0"

__all__ = ["Word2Vec", "Doc2Vec", "TaggedDocument", "TaggedLineDocument", "KeyedVectors", "LineSentence", "Text8Corpus", "PathLineSentences",
           "CallbackAny2Vec", "TrainingProgress", "TrainingDivergedError", "EmptyVocabularyError",
           "Phrases", "FrozenPhrases", "Phraser", "ENGLISH_CONNECTOR_WORDS", "__version__"]
