"""Plain-Python references for the phrase tests, written from the rules (gensim 4's Phrases
and the word2phrase tool), independent of fastembed's code: counts, pruning, scores, joining."""
from __future__ import annotations

import math
import struct
from typing import Dict, Iterable, List, Optional, Sequence, Tuple


def learn(sentences: Iterable[Sequence[str]], connectors=frozenset(), delimiter="_",
          max_vocab_size=10**12) -> Tuple[Dict[str, int], int, int]:
    """gensim's one-pass count: (vocab in first-seen order, corpus words, min_reduce)."""
    vocab: Dict[str, int] = {}
    words = 0
    min_reduce = 1
    for sentence in sentences:
        prev: Optional[str] = None
        middle: List[str] = []
        for w in sentence:
            words += 1
            if w in connectors:
                if prev is not None:
                    middle.append(w)
                continue
            vocab[w] = vocab.get(w, 0) + 1
            if prev is not None:
                key = delimiter.join([prev] + middle + [w])
                vocab[key] = vocab.get(key, 0) + 1
            prev, middle = w, []
        if len(vocab) > max_vocab_size:
            for k in [k for k, c in vocab.items() if c < min_reduce]:
                del vocab[k]
            min_reduce += 1
    return vocab, words, min_reduce


def default_score(a: int, b: int, ab: int, n_vocab: int, min_count: float) -> float:
    return (ab - min_count) / float(a * b) * n_vocab


def npmi_score(a: int, b: int, ab: int, n_words: int, min_count: float) -> float:
    if ab < min_count:
        return float("-inf")
    pa, pb, pab = a / n_words, b / n_words, ab / n_words
    return math.log(pab / (pa * pb)) / -math.log(pab)


def apply(sentence: Sequence[str], score, connectors=frozenset(), delimiter="_") -> List[str]:
    """Greedy left-to-right joining: score(a, b, key) -> float or None."""
    out: List[str] = []
    i, n = 0, len(sentence)
    start: Optional[int] = None
    for i in range(n):
        w = sentence[i]
        if w in connectors:
            if start is None:
                out.append(w)
            continue
        if start is not None:
            key = delimiter.join(sentence[start:i + 1])
            if score(sentence[start], w, key) is not None:
                out.append(key)
                start = None
                continue
            out.extend(sentence[start:i])
        start = i
    if start is not None:
        out.extend(sentence[start:])
    return out


def f32(x: float) -> float:
    return struct.unpack("f", struct.pack("f", x))[0]


def word2phrase(data: bytes, min_count: int, threshold: float) -> bytes:
    """The word2phrase tool's output for a file's bytes (the file ending in whitespace)."""
    tokens: List[bytes] = []
    word = bytearray()
    for c in data.replace(b"\r", b""):
        if c in b" \t\n":
            if word:
                tokens.append(bytes(word[:58]))
                word = bytearray()
            if c == 10:
                tokens.append(b"\n")
        else:
            word.append(c)
    if word:
        tokens.append(bytes(word[:58]))
    counts: Dict[bytes, int] = {}
    last = None
    words = 0
    for t in tokens:
        if t == b"\n":
            continue
        words += 1
        counts[t] = counts.get(t, 0) + 1
        if last is not None:
            key = (last + b"_" + t)[:59]
            counts[key] = counts.get(key, 0) + 1
        last = t
    kept = {k: c for k, c in counts.items() if c >= min_count}
    out = bytearray()
    prev_tok = b""
    prev_known = False
    pa = pb = pab = 0
    thr = f32(threshold)
    tw = f32(float(words))
    for t in tokens:
        if t == b"\n":
            out += b"\n"
            prev_tok = b"\n"
            continue
        known = t in kept
        if known:
            pb = kept[t]
        key = (prev_tok + b"_" + t)[:59]
        bigram_known = key in kept
        if bigram_known:
            pab = kept[key]
        oov = not known or not prev_known or not bigram_known or pa < min_count or pb < min_count
        score = 0.0
        if not oov:
            score = f32(f32(f32(f32(float(pab - min_count)) / f32(float(pa))) / f32(float(pb))) * tw)
        prev_known = known
        if score > thr:
            out += b"_"
            pb = 0
        else:
            out += b" "
        out += t
        pa = pb
        prev_tok = t
    return bytes(out)
