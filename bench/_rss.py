"""Peak memory of the running process, shared by the bench scripts."""
from __future__ import annotations

import resource


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB: VmHWM, the high-water mark of the
    process's own address space. ru_maxrss is not used because Linux carries it over exec from
    the parent (a subprocess would report its launcher's peak if that was larger)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
