"""`--format sarif`: SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run; the driver lists the selected rules (with their Markdown docs as `help`),
results point at them by `ruleId` and `ruleIndex`, and files that could not be
checked become `toolExecutionNotifications` of an invocation whose
`executionSuccessful` is false and also results of the pseudo-rule ALC000 (code
scanning shows results, not notifications). Paths under the current directory are relative to
`%SRCROOT%`, which is how code scanning maps results to repository files.
"""

from __future__ import annotations

import inspect
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqla_checks
from sqla_checks.contract.finding import Edit, FileError, Finding
from sqla_checks.contract.rule import Rule
from sqla_checks.output import file_errors
from sqla_checks.output.report import RunReport, location_suffix

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/sqla-skillpack/sqla-skillpack"
SOURCE_ROOT = "%SRCROOT%"


def _level(rule: type[Rule]) -> str:
    # Rules on by default are correctness problems; opt-in policy rules are advice.
    return "error" if rule.default_enabled else "warning"


def _artifact(path: str) -> dict[str, str]:
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(Path.cwd())
    except ValueError:
        return {"uri": absolute.as_uri()}
    return {"uri": quote(relative.as_posix()), "uriBaseId": SOURCE_ROOT}


def _rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    # Imported here: `python -m sqla_checks.output.explain` must not find its module
    # already imported by the `output` package (runpy warns about that).
    from sqla_checks.output.explain import render_rule

    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary() or rule.message},
        "fullDescription": {"text": inspect.cleandoc(rule.__doc__ or rule.message)},
        "help": {"text": inspect.cleandoc(rule.why), "markdown": render_rule(rule)},
        "helpUri": rule.url(),
        "defaultConfiguration": {"level": _level(rule)},
        "properties": {"tags": [rule.code[:4] + "xx"]},
    }


def _file_error_descriptor() -> dict[str, Any]:
    return {
        "id": file_errors.CODE,
        "name": file_errors.NAME,
        "shortDescription": {"text": file_errors.SUMMARY},
        "help": {
            "text": file_errors.SUMMARY,
            "markdown": file_errors.render_documentation(),
        },
        "helpUri": file_errors.URL,
        "defaultConfiguration": {"level": "error"},
    }


def _region(start_line: int, start_column: int, end_line: int, end_column: int) -> Any:
    return {
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
    }


def _replacement(edit: Edit) -> dict[str, Any]:
    return {
        "deletedRegion": _region(
            edit.start.line, edit.start.column, edit.end.line, edit.end.column
        ),
        "insertedContent": {"text": edit.content},
    }


def _result(finding: Finding, index: dict[str, int], levels: dict[str, str]) -> Any:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": levels[finding.code],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact(finding.path),
                    "region": _region(
                        finding.start.line,
                        finding.start.column,
                        finding.end.line,
                        finding.end.column,
                    ),
                }
            }
        ],
    }
    if finding.fix is not None and finding.fix.edits:
        result["fixes"] = [
            {
                "description": {
                    "text": f"{finding.fix.description} ({finding.fix.applicability} fix)"
                },
                "artifactChanges": [
                    {
                        "artifactLocation": _artifact(finding.path),
                        "replacements": [_replacement(edit) for edit in finding.fix.edits],
                    }
                ],
            }
        ]
    return result


def _error_location(error: FileError) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": _artifact(error.path)}
    if error.line is not None:
        physical["region"] = {"startLine": error.line}
        if error.column is not None:
            physical["region"]["startColumn"] = error.column
    return {"physicalLocation": physical}


def _notification(error: FileError) -> dict[str, Any]:
    return {
        "level": "error",
        "message": {"text": f"{error.path}{location_suffix(error)}: {error.reason}"},
        "locations": [_error_location(error)],
    }


def _error_result(error: FileError) -> dict[str, Any]:
    # ALC000 is listed first among the driver's rules whenever there are errors.
    return {
        "ruleId": file_errors.CODE,
        "ruleIndex": 0,
        "level": "error",
        "message": {"text": error.reason},
        "locations": [_error_location(error)],
    }


def sarif_log(report: RunReport) -> dict[str, Any]:
    """The SARIF log object of a run."""
    rules = sorted({rule.code: rule for rule in report.rules}.values(), key=lambda rule: rule.code)
    descriptors = [_rule_descriptor(rule) for rule in rules]
    if report.errors:
        descriptors.insert(0, _file_error_descriptor())
    index = {descriptor["id"]: position for position, descriptor in enumerate(descriptors)}
    levels = {rule.code: _level(rule) for rule in rules}
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "sqla-checks",
                        "version": sqla_checks.__version__,
                        "informationUri": INFORMATION_URI,
                        "rules": descriptors,
                    }
                },
                "originalUriBaseIds": {SOURCE_ROOT: {"uri": Path.cwd().as_uri() + "/"}},
                "invocations": [
                    {
                        "executionSuccessful": not report.errors,
                        "toolExecutionNotifications": [
                            _notification(error) for error in report.errors
                        ],
                    }
                ],
                "results": [
                    *(_error_result(error) for error in report.errors),
                    *(_result(finding, index, levels) for finding in report.findings),
                ],
            }
        ],
    }


def render(report: RunReport) -> str:
    """The SARIF log as indented JSON."""
    return json.dumps(sarif_log(report), indent=2, ensure_ascii=False) + "\n"
