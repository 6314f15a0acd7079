"""`--format gitlab`: a GitLab Code Quality report (`artifacts:reports:codequality`).

A JSON array of Code Climate issues in the subset GitLab reads: `description`,
`check_name`, `fingerprint`, `severity` and `location` (a `path` relative to the
project, which GitLab runs from, and `positions` with 1-based lines and columns).
The fingerprint hashes the code, path, message and the issue's rank among equal
ones, not its line, so an issue keeps its identity when code above it moves and
the merge request widget does not report it as fixed and new again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from sqla_checks.contract.finding import Position
from sqla_checks.output import file_errors
from sqla_checks.output.report import RunReport


def _relative(path: str) -> str:
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def _position(position: Position) -> dict[str, int]:
    return {"line": position.line, "column": position.column}


class _Fingerprints:
    """Stable, distinct fingerprints even for identical issues in one file."""

    def __init__(self) -> None:
        self._seen: Counter[tuple[str, str, str]] = Counter()

    def __call__(self, code: str, path: str, message: str) -> str:
        key = (code, path, message)
        rank = self._seen[key]
        self._seen[key] += 1
        digest = hashlib.sha256("\0".join((*key, str(rank))).encode("utf-8"))
        return digest.hexdigest()[:32]


def _issue(
    fingerprint: str,
    code: str,
    description: str,
    severity: str,
    path: str,
    start: Position,
    end: Position,
) -> dict[str, Any]:
    return {
        "type": "issue",
        "check_name": code,
        "description": description,
        "fingerprint": fingerprint,
        "severity": severity,
        "location": {
            "path": path,
            "positions": {"begin": _position(start), "end": _position(end)},
        },
    }


def code_quality_report(report: RunReport) -> list[dict[str, Any]]:
    """The issues of a run, file errors (ALC000) first."""
    fingerprint = _Fingerprints()
    # Rules on by default are correctness problems; opt-in policy rules are advice.
    severities = {rule.code: "major" if rule.default_enabled else "minor" for rule in report.rules}
    issues = []
    for error in report.errors:
        path = _relative(error.path)
        where = Position(error.line or 1, error.column or 1)
        description = f"{file_errors.CODE} {error.reason}"
        issues.append(
            _issue(
                fingerprint(file_errors.CODE, path, error.reason),
                file_errors.CODE,
                description,
                # No rule checked the file: nothing else in the report covers it.
                "critical",
                path,
                where,
                where,
            )
        )
    for finding in report.findings:
        path = _relative(finding.path)
        issues.append(
            _issue(
                fingerprint(finding.code, path, finding.message),
                finding.code,
                f"{finding.code} ({finding.name}) {finding.message}",
                severities.get(finding.code, "major"),
                path,
                finding.start,
                finding.end,
            )
        )
    return issues


def render(report: RunReport) -> str:
    """The Code Quality report as indented JSON."""
    return json.dumps(code_quality_report(report), indent=2, ensure_ascii=False) + "\n"
