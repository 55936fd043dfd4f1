"""fastembed: fast, correct static embeddings (Word2Vec, FastText, Doc2Vec, Phrases) with gensim 4's API."""
from __future__ import annotations

from ._core import TrainingDivergedError
from .callbacks import CallbackAny2Vec
from .corpus import LineSentence, PathLineSentences, Text8Corpus
from .doc2vec import Doc2Vec, TaggedDocument, TaggedLineDocument
from .fasttext_bin import load_facebook_model, load_facebook_vectors, save_facebook_model
from .fasttext_model import FastText
from .fasttext_vectors import FastTextKeyedVectors
from .model import TrainingProgress, Word2Vec
from .phrases import ENGLISH_CONNECTOR_WORDS, FrozenPhrases, Phraser, Phrases
from .training import EmptyVocabularyError
from .trim_rules import RULE_DEFAULT, RULE_DISCARD, RULE_KEEP
from .vectors import KeyedVectors

__version__ = "0.1.0"

__all__ = ["Word2Vec", "Doc2Vec", "FastText", "TaggedDocument", "TaggedLineDocument", "KeyedVectors",
           "FastTextKeyedVectors", "load_facebook_model", "load_facebook_vectors", "save_facebook_model",
           "LineSentence", "Text8Corpus", "PathLineSentences", "CallbackAny2Vec", "TrainingProgress",
           "TrainingDivergedError", "EmptyVocabularyError", "RULE_DEFAULT", "RULE_DISCARD", "RULE_KEEP",
           "Phrases", "FrozenPhrases", "Phraser", "ENGLISH_CONNECTOR_WORDS", "__version__"]
