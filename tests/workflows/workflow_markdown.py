"""Read a workflow's commands out of its Markdown, and run them the way a reader would.

The proofs in this folder follow a workflow by executing what the page says, in the
order it says it, so an edit of the page that breaks the path fails a test. Fences
are found with the same pattern as the docs harness (tests/test_markdown_code_blocks.py).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO_ROOT / "workflows"

_FENCE = re.compile(
    r"^(?P<indent> *)```(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```", re.M | re.S
)
_HEADING = re.compile(r"^## (?P<title>.+)$", re.M)


@dataclass(frozen=True)
class Fence:
    """One fenced block: its info string, its body and where it starts."""

    info: str
    body: str
    start: int

    @property
    def words(self) -> list[str]:
        return self.info.split()


@dataclass(frozen=True)
class Run:
    """A shell command of a step."""

    command: str


@dataclass(frozen=True)
class ApplyPatch:
    """A step that is a manual edit, kept as a patch file beside the test."""

    patch: Path


def read(name: str) -> str:
    """The text of `workflows/<name>`."""
    return (WORKFLOWS / name).read_text(encoding="utf-8")


def section(text: str, title: str) -> tuple[int, str]:
    """The `## title` section of `text` (offset and body, up to the next `##`)."""
    headings = list(_HEADING.finditer(text))
    for index, heading in enumerate(headings):
        if heading.group("title").strip() == title:
            end = headings[index + 1].start() if index + 1 < len(headings) else len(text)
            return heading.end(), text[heading.end() : end]
    raise AssertionError(f"no '## {title}' section")


def fences(text: str, offset: int = 0) -> list[Fence]:
    """Every fenced block of `text`, dedented, in document order."""
    found = []
    for match in _FENCE.finditer(text):
        indent = len(match.group("indent"))
        body = "".join(line[indent:] for line in match.group("body").splitlines(True))
        found.append(Fence(match.group("info").strip(), body, offset + match.start()))
    return found


def commands(body: str) -> list[str]:
    """The commands of a shell block: one a line, comments and blank lines dropped."""
    return [
        line.strip()
        for line in body.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def steps(text: str, patch: Path) -> list[Run | ApplyPatch]:
    """What `## Steps` asks for, in order: each `sh` command, and the manual edit
    wherever the page links to `patch` (by file name)."""
    offset, body = section(text, "Steps")
    events: list[tuple[int, Run | ApplyPatch]] = []
    for fence in fences(body, offset):
        if fence.words == ["sh"]:
            events += [(fence.start, Run(command)) for command in commands(fence.body)]
    link = re.compile(r"\]\((?:[^)]*/)?" + re.escape(patch.name) + r"\)")
    events += [(offset + m.start(), ApplyPatch(patch)) for m in link.finditer(body)]
    return [event for _, event in sorted(events, key=lambda pair: pair[0])]


def verify_block(text: str) -> str:
    """The body of the one ```sh verify block, which must sit under `## Verify`."""
    everywhere = [f for f in fences(text) if f.words == ["sh", "verify"]]
    assert len(everywhere) == 1, "a workflow has exactly one ```sh verify block"
    _, body = section(text, "Verify")
    assert [f.body for f in fences(body) if f.words == ["sh", "verify"]] == [everywhere[0].body]
    return everywhere[0].body


def shell_env(database_url: str) -> dict[str, str]:
    """The environment the harness gives a Verify block: this venv's bin first on
    PATH and DATABASE_URL naming a database."""
    bin_dir = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "DATABASE_URL": database_url,
    }


def run_shell(script: str, cwd: Path, env: dict[str, str], timeout: int = 600) -> str:
    """Run `script` with `bash -euo pipefail`; fail the test with its output unless it
    exits 0. Returns stdout."""
    completed = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert completed.returncode == 0, (
        f"`{script}` exited {completed.returncode} in {cwd}\n"
        f"{completed.stdout[-6000:]}\n{completed.stderr[-4000:]}"
    )
    return completed.stdout


def apply_patch(patch: Path, cwd: Path) -> None:
    """Apply a patch kept beside the test with `git apply`; fail if it does not fit."""
    completed = subprocess.run(
        ["git", "apply", "--verbose", str(patch)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, (
        f"{patch.name} does not apply after the steps before it:\n{completed.stderr}"
    )


def git_snapshot(folder: Path) -> None:
    """Make `folder` a git repository with one commit (the workflows assume one)."""
    git = ["git", "-c", "user.name=workflow", "-c", "user.email=workflow@example.com"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "before"]):
        subprocess.run([*git, *args], cwd=folder, check=True, capture_output=True)


def copy_project(source: Path, target: Path) -> Path:
    """Copy an example project without caches; returns the copy."""
    shutil.copytree(
        source,
        target,
        ignore=shutil.ignore_patterns(
            "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", "*.egg-info"
        ),
    )
    return target
