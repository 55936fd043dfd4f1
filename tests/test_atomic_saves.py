"""Class 2 of issue 17: saves are atomic as a set.

* A save killed (SIGKILL) at any file-system step leaves the old or the new file set, and
  that set loads: ``KeyedVectors.save`` and ``Word2Vec.save``, every step (the fault hook of
  ``fastembed._atomic``: ``FASTEMBED_FAULT_STEP``), until a save runs to the end.
* A save that fails with an exception (a full disk, a bad key) leaves the old files and no
  temporary file; a killed save's temporary file (``.NAME.PID-RANDOM.tmp``) is removed by the
  next save to the same path.
* ``save_word2vec_format(fvocab=...)`` writes both files before replacing either.
* A save while ``train()``'s workers run raises instead of writing a torn matrix; a save from
  ``on_epoch_end`` works.
"""
import errno
import glob
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import fastembed
from fastembed import KeyedVectors, Word2Vec, _atomic

SENTENCES = [[f"w{(i * 7 + j) % 40}" for j in range(12)] for i in range(200)]

# Runs in a child process (time- and memory-limited), which forks once per fault step: the
# forked save kills itself at step k; the parent then loads what is on disk and names it.
_KILL_SCRIPT = r"""
import json, os, sys
import numpy as np
import fastembed
from fastembed import _atomic

kind, path = sys.argv[1], sys.argv[2]
sentences = [[f"w{(i * 7 + j) % 40}" for j in range(12)] for i in range(200)]

def make(seed):
    if kind == "kv":
        rng = np.random.default_rng(seed)
        kv = fastembed.KeyedVectors(8)
        kv.add_vectors([f"k{seed}-{i}" for i in range(300)], rng.standard_normal((300, 8)).astype(np.float32))
        kv.expandos["count"] = np.arange(300, dtype=np.int64) * seed
        return kv
    return fastembed.Word2Vec(sentences, vector_size=8, min_count=1, epochs=1, workers=1, seed=seed)

def signature(obj):
    kv = obj if kind == "kv" else obj.wv
    extra = [] if kind == "kv" else np.asarray(obj.syn1neg).ravel()[:50].tolist()
    return [kv.index_to_key[:3], np.asarray(kv.vectors).ravel()[::97].tolist(), extra]

def load():
    try:
        obj = fastembed.KeyedVectors.load(path) if kind == "kv" else fastembed.Word2Vec.load(path)
    except Exception as e:
        return "error: %s: %s" % (type(e).__name__, e)
    sig = signature(obj)
    return "old" if sig == signature(old) else "new" if sig == signature(new) else "other"

old, new = make(1), make(2)
old.save(path)
report = []
for step in range(1, 10000):
    pid = os.fork()
    if pid == 0:
        _atomic._FAULT_AT, _atomic._steps = step, 0
        new.save(path)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    killed = os.WIFSIGNALED(status)
    temps = sorted(os.path.basename(p) for p in os.listdir(os.path.dirname(path)) if p.endswith(".tmp"))
    report.append({"step": step, "killed": killed, "loads": load(), "temps": temps})
    if not killed:
        break
    old.save(path)  # the old set again for the next step (and the dead save's temp goes)
    left = [p for p in os.listdir(os.path.dirname(path)) if p.endswith(".tmp")]
    report[-1]["temps_after_next_save"] = left
print(json.dumps(report))
"""


def _kill_report(kind, tmp_path):
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))

    path = str(tmp_path / ("v.kv" if kind == "kv" else "m.model"))
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    preexec = None if "asan" in env.get("LD_PRELOAD", "") else limit
    proc = subprocess.run([sys.executable, "-c", _KILL_SCRIPT, kind, path], capture_output=True, text=True,
                          timeout=300, env=env, preexec_fn=preexec)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("kind", ["kv", "model"])
def test_a_kill_at_any_step_leaves_a_loadable_set(kind, tmp_path):
    report = _kill_report(kind, tmp_path)
    steps = [r["step"] for r in report if r["killed"]]
    # create, the writes, flush, rename, directory sync: every one of them was a kill point
    assert len(steps) >= 5 and steps == list(range(1, len(steps) + 1))
    for r in report:
        assert r["loads"] in ("old", "new"), r
        if r["killed"]:
            assert all(t.startswith(".v.kv." if kind == "kv" else ".m.model.") for t in r["temps"]), r
            assert r["temps_after_next_save"] == [], r  # a later save removes the dead save's temp
    # the old set until the rename, the new one from then on
    states = [r["loads"] for r in report]
    assert states == sorted(states, key=lambda s: s == "new") and states[-1] == "new"
    assert not report[-1]["killed"] and report[-1]["temps"] == []


def _kv(seed, n=20):
    rng = np.random.default_rng(seed)
    kv = KeyedVectors(4)
    kv.add_vectors([f"w{i}" for i in range(n)], rng.standard_normal((n, 4)).astype(np.float32))
    kv.expandos["count"] = np.arange(n, 0, -1, dtype=np.int64) * seed
    return kv


def _full_disk_at(monkeypatch, nth_write):
    """Simulate ENOSPC at the nth write of the next save."""
    calls = [0]

    def fault(what):
        if what == "write":
            calls[0] += 1
            if calls[0] == nth_write:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(_atomic, "fault_point", fault)


@pytest.mark.parametrize("nth_write", [1, 2, 3])
def test_full_disk_keeps_the_old_set_and_names_the_file(tmp_path, monkeypatch, nth_write):
    vec, voc = str(tmp_path / "v.txt"), str(tmp_path / "v.vocab")
    _kv(1).save_word2vec_format(vec, fvocab=voc)
    before = (open(vec, "rb").read(), open(voc, "rb").read())
    _full_disk_at(monkeypatch, nth_write)
    with pytest.raises(OSError, match=r"no space left on the device while writing '.*v\.(txt|vocab)'") as e:
        _kv(2).save_word2vec_format(vec, fvocab=voc)
    assert e.value.errno == errno.ENOSPC
    assert (open(vec, "rb").read(), open(voc, "rb").read()) == before  # neither file replaced
    assert sorted(os.listdir(tmp_path)) == ["v.txt", "v.vocab"]  # no temporary file left


def test_full_disk_in_native_saves(tmp_path, monkeypatch):
    kv_path, model_path = str(tmp_path / "v.kv"), str(tmp_path / "m.model")
    _kv(1).save(kv_path)
    model = Word2Vec(SENTENCES, vector_size=8, min_count=1, epochs=1, workers=1)
    model.save(model_path)
    _full_disk_at(monkeypatch, 2)
    with pytest.raises(OSError, match="no space left on the device while writing .*v.kv"):
        _kv(2).save(kv_path)
    _full_disk_at(monkeypatch, 2)
    with pytest.raises(OSError, match="no space left on the device while writing .*m.model"):
        model.save(model_path)
    assert sorted(os.listdir(tmp_path)) == ["m.model", "v.kv"]
    assert KeyedVectors.load(kv_path).expandos["count"][0] == 20  # the old save (seed 1)
    assert Word2Vec.load(model_path).wv.index_to_key == model.wv.index_to_key


def test_failed_saves_leave_nothing_behind(tmp_path):
    (tmp_path / "target").mkdir()
    with pytest.raises(IsADirectoryError, match="it is a directory"):
        _kv(1).save(str(tmp_path / "target"))
    bad = _kv(1)
    bad.index_to_key[3] = bad.index_to_key[4]
    with pytest.raises(ValueError, match="repeated keys"):
        bad.save(str(tmp_path / "v.kv"))
    assert os.listdir(tmp_path) == ["target"] and os.listdir(tmp_path / "target") == []


def test_stale_temps_of_dead_processes_are_removed(tmp_path):
    path = str(tmp_path / "v.kv")
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(proc.stdout)
    stale = tmp_path / f".v.kv.{dead}-abc123.tmp"
    stale.write_bytes(b"x" * 1000)
    alive = tmp_path / f".v.kv.{os.getppid()}-def456.tmp"  # a save still running elsewhere
    alive.write_bytes(b"y")
    other = tmp_path / f".w.kv.{dead}-abc123.tmp"  # another target's
    other.write_bytes(b"z")
    _kv(1).save(path)
    assert sorted(os.listdir(tmp_path)) == sorted(["v.kv", alive.name, other.name])
    assert glob.glob(_atomic.temp_pattern(path)) == [str(alive)]


def test_fvocab_pair_written_together(tmp_path, caplog):
    vec, voc = str(tmp_path / "v.txt"), str(tmp_path / "v.vocab")
    _kv(1).save_word2vec_format(vec, fvocab=voc)
    back = KeyedVectors.load_word2vec_format(vec, fvocab=voc)
    assert back.expandos["count"].tolist() == list(range(20, 0, -1))
    # a vocabulary from another save (other word order) is reported
    other = _kv(1)
    other.index_to_key = other.index_to_key[::-1]
    other.key_to_index = None
    other.save_word2vec_format(str(tmp_path / "o.txt"), fvocab=str(tmp_path / "o.vocab"))
    os.replace(str(tmp_path / "o.vocab"), voc)
    KeyedVectors.load_word2vec_format(vec, fvocab=voc)
    assert "another order" in caplog.text


class _SaveMidEpoch:
    """A corpus that tries to save the model while train()'s workers are running."""

    def __init__(self, model, path):
        self.model, self.path, self.errors, self.scores = model, path, [], []

    def __iter__(self):
        for i, s in enumerate(SENTENCES * 3):
            if i == 300 and self.model._workers_running:
                for save in (lambda: self.model.save(self.path), lambda: self.model.wv.save(self.path + ".kv"),
                             lambda: self.model.wv.save_word2vec_format(self.path + ".txt")):
                    try:
                        save()
                    except RuntimeError as e:
                        self.errors.append(str(e))
                self.scores += [s for _, s in self.model.wv.most_similar("w1", topn=5)]
            yield s


def test_save_during_training_raises_and_on_epoch_end_saves(tmp_path):
    path = str(tmp_path / "m.model")

    class Checkpoint(fastembed.CallbackAny2Vec):
        def __init__(self):
            self.saved = []

        def on_epoch_end(self, model):
            model.save(path)
            self.saved.append(Word2Vec.load(path).wv.vectors.copy())

    ckpt = Checkpoint()
    model = Word2Vec(vector_size=8, min_count=1, workers=2, epochs=2, callbacks=[ckpt])
    model.build_vocab(SENTENCES)
    corpus = _SaveMidEpoch(model, path)
    model.train(corpus, total_examples=len(SENTENCES) * 3, epochs=2)
    assert len(corpus.errors) == 6 and all("while train() is running" in e for e in corpus.errors)
    assert not os.path.exists(path + ".kv") and not os.path.exists(path + ".txt")
    assert len(ckpt.saved) == 2 and np.array_equal(ckpt.saved[-1], model.wv.vectors)
    assert corpus.scores and max(abs(s) for s in corpus.scores) <= 1.0 + 1e-3  # fresh norms mid-epoch
