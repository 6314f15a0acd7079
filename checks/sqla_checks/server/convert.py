"""Findings and fixes in LSP terms: 0-based positions in the client's code units."""

from __future__ import annotations

import io
import tokenize
from collections.abc import Sequence

from lsprotocol import types
from pygls.workspace import TextDocument

from sqla_checks.contract.finding import Edit, FileResult, Finding, Position
from sqla_checks.engine.noqa import _NOQA

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
    """Add `finding.code` to a `# noqa` comment on a line of the finding, or None.

    A suppression comment counts on any line the finding spans; it goes on the first
    of them that does not end inside a string (tokenize knows where lines end).
    """
    places = _comment_places(document.source)
    lines = range(finding.start.line, finding.end.line + 1)
    line = next((number for number in lines if number in places), None)
    if line is None:
        return None
    text = document.lines[line - 1].rstrip("\r\n")
    comment = places[line]
    # The engine's own pattern, so the edit and the check agree on what a directive is.
    directive = None if comment is None else _NOQA.search(text, comment)
    if directive is not None and directive.group("codes"):
        at, content = directive.end(), f", {finding.code}"
    else:
        at, content = len(text), f"  # noqa: {finding.code}"
    where = Position(line, at + 1)
    return types.TextEdit(range=lsp_range(document, where, where), new_text=content)


def _comment_places(source: str) -> dict[int, int | None]:
    """1-based lines that end outside a string -> the column of their comment, if any."""
    places: dict[int, int | None] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                places[token.start[0]] = token.start[1]
            elif token.type in (tokenize.NEWLINE, tokenize.NL):
                places.setdefault(token.start[0], None)
    except (tokenize.TokenError, SyntaxError):
        pass
    return places
