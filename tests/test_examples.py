"""The example projects' own test suites pass, run the way their READMEs say.

Each example is a standalone project (its own pyproject, its own `app` package), so
its suite runs in a subprocess from its folder; the PostgreSQL server of this
session is handed down through DATABASE_URL so only one server is started.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("example", ["blog", "legacy_blog"])
def test_example_suite_passes(example: str, admin_database_url: str) -> None:
    folder = REPO_ROOT / "examples" / example
    env = {**os.environ, "DATABASE_URL": admin_database_url}
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert completed.returncode == 0, completed.stdout[-8000:] + completed.stderr[-4000:]
