"""Writes the seeds of the native-format fuzz targets (tests/fuzz/seeds/fuzz_kv_header,
fuzz_npy_header, fuzz_model_zip): small valid files of each layout the readers know.  Re-run
after a format change: ``python tests/fuzz/make_native_seeds.py``."""
import io
import os

import numpy as np

import fastembed

SEEDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")


def _write(target: str, name: str, data: bytes) -> None:
    os.makedirs(os.path.join(SEEDS, target), exist_ok=True)
    with open(os.path.join(SEEDS, target, name), "wb") as f:
        f.write(data)


def _saved(obj, tmp: str) -> bytes:
    obj.save(tmp)
    with open(tmp, "rb") as f:
        return f.read()


def main() -> None:
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        tmp = os.path.join(d, "f")
        kv = fastembed.KeyedVectors(3)
        kv.add_vectors(["alpha", "beta", "gamma"], np.arange(9, dtype=np.float32).reshape(3, 3))
        kv.expandos["count"] = np.array([5, 3, 1], dtype=np.int64)
        kv.set_vecattr("beta", "tag", "x")  # a JSON attribute
        _write("fuzz_kv_header", "attributes", _saved(kv, tmp))
        ints = fastembed.KeyedVectors(2)
        ints.add_vectors([10, 20], np.ones((2, 2), np.float32))  # JSON keys
        _write("fuzz_kv_header", "int_keys", _saved(ints, tmp))
        _write("fuzz_kv_header", "empty", _saved(fastembed.KeyedVectors(4), tmp))
        model = fastembed.Word2Vec([["a", "b", "c"], ["b", "c", "d", "a"]] * 5, vector_size=3, min_count=1,
                                   epochs=1, workers=1, hs=1, negative=2)
        _write("fuzz_model_zip", "hs_and_negative", _saved(model, tmp))
    m = np.arange(6, dtype=np.float32).reshape(2, 3)
    for name, arr, version in (("c_order", m, (1, 0)), ("fortran", np.asfortranarray(m), (1, 0)),
                               ("version_2", m, (2, 0))):
        buf = io.BytesIO()
        np.lib.format.write_array(buf, arr, version=version)
        _write("fuzz_npy_header", name, buf.getvalue())


if __name__ == "__main__":
    main()
