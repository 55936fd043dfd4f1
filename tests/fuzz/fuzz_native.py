"""Mutation fuzzer for fastembed's native file readers, which are Python (no libFuzzer target
can reach them): the KeyedVectors file (``fuzz_kv_header``), ``.npy`` headers
(``fuzz_npy_header``, through a version-1 ``.vectors.npy``) and model zip members
(``fuzz_model_zip``).

Each input is written to a file and loaded (with and without ``mmap`` where the reader has
it).  The reader must return or raise ``ValueError`` / ``EOFError``; anything else
(``MemoryError``, ``AttributeError``, ``KeyError``, ``OverflowError``, a crash) is a failure.
Size limits are asserted: the memory the load allocates (``tracemalloc``, which numpy reports
to) may not exceed 4 times the input's size plus 1 MB, so no header can make a reader
allocate for data that is not there.

    python tests/fuzz/fuzz_native.py [seconds-per-target] [target ...]

Seeds are ``tests/fuzz/seeds/<target>/``; a failing input is saved to
``tests/fuzz/regressions/<target>/`` (commit it: ``tests/test_fuzz_regressions.py`` replays
both folders through :func:`check`).  ``tests/fuzz/run.sh`` runs this after the C++ targets.
"""
from __future__ import annotations

import hashlib
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from typing import List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
TARGETS = ("fuzz_kv_header", "fuzz_npy_header", "fuzz_model_zip")
ALLOWED = (ValueError, EOFError)
SLACK = 1 << 20

# Byte strings the mutator splices in: numbers that overflow, JSON and .npy header fragments.
DICTIONARY = [b"0", b"-1", b"1e308", b"99999999999999999999", b"4294967295", b"18446744073709551616",
              b"null", b"true", b"[]", b"{}", b'"json"', b'"lines"', b'"<f4"', b'"|O"', b'"(1000000000,)f8"',
              b"'shape': (", b"'descr': '<f8'", b"'fortran_order': True", b", 1000000000)", b"\x93NUMPY",
              b"PK\x03\x04", b"PK\x01\x02", b"\n", b"\x00" * 8, b"\xff" * 8, b'"count":', b'"offset":',
              b'"nbytes":', b'"vector_size":', b'"expandos":', b"FASTEMBED-KV\n"]


def _load_kv(path: str) -> None:
    from fastembed import KeyedVectors
    for mmap in (None, "r"):
        KeyedVectors.load(path, mmap=mmap)


def _load_model(path: str) -> None:
    from fastembed import Word2Vec
    Word2Vec.load(path)


def v1_pair(tmp: str, npy: bytes) -> str:
    """A version-1 KeyedVectors pair (2 keys, 3 dimensions) whose matrix file is ``npy``
    (``path`` and ``path.vectors.npy`` in ``tmp``); returns ``path``."""
    import json
    keys = b"a\nb"
    header = {"format_version": 1, "count": 2, "vector_size": 3, "vectors_file": "v.kv.vectors.npy",
              "fingerprint": 0, "keys": {"offset": 0, "nbytes": 3, "encoding": "lines"}, "expandos": {}}
    path = os.path.join(tmp, "v.kv")
    with open(path, "wb") as f:
        f.write(b"FASTEMBED-KV\n" + json.dumps(header).encode() + b"\n" + keys)
    with open(path + ".vectors.npy", "wb") as f:
        f.write(npy)
    return path


def check(target: str, data: bytes) -> Optional[str]:
    """None if ``data`` is handled well by ``target``'s reader, else what went wrong."""
    import fastembed  # noqa: F401  (imported before tracing: an import is not the reader's allocation)
    with tempfile.TemporaryDirectory() as tmp:
        if target == "fuzz_npy_header":
            path, load = v1_pair(tmp, data), _load_kv
        else:
            path = os.path.join(tmp, "input")
            with open(path, "wb") as f:
                f.write(data)
            load = _load_kv if target == "fuzz_kv_header" else _load_model
        tracemalloc.start()
        try:
            load(path)
            error = None
        except ALLOWED:
            error = None
        except BaseException as e:  # noqa: B902 - MemoryError, AttributeError... are the findings
            error = f"{type(e).__name__}: {e}"[:500]
        finally:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    if error is None and peak > 4 * len(data) + SLACK:
        error = f"allocated {peak} bytes for a {len(data)}-byte input"
    return error


def _inputs(target: str) -> List[bytes]:
    out = []
    for kind in ("seeds", "regressions"):
        d = os.path.join(HERE, kind, target)
        if os.path.isdir(d):
            for name in sorted(os.listdir(d)):
                with open(os.path.join(d, name), "rb") as f:
                    out.append(f.read())
    return out


def mutate(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        pos = rng.randrange(len(b) + 1)
        if op == 0 and b:  # flip bits
            b[min(pos, len(b) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1:  # a random byte
            b[pos:pos] = bytes([rng.randrange(256)])
        elif op == 2 and b:  # delete a run
            del b[pos : pos + rng.randint(1, 16)]
        elif op == 3:  # a dictionary word
            b[pos:pos] = rng.choice(DICTIONARY)
        elif op == 4 and b:  # overwrite with a dictionary word
            word = rng.choice(DICTIONARY)
            b[pos : pos + len(word)] = word
        elif op == 5 and len(b) > 1:  # truncate
            del b[pos:]
    return bytes(b)


def fuzz(target: str, seconds: float, seed: int = 0) -> int:
    """Mutate the target's seeds for ``seconds``; returns the number of failures saved."""
    rng = random.Random(seed)
    pool = _inputs(target)
    if not pool:
        raise SystemExit(f"fuzz_native: no seeds for {target} in tests/fuzz/seeds/{target}/")
    failures, runs, deadline = 0, 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        data = mutate(rng, rng.choice(pool))
        runs += 1
        error = check(target, data)
        if error is None:
            if rng.random() < 0.05 and len(pool) < 200:
                pool.append(data)  # keep some mutants as parents: deeper structure gets explored
            continue
        failures += 1
        out = os.path.join(HERE, "regressions", target)
        os.makedirs(out, exist_ok=True)
        name = hashlib.sha1(data).hexdigest()[:16]
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        print(f"fuzz_native: {target}: {error}; input saved as tests/fuzz/regressions/{target}/{name}")
    print(f"fuzz_native: {target}: {runs} executions in {seconds:.0f}s, {failures} failures")
    return failures


def main(argv: List[str]) -> int:
    seconds = float(argv[0]) if argv else 60.0
    targets = argv[1:] or list(TARGETS)
    # a reader that allocates for a forged size gets a MemoryError here, not the machine's swap
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    failures = sum(fuzz(t, seconds) for t in targets)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
