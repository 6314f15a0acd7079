"""workflows/create-migration.md, followed on a copy of examples/blog, works.

The test takes what it runs from the workflow itself: the model change is the
workflow's diff, the commands are its shell blocks (found by a command only that
block has), in the workflow's order, and the last step is its Verify block. So a
workflow edit that breaks the path breaks this test.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = REPO_ROOT / "workflows" / "create-migration.md"
BLOG = REPO_ROOT / "examples" / "blog"
_FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```", re.M | re.S)
_NOT_PART_OF_THE_PROJECT = shutil.ignore_patterns(
    "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", "*.egg-info"
)


def _block(needle: str, *, info: str = "sh") -> str:
    """The one block of the workflow with this info string that contains `needle`."""
    text = WORKFLOW.read_text(encoding="utf-8")
    found = [
        match["body"]
        for match in _FENCE.finditer(text)
        if match["info"].strip() == info and needle in match["body"]
    ]
    assert len(found) == 1, f"expected one ```{info} block with {needle!r}, found {len(found)}"
    return found[0]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the blog, as a reader's checkout would be."""
    copy = tmp_path / "blog"
    shutil.copytree(BLOG, copy, ignore=_NOT_PART_OF_THE_PROJECT)
    return copy


@pytest.fixture
def shell_env(postgres_server: ModuleType) -> Iterator[dict[str, str]]:
    """The reader's shell: the venv's tools first on PATH, DATABASE_URL a fresh database."""
    url = postgres_server.create_database("workflow_migration")
    yield {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "DATABASE_URL": url.render_as_string(hide_password=False),
    }
    postgres_server.drop_database(url)


def _sh(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _ok(completed: subprocess.CompletedProcess[str], step: str) -> str:
    assert completed.returncode == 0, f"{step}:\n{completed.stdout}\n{completed.stderr}"
    return completed.stdout + completed.stderr


def _function_source(module: Path, name: str) -> str:
    source = module.read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return ast.get_source_segment(source, node) or ""
    raise AssertionError(f"{module.name} has no {name}()")


def test_a_new_nullable_column_is_generated_reviewed_applied_and_reversed(
    project: Path, shell_env: dict[str, str]
) -> None:
    # Step 1: the database is at head and matches the models.
    _ok(_sh(_block("alembic current"), project, shell_env), "step 1 (database at head)")

    # Step 2: the model change. Unmigrated, it is drift that `alembic check` reports.
    patch = project / "model-change.diff"
    patch.write_text(_block("+++ b/app/models/", info="diff"), encoding="utf-8")
    _ok(_sh(f"git apply {patch.name}", project, shell_env), "applying the workflow's diff")
    patch.unlink()
    drift = _sh(_block("New upgrade operations detected"), project, shell_env)
    assert drift.returncode != 0, "alembic check passed with an unmigrated model change"
    assert "add_column" in drift.stdout + drift.stderr

    # Step 3: autogenerate writes one new revision.
    versions = project / "alembic" / "versions"
    before = set(versions.glob("*.py"))
    _ok(_sh(_block("--autogenerate"), project, shell_env), "step 3 (autogenerate)")
    (revision,) = set(versions.glob("*.py")) - before
    assert revision.name == "0003_add_users_bio.py"

    # Step 4, the review: the operation is the intended one and the downgrade undoes it,
    # both in the file and in the SQL the workflow has the reader look at.
    upgrade = _function_source(revision, "upgrade")
    downgrade = _function_source(revision, "downgrade")
    assert 'op.add_column("users", sa.Column("bio", sa.Text(), nullable=True))' in upgrade
    assert 'op.drop_column("users", "bio")' in downgrade
    sql = _ok(_sh(_block("--sql"), project, shell_env), "step 4 (the SQL of the revision)")
    assert "ALTER TABLE users ADD COLUMN bio TEXT;" in sql
    assert "ALTER TABLE users DROP COLUMN bio;" in sql

    # Step 5: upgrade, no drift left, one step down and up again, on the real database.
    applied = _ok(_sh(_block("alembic downgrade -1"), project, shell_env), "step 5")
    assert "Running downgrade 0003 -> 0002" in applied
    assert "No new upgrade operations detected." in applied

    # Verify: the workflow's own Verify block passes on the changed project.
    _ok(_sh(_block("alembic downgrade -1", info="sh verify"), project, shell_env), "Verify block")
