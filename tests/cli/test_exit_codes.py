"""Exit codes: 0 clean, 1 findings, 2 usage/config/file errors (which win over 1)."""

from __future__ import annotations

import pytest

from tests.cli.conftest import CLEAN, SYNC_URL, Project


@pytest.mark.claim("readme-exit-codes")
def test_clean_project_exits_zero(project: Project) -> None:
    project.write("app.py", CLEAN)
    outcome = project.run()
    assert outcome.code == 0
    assert outcome.out == "All checks passed!\n"
    assert outcome.err == ""


@pytest.mark.claim("readme-exit-codes")
def test_findings_exit_one(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    outcome = project.run()
    assert outcome.code == 1
    assert "app.py:3:30: ALC204 [*] `create_async_engine` needs an asyncio driver" in outcome.out


def test_exit_zero_hides_findings_but_not_errors(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    assert project.run("--exit-zero").code == 0
    project.write("broken.py", "from sqlalchemy.ext.asyncio import create_async_engine\nx = (\n")
    assert project.run("--exit-zero").code == 2


@pytest.mark.claim("readme-exit-codes")
def test_non_utf8_file_without_cookie_is_an_error_and_others_are_still_checked(
    project: Project,
) -> None:
    project.write("app.py", SYNC_URL)
    project.write("latin.py", b'create_async_engine("postgresql://x")\ns = "\xe9t\xe9"\n')
    outcome = project.run()
    assert outcome.code == 2
    assert "latin.py: error: cannot decode file" in outcome.err
    assert "app.py:3:30: ALC204" in outcome.out
    assert "1 file could not be checked" in outcome.err


def test_file_with_latin1_cookie_decodes_and_is_checked(project: Project) -> None:
    source = (
        "# -*- coding: latin-1 -*-\n"
        + "from sqlalchemy.ext.asyncio import create_async_engine\n"
        + 's = "caf\xe9"\n'
        + 'engine = create_async_engine("postgresql://x")\n'
    )
    project.write("latin.py", source.encode("latin-1"))
    outcome = project.run()
    assert outcome.code == 1
    assert outcome.err == ""
    assert "latin.py:4:30: ALC204" in outcome.out


@pytest.mark.claim("readme-exit-codes")
def test_syntax_error_is_reported_with_position_and_others_still_reported(
    project: Project,
) -> None:
    # The prefilter only parses files a rule could match, so the broken file names
    # the rule's trigger.
    project.write("broken.py", "from sqlalchemy.ext.asyncio import create_async_engine\nx = (\n")
    project.write("app.py", SYNC_URL)
    outcome = project.run()
    assert outcome.code == 2
    assert "broken.py:2:" in outcome.err
    assert ": error: cannot parse file" in outcome.err
    assert "app.py:3:30: ALC204" in outcome.out


@pytest.mark.claim("readme-exit-codes")
@pytest.mark.claim("readme-prefilter")
def test_a_broken_file_no_selected_rule_could_match_is_never_parsed(project: Project) -> None:
    # The project selects ALC204 only; `session.query(` is a trigger of ALC101.
    project.write("plain.py", "def total(items):\n    return sum(items\n")
    project.write("legacy.py", "rows = session.query(User).all(\n")
    outcome = project.run()
    assert (outcome.code, outcome.out, outcome.err) == (0, "All checks passed!\n", "")
    selected = project.run("--select", "ALC101")
    assert selected.code == 2
    assert "legacy.py:" in selected.err and "plain.py" not in selected.err


def test_missing_path_is_an_error_and_the_other_paths_are_checked(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    outcome = project.run("missing.py", "app.py")
    assert outcome.code == 2
    assert "missing.py: error: no such file or directory" in outcome.err
    assert "app.py:3:30: ALC204" in outcome.out


@pytest.mark.claim("readme-exit-codes")
def test_unknown_selector_on_the_command_line_is_a_usage_error(project: Project) -> None:
    outcome = project.run("--select", "XYZ9")
    assert outcome.code == 2
    assert "--select: 'XYZ9' matches no rule" in outcome.err


@pytest.mark.claim("readme-exit-codes")
def test_argparse_usage_errors_exit_two(project: Project) -> None:
    assert project.run("--format", "xml").code == 2
    assert project.run("--jobs", "0").code == 2


def test_help_documents_the_exit_codes(project: Project) -> None:
    outcome = project.run("--help")
    assert outcome.code == 0
    assert "exit codes:" in outcome.out
    for line in ("0  no findings", "1  findings remain", "2  usage or configuration error"):
        assert line in outcome.out


def test_version(project: Project) -> None:
    outcome = project.run("--version")
    assert outcome.code == 0
    assert outcome.out.startswith("sqla-checks ")
