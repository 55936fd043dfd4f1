"""The shipped ``_core.pyi`` stub names exactly what the extension exports."""
from __future__ import annotations

import ast
import os

import fastembed
from fastembed import _core


def test_stub_matches_the_extension():
    path = os.path.join(os.path.dirname(fastembed.__file__), "_core.pyi")
    tree = ast.parse(open(path, encoding="utf-8").read())
    stubbed = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    exported = {n for n in dir(_core) if not n.startswith("_")}
    assert stubbed == exported
    for cls in tree.body:
        if isinstance(cls, ast.ClassDef) and not cls.name.endswith("Error"):
            members = {n.name for n in cls.body if isinstance(n, ast.FunctionDef)}
            members |= {n.target.id for n in cls.body if isinstance(n, ast.AnnAssign)}
            members |= {t.id for n in cls.body if isinstance(n, ast.Assign) for t in n.targets}
            members.discard("__init__")
            assert members <= set(dir(getattr(_core, cls.name))), cls.name
