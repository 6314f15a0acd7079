"""The marketplace manifest fits SchemaStore's published schema for it.

SchemaStore publishes the schema behind `$schema` in `.claude-plugin/marketplace.json`
on npm as TypeScript definitions generated from it (`@schemastore/claude-code-marketplace`).
The manifest, typed as that interface, must compile under `tsc --strict`: required keys
present, every known key of the right type (plugin sources, skills lists, versions).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.docs.markdown import REPO_ROOT
from tests.skill.node_tools import MARKETPLACE_TYPES, executable, tool_prefix

MARKETPLACE = REPO_ROOT / ".claude-plugin" / "marketplace.json"
SCHEMA_URL = "https://json.schemastore.org/claude-code-marketplace.json"


def _type_errors(manifest: object, folder: Path) -> str:
    """What `tsc` says of `manifest` typed as the published interface ("" when it fits)."""
    tsc = executable(MARKETPLACE_TYPES)
    (folder / "node_modules").symlink_to(tool_prefix(MARKETPLACE_TYPES) / "node_modules")
    (folder / "manifest.ts").write_text(
        'import type { ClaudeCodePluginMarketplace } from "@schemastore/claude-code-marketplace";\n'
        f"export const manifest: ClaudeCodePluginMarketplace = {json.dumps(manifest)};\n",
        encoding="utf-8",
    )
    completed = subprocess.run(
        [str(tsc), "--noEmit", "--strict", "--moduleResolution", "node", "manifest.ts"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return "" if completed.returncode == 0 else completed.stdout + completed.stderr


def test_marketplace_names_the_published_schema() -> None:
    manifest = json.loads(MARKETPLACE.read_text(encoding="utf-8"))
    assert manifest["$schema"] == SCHEMA_URL


def test_marketplace_fits_the_published_schema(tmp_path: Path) -> None:
    manifest = json.loads(MARKETPLACE.read_text(encoding="utf-8"))
    assert _type_errors(manifest, tmp_path) == ""


def _strict_as_text(manifest: dict[str, Any]) -> str:
    manifest["plugins"][0]["strict"] = "no"  # a boolean in the schema
    return "'string' is not assignable to type 'boolean"


def _without_owner(manifest: dict[str, Any]) -> str:
    del manifest["owner"]  # required
    return "'owner' is missing"


@pytest.mark.parametrize("breakage", [_strict_as_text, _without_owner])
def test_a_manifest_that_breaks_the_schema_is_caught(
    tmp_path: Path, breakage: Callable[[dict[str, Any]], str]
) -> None:
    manifest = json.loads(MARKETPLACE.read_text(encoding="utf-8"))
    expected = breakage(manifest)
    errors = _type_errors(manifest, tmp_path)
    assert expected in errors, errors
