"""The command line: argument parsing, exit codes, similar / analogy / evaluate.

The query commands run on small hand-made vectors files whose answers follow from the
formulas (cosine, 3CosAdd, Spearman) computed here with numpy.
"""
from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from fastembed import __version__
from fastembed.cli import build_parser, main, output_format, train_settings
from fastembed.io import detect_format, read_vocab_file

WORDS = {
    "man": [1.0, 0.0, 0.0, 0.0],
    "king": [1.0, 1.0, 0.0, 0.0],
    "woman": [0.0, 0.0, 1.0, 0.0],
    "queen": [0.0, 1.0, 1.0, 0.0],
    "prince": [0.5, 1.0, 0.0, 0.2],
    "apple": [0.0, 0.1, 0.0, 1.0],
    "pear": [0.1, 0.0, 0.2, 0.9],
}


def write_text_vectors(path, words=WORDS):
    with open(path, "w", encoding="utf-8") as f:
        dims = len(next(iter(words.values())))
        f.write(f"{len(words)} {dims}\n")
        for w, v in words.items():
            f.write(w + " " + " ".join(repr(float(x)) for x in v) + "\n")
    return str(path)


def write_binary_vectors(path, words=WORDS, newline=True):
    with open(path, "wb") as f:
        dims = len(next(iter(words.values())))
        f.write(f"{len(words)} {dims}\n".encode())
        for w, v in words.items():
            f.write(w.encode() + b" " + np.asarray(v, dtype="<f4").tobytes()
                    + (b"\n" if newline else b""))
    return str(path)


def unit(v):
    v = np.asarray(v, dtype=np.float64)
    return v / np.linalg.norm(v)


def expected_neighbours(positive, negative=(), words=WORDS):
    """Cosine ranking of the mean of unit vectors, inputs excluded (gensim's most_similar)."""
    query = unit(sum(unit(words[w]) for w in positive) - sum(unit(words[w]) for w in negative)
                 if negative else sum(unit(words[w]) for w in positive))
    scores = {w: float(unit(v) @ query) for w, v in words.items()
              if w not in positive and w not in negative}
    return sorted(scores.items(), key=lambda kv: -kv[1])


def parse_table(text):
    """{query: [(word, score), ...]} from the similar/analogy table output."""
    out, current = {}, None
    for line in text.splitlines():
        if line.startswith("  "):
            word, score = line.split()
            out[current].append((word, float(score)))
        elif line:
            current = line
            out[current] = []
    return out


@pytest.fixture
def vectors_file(tmp_path):
    return write_text_vectors(tmp_path / "v.txt")


# ----------------------------------------------------------------------------- parsing

def parse_train(cmdline):
    return build_parser().parse_args(["train"] + cmdline.split())


def test_c_tool_flags_map_to_word2vec_settings():
    args = parse_train("-train c.txt -output v.bin -size 200 -window 8 -sample 1e-4 -hs 1 "
                       "-negative 0 -threads 3 -iter 15 -min-count 2 -alpha 0.1 -binary 1 "
                       "-cbow 0 -save-vocab v.vocab -read-vocab r.vocab -debug 1")
    s = train_settings(args)
    assert (args.corpus, args.output, args.save_vocab, args.read_vocab) == (
        "c.txt", "v.bin", "v.vocab", "r.vocab")
    assert s["vector_size"] == 200 and s["window"] == 8 and s["sample"] == 1e-4
    assert s["hs"] == 1 and s["negative"] == 0 and s["workers"] == 3 and s["epochs"] == 15
    assert s["min_count"] == 2 and s["alpha"] == 0.1 and s["sg"] == 1
    assert s["min_alpha"] == pytest.approx(0.1 * 1e-4)  # the C tool's floor
    assert output_format(args) == "binary"


def test_c_tool_defaults():
    args = parse_train("-train c.txt -output v.txt")
    s = train_settings(args)
    assert s["sg"] == 0 and s["alpha"] == 0.05  # C: CBOW by default, with alpha 0.05
    assert (s["vector_size"], s["window"], s["sample"], s["hs"], s["negative"]) == (
        100, 5, 1e-3, 0, 5)
    assert (s["epochs"], s["min_count"], s["workers"]) == (5, 5, os.cpu_count())
    assert s["min_alpha"] == pytest.approx(0.05 * 1e-4)
    assert output_format(args) == "text"
    # skip-gram's default learning rate is 0.025
    assert train_settings(parse_train("-train c -output o -cbow 0"))["alpha"] == 0.025


def test_long_options_with_gensim_names():
    args = parse_train("--corpus c.txt --output m.model --vector-size 50 --window 3 "
                       "--sample 0 --hs 0 --negative 10 --workers 2 --epochs 7 --min-count 1 "
                       "--alpha 0.03 --min-alpha 0.001 --sg 1 --format native --seed 7 "
                       "--cbow-mean 0 --ns-exponent 0.5 --max-final-vocab 1000 --compute-loss")
    s = train_settings(args)
    assert s == dict(vector_size=50, alpha=0.03, min_alpha=0.001, window=3, min_count=1,
                     max_vocab_size=None, sample=0.0, seed=7, workers=2, sg=1, hs=0,
                     negative=10, ns_exponent=0.5, cbow_mean=0, epochs=7, compute_loss=True,
                     max_final_vocab=1000)
    assert output_format(args) == "native"
    assert train_settings(parse_train("--corpus c --output o --sg 0"))["sg"] == 0


@pytest.mark.parametrize("cmdline", [
    "-train c -output o -cbow 1 --sg 1",        # CBOW and skip-gram at once
    "-train c -output o -cbow 0 --sg 0",
    "-train c -output o -binary 1 --format text",
    "-train c -output o -hs 0 -negative 0",     # nothing to train
    "-train c -output o -classes 100",          # k-means classes: not implemented
])
def test_contradictory_or_unsupported_train_flags_are_usage_errors(cmdline, tmp_path, capsys):
    corpus = tmp_path / "c"
    corpus.write_text("a b c\n")
    cmdline = cmdline.replace("-train c", f"-train {corpus}").replace(
        "-output o", f"-output {tmp_path / 'o'}")
    assert main(["train"] + cmdline.split()) == 2
    assert "error:" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("argv", [
    [],                                                  # no command
    ["frobnicate"],                                      # unknown command
    ["train", "-output", "o"],                           # -train is required
    ["train", "-train", "c", "-size", "0"],              # not positive
    ["train", "-train", "c", "-hs", "2"],                # 0 or 1
    ["train", "-train", "c", "-sample", "-1"],
    ["train", "-train", "c", "-bogus", "1"],             # unknown flag
    ["train", "-train", "c", "-tra", "c"],               # no abbreviations
    ["analogy", "v.txt", "a", "b"],                      # needs three words
    ["plot", "v.txt", "a", "b"],                         # -o is required
    ["evaluate"],                                        # VECTORS is required
])
def test_usage_errors_exit_2(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_text_vectors(tmp_path / "v.txt")
    assert main(argv) == 2
    assert capsys.readouterr().err  # a message, on stderr


def test_help_and_version_exit_0(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"fastembed {__version__}"
    for command in ("train", "similar", "analogy", "evaluate", "demo", "plot"):
        assert main([command, "--help"]) == 0
    assert "-min-count" in (build_parser().format_help() + capsys.readouterr().out)


def test_python_dash_m_runs_the_cli():
    done = subprocess.run([sys.executable, "-m", "fastembed", "--version"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.strip() == f"fastembed {__version__}"
    done = subprocess.run([sys.executable, "-m", "fastembed"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "COMMAND" in done.stderr


def test_read_vocab_file_c_format(tmp_path):
    path = tmp_path / "v.vocab"
    path.write_bytes(b"</s> 12\nthe 100\nof 50\n\ncaf\xc3\xa9 3\n")
    assert read_vocab_file(str(path)) == {"the": 100, "of": 50, "café": 3}
    for bad in (b"the\n", b"the x\n", b"the 1 2\n", b"the -1\n", b"</s> 3\n"):
        path.write_bytes(b"a 1\n" + bad if bad != b"</s> 3\n" else bad)
        with pytest.raises(ValueError, match="v.vocab"):
            read_vocab_file(str(path))


# ----------------------------------------------------------------------------- formats

def test_detect_format(tmp_path):
    assert detect_format(write_text_vectors(tmp_path / "a.txt")) == "text"
    assert detect_format(write_binary_vectors(tmp_path / "a.bin")) == "binary"
    assert detect_format(write_binary_vectors(tmp_path / "b.bin", newline=False)) == "binary"
    # one-dimensional text vectors: the record is shorter than a binary one would be
    assert detect_format(write_text_vectors(tmp_path / "c.txt", {"a": [1.0], "b": [2.0]})) \
        == "text"
    with gzip.open(tmp_path / "a.txt.gz", "wb") as f:
        f.write((tmp_path / "a.txt").read_bytes())
    assert detect_format(str(tmp_path / "a.txt.gz")) == "text"
    (tmp_path / "n.model").write_bytes(b"\x93NUMPY\x01\x00whatever")
    assert detect_format(str(tmp_path / "n.model")) == "native"
    with pytest.raises(FileNotFoundError):
        detect_format(str(tmp_path / "missing.txt"))


@pytest.mark.parametrize("writer", [write_text_vectors, write_binary_vectors])
def test_similar_reads_text_and_binary(writer, tmp_path, capsys):
    path = writer(tmp_path / "v")
    assert main(["similar", path, "king", "-n", "3", "-q"]) == 0
    table = parse_table(capsys.readouterr().out)
    expected = expected_neighbours(["king"])[:3]
    assert [w for w, _ in table["king"]] == [w for w, _ in expected]
    assert [s for _, s in table["king"]] == pytest.approx([s for _, s in expected], abs=1e-4)


def test_similar_reads_native_files(tmp_path, capsys):
    from fastembed import KeyedVectors, Word2Vec

    kv = KeyedVectors.load_word2vec_format(write_text_vectors(tmp_path / "v.txt"))
    kv.save(str(tmp_path / "v.kv"))
    assert detect_format(str(tmp_path / "v.kv")) == "native"
    assert main(["similar", str(tmp_path / "v.kv"), "king", "-n", "2", "-q"]) == 0
    assert [w for w, _ in parse_table(capsys.readouterr().out)["king"]] == [
        w for w, _ in expected_neighbours(["king"])[:2]]
    model = Word2Vec(sentences=[["a", "b", "c", "a"], ["b", "c", "a"]] * 20, min_count=1,
                     vector_size=8, epochs=1, workers=1)
    model.save(str(tmp_path / "w.model"))
    assert main(["similar", str(tmp_path / "w.model"), "a", "-n", "2", "--json", "-q"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["results"] == [[w, pytest.approx(s, abs=1e-6)]
                                 for w, s in model.wv.most_similar("a", topn=2)]
    (tmp_path / "junk.bin").write_bytes(b"\x00\x01junk")
    assert main(["similar", str(tmp_path / "junk.bin"), "a"]) == 1
    assert "not a vectors file" in capsys.readouterr().err


# ----------------------------------------------------------------------------- similar

def test_similar_several_queries_and_a_combined_one(vectors_file, capsys):
    assert main(["similar", vectors_file, "apple", "man woman", "-n", "2"]) == 0
    table = parse_table(capsys.readouterr().out)
    assert list(table) == ["apple", "man woman"]
    assert [w for w, _ in table["apple"]] == [w for w, _ in expected_neighbours(["apple"])[:2]]
    combined = expected_neighbours(["man", "woman"])[:2]
    assert [w for w, _ in table["man woman"]] == [w for w, _ in combined]
    assert table["man woman"][0][1] == pytest.approx(combined[0][1], abs=1e-4)


def test_similar_json(vectors_file, capsys):
    assert main(["similar", vectors_file, "queen", "--json", "-n", "1"]) == 0
    record = json.loads(capsys.readouterr().out)
    best = expected_neighbours(["queen"])[0]
    assert record["query"] == "queen" and record["positive"] == ["queen"]
    assert record["results"][0][0] == best[0]
    assert record["results"][0][1] == pytest.approx(best[1], abs=1e-6)


def test_similar_unknown_word_exits_1_but_answers_the_others(vectors_file, capsys):
    assert main(["similar", vectors_file, "zebra", "king", "-n", "1"]) == 1
    out, err = capsys.readouterr()
    assert "zebra" in err and "out of vocabulary" in err
    assert list(parse_table(out)) == ["king"]


def test_similar_missing_file_exits_1(tmp_path, capsys):
    assert main(["similar", str(tmp_path / "nope.txt"), "king"]) == 1
    assert "nope.txt" in capsys.readouterr().err


def test_similar_corrupt_file_exits_1(tmp_path, capsys):
    path = tmp_path / "bad.txt"
    path.write_text("3 4\nking 1 2\n")
    assert main(["similar", str(path), "king"]) == 1
    assert "error" in capsys.readouterr().err


def test_similar_reads_queries_from_stdin(vectors_file, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("king\n\nzebra\nman woman\nEXIT\napple\n"))
    assert main(["similar", vectors_file, "-n", "1"]) == 0  # interactive: unknown words ok
    out, err = capsys.readouterr()
    assert list(parse_table(out)) == ["king", "man woman"]  # stops at EXIT
    assert "zebra" in err


# ----------------------------------------------------------------------------- analogy

def test_analogy_3cosadd(vectors_file, capsys):
    assert main(["analogy", vectors_file, "man", "king", "woman", "-n", "2"]) == 0
    table = parse_table(capsys.readouterr().out)
    expected = expected_neighbours(["king", "woman"], ["man"])[:2]
    assert expected[0][0] == "queen"
    assert list(table) == ["man : king :: woman : ?"]
    assert [w for w, _ in table["man : king :: woman : ?"]] == [w for w, _ in expected]
    assert [s for _, s in table["man : king :: woman : ?"]] == pytest.approx(
        [s for _, s in expected], abs=1e-4)


def test_analogy_from_stdin(vectors_file, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("man king woman\nman king\nwoman queen man\n"))
    assert main(["analogy", vectors_file, "-n", "1", "--json"]) == 0
    out, err = capsys.readouterr()
    answers = [json.loads(line)["results"][0][0] for line in out.splitlines()]
    assert answers == ["queen", "king"]
    assert "three words" in err


def test_analogy_unknown_word_exits_1(vectors_file, capsys):
    assert main(["analogy", vectors_file, "man", "king", "zebra"]) == 1
    assert "zebra" in capsys.readouterr().err


# ----------------------------------------------------------------------------- evaluate

def write_eval_files(tmp_path):
    analogies = tmp_path / "analogies.txt"
    analogies.write_text(": royalty\n"
                         "man king woman queen\n"   # correct
                         "woman queen man king\n"   # correct
                         "man king woman prince\n"  # wrong: queen wins
                         ": fruit\n"
                         "apple pear zebra lion\n")  # out of vocabulary
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("# comment\n"
                     "king\tqueen\t8.0\n"
                     "man\twoman\t7.0\n"
                     "apple\tpear\t9.0\n"
                     "king\tapple\t1.0\n"
                     "zebra\tlion\t5.0\n")
    return str(analogies), str(pairs)


def spearman(a, b):
    rank = lambda x: np.argsort(np.argsort(x)).astype(float)
    return float(np.corrcoef(rank(a), rank(b))[0, 1])


def test_evaluate_table_and_json(vectors_file, tmp_path, capsys):
    analogies, pairs = write_eval_files(tmp_path)
    assert main(["evaluate", vectors_file, "--analogies", analogies, "--pairs", pairs,
                 "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    (a,) = report["analogies"]
    assert a["accuracy"] == pytest.approx(2 / 3)
    assert (a["correct"], a["evaluated"], a["questions"]) == (2, 3, 4)
    assert a["coverage"] == pytest.approx(0.75)
    (p,) = report["pairs"]
    cos = [float(unit(WORDS[x]) @ unit(WORDS[y])) for x, y in
           [("king", "queen"), ("man", "woman"), ("apple", "pear"), ("king", "apple")]]
    human = [8.0, 7.0, 9.0, 1.0]
    assert p["spearman"] == pytest.approx(spearman(cos, human))
    assert p["pearson"] == pytest.approx(float(np.corrcoef(cos, human)[0, 1]))
    assert p["coverage"] == pytest.approx(0.8)

    assert main(["evaluate", vectors_file, "--analogies", analogies, "--pairs", pairs]) == 0
    table = capsys.readouterr().out
    assert "accuracy 0.6667" in table and "coverage 75.0% (3/4)" in table
    assert f"spearman {p['spearman']:.4f}" in table and "coverage 80.0%" in table


def test_evaluate_reads_compressed_evaluation_files(vectors_file, tmp_path, capsys):
    # the question count comes from the evaluator itself, so it holds for a .gz file too
    analogies, pairs = write_eval_files(tmp_path)
    for path in (analogies, pairs):
        with open(path, "rb") as src, gzip.open(path + ".GZ", "wb") as dst:
            dst.write(src.read())
    reports = []
    for suffix in ("", ".GZ"):
        assert main(["evaluate", vectors_file, "--analogies", analogies + suffix,
                     "--pairs", pairs + suffix, "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        for r in report["analogies"] + report["pairs"]:
            r.pop("file")
        reports.append(report)
    assert reports[0] == reports[1]
    assert reports[0]["analogies"][0]["questions"] == 4


def test_evaluate_defaults_to_the_shipped_sets(vectors_file, capsys):
    assert main(["evaluate", vectors_file, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [os.path.basename(r["file"]) for r in report["analogies"]] == ["questions-words.txt"]
    assert [os.path.basename(r["file"]) for r in report["pairs"]] == [
        "wordsim353.tsv", "simlex999.txt"]
    assert report["analogies"][0]["questions"] == 19544


def test_evaluate_missing_file_exits_1(vectors_file, tmp_path, capsys):
    assert main(["evaluate", vectors_file, "--pairs", str(tmp_path / "nope.tsv")]) == 1
    assert "nope.tsv" in capsys.readouterr().err


def test_version_has_one_source():
    import importlib.metadata

    import fastembed

    assert importlib.metadata.version("fastembed") == fastembed.__version__
