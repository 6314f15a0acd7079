"""The installed `sqla-checks` script and `python -m checks`, as real subprocesses,
and the parallel path (a process pool) agreeing with the in-process one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sqla_checks.engine.workers
from tests.cli.conftest import SYNC_URL, Project


def _script() -> str:
    beside_python = Path(sys.executable).parent / "sqla-checks"
    found = str(beside_python) if beside_python.exists() else shutil.which("sqla-checks")
    assert found, "the sqla-checks console script is not installed"
    return found


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_console_script(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    done = _run([_script(), "--no-cache", "."], project.root)
    assert done.returncode == 1, done.stderr
    assert "app.py:3:30: ALC204 [*]" in done.stdout
    assert _run([_script(), "--version"], project.root).stdout.startswith("sqla-checks ")


@pytest.mark.claim("readme-python-dash-m")
def test_python_dash_m_checks(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    done = _run([sys.executable, "-m", "sqla_checks", "--fix", "--no-cache"], project.root)
    assert done.returncode == 0, done.stderr
    assert "postgresql+asyncpg://" in (project.root / "app.py").read_text()
    missing = _run([sys.executable, "-m", "sqla_checks", "nope.py"], project.root)
    assert missing.returncode == 2
    assert "nope.py: error: no such file or directory" in missing.stderr


def test_parallel_run_matches_the_in_process_run(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A small tree would stay in process; lower the bar so the pool really runs.
    monkeypatch.setattr(sqla_checks.engine.workers, "PARALLEL_MIN_ITEMS", 2)
    for index in range(24):
        project.write(f"pkg/module_{index:02d}.py", SYNC_URL if index % 3 else "x = 1\n")
    project.write("pkg/broken.py", "from sqlalchemy.ext.asyncio import create_async_engine\n(\n")
    serial = project.run("--no-cache", "--jobs", "1")
    parallel = project.run("--no-cache", "--jobs", "4")
    assert (parallel.code, parallel.out, parallel.err) == (serial.code, serial.out, serial.err)
    assert serial.code == 2
    assert serial.out.count("ALC204") == 16


def test_cli_never_writes_outside_the_project(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    before = set(os.listdir(project.root.parent))
    project.run()
    assert set(os.listdir(project.root.parent)) == before
