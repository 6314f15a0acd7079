"""Fixtures for the install-route tests: the repo as a clone has it, and a scratch home."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.docs.markdown import REPO_ROOT


def tracked_copy(destination: Path) -> Path:
    """Copy the files git tracks (what `git clone` or a GitHub source gives an installer),
    so nothing ignored or untracked in this checkout can make a route pass."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO_ROOT / name
        if source.is_file():  # a tracked file deleted in the work tree is not copied
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target, follow_symlinks=False)
    return destination


@pytest.fixture(scope="session")
def repo_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A read-only-by-convention copy of the tracked repo; copy it again to break it."""
    return tracked_copy(tmp_path_factory.mktemp("repo") / "sqla-skillpack")
