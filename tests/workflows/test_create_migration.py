"""workflows/create-migration.md, followed on a copy of examples/blog, works.

The test takes what it runs from the workflow itself: the model change is the
workflow's diff, the commands are its shell blocks (found by a command only that
block has), in the workflow's order, and the last step is its Verify block. So a
workflow edit that breaks the path breaks this test.
"""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest

from tests.workflows import workflow_markdown as wm

PAGE = wm.page("create-migration.md")


def _block(needle: str, *, info: str = "sh") -> str:
    """The one block of the workflow with this info string that contains `needle`."""
    found = [block.body for block in wm.blocks_with(PAGE, info) if needle in block.body]
    assert len(found) == 1, f"expected one ```{info} block with {needle!r}, found {len(found)}"
    return found[0]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the blog, as a reader's checkout would be."""
    return wm.copy_project(wm.REPO_ROOT / "examples" / "blog", tmp_path / "blog")


@pytest.fixture
def shell_env(fresh_database_url: str) -> dict[str, str]:
    """The reader's shell: the venv's tools first on PATH, DATABASE_URL a fresh database."""
    return wm.reader_environment(fresh_database_url)


def _sh(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return wm.run_script(script, cwd, env)


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
