"""`--statistics`: how many findings each rule produced, as ruff prints them."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from sqla_checks.output.report import RunReport


@dataclass(frozen=True)
class RuleCount:
    """Findings of one rule in a run."""

    code: str
    name: str
    count: int
    fixable: bool


def rule_counts(report: RunReport) -> list[RuleCount]:
    """Per-rule counts, most frequent first, then by code."""
    counts = Counter(finding.code for finding in report.findings)
    names = {finding.code: finding.name for finding in report.findings}
    fixable = {finding.code for finding in report.findings if report.is_applicable(finding)}
    entries = [
        RuleCount(code=code, name=names[code], count=count, fixable=code in fixable)
        for code, count in counts.items()
    ]
    return sorted(entries, key=lambda entry: (-entry.count, entry.code))


def render_text(report: RunReport) -> str:
    """`count<TAB>code<TAB>[*] name` lines, as ruff prints them."""
    entries = rule_counts(report)
    if not entries:
        return "" if report.quiet or report.errors else "All checks passed!\n"
    count_width = max(len(str(entry.count)) for entry in entries)
    code_width = max(len(entry.code) for entry in entries)
    lines = [
        f"{entry.count:>{count_width}}\t{entry.code:<{code_width}}\t"
        f"{'[*]' if entry.fixable else '[ ]'} {entry.name}"
        for entry in entries
    ]
    return "".join(line + "\n" for line in lines)


def render_json(report: RunReport) -> str:
    """The counts as ruff's `--statistics --output-format json` array."""
    entries = [
        {"code": e.code, "name": e.name, "count": e.count, "fixable": e.fixable}
        for e in rule_counts(report)
    ]
    return json.dumps(entries, indent=2) + "\n"
