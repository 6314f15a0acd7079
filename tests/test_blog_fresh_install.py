"""examples/blog installs from its own pyproject in a new virtualenv, and its tests run.

The root suite runs the blog in the root virtualenv, whose pins (pytest<9.2 for
pytest-alembic) could hide a broken pin in the blog's own pyproject. Not in the
version matrix (noxfile.py): it installs the newest releases whatever the cell.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_blog_installs_its_dev_extras_in_a_fresh_venv_and_its_tests_run(
    admin_database_url: str, tmp_path: Path
) -> None:
    # A copy of the folder, a new virtualenv, `pip install -e ".[dev]"` as its
    # README says, then the module that needs pytest-alembic. About two minutes,
    # most of it pip (wheels come from pip's cache after the first run).
    blog = tmp_path / "blog"
    shutil.copytree(
        REPO_ROOT / "examples" / "blog",
        blog,
        ignore=shutil.ignore_patterns(".venv", "*.egg-info", "__pycache__", ".*_cache"),
    )
    venv = tmp_path / "venv"
    python = venv / "bin" / "python"

    def run(*args: str | Path, timeout: int) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(arg) for arg in args],
            cwd=blog,
            env={**os.environ, "DATABASE_URL": admin_database_url},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    for step, timeout in (
        ((sys.executable, "-m", "venv", venv), 120),
        ((python, "-m", "pip", "install", "-q", "-e", ".[dev]"), 600),
        ((python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_migrations.py"), 600),
    ):
        completed = run(*step, timeout=timeout)
        assert completed.returncode == 0, (
            f"{' '.join(map(str, step))}:\n{completed.stdout[-6000:]}{completed.stderr[-4000:]}"
        )
    assert " passed" in completed.stdout
