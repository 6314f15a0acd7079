"""`--format json`: exactly ruff's JSON shape, so tools that read ruff read this.

A list of objects with `cell`, `code`, `end_location`, `filename` (absolute),
`fix` (null or `{applicability, edits, message}`), `location`, `message`, `name`
(the rule's kebab-case name), `noqa_row` and `url`; rows and columns are 1-based.
A file that could not be checked is an entry too, with the code ALC000, no fix
and a null `noqa_row` (no comment can silence it), as ruff lists its syntax errors.
"""

from __future__ import annotations

import json
import os
from typing import Any

from sqla_checks.contract.finding import Edit, FileError, Finding, Position
from sqla_checks.output import file_errors
from sqla_checks.output.report import RunReport


def _location(position: Position) -> dict[str, int]:
    return {"column": position.column, "row": position.line}


def _edit(edit: Edit) -> dict[str, Any]:
    return {
        "content": edit.content,
        "end_location": _location(edit.end),
        "location": _location(edit.start),
    }


def finding_to_ruff_json(finding: Finding) -> dict[str, Any]:
    """One finding as one entry of ruff's JSON output."""
    fix = None
    if finding.fix is not None:
        fix = {
            "applicability": finding.fix.applicability,
            "edits": [_edit(edit) for edit in finding.fix.edits],
            "message": finding.fix.description,
        }
    return {
        "cell": None,
        "code": finding.code,
        "end_location": _location(finding.end),
        "filename": _filename(finding.path),
        "fix": fix,
        "location": _location(finding.start),
        "message": finding.message,
        "name": finding.name,
        # The line a suppression comment has to go on to silence this finding.
        "noqa_row": finding.start.line,
        "url": finding.url,
    }


def file_error_to_ruff_json(error: FileError) -> dict[str, Any]:
    """A file that could not be checked, as an ALC000 entry (at 1:1 when no position)."""
    location = _location(Position(error.line or 1, error.column or 1))
    return {
        "cell": None,
        "code": file_errors.CODE,
        "end_location": location,
        "filename": _filename(error.path),
        "fix": None,
        "location": location,
        "message": error.reason,
        "name": file_errors.NAME,
        "noqa_row": None,
        "url": file_errors.URL,
    }


def render(report: RunReport) -> str:
    """Findings and file errors as one JSON array, ordered by file and position."""
    entries = [finding_to_ruff_json(finding) for finding in report.findings]
    entries.extend(file_error_to_ruff_json(error) for error in report.errors)
    entries.sort(key=lambda e: (e["filename"], e["location"]["row"], e["location"]["column"]))
    return json.dumps(entries, indent=2, ensure_ascii=False) + "\n"


def _filename(path: str) -> str:
    """Absolute, as ruff writes it; stdin without --stdin-filename stays `-`."""
    return path if path == "-" else os.path.abspath(path)
