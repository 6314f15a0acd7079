"""Check that the SQL a reference shows is the SQL SQLAlchemy really emits.

A ```sql emitted block must come right after a complete ```python block (one with
no attribute in its info string), or right after another sql emitted block of the same
program. The python block is run against a fresh
PostgreSQL database with every statement that any SQLAlchemy Engine sends recorded
(see sql_capture/sitecustomize.py); each statement of the sql block (statements end
with `;` at the end of a line, `--` comment lines are ignored) must equal one
recorded statement, in the block's order, after whitespace is normalised. Recorded
statements the block does not show (reflection queries of `create_all`, say) are
allowed in between.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

CAPTURE_DIR = Path(__file__).resolve().parent / "sql_capture"
LOG_VARIABLE = "SQLA_EMITTED_SQL_LOG"
RUN_TIMEOUT_SECONDS = 60
_STATEMENT_END = re.compile(r";[ \t]*$", re.M)


class FencedBlock(Protocol):
    """What the check needs of a fenced block (tests/test_markdown_code_blocks.Block)."""

    @property
    def path(self) -> Path: ...
    @property
    def line(self) -> int: ...
    @property
    def info(self) -> str: ...
    @property
    def body(self) -> str: ...


@dataclass(frozen=True)
class EmittedSqlPair:
    """A complete python block and the ```sql emitted block that follows it."""

    program: FencedBlock
    sql: FencedBlock

    def __str__(self) -> str:
        return f"{self.sql.path.name}:{self.sql.line}"


def is_emitted_sql(block: FencedBlock) -> bool:
    """Whether the block's info string is `sql emitted`."""
    words = block.info.split()
    return bool(words) and words[0] == "sql" and "emitted" in words[1:]


def is_complete_python(block: FencedBlock) -> bool:
    """A ```python block with no attribute: a program the docs harness runs."""
    return block.info.strip() in {"python", "py"}


def pair_blocks(blocks: list[FencedBlock]) -> tuple[list[EmittedSqlPair], list[str]]:
    """Pair each sql emitted block with the complete python block right before it.

    Consecutive sql emitted blocks all belong to the python block before the first.

    Returns the pairs and one problem per sql emitted block that does not follow a
    complete python block (such a block would otherwise go unchecked).
    """
    pairs: list[EmittedSqlPair] = []
    problems: list[str] = []
    for previous, block in zip([None, *blocks], blocks, strict=False):
        if not is_emitted_sql(block):
            continue
        program: FencedBlock | None = None
        if previous is not None and previous.path == block.path:
            if is_complete_python(previous):
                program = previous
            elif pairs and pairs[-1].sql is previous:
                # Several sql emitted blocks in a row show parts of one program's SQL.
                program = pairs[-1].program
        if program is None:
            problems.append(
                f"{block.path}:{block.line}: a ```sql emitted block must come right after "
                "a complete ```python block that runs the construct"
            )
            continue
        pairs.append(EmittedSqlPair(program=program, sql=block))
    return pairs, problems


def normalise(statement: str) -> str:
    """One space between tokens, no trailing `;`: layout is not part of the SQL."""
    return " ".join(statement.split()).removesuffix(";").rstrip()


def expected_statements(sql: str) -> list[str]:
    """The statements of a sql block, normalised, comment lines dropped."""
    code = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [normalise(part) for part in _STATEMENT_END.split(code) if part.strip()]


def run_capturing_sql(program: str, database_url: str, workdir: Path) -> list[str]:
    """Run `program` with DATABASE_URL set; return the statements it sent, normalised.

    Raises AssertionError (with the program's stderr) when it exits non-zero.
    """
    script = workdir / "block.py"
    script.write_text(program, encoding="utf-8")
    log = workdir / "emitted.jsonl"
    log.unlink(missing_ok=True)
    pythonpath = os.pathsep.join(filter(None, [str(CAPTURE_DIR), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": pythonpath}
    env[LOG_VARIABLE] = str(log)
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode == 0, f"the python block failed:\n{result.stderr}"
    if not log.exists():
        return []
    lines = log.read_text(encoding="utf-8").splitlines()
    return [normalise(json.loads(line)) for line in lines]


def missing_statements(expected: list[str], captured: list[str]) -> list[str]:
    """The expected statements that do not appear in `captured` in order (empty: match)."""
    position = 0
    for index, statement in enumerate(expected):
        try:
            position = captured.index(statement, position) + 1
        except ValueError:
            return expected[index:]
    return []


def mismatch_report(pair: EmittedSqlPair, expected: list[str], captured: list[str]) -> str:
    """Explain a failed comparison: what the block shows and what was sent."""
    missing = missing_statements(expected, captured)
    sent = "\n".join(f"  {n}. {sql}" for n, sql in enumerate(captured, 1))
    return (
        f"{pair.sql.path}:{pair.sql.line}: this statement was not emitted "
        f"(in this order) by the python block at line {pair.program.line}:\n"
        f"  {missing[0]}\nstatements sent:\n{sent}"
    )
