"""The language server: diagnostics as you type, quick fixes, `# noqa`, fix all, hover.

Checking runs in a worker thread so the event loop keeps answering requests while a
large file is checked; a change is checked once the typing pauses (DEBOUNCE_SECONDS),
and a result for text that has changed since is dropped rather than published.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

import sqla_checks
from sqla_checks.contract.finding import FileError, FileResult, Finding
from sqla_checks.engine import registry
from sqla_checks.engine.config import ConfigError
from sqla_checks.output.explain import render_rule
from sqla_checks.server import convert
from sqla_checks.server.checking import check_document

DEBOUNCE_SECONDS = 0.25
FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.{convert.SOURCE}"


# What a check computes: findings only (for diagnostics, cheap), with each fix's edits
# (for quick fixes: one render of the file per fixable finding), or the fixed source.
FINDINGS, EDITS, FIXED = "findings", "edits", "fixed"


@dataclass(frozen=True)
class _Checked:
    source: str
    result: FileResult


class SqlaChecksServer(LanguageServer):
    """The pygls server, with the last result of each open document."""

    def __init__(self) -> None:
        super().__init__("sqla-checks", sqla_checks.__version__)
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.checked: dict[tuple[str, str], _Checked] = {}

    def path_of(self, document: TextDocument) -> Path:
        """Where the buffer lives (an untitled buffer counts as in the workspace root)."""
        path = Path(document.path)
        if path.is_absolute():
            return path
        return Path(self.workspace.root_path or os.getcwd()) / path

    async def result(self, document: TextDocument, what: str = FINDINGS) -> FileResult:
        """A check of the document's current text, in a worker thread, cached per text."""
        source = document.source
        key = (document.uri, what)
        cached = self.checked.get(key)
        if cached is not None and cached.source == source:
            return cached.result
        result = await asyncio.to_thread(_check, self.path_of(document), source, what)
        self.checked[key] = _Checked(source, result)
        return result

    def forget(self, uri: str) -> None:
        """Drop the cached checks of `uri`."""
        for what in (FINDINGS, EDITS, FIXED):
            self.checked.pop((uri, what), None)

    def schedule(self, uri: str, delay: float) -> None:
        """Check `uri` after `delay` seconds, replacing a check not yet started."""
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        self.pending[uri] = asyncio.get_running_loop().create_task(self._publish(uri, delay))

    async def _publish(self, uri: str, delay: float) -> None:
        await asyncio.sleep(delay)
        document = self.workspace.get_text_document(uri)
        source = document.source
        result = await self.result(document)
        if self.workspace.get_text_document(uri).source != source:
            return  # typed on meanwhile: the check scheduled for the new text publishes
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri,
                version=document.version,
                diagnostics=convert.diagnostics(document, result),
            )
        )


def _check(path: Path, source: str, what: str) -> FileResult:
    """check_document, with every failure turned into a file error (the server lives on)."""
    try:
        return check_document(path, source, with_edits=what == EDITS, fix=what == FIXED)
    except ConfigError as exc:
        return FileResult(path=str(path), error=FileError(str(path), str(exc)))
    except Exception as exc:
        last = traceback.extract_tb(exc.__traceback__)[-1]
        reason = (
            f"internal error while checking: {type(exc).__name__}: {exc}"
            f" (at {os.path.basename(last.filename)}:{last.lineno}; please report it)"
        )
        return FileResult(path=str(path), error=FileError(str(path), reason))


def _overlaps(finding: Finding, selection: types.Range) -> bool:
    return finding.start.line - 1 <= selection.end.line and finding.end.line - 1 >= (
        selection.start.line
    )


def _wanted(kind: str, only: Sequence[str] | None) -> bool:
    """LSP kinds are hierarchical: asking for `source` includes `source.fixAll.x`."""
    return only is None or any(kind == k or kind.startswith(f"{k}.") for k in only)


def _finding_actions(
    document: TextDocument, finding: Finding, diagnostic: types.Diagnostic
) -> list[types.CodeAction]:
    actions = []
    fix = finding.fix
    if fix is not None and fix.edits:
        safe = fix.applicability == "safe"
        actions.append(
            types.CodeAction(
                title=f"{finding.code}: {fix.description}" + ("" if safe else " (unsafe)"),
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                is_preferred=safe,
                edit=types.WorkspaceEdit(
                    changes={document.uri: convert.text_edits(document, fix.edits)}
                ),
            )
        )
    noqa = convert.noqa_edit(document, finding)
    if noqa is not None:
        actions.append(
            types.CodeAction(
                title=f"Disable {finding.code} for this line",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                edit=types.WorkspaceEdit(changes={document.uri: [noqa]}),
            )
        )
    return actions


def build_server() -> SqlaChecksServer:
    """A server with every feature registered."""
    server = SqlaChecksServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: SqlaChecksServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: SqlaChecksServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, DEBOUNCE_SECONDS)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: SqlaChecksServer, params: types.DidSaveTextDocumentParams) -> None:
        # The configuration may have changed since: check again, cache bypassed.
        ls.forget(params.text_document.uri)
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: SqlaChecksServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        pending = ls.pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        ls.forget(uri)
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]),
    )
    async def code_action(
        ls: SqlaChecksServer, params: types.CodeActionParams
    ) -> list[types.CodeAction]:
        document = ls.workspace.get_text_document(params.text_document.uri)
        result = await ls.result(document)
        only = params.context.only
        actions: list[types.CodeAction] = []
        here = [finding for finding in result.findings if _overlaps(finding, params.range)]
        if here and _wanted(types.CodeActionKind.QuickFix, only):
            if any(finding.fix is not None for finding in here):
                # Same text, same findings in the same order, now with their edits.
                result = await ls.result(document, EDITS)
            for finding, diagnostic in zip(
                result.findings, convert.diagnostics(document, result), strict=False
            ):
                if _overlaps(finding, params.range):
                    actions.extend(_finding_actions(document, finding, diagnostic))
        fixable = any(f.fix is not None and f.fix.applicability == "safe" for f in result.findings)
        if fixable and _wanted(FIX_ALL, only):
            fixed = await ls.result(document, FIXED)
            if fixed.fixed_source is not None:
                edit = convert.whole_document_edit(document, fixed.fixed_source.decode("utf-8"))
                actions.append(
                    types.CodeAction(
                        title="sqla-checks: fix all safely fixable problems",
                        kind=FIX_ALL,
                        edit=types.WorkspaceEdit(changes={document.uri: [edit]}),
                    )
                )
        return actions

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: SqlaChecksServer, params: types.HoverParams) -> types.Hover | None:
        document = ls.workspace.get_text_document(params.text_document.uri)
        result = await ls.result(document)
        at = params.position
        covering = [
            (finding, diagnostic.range)
            for finding, diagnostic in zip(
                result.findings, convert.diagnostics(document, result), strict=False
            )
            if _contains(diagnostic.range, at)
        ]
        if not covering:
            return None
        codes = dict.fromkeys(finding.code for finding, _ in covering)
        rules = [rule for code in codes if (rule := registry.rule_by_code_or_name(code))]
        text = "\n\n---\n\n".join(render_rule(rule) for rule in rules)
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
            range=covering[0][1],
        )

    return server


def _contains(span: types.Range, at: types.Position) -> bool:
    start, end = span.start, span.end
    after_start = (at.line, at.character) >= (start.line, start.character)
    return after_start and (at.line, at.character) <= (end.line, end.character)


def main(argv: Sequence[str] | None = None) -> int:
    """`sqla-checks server`: serve LSP over stdin/stdout until the client says exit."""
    parser = argparse.ArgumentParser(
        prog="sqla-checks server",
        description="Run sqla-checks as a language server (LSP over stdio) for editors.",
    )
    # Editors' generic LSP clients often pass --stdio; it is the only transport.
    parser.add_argument("--stdio", action="store_true", help="talk over stdio (the default)")
    try:
        parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    build_server().start_io()
    return 0
