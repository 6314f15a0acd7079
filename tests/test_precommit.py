"""The pre-commit hooks as pre-commit runs them: `pre-commit try-repo` on this checkout.

try-repo clones this checkout (uncommitted changes included) and builds the hooks'
virtualenv from it (pip installs this package), as a user's `rev:` pin would. The
virtualenv is built once per pre-commit cache (PRE_COMMIT_HOME, a temporary folder
shared by this module's tests).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
LEGACY = """\
from sqlalchemy.orm import Session


def load(session: Session, user_id: int):
    return session.query(User).get(user_id)
"""
FIXED_LINE = "    return session.get(User, user_id)\n"


def test_hook_definitions() -> None:
    hooks = {
        hook["id"]: hook
        for hook in yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())
    }
    assert set(hooks) == {"sqla-checks", "sqla-checks-fix"}
    assert hooks["sqla-checks"]["entry"] == "sqla-checks --force-exclude"
    assert hooks["sqla-checks-fix"]["entry"] == "sqla-checks --force-exclude --fix"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["types_or"] == ["python", "pyi"]
        assert hook["require_serial"] is True  # one invocation: the tool runs its own pool


def _pre_commit() -> str:
    beside_python = Path(sys.executable).parent / "pre-commit"
    found = str(beside_python) if beside_python.exists() else shutil.which("pre-commit")
    assert found, "pre-commit is not installed (it is in the dev extra)"
    return found


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    (project / "legacy.py").write_text(LEGACY)
    for command in (
        ["git", "init", "-q"],
        ["git", "add", "legacy.py"],
    ):
        subprocess.run(command, cwd=project, check=True, capture_output=True)
    return project


def _try_repo(project: Path, home: Path, hook: str) -> subprocess.CompletedProcess[str]:
    if subprocess.run(
        ["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"], capture_output=True
    ).returncode:
        pytest.fail("pre-commit try-repo needs this checkout to be a git repository")
    return subprocess.run(
        [_pre_commit(), "try-repo", str(REPO_ROOT), hook, "--all-files", "--color", "never"],
        cwd=project,
        env={**os.environ, "PRE_COMMIT_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_the_check_hook_fails_and_lists_the_finding(tmp_path: Path, pre_commit_home: Path) -> None:
    project = _project(tmp_path)
    completed = _try_repo(project, pre_commit_home, "sqla-checks")
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "legacy.py:5:12: ALC103" in completed.stdout
    assert (project / "legacy.py").read_text() == LEGACY


def test_the_fix_hook_rewrites_the_file(tmp_path: Path, pre_commit_home: Path) -> None:
    project = _project(tmp_path)
    completed = _try_repo(project, pre_commit_home, "sqla-checks-fix")
    # pre-commit fails a hook that changed files, so the fix is reviewed before commit.
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "files were modified by this hook" in completed.stdout
    fixed = (project / "legacy.py").read_text()
    assert FIXED_LINE in fixed
    assert fixed == LEGACY.replace("    return session.query(User).get(user_id)\n", FIXED_LINE)
