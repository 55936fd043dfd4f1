"""The input-side seam: a token's input is a list of rows (its mean feeds the model, the error
goes back to each row), and per-row lock factors scale or freeze each row's step.

The kernels are driven directly through ``_core.Trainer`` with a toy vocabulary and compared
with a small numpy reference of the same update, for every architecture and kernel."""
from __future__ import annotations

import numpy as np
import pytest

import fastembed
from fastembed import _core
from fastembed.training import aligned_matrix

KERNELS = _core.available_kernels()
ARCHS = {"sg-shared": _core.Arch.SKIPGRAM_SHARED, "sg-pair": _core.Arch.SKIPGRAM_PER_PAIR,
         "cbow-mean": _core.Arch.CBOW, "cbow-sum": _core.Arch.CBOW}

WORDS = ["a", "b", "c", "d", "e", "f"]
COUNTS = np.array([9, 7, 5, 4, 3, 2], dtype=np.int64)
# Word "c" (2) trains its own row and row 6 (an n-gram bucket, say); "e" (4) trains rows 4 and 2:
# rows are shared between tokens, as n-gram buckets are.
ROWS = [[0], [1], [2, 6], [3], [4, 2], [5]]
SENTENCE = ["c", "a", "e", "c", "b", "f", "d", "e", "a"]
DIM, STRIDE, ALPHA, WINDOW = 8, 16, 0.2, 2


def _table():
    offsets = np.cumsum([0] + [len(r) for r in ROWS]).astype(np.uint64)
    rows = np.array([r for rs in ROWS for r in rs], dtype=np.int32)
    return _core.InputRowTable(offsets, rows, 7)


def _start(seed=5):
    rng = np.random.default_rng(seed)
    syn0 = aligned_matrix(7, STRIDE)
    syn0[:, :DIM] = rng.uniform(-0.5, 0.5, (7, DIM))
    syn1 = aligned_matrix(len(WORDS) - 1, STRIDE)
    syn1[:, :DIM] = rng.uniform(-0.5, 0.5, (len(WORDS) - 1, DIM))
    return syn0, syn1


def _config(arch_name, workers=1):
    c = _core.TrainConfig()
    c.arch = ARCHS[arch_name]
    c.cbow_mean = arch_name != "cbow-sum"
    c.hs, c.negative, c.window, c.shrink_windows = True, 0, WINDOW, False
    c.exact_sigmoid, c.sample, c.workers = True, 0.0, workers
    c.alpha = c.min_alpha = ALPHA
    c.expected_words = 1000
    return c


def _train_core(kernel, arch_name, syn0, syn1, table, lockf=None):
    before = _core.kernel_mode()
    _core.set_kernels(kernel)
    try:
        t = _core.Trainer(_core.Vocab(WORDS, COUNTS), _config(arch_name), syn0, None, syn1, table, lockf)
        t.start_stream_epoch()
        t.push_sentences([SENTENCE])
        t.close_stream()
        t.wait(10.0)
        stats = t.finish_epoch()
    finally:
        _core.set_kernels(before)
    assert stats.words == len(SENTENCE)
    return syn0, syn1


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _reference(arch_name, syn0, syn1, lockf=None):
    """The update the seam promises, in float64 over the same starting matrices."""
    w0 = syn0[:, :DIM].astype(np.float64)
    w1 = syn1[:, :DIM].astype(np.float64)
    lock = np.ones(len(w0)) if lockf is None else lockf.astype(np.float64)
    codes, points = _core.huffman_paths(COUNTS)
    ids = [WORDS.index(w) for w in SENTENCE]

    def spread(token, err):
        for r in ROWS[token]:
            w0[r] += lock[r] * err

    for i, centre in enumerate(ids):
        ctx = [ids[j] for j in range(max(0, i - WINDOW), min(len(ids), i + WINDOW + 1)) if j != i]
        path = list(points[centre])
        labels = np.array([1.0 - c for c in codes[centre]])
        if arch_name == "sg-shared":
            ins = [w0[ROWS[t]].mean(axis=0) for t in ctx]
            outs = w1[path].copy()
            g = np.array([[(labels[o] - _sigmoid(outs[o] @ x)) * ALPHA for x in ins] for o in range(len(path))])
            errs = [g[:, j] @ outs for j in range(len(ctx))]
            for o, p in enumerate(path):
                w1[p] += sum(g[o, j] * ins[j] for j in range(len(ctx)))
            for t, err in zip(ctx, errs):
                spread(t, err)
        elif arch_name == "sg-pair":
            for t in ctx:
                x = w0[ROWS[t]].mean(axis=0)
                err = np.zeros(DIM)
                for o, p in enumerate(path):
                    g = (labels[o] - _sigmoid(w1[p] @ x)) * ALPHA
                    err += g * w1[p]
                    w1[p] += g * x
                spread(t, err)
        else:
            rows = [r for t in ctx for r in ROWS[t]]
            h = w0[rows].sum(axis=0)
            if arch_name == "cbow-mean":
                h /= len(rows)
            outs = w1[path].copy()
            g = np.array([(labels[o] - _sigmoid(outs[o] @ h)) * ALPHA for o in range(len(path))])
            err = g @ outs
            w1[path] += g[:, None] * h
            if arch_name == "cbow-sum":
                err /= len(rows)
            for r in rows:
                w0[r] += lock[r] * err
    return w0, w1


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("arch_name", list(ARCHS))
def test_two_row_inputs_match_numpy_reference(kernel, arch_name):
    syn0, syn1 = _start()
    want0, want1 = _reference(arch_name, syn0, syn1)
    got0, got1 = _train_core(kernel, arch_name, syn0, syn1, _table())
    assert np.abs(want0 - _start()[0][:, :DIM]).max() > 1e-3  # the update is not trivial
    np.testing.assert_allclose(got0[:, :DIM], want0, rtol=0, atol=2e-6)
    np.testing.assert_allclose(got1[:, :DIM], want1, rtol=0, atol=2e-6)
    assert not got0[:, DIM:].any() and not got1[:, DIM:].any()  # padding stays zero


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("arch_name", list(ARCHS))
def test_lock_factors_scale_each_rows_step(kernel, arch_name):
    lockf = np.array([1.0, 0.0, 0.5, 1.0, 0.25, 0.0, 2.0], dtype=np.float32)
    syn0, syn1 = _start()
    start0 = syn0.copy()
    want0, want1 = _reference(arch_name, syn0, syn1, lockf)
    got0, got1 = _train_core(kernel, arch_name, syn0, syn1, _table(), lockf)
    np.testing.assert_allclose(got0[:, :DIM], want0, rtol=0, atol=2e-6)
    np.testing.assert_allclose(got1[:, :DIM], want1, rtol=0, atol=2e-6)
    for r in (1, 5):  # frozen: not one bit moves
        assert got0[r].tobytes() == start0[r].tobytes()


def _corpus_trainer(kernel, arch, syn0, syn1neg, lockf, vocab):
    c = _core.TrainConfig()
    c.arch, c.negative, c.window, c.workers, c.seed, c.alpha = arch, 5, 3, 2, 11, 0.05
    c.expected_words = 200_000
    before = _core.kernel_mode()
    _core.set_kernels(kernel)
    try:
        return _core.Trainer(vocab, c, syn0, syn1neg, None, None, lockf)
    finally:
        _core.set_kernels(before)


@pytest.fixture(scope="module")
def sample_batch(sample_words):
    words = sample_words[:100_000]
    return [words[i:i + 1000] for i in range(0, len(words), 1000)]


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("arch", [_core.Arch.SKIPGRAM_SHARED, _core.Arch.SKIPGRAM_PER_PAIR, _core.Arch.CBOW])
def test_frozen_rows_do_not_move_while_others_train(kernel, arch, sample_batch):
    """Identity input table, negative sampling, two workers: rows with factor 0 keep every bit."""
    model = fastembed.Word2Vec(vector_size=20, min_count=3)
    model.build_vocab(sample_batch)
    syn0 = model._weights["syn0"]
    start = syn0.copy()
    n = len(model.wv)
    lockf = np.ones(n, dtype=np.float32)
    frozen = np.arange(0, n, 3)  # every third word, the most frequent among them
    lockf[frozen] = 0.0
    t = _corpus_trainer(kernel, arch, syn0, model._weights["syn1neg"], lockf, model._vocab)
    t.start_stream_epoch()
    t.push_sentences(sample_batch)
    t.close_stream()
    t.wait(60.0)
    t.finish_epoch()
    assert syn0[frozen].tobytes() == start[frozen].tobytes()
    moved = np.setdiff1d(np.arange(n), frozen)
    changed = (syn0[moved] != start[moved]).any(axis=1)
    assert changed.mean() > 0.95


@pytest.mark.parametrize("kernel", KERNELS)
def test_lock_factors_of_one_are_the_plain_path_to_the_bit(kernel, sample_batch):
    """All factors 1 go through the general kernels, no table through the plain ones: same bits."""
    results = []
    for lockf in (None, "ones"):
        model = fastembed.Word2Vec(vector_size=20, min_count=3)
        model.build_vocab(sample_batch)
        lf = None if lockf is None else np.ones(len(model.wv), dtype=np.float32)
        c = _core.TrainConfig()
        c.arch, c.negative, c.window, c.workers, c.seed, c.alpha = _core.Arch.SKIPGRAM_SHARED, 5, 3, 1, 3, 0.05
        c.expected_words = 100_000
        before = _core.kernel_mode()
        _core.set_kernels(kernel)
        try:
            t = _core.Trainer(model._vocab, c, model._weights["syn0"], model._weights["syn1neg"], None, None, lf)
            t.start_stream_epoch()
            t.push_sentences(sample_batch)
            t.close_stream()
            t.wait(60.0)
            t.finish_epoch()
        finally:
            _core.set_kernels(before)
        results.append(model._weights["syn0"].tobytes())
    assert results[0] == results[1]


@pytest.mark.parametrize("offsets,rows,input_rows,match", [
    ([0, 1, 1], [0], 2, "no input row"),
    ([1, 2], [0], 2, "start at 0"),
    ([0, 1, 2], [0, 5], 2, "outside the input matrix"),
    ([0, 1, 2], [0, -1], 2, "outside the input matrix"),
    ([0, 1, 3], [0, 1], 2, "end at the number"),
])
def test_bad_tables_raise(offsets, rows, input_rows, match):
    with pytest.raises(ValueError, match=match):
        _core.InputRowTable(np.array(offsets, dtype=np.uint64), np.array(rows, dtype=np.int32), input_rows)


def test_trainer_checks_table_and_lock_factors_fit():
    syn0, syn1 = _start()
    vocab = _core.Vocab(WORDS, COUNTS)
    with pytest.raises(ValueError, match="one row per input row"):
        _core.Trainer(vocab, _config("cbow-mean"), aligned_matrix(8, STRIDE), None, syn1, _table(), None)
    with pytest.raises(ValueError, match="one factor per input row"):
        _core.Trainer(vocab, _config("cbow-mean"), syn0, None, syn1, _table(), np.ones(6, dtype=np.float32))
    with pytest.raises(ValueError, match="not finite"):
        _core.Trainer(vocab, _config("cbow-mean"), syn0, None, syn1, _table(),
                      np.array([1, 1, np.nan, 1, 1, 1, 1], dtype=np.float32))
    small = _core.InputRowTable(np.array([0, 1, 2], dtype=np.uint64), np.array([0, 1], dtype=np.int32), 7)
    with pytest.raises(ValueError, match="does not fit the vocabulary"):
        _core.Trainer(vocab, _config("cbow-mean"), syn0, None, syn1, small, None)
