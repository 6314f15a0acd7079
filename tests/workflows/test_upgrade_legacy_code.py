"""workflows/upgrade-legacy-code.md, followed end to end on a copy of examples/legacy_blog.

The commands of its Steps run in the page's order; the manual edits are the patch
beside this file, applied where the page links to it. The result must pass the
page's Verify block (sqla-checks, ruff, mypy, the app's own HTTP tests on
PostgreSQL) and really run on AsyncSession with asyncpg.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from tests.workflows import workflow_markdown as wm

PAGE = wm.page("upgrade-legacy-code.md")
PATCH = Path(__file__).with_name("upgrade_legacy_code.patch")
EXAMPLES = wm.REPO_ROOT / "examples"


@dataclass(frozen=True)
class Upgrade:
    """The upgraded copy and what the steps before the manual edit left behind."""

    project: Path
    env: dict[str, str]
    left_for_manual_steps: set[str]


@pytest.fixture(scope="module")
def database_url(postgres_server: ModuleType) -> Iterator[str]:
    """A fresh empty database, as the harness hands to a Verify block."""
    url = postgres_server.create_database("workflow_upgrade")
    yield url.render_as_string(hide_password=False)
    postgres_server.drop_database(url)


@pytest.fixture(scope="module")
def upgrade(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Upgrade:
    """examples/legacy_blog copied (with the test-server helper it borrows from
    ../blog) and taken through the page's Steps."""
    root = tmp_path_factory.mktemp("upgrade") / "examples"
    project = wm.copy_project(EXAMPLES / "legacy_blog", root / "legacy_blog")
    helper = root / "blog" / "tests" / "postgres_server.py"
    helper.parent.mkdir(parents=True)
    helper.write_bytes((EXAMPLES / "blog" / "tests" / "postgres_server.py").read_bytes())
    wm.git_snapshot(project)
    env = wm.reader_environment(database_url)

    actions = wm.steps(PAGE, PATCH)
    assert [a for a in actions if isinstance(a, wm.ApplyPatch)] == [wm.ApplyPatch(PATCH)], (
        "the page links to the patch of its manual edits once"
    )
    left: set[str] | None = None
    for action in actions:
        if isinstance(action, wm.Run):
            wm.run_shell(action.command, project, env)
        else:
            left = _finding_codes(project)
            wm.apply_patch(action.patch, project)
    assert left is not None
    return Upgrade(project, env, left)


def _finding_codes(project: Path) -> set[str]:
    completed = subprocess.run(
        [sys.executable, "-m", "sqla_checks", "--no-cache", "--format", "json", "."],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr
    return {finding["code"] for finding in json.loads(completed.stdout)}


def test_fixes_leave_only_findings_the_manual_steps_cover(upgrade: Upgrade) -> None:
    # The automatic fixes ran (the legacy app has 53 findings of 7 rules), and every
    # rule still reported before the manual edit has a recipe after the patch link.
    assert upgrade.left_for_manual_steps == {"ALC101", "ALC201"}
    text = PAGE.read_text(encoding="utf-8")
    manual_part = text[text.index(PATCH.name) : text.index("## 2.0 and 2.1")]
    for code in upgrade.left_for_manual_steps:
        assert re.search(rf"^### \d+\..*\b{code}\b", manual_part, re.M), code


def test_verify_block_passes_on_the_upgraded_app(upgrade: Upgrade) -> None:
    wm.run_shell(wm.verify_block(PAGE), upgrade.project, upgrade.env)


def test_upgraded_app_runs_on_asyncsession_and_asyncpg(upgrade: Upgrade) -> None:
    probe = """
import asyncio
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from app import database, main

assert isinstance(database.engine, AsyncEngine), type(database.engine)
assert database.engine.dialect.driver == "asyncpg", database.engine.dialect.driver
assert database.SessionLocal.class_ is AsyncSession
assert database.SessionLocal.kw["expire_on_commit"] is False

async def request_session() -> None:
    # The routes' dependency hands out an AsyncSession that talks to PostgreSQL.
    sessions = main.get_db()
    db = await anext(sessions)
    assert isinstance(db, AsyncSession), type(db)
    assert (await db.scalar(text("SELECT 1"))) == 1
    await sessions.aclose()
    await database.engine.dispose()

asyncio.run(request_session())
print("async ok")
"""
    completed = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=upgrade.project,
        env=upgrade.env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "async ok"
    legacy = re.compile(r"psycopg2|sqlalchemy\.orm import .*\bSession\b|\.query\(")
    for path in sorted((upgrade.project / "app").glob("*.py")):
        assert not legacy.search(path.read_text(encoding="utf-8")), path.name


def test_diffs_shown_by_the_page_are_part_of_the_patch() -> None:
    wm.assert_diffs_are_in_patch(PAGE, PATCH)


def test_patch_leaves_the_app_tests_alone_but_the_conftest() -> None:
    # The HTTP tests are the judge of the upgrade: the page allows only the
    # conftest (driver, async cleanup fixture) to change.
    changed = re.findall(r"^diff --git a/(\S+) ", PATCH.read_text(encoding="utf-8"), re.M)
    assert [path for path in changed if path.startswith("tests/")] == ["tests/conftest.py"]
