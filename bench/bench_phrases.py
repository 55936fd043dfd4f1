"""Phrase detection against gensim 4.4 and the word2phrase C tool, in one run.

For each setting (default / npmi scoring, with and without ENGLISH_CONNECTOR_WORDS) each tool
runs in a fresh subprocess (its own peak RSS) on the 17M-word text8-like corpus, read as
10,000-word sentences (gensim: its Text8Corpus; fastembed: corpus_file for counting and
Text8Corpus for applying, both read in C++):

* build s: ``Phrases(...)``; freeze s: ``.freeze()``; apply s: iterating ``frozen[corpus]``
  to the end (every sentence a Python list, as Word2Vec would receive it);
* fastembed also times ``transform_file`` (file to file, threads);
* quality: Jaccard of the ``export_phrases()`` keys, and whether the transformed first 1M
  words are identical.

Then ``word2phrase`` (built from the word2vec C sources with gcc, if given or found) and
``fastembed phrases`` with the same flags: wall s, peak RSS, identical output.

    python bench/bench_phrases.py --out bench/results/phrases.jsonl
    python bench/bench_phrases.py --quick            # the first 2M words
Every run prints one JSON object.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _corpus import CACHE_DIR, DEFAULT_CORPUS, plain_corpus, prefix_corpus  # noqa: E402
from _rss import peak_rss_mb  # noqa: E402

SETTINGS = {
    "default": dict(scoring="default", threshold=10.0),
    "npmi": dict(scoring="npmi", threshold=0.5),
    "default-connectors": dict(scoring="default", threshold=10.0, connectors=True),
    "npmi-connectors": dict(scoring="npmi", threshold=0.5, connectors=True),
}
SAMPLE_WORDS = 1_000_000
W2V_MIRROR = "/work/.mirror/tmikolov+word2vec/repo"


def cpu_s() -> float:
    """CPU seconds of this process so far (all threads): on a shared machine, the work done."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def version(pkg: str) -> str:
    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return "?"


# ------------------------------------------------------------------ one run (child process)

def run_one(tool: str, setting: str, corpus: str, workers: int, keys_out: str, sample_out: str) -> dict:
    s = SETTINGS[setting]
    if tool == "gensim":
        from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases
        from gensim.models.word2vec import Text8Corpus
        kwargs = {}
    else:
        from fastembed import ENGLISH_CONNECTOR_WORDS, Phrases, Text8Corpus
        kwargs = {"workers": workers}
    connectors = ENGLISH_CONNECTOR_WORDS if s.get("connectors") else frozenset()
    c0 = cpu_s()
    t0 = time.perf_counter()
    if tool == "gensim":
        model = Phrases(Text8Corpus(corpus), min_count=5, threshold=s["threshold"], scoring=s["scoring"],
                        connector_words=connectors)
    else:
        model = Phrases(corpus_file=corpus, min_count=5, threshold=s["threshold"], scoring=s["scoring"],
                        connector_words=connectors, **kwargs)
    t1 = time.perf_counter()
    frozen = model.freeze()
    t2 = time.perf_counter()
    tokens = 0
    for sentence in frozen[Text8Corpus(corpus)]:
        tokens += len(sentence)
    t3 = time.perf_counter()
    c3 = cpu_s()
    out = {"tool": tool, "version": version("gensim" if tool == "gensim" else "fastembed"),
           "setting": setting, "build_s": round(t1 - t0, 2), "freeze_s": round(t2 - t1, 2),
           "apply_s": round(t3 - t2, 2), "total_s": round(t3 - t0, 2), "total_cpu_s": round(c3 - c0, 2), "vocab_entries": len(model.vocab),
           "phrases": len(frozen.phrasegrams), "output_tokens": tokens,
           "peak_rss_mb": round(peak_rss_mb(), 1)}
    if tool == "fastembed":
        with tempfile.TemporaryDirectory(dir=CACHE_DIR) as d:
            t4 = time.perf_counter()
            frozen.transform_file(corpus, os.path.join(d, "out.txt"), workers=workers)
            out["transform_file_s"] = round(time.perf_counter() - t4, 2)
    with open(keys_out, "w", encoding="utf-8") as f:
        f.write("\n".join(sorted(model.export_phrases())))
    # The first 1M words as sentences of 10,000, transformed by both Phrases and FrozenPhrases.
    digest = hashlib.sha256()
    words = 0
    for sentence in Text8Corpus(corpus):
        if words >= SAMPLE_WORDS:
            break
        a, b = model[sentence], frozen[sentence]
        if a != b:
            out["phrases_vs_frozen_differ"] = True
        digest.update((" ".join(b) + "\n").encode("utf-8"))
        words += len(sentence)
    with open(sample_out, "w") as f:
        f.write(digest.hexdigest())
    return out


# ------------------------------------------------------------------ word2phrase

def build_word2phrase(source: str | None, workdir: Path) -> Path | None:
    gcc = shutil.which("gcc")
    if gcc is None:
        return None
    if source:
        code = Path(source).read_bytes()
    elif os.path.isdir(W2V_MIRROR):
        r = subprocess.run(["git", "--git-dir", W2V_MIRROR, "show", "HEAD:word2phrase.c"], capture_output=True)
        if r.returncode:
            return None
        code = r.stdout
    else:
        return None
    c = workdir / "word2phrase.c"
    c.write_bytes(code)
    exe = workdir / "word2phrase"
    # The tool's own makefile flags.
    subprocess.run([gcc, str(c), "-o", str(exe), "-lm", "-pthread", "-O3", "-march=native", "-Wall",
                    "-funroll-loops", "-Wno-unused-result"], check=True, capture_output=True)
    return exe


def timed_child(cmd: list, cwd: str) -> tuple:
    """(wall s, the child's own peak RSS in MB, its CPU s)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode:
        raise RuntimeError(f"{cmd[0]} failed with status {p.returncode}")
    return time.perf_counter() - t0, usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime


def sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def bench_word2phrase(corpus: Path, exe: Path | None, workers: int, emit) -> None:
    # The tool drops a last word that no whitespace follows: give both a final newline.
    src = CACHE_DIR / (corpus.stem + ".nl.txt")
    if not src.is_file():
        with open(corpus, "rb") as fin, open(str(src) + ".tmp", "wb") as fout:
            shutil.copyfileobj(fin, fout, 1 << 24)
            fout.write(b"\n")
        os.replace(str(src) + ".tmp", src)
    with tempfile.TemporaryDirectory(dir=CACHE_DIR) as d:
        results = {}
        for name in ("word2phrase-c", "fastembed-phrases-cli"):
            if name == "word2phrase-c" and exe is None:
                continue
            for threshold, inp, tag in ((200, src, "pass1"), (100, None, "pass2")):
                # Names relative to the work folder: the tool keeps paths in 60-byte buffers.
                if inp is None:
                    inp = Path(f"{name}.pass1.txt")
                elif not (Path(d) / "input.txt").exists():
                    os.symlink(inp, Path(d) / "input.txt")
                    inp = Path("input.txt")
                else:
                    inp = Path("input.txt")
                out = Path(f"{name}.{tag}.txt")
                flags = ["-train", str(inp), "-output", str(out), "-min-count", "5", "-threshold", str(threshold),
                         "-debug", "0"]
                cmd = [str(exe), *flags] if name == "word2phrase-c" else \
                    [sys.executable, "-m", "fastembed", "phrases", *flags, "-threads", str(workers)]
                wall, rss, cpu = timed_child(cmd, cwd=d)
                out = Path(d) / out
                results[(name, tag)] = sha(out)
                emit({"tool": name, "run": f"{tag} -min-count 5 -threshold {threshold}", "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
                      "peak_rss_mb": round(rss, 1), "threads": 1 if name == "word2phrase-c" else workers,
                      "output_sha256": results[(name, tag)][:16]})
        if exe is not None:
            for tag in ("pass1", "pass2"):
                emit({"tool": "compare", "run": f"word2phrase {tag}",
                      "identical_output": results[("word2phrase-c", tag)] == results[("fastembed-phrases-cli", tag)]})


# ------------------------------------------------------------------ driver

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    ap.add_argument("--quick", action="store_true", help="the first 2,000,000 words only")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--settings", default=",".join(SETTINGS))
    ap.add_argument("--tools", default="fastembed,gensim")
    ap.add_argument("--word2phrase-c", default=None, help="path of word2phrase.c (default: the mirror, if any)")
    ap.add_argument("--no-word2phrase", action="store_true")
    ap.add_argument("--out", default=None, help="also append the JSON lines to this file")
    ap.add_argument("--run-one", nargs=5, metavar=("TOOL", "SETTING", "CORPUS", "KEYS", "SAMPLE"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.run_one:
        tool, setting, corpus, keys, sample = args.run_one
        print(json.dumps(run_one(tool, setting, corpus, args.workers, keys, sample)))
        return

    plain = plain_corpus(Path(args.corpus))
    corpus = prefix_corpus(plain, 2_000_000) if args.quick else plain
    common = {"corpus": corpus.name, "workers": args.workers, "host": platform.node(),
              "cpus": os.cpu_count(), "date": time.strftime("%Y-%m-%d %H:%M:%S")}

    def emit(obj: dict) -> None:
        line = json.dumps({**obj, **common})
        print(line, flush=True)
        if args.out:
            os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
            with open(args.out, "a") as f:
                f.write(line + "\n")

    with tempfile.TemporaryDirectory(dir=CACHE_DIR) as d:
        for setting in args.settings.split(","):
            runs = {}
            for tool in args.tools.split(","):
                keys, sample = os.path.join(d, f"{tool}.{setting}.keys"), os.path.join(d, f"{tool}.{setting}.sample")
                r = subprocess.run([sys.executable, __file__, "--workers", str(args.workers), "--run-one", tool,
                                    setting, str(corpus), keys, sample], capture_output=True, text=True)
                if r.returncode:
                    sys.stderr.write(r.stderr)
                    raise SystemExit(f"{tool} {setting} failed")
                runs[tool] = json.loads(r.stdout.strip().splitlines()[-1])
                runs[tool]["_keys"] = set(Path(keys).read_text(encoding="utf-8").split("\n")) - {""}
                runs[tool]["_sample"] = Path(sample).read_text()
            if "fastembed" in runs and "gensim" in runs:
                a, b = runs["fastembed"]["_keys"], runs["gensim"]["_keys"]
                jaccard = len(a & b) / max(len(a | b), 1)
                runs["fastembed"].update(jaccard_vs_gensim=round(jaccard, 6),
                                         same_1m_sample_output=runs["fastembed"]["_sample"] == runs["gensim"]["_sample"],
                                         speedup_total=round(runs["gensim"]["total_s"] / runs["fastembed"]["total_s"], 1),
                                         speedup_cpu=round(runs["gensim"]["total_cpu_s"] / runs["fastembed"]["total_cpu_s"], 1),
                                         load_avg=round(os.getloadavg()[0], 1))
            for r in runs.values():
                r.pop("_keys")
                r.pop("_sample")
                emit(r)
    if not args.no_word2phrase:
        with tempfile.TemporaryDirectory(dir=CACHE_DIR) as d:
            exe = build_word2phrase(args.word2phrase_c, Path(d))
            bench_word2phrase(corpus, exe, args.workers, emit)


if __name__ == "__main__":
    main()
