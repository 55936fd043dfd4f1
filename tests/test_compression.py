"""One suffix table for compressed files: every suffix, in any case, reads (and writes) the same
in the corpus readers, the vector files and the command line."""
from __future__ import annotations

import bz2
import gzip
import lzma

import numpy as np
import pytest

import fastembed
from fastembed import KeyedVectors, Word2Vec, _compression, corpus
from fastembed.cli import main
from fastembed.io import detect_format

# Compressors independent of the code under test.
COMPRESS = {
    ".gz": gzip.compress,
    ".bz2": bz2.compress,
    ".xz": lzma.compress,
    ".lzma": lambda data: lzma.compress(data, format=lzma.FORMAT_ALONE),
}
# Every suffix in lower, upper and mixed case: FILE.GZ is gzip too.
SUFFIXES = [variant for s in COMPRESS for variant in (s, s.upper(), s[:2].upper() + s[2:])]

TEXT = b"the quick brown fox\njumps over the lazy dog\nthe dog sleeps\n" * 20


def write_compressed(path, data: bytes) -> str:
    path.write_bytes(COMPRESS[path.suffix.lower()](data))
    return str(path)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_the_table_knows_every_suffix_in_any_case(suffix):
    assert _compression.compression_of(f"dir.gz/file{suffix}") == suffix.lower()
    assert _compression.is_compressed(f"file{suffix}")
    assert corpus.is_compressed(f"file{suffix}")  # the trainer's stream-or-file switch


@pytest.mark.parametrize("name", ["file.txt", "file", "file.gzip", "file.tar", "gz"])
def test_other_names_are_plain(name):
    assert _compression.compression_of(name) is None
    assert not corpus.is_compressed(name)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_opener_reads_and_writes(tmp_path, suffix):
    path = write_compressed(tmp_path / f"c{suffix}", TEXT)
    with _compression.open_binary(path) as f:
        assert f.read() == TEXT
    with _compression.open_text(path) as f:
        assert f.read() == TEXT.decode()
    out = tmp_path / f"w{suffix}"
    with _compression.open_binary(out, "wb") as f:
        f.write(TEXT)
    assert out.read_bytes() != TEXT
    with _compression.open_binary(out) as f:
        assert f.read() == TEXT
    if suffix.lower() == ".lzma":  # the legacy format, not xz under the wrong name
        assert lzma.decompress(out.read_bytes(), format=lzma.FORMAT_ALONE) == TEXT


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_line_sentence_and_corpus_file_read_every_suffix(tmp_path, suffix):
    plain = str(tmp_path / "c.txt")
    (tmp_path / "c.txt").write_bytes(TEXT)
    path = write_compressed(tmp_path / f"c{suffix}", TEXT)
    assert list(fastembed.LineSentence(path)) == list(fastembed.LineSentence(plain))
    assert list(fastembed.Text8Corpus(path)) == list(fastembed.Text8Corpus(plain))
    assert b"".join(corpus.read_blocks(path)) == TEXT

    settings = dict(vector_size=8, min_count=1, epochs=1, workers=1, seed=3)
    ref = Word2Vec(corpus_file=plain, **settings)
    model = Word2Vec(corpus_file=path, **settings)
    assert model.wv.index_to_key == ref.wv.index_to_key
    assert model.corpus_count == ref.corpus_count == 60
    assert model.corpus_total_words == ref.corpus_total_words


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("suffix", SUFFIXES)
def test_word2vec_files_save_and_load_every_suffix(tmp_path, suffix, binary):
    kv = KeyedVectors(3)
    kv.add_vectors(["a", "b", "c"], np.arange(9, dtype=np.float32).reshape(3, 3) / 7)
    path = tmp_path / f"v{suffix}"
    kv.save_word2vec_format(str(path), binary=binary)
    raw = path.read_bytes()
    assert not raw.startswith(b"3 3\n")  # compressed, as the suffix says
    with _compression.open_binary(path) as f:
        assert f.read().startswith(b"3 3\n")
    back = KeyedVectors.load_word2vec_format(str(path), binary=binary)
    assert back.index_to_key == ["a", "b", "c"]
    assert np.array_equal(back.vectors, kv.vectors)
    # a file written by another tool reads the same
    other = tmp_path / f"o{suffix}"
    with _compression.open_binary(path) as f:
        write_compressed(other, f.read())
    assert np.array_equal(KeyedVectors.load_word2vec_format(str(other), binary=binary).vectors,
                          kv.vectors)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_cli_detects_and_reads_every_suffix(tmp_path, suffix, capsys):
    kv = KeyedVectors(2)
    kv.add_vectors(["a", "b", "c"], np.array([[1, 0], [0.9, 0.1], [0, 1]], dtype=np.float32))
    text, binary = tmp_path / "v.txt", tmp_path / "v.bin"
    kv.save_word2vec_format(str(text))
    kv.save_word2vec_format(str(binary), binary=True)
    text_c = write_compressed(tmp_path / f"vt{suffix}", text.read_bytes())
    binary_c = write_compressed(tmp_path / f"vb{suffix}", binary.read_bytes())
    assert detect_format(text_c) == "text"
    assert detect_format(binary_c) == "binary"
    for path in (text_c, binary_c):
        assert main(["similar", path, "a", "-n", "1", "-q"]) == 0
        assert "b" in capsys.readouterr().out.split("\n")[1]
