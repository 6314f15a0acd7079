"""`--format full`: each finding with the source lines around it, as ruff's `full`.

    ALC204 [*] `create_async_engine` needs an asyncio driver: ...
     --> app.py:3:30
      |
    1 | from sqlalchemy.ext.asyncio import create_async_engine
    2 |
    3 | engine = create_async_engine("postgresql+psycopg2://app@db/blog")
      |                              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
      |
    help: Use the asyncpg driver

The source is read back from disk: after `--fix` the findings describe the fixed
file, which is what was written. The summary lines are the `text` format's.
"""

from __future__ import annotations

from pathlib import Path

from sqla_checks.contract.finding import Finding
from sqla_checks.engine.source import SourceError, decode_source, read_source_bytes
from sqla_checks.output.report import RunReport
from sqla_checks.output.text import show_fixes_lines, summary_lines

# Lines of context shown before and after the finding's first line, as ruff shows.
CONTEXT_LINES = 2


def _source_lines(path: str) -> list[str] | None:
    try:
        return decode_source(Path(path), read_source_bytes(path)).text.splitlines()
    except SourceError:
        return None


def _snippet(finding: Finding, lines: list[str]) -> list[str]:
    line = finding.start.line
    if not 1 <= line <= len(lines):
        return []
    first = max(1, line - CONTEXT_LINES)
    last = min(len(lines), line + CONTEXT_LINES)
    width = len(str(last))
    gutter = " " * width
    out = [f"{gutter} |"]
    for number in range(first, last + 1):
        out.append(f"{number:>{width}} | {lines[number - 1]}".rstrip())
        if number == line:
            text = lines[number - 1]
            start = finding.start.column - 1
            # A span that goes past this line is underlined to its end.
            end = finding.end.column - 1 if finding.end.line == line else len(text)
            out.append(f"{gutter} | {' ' * start}{'^' * max(end - start, 1)}")
    out.append(f"{gutter} |")
    return out


def render(report: RunReport) -> str:
    """One block per finding (header, location, source, fix help), then the summary."""
    sources: dict[str, list[str] | None] = {}
    blocks = []
    for finding in report.findings:
        if finding.path not in sources:
            sources[finding.path] = _source_lines(finding.path)
        marker = " [*]" if report.is_applicable(finding) else ""
        block = [
            f"{finding.code}{marker} {finding.message}",
            f" --> {finding.path}:{finding.start.line}:{finding.start.column}",
        ]
        lines = sources[finding.path]
        if lines is not None:
            block.extend(_snippet(finding, lines))
        if finding.fix is not None:
            block.append(f"help: {finding.fix.description}")
        blocks.append("".join(line + "\n" for line in block))
    text = "\n".join(blocks)
    closing = show_fixes_lines(report) if report.show_fixes else []
    if not report.quiet:
        closing.extend(summary_lines(report))
    if closing:
        summary = "".join(line + "\n" for line in closing)
        text = f"{text}\n{summary}" if text else summary
    return text
