"""Class 5 of issue 17: every failure names the file and the problem.

Cases that could block or run away (pipes, devices, damaged streams) run in child processes
with a time and memory limit (``childcases``); the command-line cases run ``python -m
fastembed`` with a timeout.
"""
import bz2
import gzip
import lzma
import os
import subprocess
import sys

import numpy as np
import pytest

from childcases import Cases, raised

cases = Cases()
case = cases.case

TEXT = b"the quick brown fox jumps over the lazy dog\n" * 3000


def _damaged(tmp, suffix):
    """A compressed corpus cut in half and with a flipped byte in its middle."""
    opener = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}[suffix]
    data = bytearray(opener(TEXT))
    data[len(data) // 2] ^= 0xFF
    path = os.path.join(tmp, "corpus.txt" + suffix)
    with open(path, "wb") as f:
        f.write(bytes(data[: len(data) * 3 // 4]))
    return path


for _suffix in (".gz", ".bz2", ".xz"):
    def _corpus_file_case(tmp, suffix=_suffix):
        import fastembed
        fastembed.Word2Vec(corpus_file=_damaged(tmp, suffix), min_count=1)

    def _line_sentence_case(tmp, suffix=_suffix):
        import fastembed
        list(fastembed.LineSentence(_damaged(tmp, suffix)))

    _corpus_file_case.__name__ = "damaged" + _suffix.replace(".", "_") + "_corpus_file"
    _line_sentence_case.__name__ = "damaged" + _suffix.replace(".", "_") + "_line_sentence"
    case(_corpus_file_case)
    case(_line_sentence_case)


def _fifo(tmp):
    path = os.path.join(tmp, "fifo")
    os.mkfifo(path)
    return path


@case
def line_sentence_on_fifo(tmp):
    import fastembed
    fastembed.Word2Vec(sentences=fastembed.LineSentence(_fifo(tmp)), min_count=1)


@case
def line_sentence_on_device(tmp):
    import fastembed
    fastembed.Word2Vec(sentences=fastembed.LineSentence("/dev/zero"), min_count=1)


@case
def compressed_fifo_corpus_file(tmp):
    import fastembed
    path = os.path.join(tmp, "c.txt.gz")
    os.mkfifo(path)
    fastembed.Word2Vec(corpus_file=path, min_count=1)


@case
def max_vocab_size_1(tmp):
    import fastembed
    fastembed.Word2Vec([["a", "b", "c"], ["d", "a"]] * 10, min_count=5, max_vocab_size=1)


@pytest.fixture(scope="module")
def outcomes():
    return Cases.run(__file__, list(cases.table), timeout=120)


@pytest.mark.parametrize("suffix", ["gz", "bz2", "xz"])
@pytest.mark.parametrize("reader", ["corpus_file", "line_sentence"])
def test_damaged_compressed_corpus(outcomes, suffix, reader):
    raised(outcomes, f"damaged_{suffix}_{reader}", ValueError,
           rf"corpus\.txt\.{suffix}: damaged \.{suffix} data after \d+ decompressed bytes \(\w+")


@pytest.mark.parametrize("name, pattern", [
    ("line_sentence_on_fifo", r"'.*fifo' is not a regular file \(a pipe \(FIFO\)\): a corpus is read once"),
    ("line_sentence_on_device", r"'/dev/zero' is not a regular file \(a device or socket\)"),
    ("compressed_fifo_corpus_file", r"c\.txt\.gz' is not a regular file \(a pipe"),
    ("max_vocab_size_1", r"max_vocab_size=1 is too small for this corpus: the scan pruned the counts"),
])
def test_corpus_messages(outcomes, name, pattern):
    raised(outcomes, name, ValueError, pattern)


# ---------------------------------------------------------------------- in-process checks
def _kv():
    import fastembed
    kv = fastembed.KeyedVectors(3)
    kv.add_vectors(["a", "b", "c"], np.eye(3, dtype=np.float32))
    return kv


def test_non_utf8_evaluation_files(tmp_path):
    kv = _kv()
    pairs = tmp_path / "pairs.tsv"
    pairs.write_bytes(b"a\tb\t1\nc\t\xffb\t2\n")
    with pytest.raises(UnicodeDecodeError, match=r"on line 2 of .*pairs\.tsv"):
        kv.evaluate_word_pairs(str(pairs))
    analogies = tmp_path / "q.txt"
    analogies.write_bytes(b": s\na b c a\n\xe9 b c a\n")
    with pytest.raises(UnicodeDecodeError, match=r"on line 3 of .*q\.txt"):
        kv.evaluate_word_analogies(str(analogies))
    latin = tmp_path / "latin.tsv"  # the encoding argument still works
    latin.write_bytes("a\tb\t1\nc\ta\t2\nb\tc\t3\n".encode("latin-1"))
    kv.evaluate_word_pairs(str(latin), encoding="latin-1")


@pytest.mark.parametrize("topn, exc, pattern", [
    ("5", TypeError, r"topn must be an int or None, got str '5'"),
    (2.5, TypeError, r"topn must be an int or None, got float 2\.5"),
    (True, TypeError, r"topn must be an int or None, got bool True"),
])
def test_bad_topn(topn, exc, pattern):
    kv = _kv()
    for call in (lambda: kv.most_similar("a", topn=topn), lambda: kv.most_similar_cosmul("a", topn=topn),
                 lambda: kv.similar_by_key("a", topn=topn), lambda: kv.batch_most_similar(["a"], topn=topn)):
        with pytest.raises(exc, match=pattern):
            call()
    assert kv.most_similar("a", topn=-3) == [] and kv.most_similar("a", topn=0) == []  # gensim's rule
    assert len(kv.most_similar("a", topn=None)) == 3 and len(kv.most_similar("a", topn=np.int64(1))) == 1


def _cli(*args, timeout=60, stdin=subprocess.DEVNULL):
    return subprocess.run([sys.executable, "-m", "fastembed", *args], capture_output=True, text=True,
                          timeout=timeout, stdin=stdin)


def test_cli_train_on_a_folder_fifo_or_device(tmp_path):
    out = str(tmp_path / "v.txt")
    fifo = str(tmp_path / "fifo")
    os.mkfifo(fifo)
    for corpus, pattern in ((str(tmp_path), "expected a file, got a directory"),
                            (fifo, "is not a regular file (a pipe (FIFO))"),
                            ("/dev/zero", "is not a regular file (a device or socket)"),
                            (str(tmp_path / "nope.txt"), "corpus file not found")):
        proc = _cli("train", "-train", corpus, "-output", out, "-debug", "0")
        assert proc.returncode == 1 and pattern in proc.stderr and corpus in proc.stderr, proc.stderr


def test_cli_unwritable_output_is_found_before_training(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_bytes(TEXT)
    proc = _cli("train", "-train", str(corpus), "-output", "/proc/fastembed-test.txt", "-min-count", "1", "-debug", "1")
    assert proc.returncode == 1 and "cannot write '/proc/fastembed-test.txt'" in proc.stderr, proc.stderr
    assert "EPOCH" not in proc.stderr and "vocabulary" not in proc.stderr  # nothing was trained


def test_cli_similar_on_a_fifo_does_not_block(tmp_path):
    fifo = str(tmp_path / "fifo")
    os.mkfifo(fifo)
    proc = _cli("similar", fifo, "king", timeout=30)
    assert proc.returncode == 1 and "is not a regular file (a pipe or a device)" in proc.stderr, proc.stderr


def test_empty_npy_names_the_file(tmp_path):
    from fastembed import _npy
    empty = tmp_path / "e.npy"
    empty.write_bytes(b"")
    for mmap in (None, "r"):
        with pytest.raises(ValueError, match=r"e\.npy: not a valid \.npy array: empty"):
            _npy.load_file(str(empty), mmap)


if __name__ == "__main__":
    cases.child_main()
