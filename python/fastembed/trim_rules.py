"""gensim's vocabulary trim rules: ``trim_rule(word, count, min_count)`` returns
``RULE_DISCARD``, ``RULE_KEEP`` or ``RULE_DEFAULT`` (decide by ``min_count``), as in
``gensim.utils``.  fastembed asks the rule once per distinct word after the scan (never per
token, so a ``corpus_file`` scan stays in C++), with the effective ``min_count``; unlike gensim
it is not consulted during ``max_vocab_size`` pruning, which happens inside the C++ counter."""
from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

import numpy as np

RULE_DEFAULT = 0
RULE_DISCARD = 1
RULE_KEEP = 2

TrimRule = Callable[[str, int, int], int]


def check_rule(rule: Any) -> Optional[TrimRule]:
    if rule is not None and not callable(rule):
        raise TypeError(f"trim_rule must be a callable (word, count, min_count) -> RULE_*, got {rule!r}")
    return rule


def verdicts(rule: TrimRule, words: Sequence[str], counts: Sequence[int], min_count: int) -> np.ndarray:
    """The rule's verdict for each word (int8: 0 default, 1 discard, 2 keep); any other return
    value means the default, as gensim's keep_vocab_item reads it."""
    out = np.zeros(len(words), dtype=np.int8)
    for i, (w, c) in enumerate(zip(words, counts)):
        r = rule(w, int(c), int(min_count))
        if r == RULE_DISCARD:
            out[i] = RULE_DISCARD
        elif r == RULE_KEEP:
            out[i] = RULE_KEEP
    return out


def keep(rule: Optional[TrimRule], word: str, count: int, min_count: int) -> bool:
    """gensim's keep_vocab_item for one word."""
    r = rule(word, int(count), int(min_count)) if rule is not None else RULE_DEFAULT
    return True if r == RULE_KEEP else False if r == RULE_DISCARD else count >= min_count
