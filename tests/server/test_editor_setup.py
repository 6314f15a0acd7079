"""The README's editor snippets parse and start `sqla-checks server`."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def _editor_blocks() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("### In your editor", 1)[1].split("\n## ", 1)[0]
    return {lang: body for lang, body in re.findall(r"```(\w+)\n(.*?)```", section, re.S)}


def test_every_editor_snippet_runs_the_server() -> None:
    blocks = _editor_blocks()
    assert set(blocks) == {"json", "lua", "toml"}
    vscode = json.loads(blocks["json"])
    assert [vscode["glspc.server.command"], *vscode["glspc.server.commandArguments"]] == [
        "sqla-checks",
        "server",
    ]
    assert vscode["glspc.server.languageId"] == ["python"]
    # Lua is not parsed here; the `cmd` table is the part that must be right.
    assert 'cmd = { "sqla-checks", "server" }' in blocks["lua"]
    assert 'vim.lsp.enable("sqla_checks")' in blocks["lua"]
    helix = tomllib.loads(blocks["toml"])
    server = helix["language-server"]["sqla-checks"]
    assert [server["command"], *server["args"]] == ["sqla-checks", "server"]
    (python,) = helix["language"]
    assert "sqla-checks" in python["language-servers"]
