"""Recall of the legacy rules on real applications, against a plain `ast` count.

    .venv/bin/python -m benchmarks.recall                   # the pinned corpus below
    .venv/bin/python -m benchmarks.recall --work /tmp/recall --json out.json

Each pinned release is downloaded from PyPI as a pure-Python wheel (the source of
its modules) and unpacked under `--work`, out of the repository. A stdlib-`ast`
pass counts the places each rule is meant to find, by spelling alone:

- `query-calls` (ALC101, ALC103): a call `x.query(arg, ...)` whose first argument
  is not a string (a `Query` over an entity or column; `df.query("a > 1")` is not).
- `model-columns` (ALC104): `name = Column(...)` / `db.Column(...)` / `sa.Column(...)`
  (or a private alias such as `_Column(...)`) directly in a class body.
- `model-query` (ALC102): `Name.query` read (not called) where `Name` is capitalised.
- `backref` (ALC106): a `backref=` keyword argument.

Then `sqla-checks --select ALC101,ALC102,ALC103,ALC104,ALC106` runs once over every
project, and a finding counts for a place when it is in the same file on the same
line. Recall is found / counted. The `ast` count is spelling only, so it also counts
some places that are not SQLAlchemy (a precision review is separate). Alembic
revision files are left out of the count, found as sqla-checks finds them
(`sqla_checks.engine.alembic_revisions`): an applied migration is history, not code
to modernise, and sqla-checks does not run the legacy rules on them.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.pypi_sources import DownloadError, download, unpacked
from sqla_checks.engine.alembic_revisions import AlembicRevisions

REPO_ROOT = Path(__file__).resolve().parents[1]

# Legacy (1.x-style) applications, then modern async SQLAlchemy 2 ones.
LEGACY = (
    "mlflow==2.22.0",
    "apache-airflow==2.10.5",
    "Flask-AppBuilder==4.5.3",
    "optuna==4.2.1",
    "ckan==2.11.3",
    "indico==3.2.9",
    "Flask-Admin==1.6.1",
)
MODERN = (
    "prefect==3.4.1",
    "advanced-alchemy==1.4.4",
    "fastapi-users-db-sqlalchemy==7.0.0",
    "sqladmin==0.20.1",
)
# Which findings count for which kind of place.
CODES = {
    "query-calls": ("ALC101", "ALC103"),
    "model-columns": ("ALC104",),
    "model-query": ("ALC102",),
    "backref": ("ALC106",),
}


@dataclass
class Places:
    """The (file, line) places of each kind, in one project."""

    by_kind: dict[str, set[tuple[str, int]]] = field(
        default_factory=lambda: {kind: set() for kind in CODES}
    )
    files: int = 0
    revisions_skipped: int = 0


class _Counter(ast.NodeVisitor):
    def __init__(self, path: str, places: Places) -> None:
        self.path = path
        self.places = places
        self.called: set[int] = set()

    def _add(self, kind: str, node: ast.expr | ast.keyword) -> None:
        self.places.by_kind[kind].add((self.path, node.lineno))

    def visit_Call(self, node: ast.Call) -> None:
        self.called.add(id(node.func))
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "query" and node.args:
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                self._add("query-calls", node)
        for keyword in node.keywords:
            if keyword.arg == "backref":
                self._add("backref", keyword)
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for statement in node.body:
            value = statement.value if isinstance(statement, ast.Assign | ast.AnnAssign) else None
            # `Column`, `db.Column`, `sa.Column`, and private aliases like `_Column`.
            if isinstance(value, ast.Call) and (_called_name(value) or "").lstrip("_") == "Column":
                self._add("model-columns", value)
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if (
            node.attr == "query"
            and id(node) not in self.called
            and isinstance(node.value, ast.Name)
            and node.value.id[:1].isupper()
        ):
            self._add("model-query", node)
        self.generic_visit(node)


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def python_files(root: Path) -> Iterator[Path]:
    """The project's modules (no metadata folders)."""
    for path in sorted(root.rglob("*.py")):
        if not any(part.endswith((".dist-info", ".data")) for part in path.parts):
            yield path


def count_places(root: Path) -> tuple[Places, set[str]]:
    """Places by kind, and the revision files left out (resolved paths)."""
    places = Places()
    revisions: set[str] = set()
    detector = AlembicRevisions()
    for path in python_files(root):
        data = path.read_bytes()
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError):
            continue
        places.files += 1
        if detector.why_revision(str(path.resolve()), data) is not None:
            revisions.add(str(path.resolve()))
            continue
        counter = _Counter(str(path.resolve()), places)
        # Calls are visited before their func attribute, so `called` is filled in time.
        counter.visit(tree)
    places.revisions_skipped = len(revisions)
    return places, revisions


def findings(root: Path) -> dict[str, set[tuple[str, int]]]:
    """This repository's sqla-checks on `root`: (file, line) by code."""
    command = (
        sys.executable,
        "-m",
        "sqla_checks",
        "--select",
        ",".join(sorted({code for codes in CODES.values() for code in codes})),
        # Text, not JSON: positions are all this needs, and JSON computes fix edits.
        "--quiet",
        "--no-cache",
        "--exit-zero",
        str(root.resolve()),
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "checks")}
    # From an empty folder, so no project configuration of ours applies.
    with tempfile.TemporaryDirectory() as empty:
        cwd = Path(empty)
        completed = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if completed.returncode not in (0, 2):
        raise RuntimeError(f"sqla-checks failed on {root}:\n{completed.stderr[-2000:]}")
    by_code: dict[str, set[tuple[str, int]]] = {}
    for line in completed.stdout.splitlines():
        # path:line:column: CODE message
        location, _, rest = line.partition(": ")
        path, line_number, _column = location.rsplit(":", 2)
        code = rest.split(" ", 1)[0]
        place = (str((cwd / path).resolve()), int(line_number))
        by_code.setdefault(code, set()).add(place)
    return by_code


@dataclass(frozen=True)
class Row:
    """Recall of one kind of place in one project."""

    project: str
    kind: str
    counted: int
    found: int
    outside_count: int  # findings of these codes at places the ast pass did not count

    @property
    def recall(self) -> float | None:
        return self.found / self.counted if self.counted else None


def measure(requirement: str, work: Path) -> tuple[list[Row], int, int]:
    """Rows for one project, its file count and how many revision files were left out."""
    archive = download(requirement, work / "downloads", sdist=False)
    root = unpacked(archive, work / "projects" / requirement.replace("==", "-"))
    places, revisions = count_places(root)
    found = findings(root)
    rows = []
    for kind, codes in CODES.items():
        reported = {place for code in codes for place in found.get(code, set())}
        reported = {place for place in reported if place[0] not in revisions}
        counted = places.by_kind[kind]
        rows.append(
            Row(requirement, kind, len(counted), len(counted & reported), len(reported - counted))
        )
    return rows, places.files, places.revisions_skipped


def _markdown(rows: Sequence[Row], files: dict[str, tuple[int, int]]) -> str:
    lines = [
        "| project | files (revisions left out) | kind | ast count | found | recall | "
        "findings outside the count |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        recall = "-" if row.recall is None else f"{row.recall:.0%}"
        count, revisions = files[row.project]
        lines.append(
            f"| {row.project} | {count} ({revisions}) | {row.kind} | {row.counted} | "
            f"{row.found} | {recall} | {row.outside_count} |"
        )
    totals: dict[str, list[int]] = {}
    for row in rows:
        total = totals.setdefault(row.kind, [0, 0])
        total[0] += row.counted
        total[1] += row.found
    for kind, (counted, found) in totals.items():
        recall = f"{found / counted:.0%}" if counted else "-"
        lines.append(f"| **all** | | {kind} | {counted} | {found} | {recall} | |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure every pinned project and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--work", type=Path, help="where downloads are kept")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    parser.add_argument("--project", action="append", help="only these requirements")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.gettempdir()) / "sqla-checks-recall"
    rows: list[Row] = []
    files: dict[str, tuple[int, int]] = {}
    for requirement in args.project or (*LEGACY, *MODERN):
        print(f"measuring {requirement}", file=sys.stderr)
        try:
            project_rows, count, revisions = measure(requirement, work)
        except DownloadError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        rows.extend(project_rows)
        files[requirement] = (count, revisions)
    print(_markdown(rows, files))
    if args.json:
        data = [{**row.__dict__, "recall": row.recall} for row in rows]
        args.json.write_text(json.dumps(data, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
