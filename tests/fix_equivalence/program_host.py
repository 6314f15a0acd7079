"""A warm interpreter that forks one child process per program.

Importing SQLAlchemy and the database drivers is most of a short program's run time,
and the fix-equivalence tests run dozens of programs. This host imports them once,
then reads requests (one JSON object a line) from stdin: for each it forks a child
that runs the script as `__main__`, with its own environment, working directory,
stdout and stderr files, and exits the way `python script.py` does (a traceback and
status 1 for an uncaught exception, normal interpreter shutdown). When a child ends
the host writes `{"id": ..., "returncode": ...}` to stdout. It exits at EOF on stdin,
once its children have ended.

Only modules that print nothing and read no environment on import are preloaded;
`program_runtime` (which reads DATABASE_URL) is imported by each child.
"""

from __future__ import annotations

import json
import os
import runpy
import select
import signal
import sys
import traceback
from typing import Any

import asyncpg  # noqa: F401
import greenlet  # noqa: F401
import psycopg2  # noqa: F401
import sqlalchemy.dialects.postgresql.asyncpg
import sqlalchemy.dialects.postgresql.psycopg2
import sqlalchemy.ext.asyncio
import sqlalchemy.orm  # noqa: F401


def _child(request: dict[str, Any]) -> int:
    """Run one program in this (forked) process; the exit status."""
    signal.alarm(int(request["timeout"]))  # a stuck program dies of SIGALRM
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    os.environ.update(request["env"])
    script = request["script"]
    directory = os.path.dirname(script)
    os.chdir(directory)
    sys.argv = [script]
    sys.path[0] = directory
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit:
        raise
    except BaseException:
        traceback.print_exc()
        return 1
    return 0


def _reply(message: dict[str, Any]) -> None:
    os.write(1, (json.dumps(message) + "\n").encode())


def main() -> None:
    children: dict[int, int] = {}  # pid -> request id
    buffer = b""
    open_input = True
    while open_input or children:
        timeout = 0.01 if children else None
        readable = select.select([0], [], [], timeout)[0] if open_input else []
        if not open_input:
            select.select([], [], [], 0.01)
        if readable:
            chunk = os.read(0, 1 << 16)
            open_input = bool(chunk)
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                request = json.loads(line)
                sys.stdout.flush()
                sys.stderr.flush()
                pid = os.fork()
                if pid == 0:
                    sys.exit(_child(request))  # the child never returns to this loop
                children[pid] = request["id"]
        while children:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            _reply({"id": children.pop(pid), "returncode": os.waitstatus_to_exitcode(status)})


if __name__ == "__main__":
    main()
