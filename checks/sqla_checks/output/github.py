"""`--format github`: GitHub Actions workflow commands, shown as PR annotations.

    ::error title=sqla-checks (ALC204),file=app/db.py,line=3,col=30,endLine=3,endColumn=52::ALC204 …

Values are escaped as the Actions runner expects: `%`, CR and LF everywhere, and
also `:` and `,` inside properties, where they would end the value.
"""

from __future__ import annotations

from sqla_checks.output import file_errors
from sqla_checks.output.report import RunReport


def escape_data(value: str) -> str:
    """Escape the message part of a workflow command."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a `key=value` property of a workflow command."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _command(properties: dict[str, str | int], message: str) -> str:
    rendered = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::error {rendered}::{escape_data(message)}"


def render(report: RunReport) -> str:
    """One `::error` command per finding and per file that could not be checked (ALC000)."""
    lines = []
    for finding in report.findings:
        properties: dict[str, str | int] = {
            "title": f"sqla-checks ({finding.code})",
            "file": finding.path,
            "line": finding.start.line,
            "col": finding.start.column,
            "endLine": finding.end.line,
            "endColumn": finding.end.column,
        }
        lines.append(_command(properties, f"{finding.code} {finding.message}"))
    for error in report.errors:
        where: dict[str, str | int] = {
            "title": f"sqla-checks ({file_errors.CODE})",
            "file": error.path,
        }
        if error.line is not None:
            where["line"] = error.line
            if error.column is not None:
                where["col"] = error.column
        lines.append(_command(where, f"{file_errors.CODE} {error.reason}"))
    return "".join(line + "\n" for line in lines)
