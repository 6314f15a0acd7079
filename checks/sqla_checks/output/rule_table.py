"""`--list-rules`: every rule with its code, name, default state, fix and summary."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqla_checks.contract.rule import Rule
from sqla_checks.output.explain import fix_availability


def render_table(rules: Sequence[type[Rule]]) -> str:
    """An aligned plain-text table, one rule per line."""
    header = ("code", "name", "default", "fix", "summary")
    rows = [
        (
            rule.code,
            rule.name,
            "on" if rule.default_enabled else "off",
            fix_availability(rule),
            rule.summary(),
        )
        for rule in rules
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header) - 1)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True))
        + "  "
        + row[-1]
        for row in (header, *rows)
    ]
    return "".join(line.rstrip() + "\n" for line in lines)


def render_json(rules: Sequence[type[Rule]]) -> str:
    """The same, as a JSON array (for `--list-rules --format json`)."""
    entries = [
        {
            "code": rule.code,
            "name": rule.name,
            "default_enabled": rule.default_enabled,
            "fix": fix_availability(rule),
            "summary": rule.summary(),
            "url": rule.url(),
        }
        for rule in rules
    ]
    return json.dumps(entries, indent=2) + "\n"
