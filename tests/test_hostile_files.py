"""Class 3 of issue 17: hostile files cost memory and time bounded by their size.

Each case runs in a child process with a memory cap (``childcases``): a case that allocates
for a forged size fails with MemoryError in the child (and the test fails), and each case's
peak-memory growth is asserted.

* A model zip with an extra deflated member (a decompression bomb) loads without inflating it;
  a deflated member the model needs is refused, never inflated.
* A forged ``.npy`` header (in a model member or a version-1 ``.vectors.npy``, with and without
  ``mmap``) and a forged native header fail with ValueError naming the file, before allocating.
* ``LineSentence('/dev/zero')`` (and ``Text8Corpus``) stop at the 16 MiB word cap.
* One huge word in a ``corpus_file`` is read about once per epoch, not once per 64 KB chunk:
  the bytes read (``/proc/self/io``) stay linear in the file's size.
"""
import json
import os
import struct
import sys
import zipfile

import pytest

from childcases import Cases, raised, value

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fuzz"))
from fuzz_native import v1_pair  # noqa: E402  (the fuzz target's version-1 pair)

cases = Cases()
case = cases.case

SENTENCES = [["a", "b", "c", "d"], ["b", "c", "a"]] * 20


def _model(tmp):
    import fastembed
    path = os.path.join(tmp, "m.model")
    fastembed.Word2Vec(SENTENCES, vector_size=4, min_count=1, epochs=1, workers=1).save(path)
    return path


def _rewrite_zip(path, replace=None, compress=None, bomb_bytes=0):
    """Copy the model zip with members replaced or deflated, and an extra deflated member of
    ``bomb_bytes`` zeros (streamed: the case itself never holds it in memory)."""
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members.update(replace or {})
    out = path + ".hostile"
    with zipfile.ZipFile(out, "w") as z:
        for name, data in members.items():
            z.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED if name in (compress or ()) else zipfile.ZIP_STORED)
        if bomb_bytes:
            z.compression = zipfile.ZIP_DEFLATED
            with z.open("bomb.npy", "w", force_zip64=True) as f:
                f.write(_npy_header((bomb_bytes // 4,)))
                zeros = b"\0" * (1 << 20)
                for _ in range(bomb_bytes >> 20):
                    f.write(zeros)
    return out


def _npy_header(shape, dtype="<f4"):
    head = repr({"descr": dtype, "fortran_order": False, "shape": shape}).encode("latin1")
    head += b" " * (-(len(head) + 11) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(head)) + head


@case
def model_with_bomb_member(tmp):
    import fastembed
    path = _model(tmp)
    hostile = _rewrite_zip(path, bomb_bytes=256 << 20)  # 256 MB of zeros: 250 KB deflated
    m = fastembed.Word2Vec.load(hostile)
    return {"size_mb": os.path.getsize(hostile) / 1e6, "vocab": m.wv.index_to_key}


@case
def model_member_deflated(tmp):
    import fastembed
    hostile = _rewrite_zip(_model(tmp), compress={"syn0.npy"})
    fastembed.Word2Vec.load(hostile)


@case
def model_member_forged_shape(tmp):
    import fastembed
    forged = _npy_header((1_000_000, 32_000)) + b"\0" * 64  # claims 128 GB
    fastembed.Word2Vec.load(_rewrite_zip(_model(tmp), replace={"syn0.npy": forged}))


@case
def model_member_object_array(tmp):
    import fastembed
    forged = _npy_header((3,), dtype="|O") + b"\0" * 64
    fastembed.Word2Vec.load(_rewrite_zip(_model(tmp), replace={"counts.npy": forged}))


@case
def v1_npy_forged_no_mmap(tmp):
    import fastembed
    fastembed.KeyedVectors.load(v1_pair(tmp, _npy_header((10_000_000, 3_000)) + b"\0" * 100))


@case
def v1_npy_forged_mmap(tmp):
    import fastembed
    fastembed.KeyedVectors.load(v1_pair(tmp, _npy_header((10_000_000, 3_000)) + b"\0" * 100), mmap="r")


@case
def v1_npy_empty(tmp):
    import fastembed
    fastembed.KeyedVectors.load(v1_pair(tmp, b""))


def _forged_native(tmp, edit):
    """A version-2 native file whose JSON header ``edit`` changes, laid out and checksummed
    again as a forger would (so only the edit is wrong)."""
    import zlib
    import numpy as np
    import fastembed
    kv = fastembed.KeyedVectors(3)
    kv.add_vectors(["a", "b"], np.ones((2, 3), np.float32))
    path = os.path.join(tmp, "v.kv")
    kv.save(path)
    data = open(path, "rb").read()
    end = data.index(b"\n", 13)
    header = json.loads(data[13:end])
    old = header["vectors"]["offset"]
    payload = data[end + 19 : end + 19 + header["payload_nbytes"]]  # keys and attributes
    vectors = data[old:]
    header = edit(header)
    for _ in range(4):
        line = json.dumps(header, separators=(",", ":")).encode() + b"\n"
        start = 13 + len(line) + 18 + len(payload)
        offset = -(-start // 64) * 64
        if not isinstance(header, dict) or not isinstance(header.get("vectors"), dict):
            break
        header["vectors"]["offset"] = offset
    vhex = data[end + 1 : end + 9]
    sums = vhex + b" " + b"%08x" % zlib.crc32(vhex, zlib.crc32(line)) + b"\n"
    with open(path, "wb") as f:
        f.write(data[:13] + line + sums + payload + b"\0" * (offset - start) + vectors)
    return path


@case
def native_forged_count(tmp):
    import fastembed

    def edit(h):
        h["count"] = 10**12
        return h

    fastembed.KeyedVectors.load(_forged_native(tmp, edit))


@case
def native_forged_count_mmap(tmp):
    import fastembed

    def edit(h):
        h["count"], h["vector_size"] = 10**9, 10**6
        return h

    fastembed.KeyedVectors.load(_forged_native(tmp, edit), mmap="r")


@case
def native_forged_attribute_dtype(tmp):
    import fastembed

    def edit(h):
        h["expandos"] = {"x": {"dtype": "(1000000000,)f8", "offset": 0, "nbytes": 8}}
        return h

    fastembed.KeyedVectors.load(_forged_native(tmp, edit))


@case
def native_header_is_a_list(tmp):
    import fastembed
    fastembed.KeyedVectors.load(_forged_native(tmp, lambda h: [1, 2, 3]))


@case
def native_header_wrong_types(tmp):
    import fastembed

    def edit(h):
        h["keys"] = "all of them"
        return h

    fastembed.KeyedVectors.load(_forged_native(tmp, edit))


@case
def line_sentence_dev_zero(tmp):
    import fastembed
    for _ in fastembed.LineSentence("/dev/zero"):
        pass


@case
def text8_dev_zero(tmp):
    import fastembed
    for _ in fastembed.Text8Corpus("/dev/zero"):
        pass


@case
def line_sentence_file_object_dev_zero(tmp):
    import fastembed
    with open("/dev/zero", "rb") as f:
        for _ in fastembed.LineSentence(f):
            pass


@case
def gzip_of_one_endless_word(tmp):
    import gzip
    import fastembed
    path = os.path.join(tmp, "c.txt.gz")
    with gzip.open(path, "wb") as f:
        for _ in range(20):
            f.write(b"x" * (1 << 20))  # 20 MB, no whitespace: ~20 KB compressed
    fastembed.Word2Vec(corpus_file=path, min_count=1)


@case
def corpus_file_word_over_cap(tmp):
    import fastembed
    path = os.path.join(tmp, "c.txt")
    with open(path, "wb") as f:
        f.write(b"a b " + b"x" * ((1 << 24) + 1) + b" c\n")
    fastembed.Word2Vec(corpus_file=path, min_count=1, workers=2)


def _read_bytes():
    with open("/proc/self/io") as f:
        return int(next(line for line in f if line.startswith("rchar:")).split()[1])


@case
def corpus_file_huge_word_is_read_once(tmp):
    import fastembed
    path = os.path.join(tmp, "c.txt")
    size = 12 << 20
    with open(path, "wb") as f:
        f.write(b"a b c\n" + b"x" * size + b"\nd a b\n")
    m = fastembed.Word2Vec(min_count=1, workers=2, vector_size=4, epochs=2)
    m.build_vocab(corpus_file=path)
    m._file_chunk_bytes = 1 << 16  # 192 chunks inside the word
    before = _read_bytes()
    m.train(corpus_file=path, total_examples=m.corpus_count, total_words=m.corpus_total_words, epochs=2)
    return {"read": _read_bytes() - before, "file": os.path.getsize(path), "words": [s["words"] for s in m.epoch_stats]}


@pytest.fixture(scope="module")
def outcomes():
    return Cases.run(__file__, list(cases.table), timeout=180)


@pytest.mark.parametrize("name, exc, pattern", [
    ("model_member_deflated", ValueError, r"m\.model\.hostile.*member 'syn0\.npy' is compressed.*decompression bomb"),
    ("model_member_forged_shape", ValueError, r"member 'syn0\.npy': the \.npy header declares .* \(1000000, 32000\) "
                                              r"\(128000000000 bytes\) but only \d+ bytes follow it"),
    ("model_member_object_array", ValueError, r"member 'counts\.npy': holds Python objects"),
    ("v1_npy_forged_no_mmap", ValueError, r"v\.kv\.vectors\.npy: the \.npy header declares .* \(10000000, 3000\)"),
    ("v1_npy_forged_mmap", ValueError, r"v\.kv\.vectors\.npy: the \.npy header declares .* \(10000000, 3000\)"),
    ("v1_npy_empty", ValueError, r"v\.kv\.vectors\.npy: not a valid \.npy array: empty"),
    ("native_forged_count", ValueError, r"v\.kv: corrupt fastembed KeyedVectors file: the header declares "
                                        r"1000000000000 vectors of 3 dimensions"),
    ("native_forged_count_mmap", ValueError, r"v\.kv: corrupt .* declares 1000000000 vectors of 1000000 dimensions"),
    ("native_forged_attribute_dtype", ValueError, r"v\.kv: corrupt .* bad dtype '\(1000000000,\)f8' for attribute 'x'"),
    ("native_header_is_a_list", ValueError, r"v\.kv: corrupt .* header is a JSON list, not an object"),
    ("native_header_wrong_types", ValueError, r"v\.kv: corrupt .* 'keys' must be an object"),
    ("line_sentence_dev_zero", ValueError, r"/dev/zero: a word longer than 16777216 bytes"),
    ("text8_dev_zero", ValueError, r"/dev/zero: a word longer than 16777216 bytes"),
    ("line_sentence_file_object_dev_zero", ValueError, r"/dev/zero: a word longer than 16777216 bytes"),
    ("gzip_of_one_endless_word", ValueError, r"c\.txt\.gz: a word longer than 16777216 bytes"),
    ("corpus_file_word_over_cap", ValueError, r"c\.txt': a word longer than 16777216 bytes"),
])
def test_hostile_file_fails_cleanly_and_cheaply(outcomes, name, exc, pattern):
    o = raised(outcomes, name, exc, pattern)
    limit = 120 if "dev_zero" in name or "word" in name else 60  # the 16 MiB cap, a few copies
    assert o["peak_growth_mb"] < limit, o


def test_bomb_member_is_never_inflated(outcomes):
    v = value(outcomes, "model_with_bomb_member")
    assert v["vocab"] == ["a", "b", "c", "d"] and v["size_mb"] < 5
    assert outcomes["model_with_bomb_member"]["peak_growth_mb"] < 100


def test_huge_word_scan_is_linear(outcomes):
    v = value(outcomes, "corpus_file_huge_word_is_read_once")
    assert v["words"] == [7, 7]  # a b c <12 MB word> d a b, twice
    # per epoch: every chunk's own range (the file) plus the word read once more by the chunk
    # it starts in; before, each of the 192 chunks inside it re-read the rest of the word
    # (about 100 times the file per epoch)
    assert v["read"] < 2 * 2.5 * v["file"], v


if __name__ == "__main__":
    cases.child_main()
