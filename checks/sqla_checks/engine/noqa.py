"""`# noqa` and `# noqa: ALC101, ALC202` suppression comments, per line."""

from __future__ import annotations

import re

_NOQA = re.compile(
    r"#\s*noqa(?P<colon>:\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?",
    re.IGNORECASE,
)

# Line number -> codes suppressed there; None means every code (a bare `# noqa`).
NoqaMap = dict[int, frozenset[str] | None]


def noqa_lines(text: str) -> NoqaMap:
    """Find the suppression comments of a file, by 1-based line number."""
    found: NoqaMap = {}
    if "noqa" not in text.lower():
        return found
    for number, line in enumerate(text.splitlines(), start=1):
        match = _NOQA.search(line)
        if match is None:
            continue
        codes = match.group("codes")
        if codes is None:
            found[number] = None
        else:
            found[number] = frozenset(c.upper() for c in re.split(r"[\s,]+", codes) if c)
    return found


def is_suppressed(noqa: NoqaMap, code: str, lines: tuple[int, ...]) -> bool:
    """Whether a finding with `code` spanning `lines` is silenced by a comment there."""
    for line in lines:
        if line in noqa:
            codes = noqa[line]
            if codes is None or code in codes:
                return True
    return False
