"""Every code block in the Markdown of this repo is checked, so the docs cannot rot.

- ```python blocks parse, pass ruff, and get no `sqla-checks` findings;
- ```python blocks whose info string says `bad` (the "Example" half of a rule's docs)
  must parse: they show code the checks flag on purpose;
- ```toml and ```yaml blocks parse.
Shell blocks are covered where they are run: the README's by tests/test_readme.py
and CI, the example project's walkthrough by tests/test_blog_readme.py (its test and
static-check commands by tests/test_examples.py and tests/test_code_quality.py).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from sqla_checks.registry import all_rules
from sqla_checks.runner import check_source

REPO_ROOT = Path(__file__).resolve().parents[1]
_SKIP_DIRS = {
    ".venv",
    ".nox",
    ".git",
    "node_modules",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
}
_FENCE = re.compile(
    r"^(?P<indent> *)```(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```", re.M | re.S
)


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    info: str
    body: str

    @property
    def language(self) -> str:
        return self.info.split()[0] if self.info.split() else ""

    def __str__(self) -> str:
        return f"{self.path.relative_to(REPO_ROOT)}:{self.line}"


def _markdown_files() -> list[Path]:
    return sorted(
        path
        for path in REPO_ROOT.rglob("*.md")
        if not _SKIP_DIRS.intersection(path.relative_to(REPO_ROOT).parts)
    )


def _blocks() -> list[Block]:
    found = []
    for path in _markdown_files():
        text = path.read_text(encoding="utf-8")
        for match in _FENCE.finditer(text):
            indent = len(match.group("indent"))
            body = "".join(line[indent:] for line in match.group("body").splitlines(True))
            line = text.count("\n", 0, match.start()) + 1
            found.append(Block(path, line, match.group("info").strip(), body))
    return found


BLOCKS = _blocks()
PYTHON = [b for b in BLOCKS if b.language in {"python", "py"}]


@pytest.mark.parametrize("block", PYTHON, ids=str)
def test_python_block_parses(block: Block) -> None:
    ast.parse(block.body, filename=str(block))


@pytest.mark.parametrize("block", [b for b in PYTHON if "bad" not in b.info.split()], ids=str)
def test_python_block_is_clean(block: Block, tmp_path: Path) -> None:
    snippet = tmp_path / "snippet.py"
    snippet.write_text(block.body, encoding="utf-8")
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", str(snippet)],
        capture_output=True,
        text=True,
    )
    assert ruff.returncode == 0, f"{block}: {ruff.stdout}"
    result = check_source(str(snippet), block.body.encode(), all_rules())
    assert result.error is None, f"{block}: {result.error}"
    assert [f"{f.code} {f.message}" for f in result.findings] == [], str(block)


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.language == "toml"], ids=str)
def test_toml_block_parses(block: Block) -> None:
    tomllib.loads(block.body)


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.language in {"yaml", "yml"}], ids=str)
def test_yaml_block_parses(block: Block) -> None:
    yaml.safe_load(block.body)


def test_every_fenced_block_has_a_language() -> None:
    unlabeled = [str(b) for b in BLOCKS if not b.language]
    assert unlabeled == [], "label these fences so the tests know how to check them"
