"""Hostile files: each is one `path: error: reason` line and exit code 2, never a
traceback, and the good file next to it is still checked and reported."""

from __future__ import annotations

import os
import time

import pytest

from sqla_checks.engine import parse_limits
from tests.cli.conftest import FIXED_URL, SYNC_URL
from tests.reliability.conftest import TRIGGER, Project

GOOD_FINDING = "good.py:3:30: ALC204"


def _assert_one_error(project: Project, name: str, reason: str, *args: str) -> None:
    project.write("good.py", SYNC_URL)
    outcome = project.run("--no-cache", *args)
    assert outcome.code == 2, outcome
    assert "Traceback" not in outcome.err + outcome.out
    error_lines = [line for line in outcome.err.splitlines() if ": error: " in line]
    assert len(error_lines) == 1, outcome.err
    assert error_lines[0].startswith(f"{name}"), error_lines
    assert reason in error_lines[0]
    assert GOOD_FINDING in outcome.out


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param(TRIGGER.encode() + b"x = (\n", "cannot parse file", id="invalid-syntax"),
        pytest.param(
            TRIGGER.encode() + b"\x00\x89PNG\r\n\x1a\n\xff\xfe\x00", "cannot decode", id="binary"
        ),
        pytest.param(
            b"# -*- coding: ascii -*-\n" + TRIGGER.encode() + b's = "caf\xe9"\n',
            "cannot decode file as ascii",
            id="undecodable-for-its-cookie",
        ),
        pytest.param(
            b"# -*- coding: no-such-codec -*-\n" + TRIGGER.encode(),
            "cannot decode",
            id="unknown-codec",
        ),
        pytest.param(TRIGGER.encode() + b"x = 1\x00\n", "cannot parse file", id="nul-byte"),
        pytest.param(
            (TRIGGER + "x = " + "(" * 3000 + "1" + ")" * 3000 + "\n").encode(),
            "nested too deeply",
            id="nesting-that-crashed-libcst",
        ),
        pytest.param(
            (TRIGGER + "x = " + "-" * 20_000 + "1\n").encode(),
            "nested too deeply",
            id="unary-chain",
        ),
    ],
)
def test_hostile_file_is_one_error_and_the_rest_is_checked(
    project: Project, content: bytes, reason: str
) -> None:
    project.write("hostile.py", content)
    _assert_one_error(project, "hostile.py", reason)


def test_nesting_under_the_parse_limit_is_checked(project: Project) -> None:
    # libcst's own visitor overflowed the recursion limit here; the checker's tree
    # walk (contract/tree_walk.py) takes one frame per level and checks the file.
    project.write("deep.py", TRIGGER + "x = " + "[" * 199 + "1" + "]" * 199 + "\n")
    project.write("good.py", SYNC_URL)
    outcome = project.run("--no-cache")
    assert outcome.code == 1, outcome
    assert ": error: " not in outcome.err
    assert GOOD_FINDING in outcome.out


def test_utf8_bom_file_is_checked_and_fix_keeps_the_bom(project: Project) -> None:
    bom = b"\xef\xbb\xbf"
    path = project.write("bom.py", bom + SYNC_URL.encode())
    outcome = project.run("--no-cache")
    assert outcome.code == 1
    # Positions are those of the text, not shifted by the BOM.
    assert "bom.py:3:30: ALC204" in outcome.out
    assert project.run("--fix").code == 0
    assert path.read_bytes() == bom + FIXED_URL.encode()


def test_empty_file_is_clean(project: Project) -> None:
    project.write("empty.py", b"")
    project.write("good.py", SYNC_URL)
    outcome = project.run("--no-cache")
    assert outcome.code == 1
    assert outcome.err == ""


def test_twenty_megabyte_file_is_refused_fast_without_parsing(project: Project) -> None:
    # Refused by size before parsing (parsing costs ~1 GB per MiB), so the real
    # 20 MB file keeps this test to a second or two.
    line = 'engine_{0} = create_async_engine("postgresql+asyncpg://app@db/blog_{0}")\n'
    chunk = "".join(line.format(i) for i in range(1000))
    content = (TRIGGER + chunk * (20_000_000 // len(chunk) + 1)).encode()
    assert len(content) > 20_000_000
    project.write("huge.py", content)
    started = time.monotonic()
    _assert_one_error(project, "huge.py", "file too large to check")
    assert time.monotonic() - started < 30


def test_huge_file_no_rule_could_match_is_skipped(project: Project) -> None:
    project.write("data.py", "x = 1\n" * (parse_limits.MAX_PARSE_BYTES // 6 + 10))
    project.write("good.py", SYNC_URL)
    outcome = project.run("--no-cache")
    assert outcome.code == 1
    assert outcome.err == ""


def test_symlink_loop_in_a_walk_and_on_the_command_line(project: Project) -> None:
    os.symlink("b.py", project.root / "a.py")
    os.symlink("a.py", project.root / "b.py")
    project.write("good.py", SYNC_URL)
    walked = project.run("--no-cache")
    assert walked.code == 2
    assert "a.py: error: cannot read file: Too many levels of symbolic links" in walked.err
    assert GOOD_FINDING in walked.out
    explicit = project.run("--no-cache", "a.py", "good.py")
    assert explicit.code == 2
    assert "a.py: error: too many levels of symbolic links" in explicit.err
    assert GOOD_FINDING in explicit.out


def test_fifo_named_like_a_source_file_is_refused_not_waited_on(project: Project) -> None:
    # Reading a FIFO blocks until a writer appears: the run hung forever before.
    os.mkfifo(project.root / "pipe.py")
    _assert_one_error(project, "pipe.py", "not a regular file")
    project.write("good.py", SYNC_URL)
    outcome = project.run("--no-cache", "pipe.py", "good.py")
    assert "pipe.py: error: cannot read file: not a regular file" in outcome.err


def test_path_that_does_not_exist(project: Project) -> None:
    _assert_one_error(project, "missing.py", "no such file or directory", "missing.py", ".")


def test_path_through_a_file_is_unreadable(project: Project) -> None:
    # The tests run as root, which reads any file whatever its mode, so an unreadable
    # path is made the way the system refuses even root: a file used as a directory.
    project.write("plain.py", TRIGGER)
    _assert_one_error(project, "plain.py/inner.py", "not a directory", "plain.py/inner.py", ".")


@pytest.mark.parametrize(
    ("table", "reason"),
    [
        pytest.param("select = [", "invalid TOML", id="bad-toml"),
        pytest.param('select = ["ALC999"]', "'ALC999' matches no rule", id="unknown-code"),
        pytest.param('selectt = ["ALC204"]', "unknown key 'selectt'", id="unknown-key"),
        pytest.param('select = "ALC204"', "expected a list of strings", id="wrong-type"),
        pytest.param("per-file-ignores = 3", "expected a table", id="wrong-type-table"),
    ],
)
def test_broken_configuration_is_one_error(project: Project, table: str, reason: str) -> None:
    project.write("good.py", SYNC_URL)
    project.write("pyproject.toml", f"[tool.sqla-checks]\n{table}\n")
    outcome = project.run()
    assert outcome.code == 2
    assert "Traceback" not in outcome.err
    lines = outcome.err.splitlines()
    assert len(lines) == 1 and reason in lines[0], outcome.err
    assert "pyproject.toml" in lines[0]


def test_identifier_libcst_rejects_after_parsing_is_a_parse_error(project: Project) -> None:
    # Found by the property tests: the grammar accepts it, node validation raised.
    project.write("hostile.py", TRIGGER + "\U0002ebf0 = 1\n")
    _assert_one_error(project, "hostile.py", "cannot parse file")


def test_file_libcst_cannot_reproduce_is_reported_but_not_rewritten(project: Project) -> None:
    # Found by the property tests: libcst drops a lone backslash continuation line,
    # so a fix would have rewritten text far from the finding.
    source = SYNC_URL.replace("\nengine", "\\\nengine")
    path = project.write("app.py", source)
    outcome = project.run("--fix")
    assert path.read_text() == source
    assert "app.py:" in outcome.out and "ALC204" in outcome.out
