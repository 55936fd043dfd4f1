"""Bad and odd inputs: each must give a clear Python exception or the right result, never a
signal, a hang or a huge allocation.  Several are cases gensim 4.4 mishandles (window=0 kills
it with SIGFPE; negative=-1 and sample=-0.5 are accepted silently).

Every case runs in a child Python process (this file run as a script), so a crash shows as
a failed test naming the signal instead of killing pytest.  The children run the cases one
after another and report each as a JSON line; after a crash or a hang the rest are run in a
fresh child.
"""
import hashlib
import json
import os
import random
import resource
import signal
import struct
import subprocess
import sys
import tempfile
import threading

import pytest

CASE_TIMEOUT = 120  # seconds for one child's whole batch; a hang fails its case

# --------------------------------------------------------------------------- the cases
# Each case is a function run in the child; it returns something JSON-able (the result to
# check) or raises (the exception to check).  `tmp` is a fresh temporary folder.
CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def _w2v(**kw):
    import fastembed
    return fastembed.Word2Vec(**kw)


SENTENCES = [["a", "b", "c", "d"], ["b", "c", "a"]] * 20


def _file(tmp, data, name="c.txt"):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def _summary(model):
    import numpy as np
    return {"vocab": model.wv.index_to_key, "counts": model.wv.expandos["count"].tolist(),
            "sentences": model.corpus_count, "words": [s["words"] for s in model.epoch_stats],
            "finite": bool(np.isfinite(model.wv.vectors).all())}


def _param_case(name, **kw):
    def fn(tmp):
        return _w2v(**dict(dict(sentences=SENTENCES, min_count=1), **kw))
    fn.__name__ = name
    return case(fn)


# Parameters: (case name, keyword arguments, exception type, message pattern).
PARAMS = [
    ("window_0", dict(window=0), ValueError, r"window must be in \[1, "),
    ("window_negative", dict(window=-3), ValueError, r"window must be in"),
    ("vector_size_0", dict(vector_size=0), ValueError, r"vector_size must be in \[1, "),
    ("vector_size_huge", dict(vector_size=10**9), ValueError, r"vector_size must be in"),
    ("negative_minus_1", dict(negative=-1), ValueError, r"negative must be in \[0, "),
    ("sample_negative", dict(sample=-0.5), ValueError, r"sample must be >= 0"),
    ("sample_above_1", dict(sample=1.5), ValueError, r"sample must be"),
    ("alpha_nan", dict(alpha=float("nan")), ValueError, r"alpha must be a finite number"),
    ("alpha_inf", dict(alpha=float("inf")), ValueError, r"alpha must be a finite number"),
    ("alpha_0", dict(alpha=0.0), ValueError, r"alpha must be > 0"),
    ("min_alpha_nan", dict(min_alpha=float("nan")), ValueError, r"min_alpha must be a finite"),
    ("sample_nan", dict(sample=float("nan")), ValueError, r"sample must be a finite"),
    ("sample_inf", dict(sample=float("-inf")), ValueError, r"sample must be a finite"),
    ("ns_exponent_nan", dict(ns_exponent=float("nan")), ValueError, r"ns_exponent must be a finite"),
    ("window_nan", dict(window=float("nan")), TypeError, r"window must be an integer"),
    ("window_float", dict(window=2.0), TypeError, r"window must be an integer, got float"),
    ("epochs_inf", dict(epochs=float("inf")), TypeError, r"epochs must be an integer"),
    ("hs0_negative0", dict(hs=0, negative=0), ValueError, r"hs=0 and negative=0"),
    ("workers_0", dict(workers=0), ValueError, r"workers must be in \[1, "),
    ("workers_negative", dict(workers=-2), ValueError, r"workers must be in"),
    ("epochs_0", dict(epochs=0), ValueError, r"epochs must be in \[1, "),
    ("epochs_negative", dict(epochs=-1), ValueError, r"epochs must be in"),
    ("min_count_negative", dict(min_count=-1), ValueError, r"min_count must be in \[0, "),  # 0 means 1, as gensim
    ("max_vocab_size_0", dict(max_vocab_size=0), ValueError, r"max_vocab_size must be in"),
    ("max_final_vocab_0", dict(max_final_vocab=0), ValueError, r"max_final_vocab must be in"),
    ("seed_negative", dict(seed=-1), ValueError, r"seed must be in"),
    ("sg_2", dict(sg=2), ValueError, r"sg must be 0 or 1"),
    ("hs_string", dict(hs="yes"), ValueError, r"hs must be 0 or 1"),
    ("unicode_errors_bogus", dict(unicode_errors="bogus"), ValueError, r"unicode_errors must be one of"),
]
for _name, _kw, _exc, _msg in PARAMS:
    _param_case(_name, **_kw)


@case
def train_epochs_0(tmp):
    m = _w2v(min_count=1)
    m.build_vocab(SENTENCES)
    m.train(SENTENCES, total_examples=m.corpus_count, epochs=0)


@case
def train_start_alpha_nan(tmp):
    m = _w2v(min_count=1)
    m.build_vocab(SENTENCES)
    m.train(SENTENCES, total_examples=m.corpus_count, epochs=1, start_alpha=float("nan"))


@case
def train_before_build_vocab(tmp):
    _w2v().train(SENTENCES, total_examples=3, epochs=1)


# Corpora that hold nothing to train on.
@case
def empty_list(tmp):
    _w2v(sentences=[])


@case
def empty_sentences(tmp):
    _w2v(sentences=[[], [], []])


@case
def empty_file(tmp):
    _w2v(corpus_file=_file(tmp, b""))


@case
def whitespace_file(tmp):
    _w2v(corpus_file=_file(tmp, b" \n\t\r\n\x0b\x0c\x1c  \n"))


@case
def empty_gz(tmp):
    import gzip
    path = os.path.join(tmp, "e.txt.gz")
    with gzip.open(path, "wb"):
        pass
    _w2v(corpus_file=path)


@case
def nothing_over_min_count(tmp):
    _w2v(sentences=[["a", "b", "c"], ["d"]], min_count=5)


@case
def nothing_over_min_count_file(tmp):
    _w2v(corpus_file=_file(tmp, b"a b c\nd\n"), min_count=2)


@case
def ignore_leaves_nothing(tmp):
    _w2v(corpus_file=_file(tmp, b"\xff\xfe \x80\n"), min_count=1, unicode_errors="ignore")


# Files that are missing, or not files.
@case
def missing_corpus_file(tmp):
    _w2v(corpus_file=os.path.join(tmp, "nope.txt"))


@case
def missing_file_at_train(tmp):
    m = _w2v(min_count=1)
    m.build_vocab(SENTENCES)
    m.train(corpus_file=os.path.join(tmp, "nope.txt"), total_words=10, epochs=1)


@case
def missing_compressed_file(tmp):
    _w2v(corpus_file=os.path.join(tmp, "nope.txt.gz"))


@case
def missing_line_sentence(tmp):
    import fastembed
    fastembed.LineSentence(os.path.join(tmp, "nope.txt"))


@case
def corpus_file_is_folder(tmp):
    _w2v(corpus_file=tmp)


@case
def corpus_file_not_a_path(tmp):
    _w2v(corpus_file=123)


@case
def corpus_file_is_pipe(tmp):
    # A named pipe is read once by the vocabulary scan; file mode's later opens would block
    # for ever, so it must be refused up front.  A writer keeps the first open from blocking.
    path = os.path.join(tmp, "fifo")
    os.mkfifo(path)

    def writer():
        try:
            with open(path, "wb") as f:
                f.write(b"a b c a b c\n" * 50)
        except OSError:
            pass

    threading.Thread(target=writer, daemon=True).start()
    _w2v(corpus_file=path, min_count=1, epochs=1)


@case
def corpus_file_is_device(tmp):
    _w2v(corpus_file="/dev/zero", min_count=1)  # an endless stream of one word


# Queries.
@case
def unknown_word_getitem(tmp):
    _w2v(sentences=SENTENCES, min_count=1).wv["zzz"]


@case
def unknown_word_most_similar(tmp):
    _w2v(sentences=SENTENCES, min_count=1).wv.most_similar("zzz")


# Sentences of the wrong type, with their position named.
@case
def sentence_is_str(tmp):
    _w2v(sentences=["a b c"], min_count=1)


@case
def sentence_none(tmp):
    _w2v(sentences=[["a", "b"], ["c"], None], min_count=1)


@case
def word_int(tmp):
    _w2v(sentences=[["a", "b"], ["c", 7]], min_count=1)


@case
def word_bytes(tmp):
    _w2v(sentences=[["a", "b"], [b"c"]], min_count=1)


@case
def bad_sentence_in_later_batch(tmp):
    # Positions count across batches (about 10,000 words each).
    sentences = [["w%d" % (i % 50) for i in range(5)] for _ in range(4000)]
    sentences[3500] = 3.5
    _w2v(sentences=sentences, min_count=1)


@case
def bad_sentence_at_train(tmp):
    m = _w2v(min_count=1)
    m.build_vocab(SENTENCES)
    m.train([["a"], ["b", None]], total_examples=2, epochs=1)


@case
def sentences_is_str(tmp):
    _w2v(sentences="a b c", min_count=1)


@case
def sentences_is_generator(tmp):
    _w2v(sentences=(s for s in SENTENCES), min_count=1)


@case
def word_with_lone_surrogate(tmp):
    _w2v(sentences=[["a", "b\udcff"]], min_count=1)


# Iterables that raise: the caller gets the very same exception.
class CorpusBroke(Exception):
    pass


class Raising:
    """Yields `before` sentences, then raises CorpusBroke (from __iter__ itself when 0)."""

    def __init__(self, before, sentences=SENTENCES):
        self.before, self.sentences = before, sentences

    def __iter__(self):
        if self.before == 0:
            raise CorpusBroke("cannot open")
        return self._gen()

    def _gen(self):
        for i, s in enumerate(self.sentences * 1000):
            if i == self.before:
                raise CorpusBroke(f"broke after {i} sentences")
            yield s


class RaisingSentence:
    def __iter__(self):
        raise CorpusBroke("this sentence is unreadable")


@case
def iterable_raises_in_iter(tmp):
    _w2v(sentences=Raising(0), min_count=1)


@case
def iterable_raises_in_build_vocab(tmp):
    _w2v(sentences=Raising(15000), min_count=1)


@case
def iterable_raises_in_train(tmp):
    m = _w2v(min_count=1, workers=2)
    m.build_vocab(SENTENCES * 1000)
    m.train(Raising(25000), total_examples=m.corpus_count, epochs=1)


@case
def sentence_raises(tmp):
    _w2v(sentences=[["a", "b"], RaisingSentence()], min_count=1)


@case
def keeps_working_after_raise(tmp):
    m = _w2v(min_count=1, workers=2)
    m.build_vocab(SENTENCES * 100)
    try:
        m.train(Raising(3000), total_examples=m.corpus_count, epochs=1)
    except CorpusBroke:
        pass
    m.train(SENTENCES * 100, total_examples=m.corpus_count, epochs=1)
    return _summary(m)


# Odd but valid corpora: the right result.
@case
def non_utf8_bytes(tmp):
    m = _w2v(corpus_file=_file(tmp, b"caf\xe9 ok \xff\xfe ok caf\xe9\n" * 5), min_count=1, epochs=1)
    return _summary(m)


@case
def nul_bytes(tmp):
    data = b"a\x00b c\x00 \x00 a\x00b\nc\x00 d\n"
    m = _w2v(corpus_file=_file(tmp, data), min_count=1, epochs=1)
    import fastembed
    it = _w2v(sentences=fastembed.LineSentence(_file(tmp, data, "d.txt")), min_count=1, epochs=1)
    assert it.wv.index_to_key == m.wv.index_to_key
    return _summary(m)


@case
def crlf_and_tabs(tmp):
    m = _w2v(corpus_file=_file(tmp, b"a\tb\r\nc \t d\r\n\r\n\tb\x0bc\x0c\x1cd\r\n"), min_count=1, epochs=1)
    return _summary(m)


@case
def long_token(tmp):
    # A 3 MB word between ordinary ones, in a plain file (read in byte ranges) and gzipped
    # (streamed in 1 MB blocks), and from a Python list.
    import gzip
    big = b"x" * 3_000_000
    data = b"a b " + big + b" c\nd " + big + b"\n"
    plain = _file(tmp, data)
    gz = os.path.join(tmp, "c.txt.gz")
    with gzip.open(gz, "wb") as f:
        f.write(data)
    out = []
    for kw in (dict(corpus_file=plain), dict(corpus_file=gz),
               dict(sentences=[s.decode().split() for s in data.splitlines()])):
        m = _w2v(min_count=1, epochs=2, vector_size=8, **kw)
        s = _summary(m)
        s["vocab"] = [w if len(w) < 100 else f"<{len(w)} x>" for w in s["vocab"]]
        out.append(s)
    return out


@case
def single_word(tmp):
    out = []
    for kw in (dict(sg=0), dict(sg=1), dict(hs=1, negative=0), dict(sg=1, hs=1, negative=3)):
        m = _w2v(corpus_file=_file(tmp, b"hello"), min_count=1, epochs=2, **kw)
        out.append(_summary(m))
    return out


@case
def one_word_repeated(tmp):
    out = []
    for kw in (dict(sg=0), dict(sg=1), dict(hs=1, negative=0), dict(sg=1, shared_negatives=False)):
        m = _w2v(sentences=[["the"] * 10000], min_count=1, epochs=2, window=5, **kw)
        out.append(_summary(m))
    return out


@case
def huge_window_tiny_corpus(tmp):
    m = _w2v(sentences=SENTENCES, min_count=1, window=10000, epochs=1, sg=1)
    return _summary(m)


# Vector files (KeyedVectors.load_word2vec_format / KeyedVectors.load / Word2Vec.load).
def _load_w2v(tmp, data, name="v.txt", **kw):
    import fastembed
    kv = fastembed.KeyedVectors.load_word2vec_format(_file(tmp, data, name), **kw)
    return {"keys": kv.index_to_key, "shape": list(kv.vectors.shape),
            "vectors": kv.vectors.tolist()}


_RANDOM = bytes(random.Random(7).randrange(256) for _ in range(5000)).replace(b"\n", b"\xff")
_BIN = b"2 3\nab " + struct.pack("<3f", 1, 2, 3) + b"\ncd " + struct.pack("<3f", 4, 5, 6) + b"\n"


@case
def w2v_random_bytes_text(tmp):
    _load_w2v(tmp, b"\x89" + _RANDOM)


@case
def w2v_random_bytes_binary(tmp):
    _load_w2v(tmp, b"\x89" + _RANDOM, binary=True)


@case
def w2v_random_body(tmp):
    _load_w2v(tmp, b"300 50\n" + _RANDOM, binary=True)


@case
def w2v_truncated_binary(tmp):
    _load_w2v(tmp, _BIN[:-6], binary=True)


@case
def w2v_truncated_text(tmp):
    _load_w2v(tmp, b"3 2\na 1 2\nb 3 4\n")


@case
def w2v_missing_header(tmp):
    _load_w2v(tmp, b"the 0.1 0.2 0.3\nof 0.4 0.5 0.6\n")


@case
def w2v_empty_file(tmp):
    _load_w2v(tmp, b"")


@case
def w2v_short_row(tmp):
    _load_w2v(tmp, b"3 3\na 1 2 3\nb 4 5 6\nc 7 8\n")


@case
def w2v_long_row(tmp):
    _load_w2v(tmp, b"2 2\na 1 2\nb 4 5 6\n")


@case
def w2v_not_a_number(tmp):
    _load_w2v(tmp, b"2 3\na 1 2 3\nb 4 five 6\n")


@case
def w2v_non_utf8_word_strict(tmp):
    _load_w2v(tmp, b"2 2\ncaf\xe9 1 2\nok 3 4\n")


@case
def w2v_non_utf8_word_replace(tmp):
    return _load_w2v(tmp, b"2 2\ncaf\xe9 1 2\nok 3 4\n", unicode_errors="replace")


@case
def w2v_header_huge_count(tmp):
    _load_w2v(tmp, b"1000000000000 100\nthe " + b"0.5 " * 99 + b"0.5\n")


@case
def w2v_header_huge_count_binary(tmp):
    _load_w2v(tmp, b"1000000000000 3\n" + _BIN[4:], binary=True)


@case
def w2v_header_huge_dim(tmp):
    _load_w2v(tmp, b"2 1000000000\na 1\nb 2\n")


@case
def w2v_header_big_dim_few_bytes(tmp):
    _load_w2v(tmp, b"2 10000000\na 1\nb 2\n", binary=True)


@case
def w2v_header_negative(tmp):
    _load_w2v(tmp, b"-2 3\na 1 2 3\n")


@case
def w2v_header_overflow(tmp):
    _load_w2v(tmp, b"99999999999999999999999 3\na 1 2 3\n")


@case
def w2v_truncated_gz(tmp):
    import gzip
    blob = gzip.compress(b"2 2\na 1 2\nb 3 4\n" * 100)
    _load_w2v(tmp, blob[: len(blob) // 2], name="v.txt.gz")


@case
def w2v_missing_file(tmp):
    import fastembed
    fastembed.KeyedVectors.load_word2vec_format(os.path.join(tmp, "nope.bin"), binary=True)


@case
def w2v_odd_values(tmp):
    return _load_w2v(tmp, b"3 2\na 1e39 -1e39\nb nan -inf\nc +1.5 1e-50\n")


@case
def kv_load_random_bytes(tmp):
    import fastembed
    fastembed.KeyedVectors.load(_file(tmp, _RANDOM, "kv"))


@case
def kv_load_word2vec_file(tmp):
    import fastembed
    fastembed.KeyedVectors.load(_file(tmp, b"2 2\na 1 2\nb 3 4\n", "kv"))


def _saved_model(tmp):
    m = _w2v(sentences=SENTENCES, min_count=1, vector_size=4, epochs=1)
    path = os.path.join(tmp, "m.fe")
    m.save(path)
    with open(path, "rb") as f:
        return path, f.read()


def _npz(tmp, **arrays):
    import io
    import numpy as np
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return _file(tmp, buf.getvalue(), "bad.fe")


@case
def model_load_random_bytes(tmp):
    import fastembed
    fastembed.Word2Vec.load(_file(tmp, _RANDOM, "bad.fe"))


@case
def model_load_empty(tmp):
    import fastembed
    fastembed.Word2Vec.load(_file(tmp, b"", "bad.fe"))


@case
def model_load_truncated(tmp):
    import fastembed
    _, data = _saved_model(tmp)
    fastembed.Word2Vec.load(_file(tmp, data[: len(data) // 2], "bad.fe"))


@case
def model_load_missing_params(tmp):
    import fastembed
    import numpy as np
    fastembed.Word2Vec.load(_npz(tmp, params=np.frombuffer(b'{"format": "fastembed-word2vec"}', dtype=np.uint8)))


@case
def model_load_params_not_a_dict(tmp):
    import fastembed
    import numpy as np
    fastembed.Word2Vec.load(_npz(tmp, params=np.frombuffer(b"[1, 2]", dtype=np.uint8)))


@case
def model_load_wrong_matrix_shape(tmp):
    import fastembed
    import numpy as np
    path, _ = _saved_model(tmp)
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["syn0"] = arrays["syn0"][:2, :8]  # fewer rows than words, narrower than vector_size
    fastembed.Word2Vec.load(_npz(tmp, **arrays))


# ------------------------------------------------------------------ the child's side
def _child(names):
    import fastembed  # noqa: F401  (imported once, before the first case)
    for name in names:
        print(json.dumps({"case": name, "start": True}), flush=True)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with tempfile.TemporaryDirectory() as tmp:
            try:
                result = {"case": name, "value": CASES[name](tmp)}
            except BaseException as e:  # noqa: B902 - report everything, even KeyboardInterrupt
                result = {"case": name, "error": type(e).__name__,
                          "mro": [c.__name__ for c in type(e).__mro__], "message": str(e)}
        # How much this case raised the process's peak memory (KiB on Linux).
        result["peak_growth_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak) / 1024
        print(json.dumps(result, default=repr), flush=True)


# ----------------------------------------------------------------- the parent's side
def _run_children(names, env=None):
    """Outcomes of the named cases, run in as many children as crashes and hangs need."""
    outcomes, todo = {}, list(names)
    while todo:
        try:
            proc = subprocess.run([sys.executable, __file__] + todo, capture_output=True, text=True,
                                  timeout=CASE_TIMEOUT, env=env)
            out, err, rc = proc.stdout, proc.stderr, proc.returncode
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
            err = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or "")
            rc = "timeout"
        started = None
        for line in out.splitlines():
            if not line.startswith("{"):
                continue
            rec = json.loads(line)
            if rec.get("start"):
                started = rec["case"]
            else:
                outcomes[rec["case"]] = rec
                started = None
        if started is None and rc == 0:
            break
        if started is None:  # died outside any case
            started = todo[len([n for n in todo if n in outcomes])]
        if isinstance(rc, int) and rc < 0:
            how = f"killed by {signal.Signals(-rc).name}"
        else:
            how = "hung" if rc == "timeout" else f"exited with {rc}"
        outcomes[started] = {"case": started, "crash": how, "stderr": err[-3000:]}
        todo = [n for n in todo if n not in outcomes]
    return outcomes


@pytest.fixture(scope="module")
def outcomes():
    return _run_children(list(CASES))


def _outcome(outcomes, name):
    o = outcomes[name]
    assert "crash" not in o, f"{name} {o['crash']}:\n{o['stderr']}"
    return o


def _raised(outcomes, name, exc, pattern):
    import re
    o = _outcome(outcomes, name)
    assert "error" in o, f"{name} raised nothing; returned {o['value']!r}"
    assert exc.__name__ in o["mro"], f"{name} raised {o['error']}: {o['message']}"
    assert re.search(pattern, o["message"]), f"{name}: {o['message']!r} does not match {pattern!r}"


def _value(outcomes, name):
    o = _outcome(outcomes, name)
    assert "error" not in o, f"{name} raised {o['error']}: {o['message']}"
    return o["value"]


@pytest.mark.parametrize("name, kw, exc, pattern", PARAMS, ids=[p[0] for p in PARAMS])
def test_bad_parameters(outcomes, name, kw, exc, pattern):
    _raised(outcomes, name, exc, pattern)


@pytest.mark.parametrize("name, exc, pattern", [
    ("train_epochs_0", ValueError, r"epochs must be in \[1, "),
    ("train_start_alpha_nan", ValueError, r"start_alpha must be a finite number"),
    ("train_before_build_vocab", ValueError, r"build the vocabulary first"),
    ("empty_list", ValueError, r"the corpus is empty"),
    ("empty_sentences", ValueError, r"the corpus is empty"),
    ("empty_file", ValueError, r"the corpus is empty"),
    ("whitespace_file", ValueError, r"the corpus is empty"),
    ("empty_gz", ValueError, r"the corpus is empty"),
    ("ignore_leaves_nothing", ValueError, r"the corpus is empty"),
    ("nothing_over_min_count", ValueError, r"no word occurs at least min_count=5 times"),
    ("nothing_over_min_count_file", ValueError, r"no word occurs at least min_count=2 times"),
    ("missing_corpus_file", FileNotFoundError, r"nope\.txt"),
    ("missing_file_at_train", FileNotFoundError, r"nope\.txt"),
    ("missing_compressed_file", FileNotFoundError, r"nope\.txt\.gz"),
    ("missing_line_sentence", FileNotFoundError, r"nope\.txt"),
    ("corpus_file_is_folder", IsADirectoryError, r"is a directory"),
    ("corpus_file_not_a_path", TypeError, r"corpus_file must be a path, got int"),
    ("corpus_file_is_pipe", ValueError, r"not a regular file"),
    ("corpus_file_is_device", ValueError, r"not a regular file"),
    ("unknown_word_getitem", KeyError, r"zzz"),
    ("unknown_word_most_similar", KeyError, r"zzz"),
    ("sentence_is_str", TypeError, r"sentence 0 is a str, not a list of str words"),
    ("sentence_none", TypeError, r"sentence 2 is a NoneType"),
    ("word_int", TypeError, r"word 1 of sentence 1 is a int, not a str"),
    ("word_bytes", TypeError, r"word 0 of sentence 1 is a bytes, not a str"),
    ("bad_sentence_in_later_batch", TypeError, r"sentence 3500 is a float"),
    ("bad_sentence_at_train", TypeError, r"word 1 of sentence 1 is a NoneType"),
    ("sentences_is_str", TypeError, r"iterable of lists of str"),
    ("sentences_is_generator", TypeError, r"re-iterable"),
    ("word_with_lone_surrogate", UnicodeEncodeError, r"surrogates not allowed \(word \d+ of sentence \d+ of the corpus\)"),
    ("iterable_raises_in_iter", CorpusBroke, r"^cannot open$"),
    ("iterable_raises_in_build_vocab", CorpusBroke, r"^broke after 15000 sentences$"),
    ("iterable_raises_in_train", CorpusBroke, r"^broke after 25000 sentences$"),
    ("sentence_raises", CorpusBroke, r"^this sentence is unreadable$"),
])
def test_bad_corpora_and_queries(outcomes, name, exc, pattern):
    _raised(outcomes, name, exc, pattern)


def test_keeps_working_after_a_raising_iterable(outcomes):
    v = _value(outcomes, "keeps_working_after_raise")
    assert v["words"] == [sum(v["counts"])] and v["finite"]


def test_non_utf8_bytes_are_replaced(outcomes):
    v = _value(outcomes, "non_utf8_bytes")
    # One U+FFFD per ill-formed byte here: \xe9 (a lead byte without its continuation),
    # \xff and \xfe (never valid).
    assert v["vocab"] == ["caf\ufffd", "ok", "\ufffd\ufffd"] and v["counts"] == [10, 10, 5]
    assert v["words"] == [25] and v["finite"]


def test_nul_bytes_are_word_characters(outcomes):
    v = _value(outcomes, "nul_bytes")
    assert v["vocab"] == ["a\x00b", "c\x00", "\x00", "d"] and v["counts"] == [2, 2, 1, 1]
    assert v["sentences"] == 2


def test_crlf_and_tabs_separate_words(outcomes):
    v = _value(outcomes, "crlf_and_tabs")
    assert v["vocab"] == ["b", "c", "d", "a"] and v["counts"] == [2, 2, 2, 1]
    assert v["sentences"] == 3  # the blank CR/LF line is no sentence


def test_long_token(outcomes):
    for v in _value(outcomes, "long_token"):  # plain file, gzip, list: the same vocabulary
        assert v["vocab"] == ["<3000000 x>", "a", "b", "c", "d"] and v["counts"] == [2, 1, 1, 1, 1]
        assert v["words"] == [6, 6] and v["finite"]


def test_single_word_corpus(outcomes):
    for v in _value(outcomes, "single_word"):
        assert v["vocab"] == ["hello"] and v["words"] == [1, 1] and v["finite"]


def test_one_word_repeated(outcomes):
    for v in _value(outcomes, "one_word_repeated"):
        assert v["vocab"] == ["the"] and v["words"] == [10000, 10000] and v["finite"]


def test_window_larger_than_corpus(outcomes):
    v = _value(outcomes, "huge_window_tiny_corpus")
    assert v["words"] == [sum(v["counts"])] and v["finite"]


@pytest.mark.parametrize("name, exc, pattern", [
    ("w2v_random_bytes_text", ValueError, r"bad word2vec header"),
    ("w2v_random_bytes_binary", ValueError, r"bad word2vec header"),
    ("w2v_random_body", EOFError, r"v\.txt: header declares 300 vectors of 50 dimensions but the file can hold at most"),
    ("w2v_truncated_binary", EOFError, r"file ends inside record 2 \(in its vector\)"),
    ("w2v_truncated_text", EOFError, r"file ends before line 4 \(fewer vectors than the header declares\)"),
    ("w2v_missing_header", ValueError, r"bad word2vec header .*'the 0\.1 0\.2 0\.3'"),
    ("w2v_empty_file", EOFError, r"empty file"),
    ("w2v_short_row", ValueError, r"line 4: expected 3 values, found 2"),
    ("w2v_long_row", ValueError, r"line 3: more than 2 values"),
    ("w2v_not_a_number", ValueError, r"line 3: value 2 is not a number: 'five'"),
    ("w2v_non_utf8_word_strict", UnicodeDecodeError, r"word #1 of .*unicode_errors='replace'"),
    ("w2v_header_huge_count", EOFError, r"header declares 1000000000000 vectors"),
    ("w2v_header_huge_count_binary", EOFError, r"header declares 1000000000000 vectors"),
    ("w2v_header_huge_dim", ValueError, r"1000000000 dimensions \(must be 1\.\.16777216\)"),
    ("w2v_header_big_dim_few_bytes", EOFError, r"header declares 2 vectors of 10000000 dimensions"),
    ("w2v_header_negative", ValueError, r"bad word2vec header"),
    ("w2v_header_overflow", ValueError, r"bad word2vec header"),
    ("w2v_truncated_gz", ValueError, r"cannot decompress"),
    ("w2v_missing_file", FileNotFoundError, r"nope\.bin"),
    ("kv_load_random_bytes", ValueError, r"not a fastembed KeyedVectors file"),
    ("kv_load_word2vec_file", ValueError, r"not a fastembed KeyedVectors file"),
    ("model_load_random_bytes", ValueError, r"not a valid fastembed Word2Vec model file"),
])
def test_bad_vector_files(outcomes, name, exc, pattern):
    _raised(outcomes, name, exc, pattern)
    # No allocation sized by a lying header: the case may not raise the peak by 100 MB.
    assert outcomes[name]["peak_growth_mb"] < 100, outcomes[name]


@pytest.mark.parametrize("name, pattern", [
    ("model_load_empty", r"EOFError"),
    ("model_load_truncated", r"BadZipFile"),
    ("model_load_missing_params", r"version"),
    ("model_load_params_not_a_dict", r"format marker missing"),
    ("model_load_wrong_matrix_shape", r"matrix syn0 has shape \(2, 8\), expected \(4, 16\)"),
])
def test_damaged_model_files(outcomes, name, pattern):
    _raised(outcomes, name, ValueError, r"is not a valid fastembed Word2Vec model file: .*" + pattern)


def test_odd_but_valid_vector_files(outcomes):
    v = _value(outcomes, "w2v_non_utf8_word_replace")
    assert v["keys"] == ["caf\ufffd", "ok"] and v["vectors"] == [[1, 2], [3, 4]]
    v = _value(outcomes, "w2v_odd_values")  # as numpy.float32(str) reads them
    inf = float("inf")
    assert v["keys"] == ["a", "b", "c"]
    assert v["vectors"][0] == [inf, -inf] and v["vectors"][1][1] == -inf and v["vectors"][2] == [1.5, 0.0]
    assert v["vectors"][1][0] != v["vectors"][1][0]  # nan


# ------------------------------------------------------------------------ determinism
_DETERMINISM = r"""
import hashlib, sys, fastembed
words = ["w%d" % i for i in range(300)]
sentences = [[words[(i * 7 + j * j) % 300] for j in range(1 + i % 23)] for i in range(3000)]
out = []
for seed in (int(sys.argv[1]), int(sys.argv[1]) + 1):
    m = fastembed.Word2Vec(sentences, vector_size=16, min_count=1, workers=1, seed=seed, epochs=2)
    h = hashlib.sha256(m.wv.vectors.tobytes())
    h.update("\n".join(m.wv.index_to_key).encode())
    out.append(h.hexdigest())
print(" ".join(out))
"""


def test_single_worker_bit_identical_across_processes():
    """workers=1: the same seed gives bit-identical vectors in two processes with different
    PYTHONHASHSEED; the next seed gives different ones."""
    runs = []
    for hashseed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hashseed)
        proc = subprocess.run([sys.executable, "-c", _DETERMINISM, "11"], capture_output=True, text=True,
                              timeout=CASE_TIMEOUT, env=env)
        assert proc.returncode == 0, proc.stderr[-3000:]
        runs.append(proc.stdout.split())
    assert runs[0] == runs[1]
    assert runs[0][0] != runs[0][1]


if __name__ == "__main__":
    _child(sys.argv[1:])
