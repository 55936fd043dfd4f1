"""Run test cases in child Python processes with a time and a memory limit, so that a crash,
a hang or a runaway allocation fails one case instead of killing pytest.

A test module registers its cases in a :class:`Cases` table (``@cases.case``: a function of a
fresh temporary folder that returns something JSON-able or raises), runs as a script with
``cases.child_main()`` under ``if __name__ == "__main__"``, and calls
``cases.run(__file__, names)`` from a fixture.  The child runs the cases one after another and
reports each as one JSON line (the value, or the exception's type, MRO and message, and how
much the case raised the process's peak memory); after a crash or a hang the remaining cases
run in a fresh child.
"""
from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
from typing import Any, Callable, Dict, List, Optional

#: Address-space cap of a child (bytes): a case that tries to allocate far more than its
#: input gets a MemoryError, reported as such, instead of swapping the machine.  Not applied
#: under AddressSanitizer, which reserves terabytes of address space up front.
MEMORY_LIMIT = 6 << 30


class Cases:
    def __init__(self) -> None:
        self.table: Dict[str, Callable[[str], Any]] = {}

    def case(self, fn: Callable[[str], Any]) -> Callable[[str], Any]:
        self.table[fn.__name__] = fn
        return fn

    # ------------------------------------------------------------------ the child's side
    def child_main(self, names: Optional[List[str]] = None) -> None:
        import fastembed  # noqa: F401  (imported once, before the first case)
        for name in sys.argv[1:] if names is None else names:
            print(json.dumps({"case": name, "start": True}), flush=True)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            with tempfile.TemporaryDirectory() as tmp:
                try:
                    result = {"case": name, "value": self.table[name](tmp)}
                except BaseException as e:  # noqa: B902 - report everything, even KeyboardInterrupt
                    result = {"case": name, "error": type(e).__name__,
                              "mro": [c.__name__ for c in type(e).__mro__], "message": str(e)}
            # How much this case raised the process's peak memory (KiB on Linux).
            result["peak_growth_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak) / 1024
            print(json.dumps(result, default=repr), flush=True)

    # ----------------------------------------------------------------- the parent's side
    @staticmethod
    def run(script: str, names: List[str], timeout: float = 120, env: Optional[Dict[str, str]] = None,
            memory_limit: Optional[int] = MEMORY_LIMIT) -> Dict[str, Dict[str, Any]]:
        """Outcomes of the named cases of ``script``, in as many children as crashes and hangs
        need; each child's whole batch has ``timeout`` seconds."""
        environ = os.environ if env is None else env
        if "asan" in environ.get("LD_PRELOAD", ""):
            memory_limit = None

        def limit() -> None:
            if memory_limit:
                resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

        outcomes: Dict[str, Dict[str, Any]] = {}
        todo = list(names)
        while todo:
            try:
                proc = subprocess.run([sys.executable, script] + todo, capture_output=True, text=True,
                                      timeout=timeout, env=env, preexec_fn=limit)
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


def outcome(outcomes: Dict[str, Dict[str, Any]], name: str) -> Dict[str, Any]:
    o = outcomes[name]
    assert "crash" not in o, f"{name} {o['crash']}:\n{o['stderr']}"
    return o


def raised(outcomes: Dict[str, Dict[str, Any]], name: str, exc: type, pattern: str) -> Dict[str, Any]:
    """Assert the case raised ``exc`` (or a subclass) with a message matching ``pattern``."""
    import re
    o = outcome(outcomes, name)
    assert "error" in o, f"{name} raised nothing; returned {o['value']!r}"
    assert exc.__name__ in o["mro"], f"{name} raised {o['error']}: {o['message']}"
    assert re.search(pattern, o["message"]), f"{name}: {o['message']!r} does not match {pattern!r}"
    return o


def value(outcomes: Dict[str, Dict[str, Any]], name: str) -> Any:
    o = outcome(outcomes, name)
    assert "error" not in o, f"{name} raised {o['error']}: {o['message']}"
    return o["value"]
