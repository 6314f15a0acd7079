"""A throwaway project per test, and a way to run the CLI in-process on it.

The project has its own pyproject.toml selecting only ALC204 (a real rule with a safe
fix), so these tests do not change meaning as more rules land.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import sqla_checks.engine.api
import sqla_checks.engine.runner
from sqla_checks.cli import main

ASYNC_IMPORT = "from sqlalchemy.ext.asyncio import create_async_engine\n"
# A safe-fixable ALC204 finding at 3:30.
SYNC_URL = ASYNC_IMPORT + '\nengine = create_async_engine("postgresql+psycopg2://app@db/blog")\n'
FIXED_URL = ASYNC_IMPORT + '\nengine = create_async_engine("postgresql+asyncpg://app@db/blog")\n'
# An ALC204 finding without a fix.
SQLITE_URL = ASYNC_IMPORT + '\nengine = create_async_engine("sqlite:///blog.db")\n'
CLEAN = ASYNC_IMPORT + '\nengine = create_async_engine("postgresql+asyncpg://app@db/blog")\n'

PYPROJECT = """\
[project]
name = "demo"

[tool.sqla-checks]
{select}
{extra}
"""


@dataclass
class Outcome:
    """What one CLI run produced."""

    code: int
    out: str
    err: str


class Project:
    """A directory with a pyproject.toml; the current directory during the test."""

    def __init__(self, root: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.root = root
        self._capsys = capsys

    def write(self, relative: str, content: str | bytes) -> Path:
        """Create a file (and its directories) below the root."""
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def config(self, extra: str = "", select: str = 'select = ["ALC204"]') -> None:
        """Rewrite the project's [tool.sqla-checks] table, adding `extra` lines."""
        self.write("pyproject.toml", PYPROJECT.format(select=select, extra=extra))

    def run(self, *args: str) -> Outcome:
        """`sqla-checks ARGS` in-process, in one process (`--jobs 1`) unless told."""
        argv = list(args)
        if not any(arg.startswith("--jobs") for arg in argv):
            argv.append("--jobs=1")
        self._capsys.readouterr()
        code = main(argv)
        captured = self._capsys.readouterr()
        return Outcome(code, captured.out, captured.err)


@pytest.fixture
def project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Project]:
    """A fresh project directory, made the current directory."""
    root = tmp_path / "project"
    root.mkdir()
    previous = Path.cwd()
    os.chdir(root)
    made = Project(root, capsys)
    made.config()
    try:
        yield made
    finally:
        os.chdir(previous)


@pytest.fixture
def checked_sources(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Paths the runner actually checked (cache misses), in order."""
    seen: list[str] = []
    real: Callable[..., Any] = sqla_checks.engine.runner.check_source

    def counting(path: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(sqla_checks.engine.api, "check_source", counting)
    return seen
