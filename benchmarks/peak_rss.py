"""Run a command; write its wall time and peak RSS to a file; exit with its code.

    python -S benchmarks/peak_rss.py RESULT_FILE -- COMMAND [ARG...]

Why a separate small process: Linux carries a process's peak RSS across `exec`, and a
child created by fork/vfork starts with its parent's memory mapped. A CLI started
directly from the benchmark (which holds the corpus and parsed trees) would report
the benchmark's own size as its peak. Started from this tiny process, it reports
its own. Standard library only, so it runs with `-S` (no site-packages).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    """Run argv[2:] (after `--`), record "seconds max_rss_kib" in argv[0]."""
    if len(argv) < 3 or argv[1] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    result_file, command = argv[0], argv[2:]
    start = time.perf_counter()
    process = subprocess.Popen(command)
    # wait4 instead of Popen.wait: it also returns the child's resource usage, which
    # includes the workers the child waited for (the largest of them, not the sum).
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    with open(result_file, "w", encoding="utf-8") as stream:
        # Linux reports ru_maxrss in KiB.
        stream.write(f"{seconds} {usage.ru_maxrss}\n")
    return process.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
