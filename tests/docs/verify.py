"""Running a Verify block the way a reader runs it: line by line, from the project root.

A Verify block (```sh verify) is a list of shell commands. The tests run them on a fresh
copy of examples/blog with the repo's tools first on PATH and `DATABASE_URL` naming a
fresh database (the blog's tests and its Alembic env both read it), and stop at the
first command that fails, so a failure names its command.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.docs.markdown import REPO_ROOT, Block

BLOG = REPO_ROOT / "examples" / "blog"
COMMAND_TIMEOUT = 600  # seconds; the blog's whole test suite is one command
_COPY_IGNORE = shutil.ignore_patterns(
    "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".sqla-checks-cache", "*.egg-info"
)


@dataclass(frozen=True)
class CommandRun:
    """One command of a Verify block and what it did."""

    command: str
    returncode: int
    output: str


def shell_commands(script: str) -> list[str]:
    """The commands of a shell block: its non-blank lines that are not comments."""
    return [
        line.strip()
        for line in script.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def verify_commands(block: Block) -> list[str]:
    """The commands of a Verify block."""
    return shell_commands(block.body)


def copy_project(source: Path, destination: Path) -> Path:
    """A fresh copy of an example project, without caches, at `destination`."""
    shutil.copytree(source, destination, ignore=_COPY_IGNORE)
    return destination


def copy_blog(destination: Path) -> Path:
    """A fresh copy of examples/blog at `destination`."""
    return copy_project(BLOG, destination)


def reader_environment(database_url: str) -> dict[str, str]:
    """The environment a reader's shell has: our tools on PATH, the database named."""
    tools = Path(sys.executable).parent
    return {
        **os.environ,
        "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}",
        "DATABASE_URL": database_url,
    }


def run_script(script: str, project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `script` from `project` with `bash -euo pipefail`, as a reader's shell would."""
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )


def run_commands(commands: list[str], project: Path, env: dict[str, str]) -> list[CommandRun]:
    """Run `commands` in order from `project`; stop after the first one that fails."""
    runs = []
    for command in commands:
        completed = run_script(command, project, env)
        runs.append(CommandRun(command, completed.returncode, completed.stdout + completed.stderr))
        if completed.returncode != 0:
            break
    return runs
