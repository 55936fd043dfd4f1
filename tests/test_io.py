"""word2vec text/binary files and the native format: round trips, compression, gensim's
reading rules (limit, duplicates, unicode errors, the C tool's newline) and atomic writes."""
import os

import numpy as np
import pytest

from fastembed import KeyedVectors
from fastembed.io import TruncatedFileError, vectors_path


def make_kv(n=50, dim=6, seed=0, keys=None):
    rng = np.random.default_rng(seed)
    kv = KeyedVectors(dim)
    keys = keys or [f"w{i}" for i in range(n)]
    kv.add_vectors(keys, rng.standard_normal((len(keys), dim)).astype(np.float32))
    return kv


def write(path, data: bytes):
    with open(path, "wb") as f:
        f.write(data)
    return str(path)


def binary_record(word: bytes, vec, newline=False):
    return word + b" " + np.asarray(vec, dtype="<f4").tobytes() + (b"\n" if newline else b"")


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("ext", ["", ".gz", ".bz2", ".xz"])
def test_round_trip_bit_exact(tmp_path, binary, ext):
    kv = make_kv(keys=[f"w{i}" for i in range(40)] + ["héllo", "日本語", "a\tb"])
    # extreme values must survive the text format too
    kv.vectors[0] = [0.0, -0.0, 1e-38, 3.4028235e38, -1.17549435e-38, 1 / 3]
    kv.vectors[1, :3] = [np.inf, -np.inf, 1e-45]
    path = str(tmp_path / f"v{ext}")
    kv.save_word2vec_format(path, binary=binary)
    back = KeyedVectors.load_word2vec_format(path, binary=binary)
    assert back.index_to_key == kv.index_to_key
    assert back.key_to_index == kv.key_to_index
    assert back.vectors.dtype == np.float32
    assert np.array_equal(back.vectors.view(np.uint32), kv.vectors.view(np.uint32))  # bits, incl. -0.0
    # the made-up counts follow gensim: n - index
    assert back.expandos["count"].tolist() == list(range(len(kv), 0, -1))


def test_text_layout_is_the_c_tools(tmp_path):
    kv = KeyedVectors(2)
    kv.add_vectors(["a", "b"], np.array([[0.5, -1.0], [0.1, 2.0]], dtype=np.float32))
    path = tmp_path / "v.txt"
    kv.save_word2vec_format(str(path))
    assert path.read_bytes() == b"2 2\na 0.5 -1\nb 0.1 2\n"
    kv.save_word2vec_format(str(path), write_header=False)
    assert path.read_bytes() == b"a 0.5 -1\nb 0.1 2\n"


def test_binary_layout_with_and_without_newline(tmp_path):
    kv = KeyedVectors(2)
    kv.add_vectors(["a", "bc"], np.array([[0.5, -1.0], [0.1, 2.0]], dtype=np.float32))
    path = tmp_path / "v.bin"
    kv.save_word2vec_format(str(path), binary=True)
    assert path.read_bytes() == b"2 2\n" + binary_record(b"a", [0.5, -1.0]) + binary_record(b"bc", [0.1, 2.0])
    kv.save_word2vec_format(str(path), binary=True, binary_newline=True)
    assert path.read_bytes() == b"2 2\n" + binary_record(b"a", [0.5, -1.0], True) + binary_record(b"bc", [0.1, 2.0], True)
    back = KeyedVectors.load_word2vec_format(str(path), binary=True)
    assert back.index_to_key == ["a", "bc"]
    assert np.array_equal(back.vectors, kv.vectors)


def test_reads_c_tool_text_with_trailing_space_and_crlf(tmp_path):
    # word2vec.c writes "%lf " after every value; Windows files end lines with \r\n
    path = write(tmp_path / "c.txt", b"2 3\r\nthe 0.100000 -0.200000 3.000000 \r\nof 1e-3 +2 .5\r\n")
    kv = KeyedVectors.load_word2vec_format(path)
    assert kv.index_to_key == ["the", "of"]
    assert np.array_equal(kv.vectors, np.array([[0.1, -0.2, 3.0], [1e-3, 2.0, 0.5]], dtype=np.float32))


def test_text_values_round_like_numpy_float32_of_str(tmp_path):
    # gensim parses with numpy.float32(str); values must land on the same float32
    rng = np.random.default_rng(3)
    strings = [repr(float(x)) for x in rng.standard_normal(200) * 10.0 ** rng.integers(-40, 38, 200)]
    strings += ["1.00000005960464477539062500000001", "3.4028235677973366e38", "1e-46", "nan", "-inf",
                "3.4028235e38", "3.40282356e38", "-3.4028236e38", "1e39", "-1e39", "1e400", "-1e-400"]
    lines = [f"w{i} {s}" for i, s in enumerate(strings)]
    path = write(tmp_path / "r.txt", f"{len(lines)} 1\n".encode() + "\n".join(lines).encode())
    kv = KeyedVectors.load_word2vec_format(path)
    with np.errstate(over="ignore"):
        expected = np.array([np.float32(s) for s in strings], dtype=np.float32)
    assert np.array_equal(kv.vectors[:, 0], expected, equal_nan=True)


def test_limit_reads_only_the_first_vectors(tmp_path):
    kv = make_kv(n=30)
    for binary in (False, True):
        path = str(tmp_path / f"v{binary}")
        kv.save_word2vec_format(path, binary=binary)
        back = KeyedVectors.load_word2vec_format(path, binary=binary, limit=7)
        assert back.index_to_key == kv.index_to_key[:7]
        assert np.array_equal(back.vectors, kv.vectors[:7])
        assert back.expandos["count"].tolist() == list(range(7, 0, -1))
        # gensim's `if limit:`: 0 and None read everything
        assert len(KeyedVectors.load_word2vec_format(path, binary=binary, limit=0)) == 30


def test_no_header_counts_lines_and_values(tmp_path):
    kv = make_kv(n=12, dim=4)
    path = str(tmp_path / "glove.txt")
    kv.save_word2vec_format(path, write_header=False)
    back = KeyedVectors.load_word2vec_format(path, no_header=True)
    assert back.vector_size == 4 and back.index_to_key == kv.index_to_key
    assert np.array_equal(back.vectors, kv.vectors)
    assert KeyedVectors.load_word2vec_format(path, no_header=True, limit=5).index_to_key == kv.index_to_key[:5]
    with pytest.raises(ValueError, match="text-format"):
        KeyedVectors.load_word2vec_format(path, binary=True, no_header=True)


@pytest.mark.parametrize("binary", [False, True])
def test_duplicate_words_keep_their_first_vector(tmp_path, binary, caplog):
    vecs = np.arange(8, dtype=np.float32).reshape(4, 2)
    if binary:
        data = b"4 2\n" + b"".join(binary_record(w, v) for w, v in zip([b"a", b"b", b"a", b"c"], vecs))
    else:
        data = b"4 2\na 0 1\nb 2 3\na 4 5\nc 6 7\n"
    kv = KeyedVectors.load_word2vec_format(write(tmp_path / "d", data), binary=binary)
    assert kv.index_to_key == ["a", "b", "c"]
    assert kv.key_to_index == {"a": 0, "b": 1, "c": 2}
    assert np.array_equal(kv.vectors, vecs[[0, 1, 3]])
    assert kv.expandos["count"].tolist() == [4, 3, 2]
    assert "duplicate" in caplog.text


def test_binary_skips_newlines_before_words(tmp_path):
    data = b"3 1\n" + binary_record(b"a", [1], True) + b"\n" + binary_record(b"b", [2]) + binary_record(b"c", [3], True)
    kv = KeyedVectors.load_word2vec_format(write(tmp_path / "n.bin", data), binary=True)
    assert kv.index_to_key == ["a", "b", "c"]
    assert kv.vectors[:, 0].tolist() == [1.0, 2.0, 3.0]


def test_unicode_errors(tmp_path):
    data = b"2 1\n" + binary_record(b"ok", [1]) + binary_record(b"ab\xffc", [2])
    path = write(tmp_path / "u.bin", data)
    with pytest.raises(UnicodeDecodeError, match="word #2") as err:
        KeyedVectors.load_word2vec_format(path, binary=True)
    assert isinstance(err.value, ValueError)
    assert KeyedVectors.load_word2vec_format(path, binary=True, unicode_errors="replace").index_to_key == ["ok", "ab\ufffdc"]
    assert KeyedVectors.load_word2vec_format(path, binary=True, unicode_errors="ignore").index_to_key == ["ok", "abc"]
    with pytest.raises(ValueError, match="unicode_errors"):
        KeyedVectors.load_word2vec_format(path, binary=True, unicode_errors="bogus")


def test_other_encoding(tmp_path):
    path = write(tmp_path / "l1.txt", "1 1\ncafé 0.5\n".encode("latin-1"))
    assert KeyedVectors.load_word2vec_format(path, encoding="latin-1").index_to_key == ["café"]


def test_fvocab_counts_round_trip(tmp_path):
    kv = make_kv(n=5)
    kv.expandos["count"] = np.array([50, 40, 30, 20, 10], dtype=np.int64)
    kv.save_word2vec_format(str(tmp_path / "v.txt"), fvocab=str(tmp_path / "vocab.txt"))
    assert (tmp_path / "vocab.txt").read_text() == "w0 50\nw1 40\nw2 30\nw3 20\nw4 10\n"
    back = KeyedVectors.load_word2vec_format(str(tmp_path / "v.txt"), fvocab=str(tmp_path / "vocab.txt"))
    assert back.expandos["count"].tolist() == [50, 40, 30, 20, 10]


def test_keys_that_would_corrupt_the_file_are_refused(tmp_path):
    for bad in ["two words", "new\nline", ""]:
        kv = KeyedVectors(2)
        kv.add_vectors([bad], np.zeros((1, 2), dtype=np.float32))
        with pytest.raises(ValueError, match="word2vec"):
            kv.save_word2vec_format(str(tmp_path / "x.txt"))
    assert not (tmp_path / "x.txt").exists()


def test_strided_vectors_are_written_correctly(tmp_path):
    # the trainer hands over an [n, dim] view of a padded [n, stride] matrix
    padded = np.arange(5 * 8, dtype=np.float32).reshape(5, 8)
    kv = KeyedVectors(3)
    kv.index_to_key = list("abcde")
    kv.key_to_index = {k: i for i, k in enumerate("abcde")}
    kv.vectors = padded[:, :3]
    for binary in (False, True):
        kv.save_word2vec_format(str(tmp_path / "s"), binary=binary)
        back = KeyedVectors.load_word2vec_format(str(tmp_path / "s"), binary=binary)
        assert np.array_equal(back.vectors, padded[:, :3])


# --- hostile files -------------------------------------------------------------------------

HOSTILE_TEXT = {
    b"": TruncatedFileError,
    b"abc def\n": "bad word2vec header",
    b"3\n": "bad word2vec header",
    b"1 2 3\n": "bad word2vec header",
    b"-1 2\n": "bad word2vec header",
    b"2 0\n": "dimensions",
    b"2 99999999999\n": "dimensions",
    b"1000000000000 2\na 1 2\n": "can hold at most",
    b"2 2\na 1 2\n": TruncatedFileError,
    b"2 2\na 1 2\nb 1\n": "line 3: expected 2 values, found 1",
    b"2 2\na 1 2\nb 1 2 3\n": "line 3: more than 2 values",
    b"2 2\na 1 2\nb 1 x\n": "line 3: value 2 is not a number: 'x'",
    b"1 2\na 1 2e\n": "not a number",
    b"1 2\na 1 --2\n": "not a number",
    b"1 2\na 1 +-2\n": "not a number",
    b"1 2\nabcdefgh\n": "expected 2 values, found 0",
    b"1 2\n\xff\xfe 1 \xff\n": "not a number: '\\\\xff'",
}


@pytest.mark.parametrize("data", list(HOSTILE_TEXT))
def test_hostile_text_files_fail_cleanly(tmp_path, data):
    expected = HOSTILE_TEXT[data]
    path = write(tmp_path / "h.txt", data)
    if isinstance(expected, str):
        with pytest.raises(ValueError, match=expected):
            KeyedVectors.load_word2vec_format(path)
    else:
        with pytest.raises(expected):
            KeyedVectors.load_word2vec_format(path)


def test_hostile_binary_files_fail_cleanly(tmp_path):
    rec = binary_record(b"word", [1.0, 2.0, 3.0])
    cases = {
        b"2 3\n" + rec + rec[:-1]: "inside record 2 \\(in its vector\\)",
        b"2 3\n" + rec + b"nospace": TruncatedFileError,
        b"3 3\n" + rec: "can hold at most",  # header lies about the count: refused before allocating
        b"100000000000 3\n" + rec: "can hold at most",
        b"1 4000000\n" + rec: "can hold at most",
    }
    for data, expected in cases.items():
        path = write(tmp_path / "h.bin", data)
        with pytest.raises(ValueError, match=expected if isinstance(expected, str) else None) as err:
            KeyedVectors.load_word2vec_format(path, binary=True)
        if expected is TruncatedFileError:
            assert isinstance(err.value, EOFError)  # gensim raises EOFError here
    # a lying header is fine when limit keeps the read inside the file
    kv = KeyedVectors.load_word2vec_format(write(tmp_path / "l.bin", b"5 3\n" + rec), binary=True, limit=1)
    assert kv.index_to_key == ["word"]


def test_random_garbage_never_crashes(tmp_path):
    rng = np.random.default_rng(7)
    good = tmp_path / "good.bin"
    make_kv(n=20, dim=5).save_word2vec_format(str(good), binary=True)
    base = good.read_bytes()
    for trial in range(300):
        data = bytearray(base)
        for _ in range(int(rng.integers(1, 8))):
            data[int(rng.integers(0, len(data)))] = int(rng.integers(0, 256))
        data = bytes(data[: int(rng.integers(0, len(data) + 1))]) if trial % 3 == 0 else bytes(data)
        path = write(tmp_path / "g.bin", data)
        for binary in (True, False):
            try:
                kv = KeyedVectors.load_word2vec_format(path, binary=binary, unicode_errors="replace")
            except ValueError:
                continue
            assert kv.vectors.shape == (len(kv), kv.vector_size)


def test_corrupt_compressed_file(tmp_path):
    path = tmp_path / "v.txt.gz"
    make_kv().save_word2vec_format(str(path))
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(ValueError, match="decompress"):
        KeyedVectors.load_word2vec_format(str(path))


def test_missing_file():
    with pytest.raises(FileNotFoundError):
        KeyedVectors.load_word2vec_format("/nonexistent/v.bin", binary=True)


# --- native format -------------------------------------------------------------------------


@pytest.mark.parametrize("mmap", [None, "r"])
def test_native_round_trip(tmp_path, mmap):
    kv = make_kv(n=30, keys=[f"w{i}" for i in range(28)] + ["日本", "quote\"\n\\"])
    kv.expandos["count"] = np.arange(30, 0, -1, dtype=np.int64)
    kv.set_vecattr("w3", "tag", "x")
    path = str(tmp_path / "model.kv")
    kv.save(path)
    assert os.path.exists(vectors_path(path))
    back = KeyedVectors.load(path, mmap=mmap)
    assert back.index_to_key == kv.index_to_key and back.key_to_index == kv.key_to_index
    assert np.array_equal(back.vectors, kv.vectors)
    assert isinstance(back.vectors, np.memmap) == (mmap == "r")
    assert back.expandos["count"].tolist() == list(range(30, 0, -1))
    assert back.get_vecattr("w3", "tag") == "x"
    assert back.most_similar("w1") == kv.most_similar("w1")


def test_native_plain_keys_and_lazy_index(tmp_path):
    kv = make_kv(n=25, keys=[f"k{i}" for i in range(24)] + [""])
    path = str(tmp_path / "plain")
    kv.save(path)
    back = KeyedVectors.load(path)
    assert back.index_to_key == kv.index_to_key
    assert back.key_to_index == kv.key_to_index  # built on first use
    assert back.get_index("k7") == 7 and back.most_similar("k3") == kv.most_similar("k3")
    kv.index_to_key[3] = "k4"
    with pytest.raises(ValueError, match="repeated"):
        kv.save(path)
    empty = KeyedVectors(4)
    empty.save(path)
    back = KeyedVectors.load(path)
    assert len(back) == 0 and back.vectors.shape == (0, 4)


def test_native_int_keys_and_strided_vectors(tmp_path):
    padded = np.random.default_rng(0).standard_normal((4, 8)).astype(np.float32)
    kv = KeyedVectors(5)
    kv.index_to_key = [10, 20, 30, 40]
    kv.key_to_index = {k: i for i, k in enumerate(kv.index_to_key)}
    kv.vectors = padded[:, :5]
    kv.save(str(tmp_path / "m"))
    back = KeyedVectors.load(str(tmp_path / "m"))
    assert back.index_to_key == [10, 20, 30, 40]
    assert np.array_equal(back.vectors, padded[:, :5])


def test_native_detects_foreign_and_mismatched_files(tmp_path):
    a, b = make_kv(n=10, seed=1), make_kv(n=10, seed=2)
    a.save(str(tmp_path / "a"))
    b.save(str(tmp_path / "b"))
    os.replace(vectors_path(str(tmp_path / "b")), vectors_path(str(tmp_path / "a")))
    with pytest.raises(ValueError, match="does not belong"):
        KeyedVectors.load(str(tmp_path / "a"))
    write(tmp_path / "pickle", b"\x80\x04\x95junk")  # a damaged pickle (gensim saves are pickles)
    with pytest.raises(ValueError, match="not a loadable gensim save"):
        KeyedVectors.load(str(tmp_path / "pickle"))
    good = (tmp_path / "b").read_bytes()
    write(tmp_path / "cut", good[: len(good) // 2])
    with pytest.raises(ValueError):
        KeyedVectors.load(str(tmp_path / "cut"))
    b.save(str(tmp_path / "c"))
    os.remove(vectors_path(str(tmp_path / "c")))
    with pytest.raises(FileNotFoundError):
        KeyedVectors.load(str(tmp_path / "c"))
    with pytest.raises(ValueError, match="mmap"):
        KeyedVectors.load(str(tmp_path / "a"), mmap="w+")


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    import fastembed.io as fio

    path = tmp_path / "v.txt"
    make_kv(n=3).save_word2vec_format(str(path))
    before = path.read_bytes()
    calls = []
    real = fio._core.format_word2vec

    class Boom:  # stands in for _core: fails on the second block, after some bytes went out
        def __getattr__(self, name):
            return getattr(fio._core.__wrapped__, name)

        @staticmethod
        def format_word2vec(*args):
            calls.append(1)
            if len(calls) == 2:
                raise KeyboardInterrupt
            return real(*args)

    monkeypatch.setattr(fio, "_ROWS_PER_CHUNK", 1)
    boom = Boom()
    boom.__class__.__wrapped__ = fio._core
    monkeypatch.setattr(fio, "_core", boom)
    with pytest.raises(KeyboardInterrupt):
        make_kv(n=3, seed=5).save_word2vec_format(str(path))
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["v.txt"]  # no temporary file left behind


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("ext", ["", ".gz"])
def test_reading_in_windows(tmp_path, monkeypatch, binary, ext):
    import fastembed.io as fio

    monkeypatch.setattr(fio, "_WINDOW_BYTES", 100)  # a few rows per window, rows cut at its edges
    keys = [f"w{i}" for i in range(57)]
    keys[20] = "long" * 60  # longer than the window: it must grow
    kv = make_kv(keys=keys, dim=3)
    path = str(tmp_path / f"w{ext}")
    kv.save_word2vec_format(path, binary=binary, binary_newline=True)
    for limit in (None, 30):
        back = KeyedVectors.load_word2vec_format(path, binary=binary, limit=limit)
        assert back.index_to_key == kv.index_to_key[:limit] and np.array_equal(back.vectors, kv.vectors[:limit])
    if ext:
        return
    data = open(path, "rb").read()
    if binary:  # a bad word deep in the file is reported with its number
        write(path, data.replace(b"w50 ", b"w\xff0 "))
        with pytest.raises(UnicodeDecodeError, match="word #51"):
            KeyedVectors.load_word2vec_format(path, binary=True)
    else:  # and a bad row with its line number
        write(path, data.replace(b"\nw50 ", b"\nw50 x"))
        with pytest.raises(ValueError, match="line 52: value 1 is not a number"):
            KeyedVectors.load_word2vec_format(path)
    empty = write(tmp_path / "empty.txt", b"")
    with pytest.raises(ValueError, match="empty file"):
        KeyedVectors.load_word2vec_format(empty, no_header=True)


def test_lying_header_in_a_compressed_file(tmp_path):
    import gzip
    import tracemalloc

    # the size of a compressed file is unknown up front: the matrix grows with the data instead
    rec = binary_record(b"word", [1.0, 2.0, 3.0])
    path = tmp_path / "lie.bin.gz"
    path.write_bytes(gzip.compress(b"100000000000 3\n" + rec * 5))
    wide = tmp_path / "wide.bin.gz"  # 16M dimensions declared, a few bytes present
    wide.write_bytes(gzip.compress(b"3 16000000\n" + rec))
    tracemalloc.start()
    with pytest.raises(TruncatedFileError, match="record 6"):
        KeyedVectors.load_word2vec_format(str(path), binary=True)
    with pytest.raises(TruncatedFileError, match="record 1"):
        KeyedVectors.load_word2vec_format(str(wide), binary=True)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 16 << 20  # the 4 MB window, no 64 MB row
    text = tmp_path / "lie.txt.xz"
    import lzma

    text.write_bytes(lzma.compress(b"99999999999 2\na 1 2\nb 3 4\n"))
    with pytest.raises(TruncatedFileError, match="line 4"):
        KeyedVectors.load_word2vec_format(str(text))
