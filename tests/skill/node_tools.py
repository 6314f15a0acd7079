"""The pinned Node command-line tools the install-route tests drive, installed on first use.

Each tool is installed once with `npm install --prefix` into a cache folder outside the
repo (`~/.cache/sqla-skillpack/node-tools/`, or under `$XDG_CACHE_HOME`), so the README's
test command works on a fresh machine that has Node. Without `node` and `npm` the tests
skip and say so, except on CI (`CI=true`), where a missing Node is a failure: CI must run
every install route. An `npm install` that fails is an error, never a skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class NodeTool:
    """An npm package pinned to one version, and the command it puts in `.bin/`."""

    package: str
    version: str
    command: str
    # other pinned packages installed beside it ("name@version"), e.g. type definitions
    companions: tuple[str, ...] = ()


# 2.1.328 validates manifests and installs from a local marketplace with no login and no
# network. Its binary is native, so Node 20 runs it despite the package's `engines`.
CLAUDE_CODE = NodeTool("@anthropic-ai/claude-code", "2.1.328", "claude")
# The newest `skills` release whose `engines` accepts Node 20 (1.5.19 and later need
# Node >= 22.20).
SKILLS_CLI = NodeTool("skills", "1.5.18", "skills")
# SchemaStore's marketplace schema as published on npm: TypeScript definitions generated
# from it (1.0.0, 2026-09-23), checked by the last 5.x compiler.
MARKETPLACE_TYPES = NodeTool(
    "typescript", "5.9.3", "tsc", companions=("@schemastore/claude-code-marketplace@1.0.0",)
)


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sqla-skillpack" / "node-tools"


def _on_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_node() -> None:
    """Skip (fail on CI) when Node's `node` and `npm` are not on PATH."""
    missing = [name for name in ("node", "npm") if shutil.which(name) is None]
    if not missing:
        return
    reason = (
        f"{' and '.join(missing)} not on PATH: the Claude Code plugin and `npx skills`"
        " install routes are not tested (install Node.js 20+ to run them)"
    )
    if _on_ci():
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def executable(tool: NodeTool) -> Path:
    """The tool's command, installing the pinned version into the cache the first time."""
    require_node()
    prefix = tool_prefix(tool)
    command = prefix / "node_modules" / ".bin" / tool.command
    if not command.exists():
        _install(tool, prefix)
    return command


def tool_prefix(tool: NodeTool) -> Path:
    """The cache folder of one pinned tool (its `node_modules/` holds its companions too)."""
    name = "+".join([f"{tool.package}@{tool.version}", *tool.companions]).replace("/", "+")
    return cache_root() / name


def _install(tool: NodeTool, prefix: Path) -> None:
    """Install into a scratch folder and move it into place, so a failed or interrupted
    install never leaves a half-filled cache entry behind."""
    prefix.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".installing-", dir=prefix.parent))
    try:
        completed = subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(scratch),
                "--no-audit",
                "--no-fund",
                "--no-save",
                f"{tool.package}@{tool.version}",
                *tool.companions,
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if completed.returncode != 0:
            raise RuntimeError(
                f"npm install {tool.package}@{tool.version} failed"
                f" (exit {completed.returncode}):\n{completed.stdout}{completed.stderr}"
            )
        if not (scratch / "node_modules" / ".bin" / tool.command).exists():
            raise RuntimeError(f"npm installed {tool.package} without a `{tool.command}` command")
        scratch.rename(prefix)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def isolated_env(home: Path) -> dict[str, str]:
    """An environment whose home is `home` (no user config leaks in, nothing is written to
    the real one) and that asks both tools not to phone home."""
    env = {key: value for key, value in os.environ.items() if key != "CLAUDE_CONFIG_DIR"}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        DISABLE_TELEMETRY="1",
        DO_NOT_TRACK="1",
        DISABLE_AUTOUPDATER="1",
        DISABLE_ERROR_REPORTING="1",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1",
    )
    return env
