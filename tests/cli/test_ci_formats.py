"""--format concise|full|gitlab|junit, ALC000 entries for files that could not be checked,
--output-file, --show-fixes, and one position per parse error."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema

from sqla_checks.cli import main
from tests.cli.conftest import ASYNC_IMPORT, FIXED_URL, SQLITE_URL, SYNC_URL, Project

SCHEMAS = Path(__file__).parent / "schemas"
BROKEN = ASYNC_IMPORT + "(\n"
UNDECODABLE = b"create_async_engine\nx = '\xff'\n"


def _validate_gitlab(report: Any) -> None:
    schema = json.loads((SCHEMAS / "gitlab-code-quality.schema.json").read_text("utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator_class(schema).validate(report)


def _junit_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(SCHEMAS / "junit-10.xsd")


def _validated_junit(document: str) -> dict[str, Any]:
    """The JUnit document as xmlschema decodes it, after validating it."""
    schema = _junit_schema()
    schema.validate(document)
    decoded: dict[str, Any] = schema.to_dict(document)  # type: ignore[assignment]
    return decoded


def test_concise_is_the_default_text_format(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    default = project.run()
    assert project.run("--format", "concise") == default
    assert default.out.startswith("app.py:3:30: ALC204 [*] ")


def test_full_format_shows_the_source_under_each_finding(project: Project) -> None:
    project.write("app.py", SYNC_URL + "x = 1\n")
    outcome = project.run("--format", "full")
    assert outcome.code == 1
    assert outcome.out.splitlines() == [
        "ALC204 [*] `create_async_engine` needs an asyncio driver: use `postgresql+asyncpg://`",
        " --> app.py:3:30",
        "  |",
        "1 | from sqlalchemy.ext.asyncio import create_async_engine",
        "2 |",
        '3 | engine = create_async_engine("postgresql+psycopg2://app@db/blog")',
        "  |                              " + "^" * 35,
        "4 | x = 1",
        "  |",
        "help: Use the asyncpg driver",
        "",
        "Found 1 error.",
        "[*] 1 fixable with the `--fix` option.",
    ]


def test_gitlab_report_is_valid_code_quality_with_file_errors(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    project.write("pkg/other.py", SQLITE_URL)
    project.write("broken.py", BROKEN)
    outcome = project.run("--format", "gitlab")
    assert outcome.code == 2
    issues = json.loads(outcome.out)
    _validate_gitlab(issues)
    by_path = {issue["location"]["path"]: issue for issue in issues}
    assert set(by_path) == {"app.py", "pkg/other.py", "broken.py"}
    unchecked = by_path["broken.py"]
    assert (unchecked["check_name"], unchecked["severity"]) == ("ALC000", "critical")
    assert unchecked["location"]["positions"]["begin"] == {"line": 2, "column": 1}
    finding = by_path["app.py"]
    assert finding["check_name"] == "ALC204"
    assert finding["location"]["positions"] == {
        "begin": {"line": 3, "column": 30},
        "end": {"line": 3, "column": 65},
    }
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)


def test_gitlab_fingerprints_survive_moved_code_and_tell_twins_apart(project: Project) -> None:
    project.write("app.py", SYNC_URL + SYNC_URL.replace(ASYNC_IMPORT, ""))
    first = [issue["fingerprint"] for issue in json.loads(project.run("--format", "gitlab").out)]
    assert len(set(first)) == 2
    project.write("app.py", "\n\n" + SYNC_URL + SYNC_URL.replace(ASYNC_IMPORT, ""))
    moved = [issue["fingerprint"] for issue in json.loads(project.run("--format", "gitlab").out)]
    assert moved == first


def test_gitlab_report_of_a_clean_run_is_an_empty_valid_array(project: Project) -> None:
    project.write("app.py", "")
    outcome = project.run("--format", "gitlab")
    assert (outcome.code, json.loads(outcome.out)) == (0, [])
    _validate_gitlab([])


def test_junit_report_is_valid_against_the_junit_schema(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    project.write("bad.py", UNDECODABLE)
    outcome = project.run("--format", "junit")
    assert outcome.code == 2
    suites = _validated_junit(outcome.out)
    assert (suites["@tests"], suites["@failures"], suites["@errors"]) == ("2", "1", "1")
    by_name = {suite["@name"]: suite for suite in suites["testsuite"]}
    (case,) = by_name["app.py"]["testcase"]
    assert case["@name"] == "sqla-checks.ALC204"
    assert case["failure"][0]["@type"] == "ALC204"
    assert case["failure"][0]["$"].startswith("line 3, col 30, `create_async_engine`")
    (error_case,) = by_name["bad.py"]["testcase"]
    assert error_case["@name"] == "sqla-checks.ALC000"
    assert error_case["error"][0]["@message"].startswith("cannot decode file")


def test_junit_report_of_a_clean_run_is_one_passing_test(project: Project) -> None:
    project.write("app.py", "")
    outcome = project.run("--format", "junit")
    assert outcome.code == 0
    suites = _validated_junit(outcome.out)
    assert (suites["@tests"], suites["@failures"], suites["@errors"]) == ("1", "0", "0")
    (suite,) = suites["testsuite"]
    (case,) = suite["testcase"]
    assert set(case) == {"@name", "@classname"}


def test_junit_report_carries_messages_xml_cannot_hold(project: Project) -> None:
    project.write("a\x01b.py", SYNC_URL)
    outcome = project.run("--format", "junit")
    _junit_schema().validate(outcome.out)
    assert "a\ufffdb.py" in outcome.out


def test_json_lists_file_errors_as_alc000_entries(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    project.write("bad.py", UNDECODABLE)
    project.write("broken.py", BROKEN)
    outcome = project.run("--format", "json")
    assert outcome.code == 2
    entries = json.loads(outcome.out)
    assert [(Path(e["filename"]).name, e["code"]) for e in entries] == [
        ("app.py", "ALC204"),
        ("bad.py", "ALC000"),
        ("broken.py", "ALC000"),
    ]
    undecodable, broken = entries[1:]
    assert undecodable["name"] == "unreadable-file"
    assert undecodable["location"] == undecodable["end_location"] == {"row": 1, "column": 1}
    assert (undecodable["fix"], undecodable["noqa_row"]) == (None, None)
    assert undecodable["url"].endswith("references/rules.md#alc000-unreadable-file")
    assert broken["message"] == "cannot parse file: '(' was never closed"
    assert broken["location"] == {"row": 2, "column": 1}


@pytest.mark.parametrize("output_format", ["json", "sarif", "github", "gitlab", "junit"])
def test_every_machine_format_carries_file_errors_as_alc000(
    project: Project, output_format: str
) -> None:
    project.write("broken.py", BROKEN)
    outcome = project.run("--format", output_format)
    assert outcome.code == 2
    assert "ALC000" in outcome.out
    assert "'(' was never closed" in outcome.out
    assert outcome.err.startswith("broken.py:2:1: error: cannot parse file:")


def test_alc000_is_documented_but_not_selectable(project: Project) -> None:
    explained = project.run("--explain", "ALC000")
    assert explained.code == 0
    assert explained.out.startswith("# ALC000 (unreadable-file)\n")
    assert project.run("--explain", "unreadable-file").out == explained.out
    selected = project.run("--select", "ALC000")
    assert selected.code == 2
    assert "'ALC000' matches no rule" in selected.err


@pytest.mark.parametrize(
    ("source", "line", "column", "reason"),
    [
        (ASYNC_IMPORT + "(\n", 2, 1, "'(' was never closed"),
        (ASYNC_IMPORT + "x = = 1\n", 2, 5, "invalid syntax"),
        (ASYNC_IMPORT + "if x:\npass\n", 3, 1, "expected an indented block after 'if'"),
    ],
)
def test_a_parse_error_has_one_position(
    project: Project, source: str, line: int, column: int, reason: str
) -> None:
    project.write("broken.py", source)
    outcome = project.run()
    assert outcome.code == 2
    first = outcome.err.splitlines()[0]
    assert first.startswith(f"broken.py:{line}:{column}: error: cannot parse file: {reason}")
    # The reason names no second position (libcst's "error at 3:0" did).
    assert "error at" not in first


def test_file_error_summary_goes_to_stderr_with_the_errors(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    project.write("broken.py", BROKEN)
    outcome = project.run()
    assert outcome.err.splitlines() == [
        "broken.py:2:1: error: cannot parse file: '(' was never closed",
        "1 file could not be checked (see the errors above).",
    ]
    assert "could not be checked" not in outcome.out
    assert outcome.out.endswith("[*] 1 fixable with the `--fix` option.\n")
    assert project.run("--quiet").err.splitlines() == [outcome.err.splitlines()[0]]


def test_diff_sums_up_file_errors_on_stderr_too(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    project.write("broken.py", BROKEN)
    outcome = project.run("--diff")
    assert outcome.code == 2
    assert outcome.out.startswith("--- app.py\n+++ app.py\n")
    assert outcome.err.splitlines() == [
        "broken.py:2:1: error: cannot parse file: '(' was never closed",
        "1 file could not be checked (see the errors above).",
        "Would fix 1 error.",
    ]


@pytest.mark.parametrize("output_format", ["text", "full", "json", "gitlab", "junit", "sarif"])
def test_output_file_gets_the_report_and_stdout_stays_empty(
    project: Project, output_format: str
) -> None:
    project.write("app.py", SYNC_URL)
    expected = project.run("--format", output_format).out
    target = project.root / "reports" / f"sqla.{output_format}"
    target.parent.mkdir()
    target.write_text("an older report\n", encoding="utf-8")
    outcome = project.run("--format", output_format, "--output-file", str(target))
    assert (outcome.code, outcome.out) == (1, "")
    assert target.read_text(encoding="utf-8") == expected
    # Written through a temporary file in the same folder, which is gone afterwards.
    assert [path.name for path in target.parent.iterdir()] == [target.name]


def test_output_file_that_cannot_be_written_is_a_usage_error(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    target = project.root / "missing" / "report.json"
    outcome = project.run("-o", str(target))
    assert outcome.code == 2
    assert f"{target}: cannot write the report:" in outcome.err
    assert not target.parent.exists()


def test_show_fixes_lists_what_fix_fixed(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    project.write("other.py", SQLITE_URL)
    outcome = project.run("--fix", "--show-fixes")
    assert outcome.code == 1
    assert project.root.joinpath("app.py").read_text(encoding="utf-8") == FIXED_URL
    assert outcome.out.splitlines() == [
        "other.py:3:30: ALC204 `create_async_engine` needs an asyncio driver in its URL",
        "Fixed 1 error:",
        "- app.py:",
        "    1 \u00d7 ALC204 (async-engine-sync-driver)",
        "",
        "Found 2 errors (1 fixed, 1 remaining).",
    ]


def test_show_fixes_without_fix_lists_what_fix_would_fix(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    outcome = project.run("--show-fixes")
    assert outcome.out.splitlines()[1:4] == [
        "Would fix 1 error with `--fix`:",
        "- app.py:",
        "    1 \u00d7 ALC204 (async-engine-sync-driver)",
    ]
    assert project.root.joinpath("app.py").read_text(encoding="utf-8") == SYNC_URL


def test_help_lists_every_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    for name in ("concise", "full", "gitlab", "junit", "--output-file", "--show-fixes"):
        assert name in help_text


def test_output_file_that_is_not_a_regular_file_is_written_in_place(project: Project) -> None:
    # Renaming a temporary file over `/dev/null` (as root) once replaced the device
    # with a regular file; a FIFO stands in for it here.
    project.write("app.py", SYNC_URL)
    expected = project.run().out
    fifo = project.root / "report.fifo"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text(encoding="utf-8")))
    reader.start()
    outcome = project.run("-o", str(fifo))
    reader.join(timeout=30)
    assert outcome.code == 1
    assert received == [expected]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_output_file_through_a_symlink_keeps_the_link(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    expected = project.run().out
    real = project.root / "real-report.txt"
    real.write_text("old\n", encoding="utf-8")
    link = project.root / "report.txt"
    link.symlink_to(real)
    assert project.run("-o", str(link)).code == 1
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == expected
