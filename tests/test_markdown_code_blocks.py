"""Every code block in the Markdown of this repo is checked, so the docs cannot rot.

The info string says what a ```python block is (tests/docs/markdown.py reads it):

- ```python: a complete program. It parses, passes ruff with the repo's config, gets
  no `sqla-checks` findings, and runs: `python block.py` in an empty folder, with
  `DATABASE_URL` naming a fresh database on the test PostgreSQL server and
  examples/blog importable (a block may `from app.models import User`).
- ```python fragment=examples/blog/app/db/session.py: an excerpt. Its lines appear, in
  one piece, in that file (uniformly indented there when the excerpt is a method); the
  file itself is linted and tested with its project.
- ```python bad=ALC101,ALC104 (or `bad`): wrong on purpose. It parses, and `sqla-checks`
  reports every code named (at least one finding when none is named).
- ```toml, ```yaml and ```json blocks parse; any block with `fragment=` is an excerpt.

Verify blocks (```sh verify) run in tests/docs/test_verify_blocks.py; the README's
shell blocks in tests/test_readme.py and CI; the example project's walkthrough in
tests/test_blog_readme.py. The copies the skill build derives are checked through their
sources (tests/skill/test_build.py keeps them identical).
"""

from __future__ import annotations

import ast
import json
import textwrap
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.docs.code_blocks import (
    bad_block_problem,
    fragment_problem,
    lint_problem,
    run_complete_block,
)
from tests.docs.markdown import Block, blocks, source_markdown_files

BLOCKS = [block for path in source_markdown_files() for block in blocks(path)]
PYTHON = [b for b in BLOCKS if b.language in {"python", "py"}]
FRAGMENTS = [b for b in BLOCKS if "fragment" in b.attributes]
COMPLETE = [b for b in PYTHON if not {"fragment", "bad"} & b.attributes.keys()]
BAD = [b for b in PYTHON if "bad" in b.attributes]


@pytest.mark.parametrize("block", PYTHON, ids=str)
def test_python_block_parses(block: Block) -> None:
    ast.parse(textwrap.dedent(block.body), filename=str(block))


@pytest.mark.parametrize("block", FRAGMENTS, ids=str)
def test_fragment_is_verbatim_in_its_file(block: Block) -> None:
    assert fragment_problem(block) is None, fragment_problem(block)


@pytest.mark.parametrize("block", COMPLETE, ids=str)
def test_complete_python_block_is_clean(block: Block, tmp_path: Path) -> None:
    problem = lint_problem(block, tmp_path)
    assert problem is None, problem


@pytest.mark.parametrize("block", COMPLETE, ids=str)
def test_complete_python_block_runs(block: Block, tmp_path: Path, fresh_database_url: str) -> None:
    problem = run_complete_block(block, tmp_path, fresh_database_url)
    assert problem is None, problem


@pytest.mark.parametrize("block", BAD, ids=str)
def test_bad_python_block_is_flagged(block: Block, tmp_path: Path) -> None:
    problem = bad_block_problem(block, tmp_path)
    assert problem is None, problem


PARSERS = {"toml": tomllib.loads, "yaml": yaml.safe_load, "yml": yaml.safe_load, "json": json.loads}


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.language in PARSERS], ids=str)
def test_data_block_parses(block: Block) -> None:
    PARSERS[block.language](block.body)


def test_every_fenced_block_has_a_language() -> None:
    unlabeled = [str(b) for b in BLOCKS if not b.language]
    assert unlabeled == [], "label these fences so the tests know how to check them"
