"""``fastembed train``: outputs in each format, vocabulary files, errors, logs and Ctrl-C."""
from __future__ import annotations

import collections
import lzma
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from fastembed import KeyedVectors, Word2Vec
from fastembed.cli import main
from fastembed.demo import SAMPLE_CORPUS


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """30,000 words of the shipped sample, as lines of 1,000 words."""
    with lzma.open(SAMPLE_CORPUS, "rb") as f:
        words = f.read(400_000).split()[:30_000]
    path = tmp_path_factory.mktemp("corpus") / "corpus.txt"
    path.write_bytes(b"\n".join(b" ".join(words[i:i + 1000])
                                for i in range(0, len(words), 1000)) + b"\n")
    return str(path)


def corpus_counts(path, min_count):
    with open(path, "rb") as f:
        counts = collections.Counter(w.decode() for w in f.read().split())
    return {w: c for w, c in counts.items() if c >= min_count}


def read_text_vectors(path):
    with open(path, encoding="utf-8") as f:
        n, dims = map(int, f.readline().split())
        rows = [line.split() for line in f]
    assert len(rows) == n
    assert all(len(r) == dims + 1 for r in rows)
    return [r[0] for r in rows], np.array([[float(x) for x in r[1:]] for r in rows]), dims


def quick(corpus, *extra):
    return ["train", "-train", corpus, "-iter", "1", "-threads", "2", "-min-count", "3",
            "-size", "16", "-q", *extra]


def test_text_output(corpus, tmp_path):
    out = str(tmp_path / "v.txt")
    assert main(quick(corpus, "-output", out)) == 0
    words, vectors, dims = read_text_vectors(out)
    expected = corpus_counts(corpus, 3)
    assert dims == 16
    assert set(words) == set(expected)
    counts = [expected[w] for w in words]
    assert counts == sorted(counts, reverse=True)  # most frequent first
    assert np.isfinite(vectors).all() and np.abs(vectors).sum() > 0


def test_binary_output_matches_a_native_save(corpus, tmp_path):
    out_bin, out_model = str(tmp_path / "v.bin"), str(tmp_path / "m.model")
    assert main(quick(corpus, "-output", out_bin, "-binary", "1", "--seed", "5",
                      "-threads", "1")) == 0
    assert main(quick(corpus, "--output", out_model, "--format", "native", "--seed", "5",
                      "-threads", "1")) == 0
    with open(out_bin, "rb") as f:
        assert f.readline().split()[1] == b"16"
    wv = KeyedVectors.load_word2vec_format(out_bin, binary=True)
    model = Word2Vec.load(out_model)
    assert wv.index_to_key == model.wv.index_to_key
    # one thread and one seed: the same training, bit for bit
    np.testing.assert_array_equal(wv.vectors, model.wv.vectors)
    assert model.sg == 0 and model.alpha == 0.05 and model.epochs == 1  # C defaults


def test_skip_gram_and_hierarchical_softmax_flags_reach_the_model(corpus, tmp_path):
    out = str(tmp_path / "m.model")
    assert main(quick(corpus, "-output", out, "--format", "native", "-cbow", "0", "-hs", "1",
                      "-negative", "0", "-window", "3", "-sample", "0")) == 0
    model = Word2Vec.load(out)
    assert (model.sg, model.hs, model.negative, model.window, model.sample) == (1, 1, 0, 3, 0)
    assert model.alpha == 0.025 and model.min_alpha == pytest.approx(0.025 * 1e-4)
    assert model.vector_size == 16 and model.min_count == 3


def test_gensim_loads_the_outputs(corpus, tmp_path):
    gensim_models = pytest.importorskip("gensim.models")
    for binary in ("0", "1"):
        out = str(tmp_path / f"v{binary}")
        assert main(quick(corpus, "-output", out, "-binary", binary)) == 0
        kv = gensim_models.KeyedVectors.load_word2vec_format(out, binary=binary == "1")
        words, vectors, _ = read_text_vectors(str(tmp_path / "v0"))
        assert kv.index_to_key == words
        if binary == "0":
            np.testing.assert_allclose(kv.vectors, vectors, rtol=1e-6)


def test_save_vocab_writes_the_c_tool_format(corpus, tmp_path):
    vocab = tmp_path / "v.vocab"
    assert main(quick(corpus, "-save-vocab", str(vocab))) == 0  # no -output: vocabulary only
    lines = vocab.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "</s> 30"  # the sentence marker first, with the number of lines
    pairs = [line.split(" ") for line in lines[1:]]
    assert {w: int(c) for w, c in pairs} == corpus_counts(corpus, 3)
    counts = [int(c) for _, c in pairs]
    assert counts == sorted(counts, reverse=True)
    assert sorted(os.listdir(tmp_path)) == ["v.vocab"]  # nothing else written


def test_read_vocab_restricts_the_vocabulary(corpus, tmp_path):
    counts = corpus_counts(corpus, 3)
    top = sorted(counts, key=lambda w: -counts[w])[:40]
    vocab = tmp_path / "top.vocab"
    vocab.write_text("</s> 30\n" + "".join(f"{w} {counts[w]}\n" for w in top), encoding="utf-8")
    out = str(tmp_path / "m.model")
    assert main(quick(corpus, "-read-vocab", str(vocab), "-output", out,
                      "--format", "native")) == 0
    model = Word2Vec.load(out)
    assert set(model.wv.index_to_key) == set(top)
    assert [int(c) for c in model.wv.expandos["count"]] == [counts[w] for w in
                                                            model.wv.index_to_key]


@pytest.mark.parametrize("problem", ["corpus", "outdir", "readvocab", "empty", "badvocab"])
def test_errors_exit_1_with_a_message(problem, corpus, tmp_path, capsys):
    argv = quick(corpus, "-output", str(tmp_path / "v.txt"))
    if problem == "corpus":
        argv[2] = str(tmp_path / "missing.txt")
    elif problem == "outdir":
        argv[argv.index("-output") + 1] = str(tmp_path / "no" / "such" / "dir.txt")
    elif problem == "readvocab":
        argv += ["-read-vocab", str(tmp_path / "missing.vocab")]
    elif problem == "empty":
        (tmp_path / "empty.txt").write_text("\n\n")
        argv[2] = str(tmp_path / "empty.txt")
    elif problem == "badvocab":
        (tmp_path / "bad.vocab").write_text("the 10\nof\n")
        argv += ["-read-vocab", str(tmp_path / "bad.vocab")]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("fastembed train: error: ") and err.count("\n") == 1
    assert not (tmp_path / "v.txt").exists()


def run_cli(args, **kwargs):
    return subprocess.run([sys.executable, "-m", "fastembed", *args], capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL, **kwargs)


def test_log_lines_when_not_a_terminal(corpus, tmp_path):
    out = str(tmp_path / "v.txt")
    done = run_cli(["train", "-train", corpus, "-output", out, "-iter", "2", "-min-count", "3",
                    "-size", "16", "-threads", "2"])
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "\r" not in done.stderr  # no live line on a pipe
    epochs = [line for line in done.stderr.splitlines() if "EPOCH" in line]
    assert len(epochs) == 2 and all("words/s" in line for line in epochs)
    assert "INFO" in epochs[0]  # timestamped logging lines
    assert os.path.exists(out)
    quiet = run_cli(["train", "-train", corpus, "-output", out, "-iter", "1", "-min-count", "3",
                     "-size", "16", "-debug", "0"])
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_ctrl_c_exits_130_and_leaves_no_output(tmp_path):
    corpus = tmp_path / "big.txt"
    with lzma.open(SAMPLE_CORPUS, "rb") as src:
        corpus.write_bytes(src.read())
    out = tmp_path / "v.txt"
    out.write_text("previous contents\n")
    proc = subprocess.Popen([sys.executable, "-m", "fastembed", "train", "-train", str(corpus),
                             "-output", str(out), "-iter", "50", "-threads", "2"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            # A runner started in the background passes SIGINT on ignored, and
                            # Python then never raises KeyboardInterrupt: give the child Ctrl-C.
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 60
        # wait until training runs (the vocabulary scan is done), then interrupt
        while "vocabulary" not in (line := proc.stderr.readline()):
            assert line and time.monotonic() < deadline, "training never started"
        time.sleep(1.0)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        waited = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert waited < 3.0
    assert "interrupted" in err and "Traceback" not in err
    assert out.read_text() == "previous contents\n"  # the old file is untouched
    assert sorted(os.listdir(tmp_path)) == ["big.txt", "v.txt"]  # no temporary files
