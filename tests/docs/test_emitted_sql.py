"""The SQL a reference shows is the SQL SQLAlchemy emits on PostgreSQL.

Every ```sql emitted block is compared with the statements its python block sends
(tests/docs/emitted_sql.py explains the rules), so an upgrade that changes the SQL
fails here instead of leaving a wrong document.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.emitted_sql import (
    EmittedSqlPair,
    FencedBlock,
    expected_statements,
    is_emitted_sql,
    mismatch_report,
    missing_statements,
    pair_blocks,
    run_capturing_sql,
)
from tests.docs.markdown import blocks, source_markdown_files

PAIRS, PAIRING_PROBLEMS = pair_blocks(
    [block for path in source_markdown_files() for block in blocks(path)]
)


def _blocks_of(path: Path) -> list[FencedBlock]:
    """The fenced blocks of one Markdown file, as the docs harness reads them."""
    return list(blocks(path))


def _check(pair: EmittedSqlPair, database_url: str, workdir: Path) -> str | None:
    expected = expected_statements(pair.sql.body)
    assert expected, f"{pair}: the sql emitted block holds no statement"
    captured = run_capturing_sql(pair.program.body, database_url, workdir)
    if missing_statements(expected, captured):
        return mismatch_report(pair, expected, captured)
    return None


def test_the_references_show_emitted_sql() -> None:
    # Guards the scan itself: if the fence regex or the info string changed, the
    # parametrized test below would silently collect nothing.
    assert len(PAIRS) >= 5


def test_every_emitted_sql_block_follows_the_program_that_emits_it() -> None:
    assert PAIRING_PROBLEMS == []


@pytest.mark.parametrize("pair", PAIRS, ids=str)
def test_emitted_sql_block_matches_what_sqlalchemy_sends(
    pair: EmittedSqlPair, fresh_database_url: str, tmp_path: Path
) -> None:
    problem = _check(pair, fresh_database_url, tmp_path)
    assert problem is None, problem


_PROGRAM = """\
```python
import asyncio
import os

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine


async def main() -> None:
    engine = create_async_engine(os.environ["DATABASE_URL"])
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1 AS answer"))
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
```
"""


def _write_doc(tmp_path: Path, sql: str) -> list[EmittedSqlPair]:
    doc = tmp_path / "doc.md"
    doc.write_text(f"# A reference\n\n{_PROGRAM}\n```sql emitted\n{sql}```\n", encoding="utf-8")
    pairs, problems = pair_blocks(_blocks_of(doc))
    assert problems == []
    assert len(pairs) == 1
    return pairs


def test_a_matching_pair_passes(fresh_database_url: str, tmp_path: Path) -> None:
    (pair,) = _write_doc(tmp_path, "SELECT 1\n  AS answer;\n")
    assert _check(pair, fresh_database_url, tmp_path) is None


def test_a_wrong_pair_fails_and_says_what_was_sent(fresh_database_url: str, tmp_path: Path) -> None:
    (pair,) = _write_doc(tmp_path, "SELECT 2 AS answer;\n")
    problem = _check(pair, fresh_database_url, tmp_path)
    assert problem is not None
    assert "SELECT 2 AS answer" in problem
    assert "1. SELECT 1 AS answer" in problem


def test_statements_out_of_order_fail() -> None:
    assert missing_statements(["B", "A"], ["A", "B"]) == ["A"]
    assert missing_statements(["A", "B"], ["A", "X", "B"]) == []


def test_a_sql_block_shown_without_its_program_is_reported(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(
        "```python fragment=examples/blog/app/db/session.py\nx = 1\n```\n\n"
        "```sql emitted\nSELECT 1;\n```\n",
        encoding="utf-8",
    )
    blocks = _blocks_of(doc)
    assert [is_emitted_sql(b) for b in blocks] == [False, True]
    pairs, problems = pair_blocks(blocks)
    assert pairs == []
    assert len(problems) == 1
    assert "must come right after a complete ```python block" in problems[0]


def test_consecutive_sql_blocks_belong_to_the_program_before_them(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(
        f"{_PROGRAM}\n```sql emitted\nSELECT 1;\n```\n\n```sql emitted\nSELECT 2;\n```\n"
        "\n```text\noutput\n```\n\n```sql emitted\nSELECT 3;\n```\n",
        encoding="utf-8",
    )
    pairs, problems = pair_blocks(_blocks_of(doc))
    assert [pair.program.line for pair in pairs] == [1, 1]
    assert len(problems) == 1  # the third one follows a text block


def test_statements_split_at_semicolons_that_end_a_line() -> None:
    sql = "-- the lock\nSELECT 'a;b'\nFROM t FOR UPDATE;\nCOMMIT;\n"
    assert expected_statements(sql) == ["SELECT 'a;b' FROM t FOR UPDATE", "COMMIT"]
