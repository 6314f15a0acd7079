"""--fix writes atomically and safely, --diff changes nothing, --unsafe-fixes opts in."""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterator
from typing import Any

import libcst as cst
import pytest

import sqla_checks.engine.api
import sqla_checks.engine.registry
import sqla_checks.engine.runner
from sqla_checks.contract.rule import Bad, Fix, Good, Rule
from tests.cli.conftest import ASYNC_IMPORT, FIXED_URL, SQLITE_URL, SYNC_URL, Project

# Comments, blank lines and odd spacing around a fixable URL.
LAID_OUT = """\
# The engine, laid out by hand.

from sqlalchemy.ext.asyncio import create_async_engine


# The primary database.
engine = create_async_engine(
    "postgresql+psycopg2://app@db/blog" ,   # spaces kept
    echo = True ,
)  # trailing comment
"""


def test_fix_rewrites_the_file_and_reports_what_remains(project: Project) -> None:
    path = project.write("app.py", SYNC_URL)
    project.write("other.py", SQLITE_URL)
    outcome = project.run("--fix")
    assert path.read_text() == FIXED_URL
    assert outcome.code == 1, "the SQLite finding has no fix and remains"
    assert "other.py:3:30: ALC204" in outcome.out
    assert "Found 2 errors (1 fixed, 1 remaining)." in outcome.out


def test_fix_everything_exits_zero(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    outcome = project.run("--fix")
    assert outcome.code == 0
    assert "Found 1 error (1 fixed, 0 remaining)." in outcome.out


def test_fix_keeps_the_file_mode_and_leaves_no_temporary_files(project: Project) -> None:
    path = project.write("app.py", SYNC_URL)
    path.chmod(0o640)
    project.run("--fix")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in path.parent.iterdir() if p.is_file()) == [
        "app.py",
        "pyproject.toml",
    ]


def test_fix_through_a_symlink_writes_the_target(project: Project) -> None:
    target = project.write("real/app.py", SYNC_URL)
    link = project.root / "link.py"
    link.symlink_to(target)
    project.run("--fix", "link.py")
    assert link.is_symlink()
    assert target.read_text() == FIXED_URL


def test_fix_refuses_to_overwrite_a_file_changed_meanwhile(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = project.write("app.py", SYNC_URL)
    other = project.write("other.py", SYNC_URL)
    real: Callable[..., Any] = sqla_checks.engine.runner.check_source
    concurrent_edit = SYNC_URL + "# saved by an editor meanwhile\n"

    def check_then_someone_saves(file: str, *args: Any, **kwargs: Any) -> Any:
        result = real(file, *args, **kwargs)
        if file == "app.py":
            path.write_text(concurrent_edit)
        return result

    monkeypatch.setattr(sqla_checks.engine.api, "check_source", check_then_someone_saves)
    outcome = project.run("--fix")
    assert path.read_text() == concurrent_edit, "the concurrent edit survives"
    assert other.read_text() == FIXED_URL, "other files are still fixed"
    assert outcome.code == 2
    assert "app.py: error: file changed on disk" in outcome.err
    assert not [p for p in project.root.iterdir() if "sqla-checks-tmp" in p.name]


@pytest.mark.claim("readme-diff-writes-nothing")
def test_diff_prints_the_change_and_writes_nothing(project: Project) -> None:
    path = project.write("app.py", SYNC_URL)
    before = path.read_bytes()
    outcome = project.run("--diff")
    assert path.read_bytes() == before
    assert outcome.code == 1
    assert outcome.out.startswith("--- app.py\n+++ app.py\n")
    assert '-engine = create_async_engine("postgresql+psycopg2://app@db/blog")' in outcome.out
    assert '+engine = create_async_engine("postgresql+asyncpg://app@db/blog")' in outcome.out
    assert "Would fix 1 error." in outcome.err


@pytest.mark.claim("readme-fix-keeps-layout")
def test_fix_changes_the_flagged_text_and_keeps_comments_and_spacing(project: Project) -> None:
    path = project.write("app.py", LAID_OUT)
    assert project.run("--fix").code == 0
    assert path.read_text() == LAID_OUT.replace("+psycopg2://", "+asyncpg://")


@pytest.mark.claim("readme-safe-and-unsafe-fixes")
def test_fix_applies_safe_fixes_and_unsafe_ones_only_when_asked(project: Project) -> None:
    path = project.write(
        "app.py",
        ASYNC_IMPORT
        + 'a = create_async_engine("postgresql+psycopg2://app@db/blog")\n'
        + 'b = create_async_engine("postgresql://app@db/blog")\n',
    )
    assert project.run("--fix").code == 1, "the unsafe fix is held back"
    assert path.read_text().splitlines()[1:] == [
        'a = create_async_engine("postgresql+asyncpg://app@db/blog")',
        'b = create_async_engine("postgresql://app@db/blog")',
    ]
    assert project.run("--fix", "--unsafe-fixes").code == 0
    assert 'b = create_async_engine("postgresql+asyncpg://app@db/blog")' in path.read_text()


def test_diff_with_nothing_to_fix_exits_zero(project: Project) -> None:
    project.write("app.py", SQLITE_URL)
    outcome = project.run("--diff")
    assert outcome.code == 0
    assert outcome.out == ""


class UnsafeRename(Rule):
    """Flags `legacy_call()`, with an unsafe fix (a test-only rule)."""

    code = "ALC699"
    name = "test-unsafe-rename"
    message = "`legacy_call` is deprecated"
    why = "Test rule."
    example = "legacy_call()"
    use_instead = "modern_call()"
    triggers = ("legacy_call",)
    examples = (Bad("legacy_call()\n", 1, 1, "modern_call()\n"), Good("modern_call()\n"))

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == "legacy_call":
            renamed = node.func.with_changes(value="modern_call")
            self.report(node.func, fix=Fix(node.func, renamed, applicability="unsafe"))


@pytest.fixture
def with_unsafe_rule(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The registry plus the test rule above, for in-process runs."""
    rules = (*sqla_checks.engine.registry.all_rules(), UnsafeRename)
    monkeypatch.setattr(sqla_checks.engine.registry, "all_rules", lambda: rules)
    yield


@pytest.mark.claim("readme-safe-and-unsafe-fixes")
def test_unsafe_fixes_are_hidden_unless_enabled(project: Project, with_unsafe_rule: None) -> None:
    project.config(select='select = ["ALC204", "ALC699"]')
    path = project.write("app.py", "legacy_call()\n")
    outcome = project.run()
    assert "app.py:1:1: ALC699 `legacy_call` is deprecated" in outcome.out
    assert "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option)." in (
        outcome.out
    )
    project.run("--fix")
    assert path.read_text() == "legacy_call()\n"
    marked = project.run("--unsafe-fixes")
    assert "ALC699 [*]" in marked.out
    assert "[*] 1 fixable with the `--fix` option." in marked.out
    assert project.run("--fix", "--unsafe-fixes").code == 0
    assert path.read_text() == "modern_call()\n"


def test_mixed_safe_and_hidden_fix_hint(project: Project, with_unsafe_rule: None) -> None:
    project.config(select='select = ["ALC204", "ALC699"]')
    project.write("app.py", SYNC_URL + "legacy_call()\n")
    outcome = project.run()
    assert (
        "[*] 1 fixable with the `--fix` option"
        " (1 hidden fix can be enabled with the `--unsafe-fixes` option)."
    ) in outcome.out


def test_diff_with_exit_zero(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    assert project.run("--diff", "--exit-zero").code == 0
