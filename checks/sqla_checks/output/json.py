"""`--format json`: exactly ruff's JSON shape, so tools that read ruff read this.

A list of objects with `cell`, `code`, `end_location`, `filename` (absolute),
`fix` (null or `{applicability, edits, message}`), `location`, `message`,
`noqa_row` and `url`; rows and columns are 1-based.
"""

from __future__ import annotations

import json
import os
from typing import Any

from sqla_checks.contract.finding import Edit, Finding, Position
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
        "filename": os.path.abspath(finding.path),
        "fix": fix,
        "location": _location(finding.start),
        "message": finding.message,
        # The line a suppression comment has to go on to silence this finding.
        "noqa_row": finding.start.line,
        "url": finding.url,
    }


def render(report: RunReport) -> str:
    """The findings as a JSON array (file errors go to stderr, as ruff's do)."""
    entries = [finding_to_ruff_json(finding) for finding in report.findings]
    return json.dumps(entries, indent=2, ensure_ascii=False) + "\n"
