"""The checks the docs tests apply to one code block, each returning why it fails or None.

Kept apart from the tests so that tests/docs/test_harness_catches.py can show each
check failing on a block that is wrong in the way the check exists to catch.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqla_checks.engine.registry import all_rules
from sqla_checks.engine.runner import check_source
from tests.docs.markdown import REPO_ROOT, Block, relative

BLOG = REPO_ROOT / "examples" / "blog"
RUN_TIMEOUT = 60  # seconds for one complete block


def fragment_problem(block: Block) -> str | None:
    """Why `block` is not found verbatim in the file its `fragment=` names, or None."""
    target = REPO_ROOT / block.attributes["fragment"]
    if not target.is_file():
        return f"{block}: fragment={block.attributes['fragment']} names no file"
    want = [line.rstrip() for line in block.body.rstrip("\n").splitlines()]
    have = [line.rstrip() for line in target.read_text(encoding="utf-8").splitlines()]
    if not want:
        return f"{block}: empty fragment"
    for start in range(len(have) - len(want) + 1):
        indent = have[start][: len(have[start]) - len(want[0])]
        if have[start].endswith(want[0]) and not indent.strip():
            window = have[start : start + len(want)]
            if window == [indent + line if line else "" for line in want]:
                return None
    return (
        f"{block}: not found verbatim in {relative(target)}: copy the lines from the file"
        " (or fix the file) so the doc shows the code that runs"
    )


def _ruff(command: str, snippet: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *(sys.executable, "-m", "ruff", command, "--no-cache"),
            *("--config", str(REPO_ROOT / "pyproject.toml")),
            *(["--diff"] if command == "format" else []),
            str(snippet),
        ],
        capture_output=True,
        text=True,
    )


def format_problem(block: Block, snippet: Path) -> str | None:
    """Why a whole-program block (complete or bad) is not as `ruff format` writes it.

    The repo-wide `ruff format` skips Markdown (pyproject): fragments are dedented
    quotes of formatted files and would be rewrapped. Whole programs are checked here.
    """
    formatted = _ruff("format", snippet)
    return f"{block}: ruff format\n{formatted.stdout}" if formatted.returncode != 0 else None


def lint_problem(block: Block, folder: Path) -> str | None:
    """Why a complete block is not clean under ruff (the repo's config) and sqla-checks."""
    snippet = folder / "snippet.py"
    snippet.write_text(block.body, encoding="utf-8")
    ruff = _ruff("check", snippet)
    if ruff.returncode != 0:
        return f"{block}: ruff\n{ruff.stdout}"
    if (unformatted := format_problem(block, snippet)) is not None:
        return unformatted
    result = check_source(str(snippet), block.body.encode(), all_rules())
    if result.error is not None:
        return f"{block}: {result.error}"
    if result.findings:
        return f"{block}: " + "; ".join(f"{f.code} {f.message}" for f in result.findings)
    return None


def run_complete_block(block: Block, folder: Path, database_url: str) -> str | None:
    """Run a complete block as a program; why it failed, or None."""
    program = folder / "block.py"
    program.write_text(block.body, encoding="utf-8")
    # The example project is importable, so a block may use its models (`from
    # app.models import User`) the way code in a real project would.
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(BLOG)}
    try:
        completed = subprocess.run(
            [sys.executable, str(program)],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return f"{block}: still running after {RUN_TIMEOUT} s"
    if completed.returncode != 0:
        return f"{block}: exit {completed.returncode}\n{completed.stdout}{completed.stderr}"
    return None


def bad_block_problem(block: Block, folder: Path) -> str | None:
    """Why a `bad` block is not flagged as it says, or None."""
    snippet = folder / "snippet.py"
    snippet.write_text(block.body, encoding="utf-8")
    if (unformatted := format_problem(block, snippet)) is not None:
        return unformatted
    result = check_source(str(snippet), block.body.encode(), all_rules())
    if result.error is not None:
        return f"{block}: {result.error}"
    found = {finding.code for finding in result.findings}
    named = {code for code in block.attributes["bad"].split(",") if code}
    if not found:
        return f"{block}: marked bad, but sqla-checks finds nothing in it"
    if named - found:
        return f"{block}: marked bad={','.join(sorted(named))}; sqla-checks found {sorted(found)}"
    return None
