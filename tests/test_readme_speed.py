"""The README's speed table is the record's: each row is what `SpeedRow.markdown()`
gives for a row of `benchmarks/results/project_speed.json` (written by `python -m
benchmarks.project_speed --json`). A rerun that changes a number fails here until the
README says the same."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.project_speed import HEADER, SpeedRow

REPO_ROOT = Path(__file__).resolve().parents[1]
RECORD = REPO_ROOT / "benchmarks" / "results" / "project_speed.json"


def test_the_readme_speed_table_is_the_recorded_one() -> None:
    record = json.loads(RECORD.read_text(encoding="utf-8"))
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert HEADER in readme
    table = readme[readme.index(HEADER) + len(HEADER) :].split("\n\n")[0].strip().splitlines()
    expected = [SpeedRow(**row).markdown() for row in record["rows"]]
    assert table == expected
    assert record["measured"] in readme  # the README says when
