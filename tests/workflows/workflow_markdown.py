"""Follow a workflow page the way a reader would: its steps in order, then its Verify block.

The proofs in this folder execute what the page says, in the order it says it, so an
edit of the page that breaks the path fails a test. Blocks, commands, the project copy
and the reader's shell all come from the docs harness (tests/docs/), so "what a block
is" and "how a Verify command runs" have one answer.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.docs.markdown import REPO_ROOT, Block, blocks, prose
from tests.docs.verify import copy_project, reader_environment, run_script, shell_commands

# Re-exported: the proofs reach the harness through this module.
__all__ = [
    "REPO_ROOT",
    "ApplyPatch",
    "Run",
    "apply_patch",
    "assert_diffs_are_in_patch",
    "blocks_with",
    "copy_project",
    "git_snapshot",
    "page",
    "reader_environment",
    "run_script",
    "run_shell",
    "section",
    "steps",
    "verify_block",
]

WORKFLOWS = REPO_ROOT / "workflows"
_SECTION = re.compile(r"^## (?P<title>.+)$", re.M)


@dataclass(frozen=True)
class Run:
    """A shell command of a step."""

    command: str


@dataclass(frozen=True)
class ApplyPatch:
    """A step that is a manual edit, kept as a patch file beside the test."""

    patch: Path


def page(name: str) -> Path:
    """The path of `workflows/<name>`."""
    return WORKFLOWS / name


def section(path: Path, title: str) -> tuple[range, str]:
    """The `## title` section of a page: its line numbers and its text, up to the next `##`
    (headings inside code blocks do not count)."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    outside_code = prose(text)  # same lines, blocks blanked
    starts = [
        (outside_code.count("\n", 0, match.start()) + 1, match.group("title").strip())
        for match in _SECTION.finditer(outside_code)
    ]
    for index, (line, found) in enumerate(starts):
        if found == title:
            end = starts[index + 1][0] if index + 1 < len(starts) else len(lines) + 1
            return range(line, end), "".join(lines[line - 1 : end - 1])
    raise AssertionError(f"{path.name} has no '## {title}' section")


def blocks_with(path: Path, info: str, within: str | None = None) -> list[Block]:
    """The page's blocks whose info string is `info`, optionally only in one section."""
    lines = section(path, within)[0] if within else None
    return [
        block
        for block in blocks(path)
        if block.info == info and (lines is None or block.line in lines)
    ]


def steps(path: Path, patch: Path) -> list[Run | ApplyPatch]:
    """What `## Steps` asks for, in order: each `sh` command, and the manual edit
    wherever the page links to `patch` (by file name)."""
    lines, body = section(path, "Steps")
    events: list[tuple[int, Run | ApplyPatch]] = [
        (block.line, Run(command))
        for block in blocks_with(path, "sh", within="Steps")
        for command in shell_commands(block.body)
    ]
    link = re.compile(r"\]\((?:[^)]*/)?" + re.escape(patch.name) + r"\)")
    events += [
        (lines.start + body.count("\n", 0, match.start()), ApplyPatch(patch))
        for match in link.finditer(body)
    ]
    return [event for _, event in sorted(events, key=lambda pair: pair[0])]


def verify_block(path: Path) -> str:
    """The body of the page's one ```sh verify block, which must sit under `## Verify`."""
    everywhere = blocks_with(path, "sh verify")
    assert len(everywhere) == 1, "a workflow has exactly one ```sh verify block"
    assert blocks_with(path, "sh verify", within="Verify") == everywhere
    return everywhere[0].body


def run_shell(script: str, cwd: Path, env: dict[str, str]) -> str:
    """Run `script` as the reader's shell does; fail the test with its output unless it
    exits 0. Returns stdout."""
    completed = run_script(script, cwd, env)
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


def assert_diffs_are_in_patch(path: Path, patch: Path) -> None:
    """Every ```diff excerpt the page shows is a run of lines of the patch the test
    applies, so the page cannot show an edit the proof does not make."""
    patch_lines = patch.read_text(encoding="utf-8").splitlines()
    shown = blocks_with(path, "diff")
    assert shown, f"{path.name} shows its edits as ```diff excerpts"
    for block in shown:
        lines = block.body.splitlines()
        starts = [i for i, line in enumerate(patch_lines) if line == lines[0]]
        assert any(patch_lines[i : i + len(lines)] == lines for i in starts), str(block)


def git_snapshot(folder: Path) -> None:
    """Make `folder` a git repository with one commit (the workflows assume one)."""
    git = ["git", "-c", "user.name=workflow", "-c", "user.email=workflow@example.com"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "before"]):
        subprocess.run([*git, *args], cwd=folder, check=True, capture_output=True)
