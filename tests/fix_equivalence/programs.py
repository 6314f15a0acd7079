"""Helpers for fix-equivalence tests that run whole programs in a subprocess.

A program is a complete script. `apply_fixes` fixes it exactly as `sqla-checks --fix`
(all rules, optionally `--unsafe-fixes`) would; `ProgramRunner` runs programs
concurrently, each in a process of its own on a database of its own, with
`DATABASE_URL` naming that database and `program_runtime` importable. The processes
are forked from a warm interpreter (`program_host.py`) where `os.fork` exists, and
started as `python program.py` elsewhere.
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from sqlalchemy.engine import URL

from sqla_checks.engine.registry import all_rules
from sqla_checks.engine.runner import RunOptions, check_source

HERE = Path(__file__).resolve().parent
SYNC_DRIVER = "postgresql+psycopg2"
ASYNC_DRIVER = "postgresql+asyncpg"
# A program that runs longer than this is stuck (a lock, a lost connection).
TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Fixed:
    """A program after `--fix`, and the rules whose fixes it received."""

    source: str
    applied: frozenset[str]


@functools.cache
def apply_fixes(source: str, *, unsafe: bool, path: str = "program.py") -> Fixed:
    """Fix `source` with every rule, as `sqla-checks --fix [--unsafe-fixes]` would.

    Requires that something changed (so no test passes vacuously) and that a second
    run changes nothing more. Cached: fixing is slow, and tests ask twice.
    """
    rules = all_rules()
    options = RunOptions(fix=True, unsafe_fixes=unsafe)
    result = check_source(path, source.encode(), rules, options)
    assert result.error is None, result.error
    assert result.fixed_source is not None, "--fix changed nothing"
    fixed = result.fixed_source.decode()
    assert fixed != source, "--fix changed nothing"
    again = check_source(path, result.fixed_source, rules, options)
    assert again.error is None, again.error
    assert again.fixed_source is None or again.fixed_source == result.fixed_source, (
        "a second --fix run changed the program again"
    )
    allowed = {"safe", "unsafe"} if unsafe else {"safe"}
    findings = check_source(path, source.encode(), rules, RunOptions()).findings
    applied = frozenset(f.code for f in findings if f.fix and f.fix.applicability in allowed)
    return Fixed(fixed, applied)


@functools.cache
def fix_or_none(source: str, *, unsafe: bool, path: str = "program.py") -> str | None:
    """The fixed text, or None when `--fix` would leave the program as it is."""
    options = RunOptions(fix=True, unsafe_fixes=unsafe)
    result = check_source(path, source.encode(), all_rules(), options)
    assert result.error is None, result.error
    return None if result.fixed_source is None else result.fixed_source.decode()


@dataclass(frozen=True)
class Outcome:
    """How a program run ended."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def exception(self) -> str:
        """The exception line (`module.Class: message`) of the last traceback, or ''."""
        _, marker, trace = self.stderr.rpartition("Traceback (most recent call last):")
        if not marker:
            return ""
        # Frames are indented; the first line that is not ends the traceback (what
        # follows it, e.g. "never awaited" warnings at exit, is not the exception).
        for line in trace.splitlines()[1:]:
            if line and not line[0].isspace():
                return line
        return ""

    def describe(self) -> str:
        return f"exit {self.returncode}\n--- stdout\n{self.stdout}--- stderr\n{self.stderr}"


def _environment(database_url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(HERE),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def run_program(source: str, database_url: str) -> Outcome:
    """Run `source` as `python program.py` with `DATABASE_URL` in its environment."""
    with tempfile.TemporaryDirectory(prefix="fix-equivalence-") as directory:
        script = Path(directory) / "program.py"
        script.write_text(source, encoding="utf-8")
        completed = subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            env={**os.environ, **_environment(database_url)},
            cwd=directory,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    return Outcome(completed.returncode, completed.stdout, completed.stderr)


class ProgramHost:
    """Runs programs in processes forked from a warm interpreter (`program_host.py`).

    Each program still runs in a process of its own, as `__main__`, with
    `DATABASE_URL` in its environment; only the SQLAlchemy and driver imports, which
    are most of a short program's run time, are paid once.
    """

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, str(HERE / "program_host.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, **_environment("")},
        )
        self._pending: dict[int, Future[int]] = {}
        self._lock = threading.Lock()
        self._next_id = 0
        self._reader = threading.Thread(target=self._read_replies, daemon=True)
        self._reader.start()

    def run(self, source: str, database_url: str) -> Outcome:
        with tempfile.TemporaryDirectory(prefix="fix-equivalence-") as directory:
            script = Path(directory) / "program.py"
            script.write_text(source, encoding="utf-8")
            request = {
                "script": str(script),
                "stdout": str(Path(directory) / "stdout"),
                "stderr": str(Path(directory) / "stderr"),
                "env": _environment(database_url),
                "timeout": TIMEOUT_SECONDS,
            }
            done: Future[int] = Future()
            with self._lock:
                request["id"] = self._next_id
                self._pending[self._next_id] = done
                self._next_id += 1
                assert self._process.stdin is not None
                self._process.stdin.write((json.dumps(request) + "\n").encode())
                self._process.stdin.flush()
            returncode = done.result(timeout=TIMEOUT_SECONDS + 30)
            return Outcome(
                returncode,
                Path(request["stdout"]).read_text(encoding="utf-8"),
                Path(request["stderr"]).read_text(encoding="utf-8"),
            )

    def _read_replies(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            reply = json.loads(line)
            with self._lock:
                done = self._pending.pop(reply["id"])
            done.set_result(reply["returncode"])
        with self._lock:
            for done in self._pending.values():
                done.set_exception(RuntimeError("the program host exited"))
            self._pending.clear()

    def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait(timeout=TIMEOUT_SECONDS)
        self._reader.join()


def url_with_driver(url: URL, driver: str) -> str:
    """`url` as a string (password included) with `driver` as its driver."""
    return str(url.set(drivername=driver).render_as_string(hide_password=False))


def _run_on_fresh_database(
    run: Callable[[str, str], Outcome], server: ModuleType, source: str, driver: str
) -> Outcome:
    url = server.create_database("fixeq")
    try:
        return run(source, url_with_driver(url, driver))
    finally:
        server.drop_database(url)


class ProgramRunner:
    """Runs programs on a shared thread pool, each on a database created for it alone.

    Outcomes are kept by (source, driver): a test module can submit every program its
    selected tests will need up front, so the subprocesses of different tests overlap
    (they spend most of their time importing SQLAlchemy), and each test then waits
    only for its own.
    """

    def __init__(self, server: ModuleType, workers: int) -> None:
        server.admin_url()  # start the embedded server (if any) once, before the threads
        self._server = server
        self._host = ProgramHost() if hasattr(os, "fork") else None
        self._run = self._host.run if self._host is not None else run_program
        self._pool = ThreadPoolExecutor(max_workers=workers)
        self._futures: dict[tuple[str, str], Future[Outcome]] = {}
        self._lock = threading.Lock()
        # Fixing is CPU work in Python: processes of their own keep it off the GIL
        # that the threads waiting for programs share with the tests.
        self._fixers = ProcessPoolExecutor(
            max_workers=2, mp_context=multiprocessing.get_context("spawn")
        )
        self._fixes: dict[tuple[str, bool], Future[Fixed]] = {}

    def fix(self, source: str, *, unsafe: bool) -> Fixed:
        """`apply_fixes(source, unsafe=unsafe)`, computed once (maybe already started)."""
        return self._fix_future(source, unsafe).result()

    def _fix_future(self, source: str, unsafe: bool) -> Future[Fixed]:
        with self._lock:
            key = (source, unsafe)
            if key not in self._fixes:
                self._fixes[key] = self._fixers.submit(apply_fixes, source, unsafe=unsafe)
            return self._fixes[key]

    def prefetch(self, source: str, *, unsafe: bool, driver: str) -> None:
        """Start running `source`, fixing it, and then running the fixed program."""
        self.submit(source, driver)

        def run_fixed(done: Future[Fixed]) -> None:
            if done.exception() is None:  # else the test reports it
                self.submit(done.result().source, driver)

        self._fix_future(source, unsafe).add_done_callback(run_fixed)

    def submit(self, source: str, driver: str) -> Future[Outcome]:
        with self._lock:
            key = (source, driver)
            if key not in self._futures:
                self._futures[key] = self._pool.submit(
                    _run_on_fresh_database, self._run, self._server, source, driver
                )
            return self._futures[key]

    def run(self, sources: Mapping[str, str], driver: str) -> dict[str, Outcome]:
        """The outcome of each program (by name), all run concurrently."""
        futures = {name: self.submit(source, driver) for name, source in sources.items()}
        return {name: future.result() for name, future in futures.items()}

    def run_on(self, sources: Mapping[str, str], url: str) -> dict[str, Outcome]:
        """The outcome of each program, all run concurrently on the database `url`."""
        futures = {}
        with self._lock:
            for name, source in sources.items():
                key = (source, url)
                if key not in self._futures:
                    self._futures[key] = self._pool.submit(self._run, source, url)
                futures[name] = self._futures[key]
        return {name: future.result() for name, future in futures.items()}

    def close(self) -> None:
        self._fixers.shutdown(wait=True, cancel_futures=True)
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._host is not None:
            self._host.close()
