"""A plain Python reading of fastText's published subword rules (Dictionary::hash and
computeSubwords in fastText's dictionary.cc), for the tests to check the C++ core against."""
from __future__ import annotations


def ref_hash(data: bytes) -> int:
    """FNV-1a 32-bit, each byte sign-extended to 32 bits first (fastText's int8_t cast)."""
    h = 2166136261
    for b in data:
        signed = b - 256 if b >= 128 else b
        h ^= signed & 0xFFFFFFFF
        h = (h * 16777619) & 0xFFFFFFFF
    return h


def ref_ngrams(word: str, min_n: int, max_n: int) -> list:
    """n-grams of '<' + word + '>' over characters, by start then length; the lone markers
    (a 1-gram at either end) are skipped; '</s>' has none."""
    if word == "</s>" or max_n == 0:
        return []
    w = "<" + word + ">"
    out = []
    for i in range(len(w)):
        for n in range(1, max_n + 1):
            if i + n > len(w):
                break
            if n >= min_n and not (n == 1 and (i == 0 or i + n == len(w))):
                out.append(w[i:i + n])
    return out
