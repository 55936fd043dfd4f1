"""gensim 4 names that are not features of their own: gensim 3 attributes gensim 4 removed
(they raise gensim 4's AttributeError with its migration hint, so ported code fails the same
way), small aliases, and the lifecycle log."""
from __future__ import annotations

import logging
import platform
import sys
from datetime import datetime
from typing import Any, Dict, List, Optional

logger = logging.getLogger("fastembed")
_MIGRATION = "See https://github.com/RaRe-Technologies/gensim/wiki/Migrating-from-Gensim-3.x-to-4"


class KeyedVectorsNames:
    """Mixed into :class:`fastembed.KeyedVectors`."""

    @property
    def index2word(self) -> Any:
        raise AttributeError("The index2word attribute has been replaced by index_to_key since Gensim 4.0.0.\n"
                             + _MIGRATION)

    @property
    def index2entity(self) -> Any:
        raise AttributeError("The index2entity attribute has been replaced by index_to_key since Gensim 4.0.0.\n"
                             + _MIGRATION)

    @property
    def vocab(self) -> Any:
        raise AttributeError("The vocab attribute was removed from KeyedVector in Gensim 4.0.0.\n"
                             "Use KeyedVector's .key_to_index dict, .index_to_key list, and methods "
                             ".get_vecattr(key, attr) and .set_vecattr(key, attr, new_val) instead.\n" + _MIGRATION)

    @property
    def vectors_norm(self) -> Any:
        raise AttributeError("The `.vectors_norm` attribute is computed dynamically since Gensim 4.0.0. "
                             "Use `.get_normed_vectors()` instead.\n" + _MIGRATION)

    @property
    def next_index(self) -> int:
        """gensim's slot for the next key added: the number of keys."""
        return len(self.index_to_key)  # type: ignore[attr-defined]

    @property
    def mapfile_path(self) -> Optional[str]:
        """gensim's memory-map path attribute; fastembed maps through ``load(..., mmap=)``."""
        return None

    @staticmethod
    def log_accuracy(section: Dict[str, Any]) -> None:
        correct, incorrect = len(section["correct"]), len(section["incorrect"])
        if correct + incorrect > 0:
            logger.info("%s: %.1f%% (%i/%i)", section["section"], 100.0 * correct / (correct + incorrect),
                        correct, correct + incorrect)

    @staticmethod
    def log_evaluate_word_pairs(pearson: Any, spearman: Any, oov: float, pairs: str) -> None:
        logger.info("Pearson correlation coefficient against %s: %.4f", pairs, pearson[0])
        logger.info("Spearman rank-order correlation coefficient against %s: %.4f", pairs, spearman[0])
        logger.info("Pairs with unknown words ratio: %.1f%%", oov)


class ModelNames:
    """Mixed into the trainable models."""

    comment: Optional[str] = None

    @property
    def layer1_size(self) -> int:
        """gensim's name for the hidden layer's size: ``vector_size``."""
        return int(self.vector_size)  # type: ignore[attr-defined]

    def init_sims(self, replace: bool = False) -> None:
        """Obsolete in gensim 4 too: fills the vectors' norm cache (``wv.fill_norms()``)."""
        self.wv.init_sims(replace=replace)  # type: ignore[attr-defined]

    def add_lifecycle_event(self, event_name: str, log_level: int = logging.INFO, **event: Any) -> None:
        """Append an event to ``lifecycle_events`` (gensim's model history: what was done when)."""
        record = dict(event, datetime=datetime.now().isoformat(), python=sys.version,
                      platform=platform.platform(), event=event_name)
        from . import __version__
        record["fastembed"] = __version__
        if getattr(self, "lifecycle_events", None) is None:
            self.lifecycle_events: List[Dict[str, Any]] = []
        if log_level:
            logger.log(log_level, "%s lifecycle event %s", type(self).__name__, record)
        self.lifecycle_events.append(record)
