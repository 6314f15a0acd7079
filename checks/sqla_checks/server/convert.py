"""Findings and fixes in LSP terms: 0-based positions in the client's code units."""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types
from pygls.workspace import TextDocument

from sqla_checks.contract.finding import Edit, FileResult, Finding, Position
from sqla_checks.engine import registry
from sqla_checks.engine.add_noqa import add_noqa

SOURCE = "sqla-checks"


def lsp_position(document: TextDocument, position: Position) -> types.Position:
    """A 1-based line and code point column as the client counts (UTF-16 by default)."""
    lines = document.lines
    line = position.line - 1
    if line >= len(lines):
        return types.Position(line=len(lines), character=0)
    text = lines[line]
    return types.Position(
        line=line, character=document.position_codec.client_num_units(text[: position.column - 1])
    )


def lsp_range(document: TextDocument, start: Position, end: Position) -> types.Range:
    return types.Range(start=lsp_position(document, start), end=lsp_position(document, end))


def diagnostics(document: TextDocument, result: FileResult) -> list[types.Diagnostic]:
    """One diagnostic per finding; a file that cannot be checked is one error diagnostic."""
    if result.error is not None:
        where = Position(result.error.line or 1, result.error.column or 1)
        return [
            types.Diagnostic(
                range=lsp_range(document, where, where),
                message=result.error.reason,
                severity=types.DiagnosticSeverity.Error,
                source=SOURCE,
            )
        ]
    return [
        types.Diagnostic(
            range=lsp_range(document, finding.start, finding.end),
            message=finding.message,
            severity=types.DiagnosticSeverity.Warning,
            code=finding.code,
            code_description=types.CodeDescription(href=finding.url),
            source=SOURCE,
        )
        for finding in result.findings
    ]


def text_edits(document: TextDocument, edits: Sequence[Edit]) -> list[types.TextEdit]:
    return [
        types.TextEdit(range=lsp_range(document, edit.start, edit.end), new_text=edit.content)
        for edit in edits
    ]


def whole_document_edit(document: TextDocument, new_text: str) -> types.TextEdit:
    """Replace everything: the end position is one past the last line."""
    end = types.Position(line=len(document.lines), character=0)
    return types.TextEdit(
        range=types.Range(start=types.Position(line=0, character=0), end=end), new_text=new_text
    )


def noqa_edit(document: TextDocument, finding: Finding) -> types.TextEdit | None:
    """Add `finding.code` to the `# noqa` of the line `--add-noqa` would choose, or None.

    `--add-noqa`'s own code decides the line (after a multi-line string, not inside
    it) and merges into an existing directive, so the action and the CLI agree.
    """
    known = {rule.code for rule in registry.all_rules()}
    outcome = add_noqa(document.source, [finding], known)
    if not outcome.added:
        return None
    old_lines = document.source.splitlines()
    new_lines = outcome.text.splitlines()
    for number, (old, new) in enumerate(zip(old_lines, new_lines, strict=True), start=1):
        if old != new:
            where = lsp_range(document, Position(number, 1), Position(number, len(old) + 1))
            return types.TextEdit(range=where, new_text=new)
    return None
