"""The database benchmarks run, and print the tables references/performance.md shows.

Each script runs in `--quick` mode against the test server (tiny sizes: seconds,
not minutes). Its tables must have the same shape as the ones pasted into the
reference (examples/blog/README.md for the blog's load test): the same header
columns and the same row labels in the same order. So a benchmark that gains,
loses or renames a row or column fails here until the reference is re-measured.
Nothing here looks at a timing; the blog's load test fails by itself on any
error response or on connection growth.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
REFERENCE = REPO_ROOT / "references" / "performance.md"
BENCHMARKS = ("bulk_insert", "eager_loading", "drivers", "pagination", "pool_size", "blog_load")
# Where each benchmark's full run is pasted, when not in the performance reference.
PASTED_IN = {"blog_load": REPO_ROOT / "examples" / "blog" / "README.md"}


@dataclass(frozen=True)
class TableShape:
    """What must match between a script's output and the reference: not the numbers."""

    columns: tuple[str, ...]
    labels: tuple[str, ...]


def _cells(line: str) -> tuple[str, ...]:
    return tuple(cell.strip() for cell in line.strip().strip("|").split("|"))


def table_shapes(lines: list[str]) -> list[TableShape]:
    """Every Markdown table in `lines`: its header and the first cell of each row."""
    shapes: list[TableShape] = []
    table: list[str] = []
    for line in [*lines, ""]:
        if line.lstrip().startswith("|"):
            table.append(line)
            continue
        if table:
            # table[1] is the |---|--:| rule under the header.
            shapes.append(TableShape(_cells(table[0]), tuple(_cells(r)[0] for r in table[2:])))
            table = []
    return shapes


def reference_section(name: str) -> list[str]:
    """The lines of the reference pasted from the full run of benchmark `name`.

    A pasted output ends with its `- Rerun:` bullet followed by its tables; it ends
    where the next pasted output begins (its `- Measured` bullet) or at a heading.
    """
    document = PASTED_IN.get(name, REFERENCE)
    lines = document.read_text(encoding="utf-8").splitlines()
    marker = f"- Rerun: `python -m benchmarks.db.{name}`"
    starts = [n for n, line in enumerate(lines) if line.strip() == marker]
    assert len(starts) == 1, f"{document.name} must paste one full run with {marker!r}"
    section = []
    for line in lines[starts[0] + 1 :]:
        if line.startswith(("#", "- Measured")):
            break
        section.append(line)
    return section


@pytest.mark.parametrize("name", BENCHMARKS)
def test_benchmark_prints_the_tables_the_reference_shows(
    name: str, admin_database_url: str
) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", f"benchmarks.db.{name}", "--quick"],
        cwd=REPO_ROOT,
        env={**os.environ, "DATABASE_URL": admin_database_url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    output = completed.stdout
    # The report says where the numbers come from and how to get them again.
    assert f"- Rerun: `python -m benchmarks.db.{name} --quick`" in output
    for fact in ("cores", "Python 3.", "SQLAlchemy 2.", "asyncpg ", "psycopg ", "PostgreSQL "):
        assert fact in output, f"the report does not name {fact!r}:\n{output}"

    printed = table_shapes(output.splitlines())
    assert printed, f"no table printed:\n{output}"
    assert all(shape.labels for shape in printed), f"a table without rows:\n{output}"
    assert table_shapes(reference_section(name)) == printed


def test_table_shapes_reads_header_and_row_labels() -> None:
    text = "intro\n| a | b |\n|---|--:|\n| x | 1 |\n| y | 2 |\n\n| c |\n|---|\n| z |\n"
    assert table_shapes(text.splitlines()) == [
        TableShape(("a", "b"), ("x", "y")),
        TableShape(("c",), ("z",)),
    ]
