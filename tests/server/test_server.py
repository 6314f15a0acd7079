"""`sqla-checks server` end to end: a real LSP client (pytest-lsp) over stdio.

One server process serves the whole module (starting one costs about a second); each
test opens its own documents. The workspace's pyproject.toml switches ALC103 off for
`ignored_*.py`, so a test can tell the workspace's settings from the defaults, and
excludes `generated/` and `excluded_*.py`.
"""

from __future__ import annotations

import ast
import asyncio
import shutil
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from sqla_checks.cli import main as cli_main
from sqla_checks.server.app import FIX_ALL

pytestmark = pytest.mark.asyncio(loop_scope="module")

LEGACY = """\
from sqlalchemy.orm import Session

from app.models import User


def load(session: Session, user_id: int) -> User | None:
    return session.query(User).get(user_id)


def first_admin(session: Session) -> User | None:
    return session.query(User).filter(User.admin == True).first()
"""
GET_LINE = 6  # 0-based line of `session.query(User).get(user_id)` (ALC103, safe fix)
QUERY_LINE = 10  # 0-based line of the filter chain (ALC101, unsafe fix)


def _server_command() -> list[str]:
    beside_python = Path(sys.executable).parent / "sqla-checks"
    found = str(beside_python) if beside_python.exists() else shutil.which("sqla-checks")
    assert found, "the sqla-checks console script is not installed"
    return [found, "server"]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("workspace")
    (root / "pyproject.toml").write_text(
        "[tool.sqla-checks]\n"
        'per-file-ignores = { "ignored_*.py" = ["ALC103"] }\n'
        'extend-exclude = ["generated", "excluded_*.py"]\n'
    )
    return root


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=_server_command()))
async def client(lsp_client: LanguageClient, workspace: Path) -> AsyncIterator[None]:
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=workspace.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="ws")],
        )
    )
    yield
    await lsp_client.shutdown_session()


async def _published(
    client: LanguageClient, uri: str, action: Callable[[], None]
) -> list[types.Diagnostic]:
    """Run `action` and return the next diagnostics published for `uri`."""
    client.diagnostics.pop(uri, None)
    action()
    async with asyncio.timeout(20):
        while uri not in client.diagnostics:
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return list(client.diagnostics[uri])


async def _open(client: LanguageClient, path: Path, text: str) -> list[types.Diagnostic]:
    uri = path.as_uri()
    item = types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
    return await _published(
        client,
        uri,
        lambda: client.text_document_did_open(types.DidOpenTextDocumentParams(item)),
    )


def _apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP edits (ASCII text: UTF-16 units are characters) from the last one back."""
    lines = text.splitlines(keepends=True)

    def offset(position: types.Position) -> int:
        return sum(len(line) for line in lines[: position.line]) + position.character

    ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character))
    for edit in reversed(ordered):
        start, end = offset(edit.range.start), offset(edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text


def _edits_of(action: types.CodeAction | types.Command, uri: str) -> list[types.TextEdit]:
    assert isinstance(action, types.CodeAction)
    assert action.edit is not None and action.edit.changes is not None
    return list(action.edit.changes[uri])


async def _actions(
    client: LanguageClient,
    uri: str,
    line: int,
    only: tuple[str, ...] | None = (types.CodeActionKind.QuickFix,),
) -> list[types.CodeAction]:
    spot = types.Range(
        start=types.Position(line=line, character=0), end=types.Position(line=line, character=0)
    )
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=spot,
            context=types.CodeActionContext(
                diagnostics=[], only=None if only is None else list(only)
            ),
        )
    )
    assert result is not None
    return [action for action in result if isinstance(action, types.CodeAction)]


def _cli_fix(tmp: Path, text: str) -> str:
    """What `sqla-checks --fix` makes of `text`, in a directory of its own."""
    copy = tmp / "copy.py"
    copy.write_text(text)
    cli_main(["--fix", "--no-cache", "--quiet", str(copy)])
    return copy.read_text()


async def test_open_publishes_findings_with_codes_and_ranges(
    client: LanguageClient, workspace: Path
) -> None:
    found = await _open(client, workspace / "open.py", LEGACY)
    assert [(d.code, d.range.start.line, d.range.start.character) for d in found] == [
        ("ALC103", GET_LINE, 11),
        ("ALC101", QUERY_LINE, 11),
    ]
    first = found[0]
    assert first.range.end == types.Position(line=GET_LINE, character=43)
    assert first.source == "sqla-checks"
    assert first.severity == types.DiagnosticSeverity.Warning
    assert first.code_description is not None
    assert first.code_description.href.endswith("#alc103-legacy-query-get")


async def test_a_change_publishes_updated_findings(client: LanguageClient, workspace: Path) -> None:
    path = workspace / "change.py"
    uri = path.as_uri()
    await _open(client, path, LEGACY)
    fixed_get = LEGACY.replace("session.query(User).get(user_id)", "session.get(User, user_id)")

    def change() -> None:
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed_get)],
            )
        )

    found = await _published(client, uri, change)
    assert [d.code for d in found] == ["ALC101"]


async def test_quick_fix_applies_what_fix_gives(
    client: LanguageClient, workspace: Path, tmp_path: Path
) -> None:
    path = workspace / "quickfix.py"
    await _open(client, path, LEGACY)
    actions = await _actions(client, path.as_uri(), GET_LINE)
    titles = [action.title for action in actions]
    assert titles == ["ALC103: Use Session.get()", "Disable ALC103 for this line"]
    fix = actions[0]
    assert fix.kind == types.CodeActionKind.QuickFix
    assert fix.is_preferred is True
    assert fix.diagnostics is not None and fix.diagnostics[0].code == "ALC103"
    fixed = _apply(LEGACY, _edits_of(fix, path.as_uri()))
    ast.parse(fixed)
    assert "return session.get(User, user_id)" in fixed
    # --fix applies this fix and no other (ALC101's is unsafe): the same text.
    assert fixed == _cli_fix(tmp_path, LEGACY)


async def test_unsafe_fix_is_offered_but_not_preferred(
    client: LanguageClient, workspace: Path
) -> None:
    path = workspace / "unsafe.py"
    await _open(client, path, LEGACY)
    (fix, _noqa) = await _actions(client, path.as_uri(), QUERY_LINE)
    assert fix.title.endswith("(unsafe)")
    assert not fix.is_preferred
    fixed = _apply(LEGACY, _edits_of(fix, path.as_uri()))
    ast.parse(fixed)
    assert "from sqlalchemy import select" in fixed


async def test_noqa_action_silences_only_that_code(client: LanguageClient, workspace: Path) -> None:
    path = workspace / "noqa.py"
    uri = path.as_uri()
    await _open(client, path, LEGACY)
    actions = await _actions(client, uri, GET_LINE)
    noqa = next(action for action in actions if action.title == "Disable ALC103 for this line")
    silenced = _apply(LEGACY, _edits_of(noqa, uri))
    assert silenced.splitlines()[GET_LINE].endswith(
        "return session.query(User).get(user_id)  # noqa: ALC103"
    )
    found = await _open(client, workspace / "noqa_applied.py", silenced)
    assert [d.code for d in found] == ["ALC101"]
    # A code joins a directive already on the line instead of starting another comment.
    path = workspace / "noqa_merged.py"
    text = LEGACY.replace(".first()\n", ".first()  # noqa: ALC204\n")
    await _open(client, path, text)
    (_, merge) = await _actions(client, path.as_uri(), QUERY_LINE)
    merged = _apply(text, _edits_of(merge, path.as_uri()))
    # Codes sorted, as `--add-noqa` writes them.
    assert merged.splitlines()[QUERY_LINE].endswith(".first()  # noqa: ALC101, ALC204")


async def test_fix_all_is_a_source_action_equal_to_fix(
    client: LanguageClient, workspace: Path, tmp_path: Path
) -> None:
    path = workspace / "fixall.py"
    text = (
        LEGACY
        + "\n\ndef again(session: Session) -> User | None:\n    return session.query(User).get(2)\n"
    )
    await _open(client, path, text)
    (action,) = await _actions(client, path.as_uri(), 0, only=(types.CodeActionKind.SourceFixAll,))
    assert action.kind == FIX_ALL
    fixed = _apply(text, _edits_of(action, path.as_uri()))
    ast.parse(fixed)
    assert fixed.count("session.get(User") == 2
    assert fixed == _cli_fix(tmp_path, text)
    # Without `only` (a light bulb) it comes after the quick fixes of the line.
    offered = await _actions(client, path.as_uri(), GET_LINE, only=None)
    assert [a.kind for a in offered] == [types.CodeActionKind.QuickFix] * 2 + [FIX_ALL]
    # Asked only for source actions, no quick fix comes back.
    assert await _actions(client, path.as_uri(), GET_LINE, only=(types.CodeActionKind.Source,)) == [
        action
    ]


async def test_hover_on_a_diagnostic_shows_the_rule_docs(
    client: LanguageClient, workspace: Path
) -> None:
    path = workspace / "hover.py"
    await _open(client, path, LEGACY)
    on_get = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
            position=types.Position(line=GET_LINE, character=30),
        )
    )
    assert on_get is not None
    assert isinstance(on_get.contents, types.MarkupContent)
    assert on_get.contents.kind == types.MarkupKind.Markdown
    assert on_get.contents.value.startswith("# ALC103 (legacy-query-get)")
    elsewhere = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
            position=types.Position(line=0, character=2),
        )
    )
    assert elsewhere is None


async def test_workspace_settings_apply_to_its_files(
    client: LanguageClient, workspace: Path
) -> None:
    found = await _open(client, workspace / "ignored_by_config.py", LEGACY)
    assert [d.code for d in found] == ["ALC101"]


@pytest.mark.parametrize(
    "relative", ["excluded_by_config.py", "generated/models.py", ".venv/lib/site.py"]
)
async def test_an_excluded_file_gets_no_diagnostics_as_with_force_exclude(
    client: LanguageClient, workspace: Path, relative: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = workspace / relative
    assert await _open(client, path, LEGACY) == []
    fix_all = await _actions(client, path.as_uri(), 0, only=(FIX_ALL,))
    assert fix_all == [] or all(not _edits_of(action, path.as_uri()) for action in fix_all)
    # The command line agrees: the same buffer, named as an editor integration names it.
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(LEGACY)
    capsys.readouterr()
    assert cli_main(["--force-exclude", "--no-cache", str(path)]) == 0
    # And without --force-exclude the same file has findings: the settings, not the
    # text, leave it out (the look-alike beside it is checked).
    assert cli_main(["--no-cache", "--quiet", str(path)]) == 1


async def test_a_file_outside_the_workspace_gets_the_defaults(
    client: LanguageClient, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere" / "ignored_but_not_here.py"
    found = await _open(client, outside, LEGACY)
    assert [d.code for d in found] == ["ALC103", "ALC101"]


async def test_a_syntax_error_is_one_diagnostic_and_the_server_serves_on(
    client: LanguageClient, workspace: Path
) -> None:
    path = workspace / "broken.py"
    uri = path.as_uri()
    (error,) = await _open(client, path, LEGACY + "\ndef broken(:\n")
    assert error.severity == types.DiagnosticSeverity.Error
    assert error.message.startswith("cannot parse file")
    assert error.range.start.line == 12
    assert await _actions(client, uri, 12) == []

    def repair() -> None:
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=LEGACY)],
            )
        )

    assert [d.code for d in await _published(client, uri, repair)] == ["ALC103", "ALC101"]


async def test_closing_a_document_clears_its_diagnostics(
    client: LanguageClient, workspace: Path
) -> None:
    path = workspace / "closed.py"
    uri = path.as_uri()
    await _open(client, path, LEGACY)

    def close() -> None:
        client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )

    assert await _published(client, uri, close) == []


async def test_columns_are_counted_in_utf16_units(client: LanguageClient, workspace: Path) -> None:
    # "😀" is one code point and two UTF-16 units: the finding starts one unit later.
    text = LEGACY.replace(
        "    return session.query(User).get(user_id)",
        '    ("😀", session.query(User).get(user_id))',
    )
    found = await _open(client, workspace / "emoji.py", text)
    assert (found[0].code, found[0].range.start) == (
        "ALC103",
        types.Position(line=GET_LINE, character=len('    ("😀", ') + 1),
    )


async def test_a_broken_configuration_is_one_error_naming_the_file(
    client: LanguageClient, tmp_path: Path
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.sqla-checks]\nselect = ["NOPE"]\n')
    (error,) = await _open(client, tmp_path / "app.py", LEGACY)
    assert error.severity == types.DiagnosticSeverity.Error
    assert error.message.startswith(str(tmp_path / "pyproject.toml"))
    assert "select" in error.message
