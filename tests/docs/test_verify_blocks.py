"""Every Verify block passes on examples/blog, and every kind of command in them can fail.

A check that cannot fail proves nothing, so for each kind of command the Verify blocks
use (sqla-checks, ruff, mypy, alembic, pytest) a test breaks a copy of the blog in the
way that command exists to catch and shows the command, as a Verify block writes it,
failing there.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.docs.markdown import REPO_ROOT, Block, blocks, source_markdown_files
from tests.docs.verify import copy_blog, reader_environment, run_commands, verify_commands

VERIFY_BLOCKS = [
    block
    for path in source_markdown_files()
    for block in blocks(path)
    if block.language == "sh" and "verify" in block.attributes
]
# One run per distinct list of commands: several workflows may verify the same way.
DISTINCT = list({tuple(verify_commands(b)): b for b in VERIFY_BLOCKS}.values())


@pytest.mark.parametrize("block", DISTINCT, ids=str)
def test_verify_block_passes_on_the_example_project(
    block: Block, tmp_path: Path, fresh_database_url: str
) -> None:
    project = copy_blog(tmp_path / "blog")
    runs = run_commands(verify_commands(block), project, reader_environment(fresh_database_url))
    failed = [run for run in runs if run.returncode != 0]
    assert not failed, (
        f"{block}: `{failed[0].command}` exited {failed[0].returncode}\n"
        + (failed[0].output[-4000:])
    )


def test_every_workflow_ends_in_one_verify_block() -> None:
    workflows = sorted((REPO_ROOT / "workflows").glob("*.md"))
    counts = {path.name: sum(1 for b in VERIFY_BLOCKS if b.path == path) for path in workflows}
    assert {name: count for name, count in counts.items() if count != 1} == {}


# How to break the blog for each kind of command, and what must run before it.
def _add_legacy_query(project: Path) -> None:
    (project / "app" / "legacy_report.py").write_text(
        "from sqlalchemy.orm import Session\n\nfrom app.models import User\n\n\n"
        "def every_user(session: Session) -> list[User]:\n"
        "    return session.query(User).all()\n"
    )


def _add_unused_import(project: Path) -> None:
    (project / "app" / "unused.py").write_text('"""Unused."""\n\nimport os\n')


def _add_unformatted_code(project: Path) -> None:
    (project / "app" / "unformatted.py").write_text('"""Unformatted."""\n\nLIMITS = {"a":1}\n')


def _add_type_error(project: Path) -> None:
    (project / "app" / "mistyped.py").write_text('"""Mistyped."""\n\nCOUNT: int = "three"\n')


def _add_failing_test(project: Path) -> None:
    (project / "tests" / "test_broken.py").write_text(
        '"""Broken."""\n\n\ndef test_broken() -> None:\n    assert 1 + 1 == 3\n'
    )


def _add_unmigrated_model(project: Path) -> None:
    (project / "app" / "models" / "bookmark.py").write_text(
        '"""A model without a migration."""\n\nfrom sqlalchemy.orm import Mapped, mapped_column\n\n'
        "from app.db.base import Base\n\n\nclass Bookmark(Base):\n"
        '    __tablename__ = "bookmarks"\n\n    id: Mapped[int] = mapped_column(primary_key=True)\n'
    )
    init = project / "app" / "models" / "__init__.py"
    init.write_text(init.read_text() + "\nfrom app.models.bookmark import Bookmark  # noqa: E402\n")


def _add_failing_revision(which: str) -> Callable[[Path], None]:
    def add(project: Path) -> None:
        alembic = Path(sys.executable).parent / "alembic"
        heads = subprocess.run(
            [str(alembic), "heads"], cwd=project, capture_output=True, text=True, check=True
        ).stdout.split()[0]
        body = {"upgrade": "pass", "downgrade": "pass", which: 'raise RuntimeError("broken")'}
        (project / "alembic" / "versions" / "9999_broken.py").write_text(
            f'"""Broken."""\n\nrevision = "9999"\ndown_revision = "{heads}"\n\n\n'
            f"def upgrade() -> None:\n    {body['upgrade']}\n\n\n"
            f"def downgrade() -> None:\n    {body['downgrade']}\n"
        )

    return add


@dataclass(frozen=True)
class Breakage:
    """A change to the blog that one kind of Verify command must catch."""

    prefix: str  # a command of this kind starts with it
    breaks: Callable[[Path], None]
    before: tuple[str, ...] = ()  # commands that set the stage (run on the broken copy)


BREAKAGES = [
    Breakage("sqla-checks", _add_legacy_query),
    Breakage("ruff check", _add_unused_import),
    Breakage("ruff format", _add_unformatted_code),
    Breakage("mypy", _add_type_error),
    Breakage("python -m pytest", _add_failing_test),
    Breakage("alembic check", _add_unmigrated_model, before=("alembic upgrade head",)),
    Breakage("alembic upgrade", _add_failing_revision("upgrade")),
    Breakage(
        "alembic downgrade", _add_failing_revision("downgrade"), before=("alembic upgrade head",)
    ),
]


def _kind(command: str) -> Breakage | None:
    return next((b for b in BREAKAGES if command.startswith(b.prefix)), None)


def _commands_of_every_block() -> list[str]:
    """Every command of every Verify block; `a && b` is two, a trailing comment is dropped."""
    return [
        part.split("#")[0].strip()
        for block in VERIFY_BLOCKS
        for command in verify_commands(block)
        for part in command.split("&&")
    ]


def test_every_verify_command_has_a_way_to_fail() -> None:
    unknown = sorted({c for c in _commands_of_every_block() if _kind(c) is None})
    assert unknown == [], "add a Breakage for these commands, so they are shown to fail"


USED = sorted({kind.prefix for c in _commands_of_every_block() if (kind := _kind(c))})


@pytest.mark.parametrize("prefix", USED)
def test_verify_command_fails_on_a_broken_copy(
    prefix: str, tmp_path: Path, fresh_database_url: str
) -> None:
    breakage = next(b for b in BREAKAGES if b.prefix == prefix)
    command = next(c for c in _commands_of_every_block() if c.startswith(prefix))
    project = copy_blog(tmp_path / "blog")
    env = reader_environment(fresh_database_url)
    breakage.breaks(project)
    setup = run_commands(list(breakage.before), project, env)
    assert all(run.returncode == 0 for run in setup), setup[-1].output[-3000:]
    [run] = run_commands([command], project, env)
    assert run.returncode != 0, f"`{command}` passed on a copy broken for it:\n{run.output[-3000:]}"


def test_every_workflow_is_under_300_lines() -> None:
    long = {
        path.name: lines
        for path in sorted((REPO_ROOT / "workflows").glob("*.md"))
        if (lines := path.read_text(encoding="utf-8").count("\n")) >= 300
    }
    assert long == {}, "move the depth into a reference and link to it"
