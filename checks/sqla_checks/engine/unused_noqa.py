"""ALC001 unused-noqa: the `# noqa` codes that silenced nothing, and their removal.

The rule class (rules/alc001_unused_noqa.py) holds the docs and examples; the check
lives here because it needs every other rule's findings and the suppression record.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import libcst as cst
from libcst.metadata import CodeRange

from sqla_checks.contract.rule import Fix, Report
from sqla_checks.engine.noqa import OWN_PREFIX, Directive, FileNoqa

# The code of rules/alc001_unused_noqa.py.
UNUSED_NOQA = "ALC001"


def may_report(noqa: FileNoqa, selected: Collection[str], known: Collection[str]) -> bool:
    """Whether `unused_noqa_reports` could report anything: some line directive names
    a selected code or an unknown `ALC` code (decided without positions)."""
    if noqa.exempt_all or UNUSED_NOQA in noqa.exempt_codes:
        return False
    return any(
        directive.codes is not None
        and not directive.silences(UNUSED_NOQA)
        and any(_may_be_reported(c.code, selected, known) for c in directive.codes)
        for directive in noqa.directives.values()
    )


def _may_be_reported(code: str, selected: Collection[str], known: Collection[str]) -> bool:
    return code in selected or (code.startswith(OWN_PREFIX) and code not in known)


def unused_noqa_reports(
    noqa: FileNoqa,
    selected: Collection[str],
    known: Collection[str],
    positions: Mapping[cst.CSTNode, CodeRange],
) -> list[Report]:
    """One report per directive with codes that silenced nothing on their line.

    A code counts only if its rule was selected for this file (or it is an `ALC`
    code no rule has); blanket `# noqa` and other tools' codes are never reported,
    since sqla-checks cannot know what they silence for ruff or flake8.
    """
    if not may_report(noqa, selected, known):
        return []
    owners = _comment_owners(positions)
    reports = []
    for line, directive in sorted(noqa.directives.items()):
        if directive.codes is None or directive.silences(UNUSED_NOQA) or line not in owners:
            continue
        unused = [
            c.code
            for c in directive.codes
            if c.code in selected and (line, c.code) not in noqa.used
        ]
        unknown = [c.code for c in directive.codes if _may_be_reported(c.code, (), known)]
        if not unused and not unknown:
            continue
        owner, column = owners[line]
        parts = [
            f"{label}: {', '.join(f'`{c}`' for c in codes)}"
            for label, codes in (("unused", unused), ("unknown", unknown))
            if codes
        ]
        assert owner.comment is not None
        reports.append(
            Report(
                node=owner.comment,
                message=f"Unused `noqa` directive ({'; '.join(parts)})",
                fix=_removal(owner, column, directive, {*unused, *unknown}),
            )
        )
    return reports


_Owner = cst.TrailingWhitespace | cst.EmptyLine


def _comment_owners(positions: Mapping[cst.CSTNode, CodeRange]) -> dict[int, tuple[_Owner, int]]:
    """Line -> the node holding that line's comment, and the comment's column."""
    owners: dict[int, tuple[_Owner, int]] = {}
    for node in positions:
        if isinstance(node, cst.TrailingWhitespace | cst.EmptyLine) and node.comment is not None:
            start = positions[node.comment].start
            owners[start.line] = (node, start.column)
    return owners


def _removal(owner: _Owner, column: int, directive: Directive, drop: set[str]) -> Fix:
    """A fix that drops the `drop` codes, or the directive when no code is left."""
    assert owner.comment is not None and directive.codes is not None
    value = owner.comment.value
    start, end = directive.start - column, directive.end - column
    kept = [c.code for c in directive.codes if c.code not in drop]
    if kept:
        new_value = f"{value[:start]}# noqa: {', '.join(kept)}{value[end:]}"
        description = f"Remove unused code{'s' if len(drop) > 1 else ''} from `noqa`"
    else:
        before, after = value[:start].rstrip(), value[end:].strip()
        if after and not after.startswith("#"):
            after = f"# {after}"  # prose that followed the codes stays a comment
        new_value = "  ".join(part for part in (before, after) if part)
        description = "Remove unused `noqa` directive"
    replacement: cst.CSTNode | cst.RemovalSentinel
    if new_value:
        replacement = owner.with_changes(comment=cst.Comment(new_value))
    elif isinstance(owner, cst.EmptyLine):
        replacement = cst.RemovalSentinel.REMOVE
    else:
        replacement = owner.with_changes(whitespace=cst.SimpleWhitespace(""), comment=None)
    return Fix(node=owner, replacement=replacement, description=description)
