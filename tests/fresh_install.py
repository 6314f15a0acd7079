"""Install an example project from its own folder into a new virtualenv and run its tests.

The root suite runs the examples in the root virtualenv, whose pins (pytest<9.2 for
pytest-alembic) could hide a broken pin in an example's own pyproject. The copy keeps
the examples' sibling layout: legacy_blog's tests borrow ../blog/tests/postgres_server.py.
Not in the version matrix (noxfile.py): it installs the newest releases whatever the cell.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def install_and_test(
    example: str, extra: str, tests: list[str], database_url: str, tmp_path: Path
) -> str:
    """`pip install -e ".[extra]"` in `examples/<example>` (a copy), then pytest `tests`
    there; returns pytest's output, after asserting every step succeeded."""
    copies = tmp_path / "examples"
    for name in ("blog", example):
        shutil.copytree(
            EXAMPLES / name,
            copies / name,
            ignore=shutil.ignore_patterns(".venv", "*.egg-info", "__pycache__", ".*_cache"),
            dirs_exist_ok=True,
        )
    venv = tmp_path / "venv"
    python = venv / "bin" / "python"
    completed = None
    for step, timeout in (
        ((sys.executable, "-m", "venv", venv), 120),
        ((python, "-m", "pip", "install", "-q", "-e", f".[{extra}]"), 900),
        ((python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests), 900),
    ):
        completed = subprocess.run(
            [str(arg) for arg in step],
            cwd=copies / example,
            env={**os.environ, "DATABASE_URL": database_url},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert completed.returncode == 0, (
            f"{' '.join(map(str, step))}:\n{completed.stdout[-6000:]}{completed.stderr[-4000:]}"
        )
    assert completed is not None
    return completed.stdout
