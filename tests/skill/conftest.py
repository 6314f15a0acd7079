"""Fixtures of the skill packaging tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs.markdown import REPO_ROOT


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from this checkout (`pip wheel --no-deps`), once per test session."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), "."],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
    )
    [wheel] = out.glob("*.whl")
    return wheel
