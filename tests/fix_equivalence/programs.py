"""Helpers for fix-equivalence tests that run whole programs in a subprocess.

A program is a complete script. `apply_fixes` fixes it exactly as `sqla-checks --fix`
(all rules, optionally `--unsafe-fixes`) would; `ProgramRunner` runs programs
concurrently, each in its own subprocess on a database of its own, with
`DATABASE_URL` naming that database and `program_runtime` importable.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from sqlalchemy.engine import URL

from checks.registry import all_rules
from checks.runner import RunOptions, check_source

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


def apply_fixes(source: str, *, unsafe: bool, path: str = "program.py") -> Fixed:
    """Fix `source` with every rule, as `sqla-checks --fix [--unsafe-fixes]` would.

    Requires that something changed (so no test passes vacuously) and that a second
    run changes nothing more.
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


def run_program(source: str, database_url: str) -> Outcome:
    """Run `source` as a script with `DATABASE_URL` in its environment."""
    with tempfile.TemporaryDirectory(prefix="fix-equivalence-") as directory:
        script = Path(directory) / "program.py"
        script.write_text(source, encoding="utf-8")
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "PYTHONPATH": str(HERE),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONHASHSEED": "0",
        }
        completed = subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            env=env,
            cwd=directory,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    return Outcome(completed.returncode, completed.stdout, completed.stderr)


def database_url(url: URL, driver: str) -> str:
    return str(url.set(drivername=driver).render_as_string(hide_password=False))


def _run_on_fresh_database(server: ModuleType, source: str, driver: str) -> Outcome:
    url = server.create_database("fixeq")
    try:
        return run_program(source, database_url(url, driver))
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
        self._pool = ThreadPoolExecutor(max_workers=workers)
        self._futures: dict[tuple[str, str], Future[Outcome]] = {}
        self._lock = threading.Lock()

    def submit(self, source: str, driver: str) -> Future[Outcome]:
        with self._lock:
            key = (source, driver)
            if key not in self._futures:
                self._futures[key] = self._pool.submit(
                    _run_on_fresh_database, self._server, source, driver
                )
            return self._futures[key]

    def run(self, sources: Mapping[str, str], driver: str) -> dict[str, Outcome]:
        """The outcome of each program (by name), all run concurrently."""
        futures = {name: self.submit(source, driver) for name, source in sources.items()}
        return {name: future.result() for name, future in futures.items()}

    def run_on(self, sources: Mapping[str, str], url: str) -> dict[str, Outcome]:
        """The outcome of each program, all run concurrently on the database `url`."""
        futures = {name: self._pool.submit(run_program, s, url) for name, s in sources.items()}
        return {name: future.result() for name, future in futures.items()}

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
