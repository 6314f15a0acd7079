"""The README's table of recall and precision on real applications is the record's.

Recall comes from `benchmarks/results/recall.json` (the rows `python -m
benchmarks.recall --json` wrote), precision from the packaged summary of the
hand review (`output/measured_precision.json`, itself checked against the review
record by tests/test_measured_precision.py). A rerun of either that changes a
number fails here until the README says the same.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqla_checks.output import precision

REPO_ROOT = Path(__file__).resolve().parents[1]
RECALL = REPO_ROOT / "benchmarks" / "results" / "recall.json"
# A README row: `| rules | what | found / counted (P%) | reviewed | false positives |`.
ROW = re.compile(
    r"^\| (?P<rules>ALC\d{3}(?:, ALC\d{3})*) \| `(?P<kind>[a-z-]+)`: [^|]+ \| "
    r"(?P<found>\d+) / (?P<counted>\d+) \((?P<share>\d+)%\) \| "
    r"(?P<reviewed>\d+) \| (?P<false>\d+) \|$",
    re.M,
)


def _readme_rows() -> dict[str, dict[str, str]]:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    return {match["kind"]: match.groupdict() for match in ROW.finditer(text)}


def _recall_totals() -> dict[str, tuple[int, int]]:
    totals: dict[str, tuple[int, int]] = {}
    for row in json.loads(RECALL.read_text(encoding="utf-8")):
        found, counted = totals.get(row["kind"], (0, 0))
        totals[row["kind"]] = (found + row["found"], counted + row["counted"])
    return totals


def test_every_kind_of_place_has_a_row() -> None:
    assert set(_readme_rows()) == set(_recall_totals())


def test_the_recall_numbers_are_the_recorded_run() -> None:
    totals = _recall_totals()
    for kind, row in _readme_rows().items():
        found, counted = totals[kind]
        assert (int(row["found"]), int(row["counted"])) == (found, counted), kind
        assert int(row["share"]) == round(100 * found / counted), kind


def test_the_precision_numbers_are_the_reviewed_sample() -> None:
    packaged = json.loads((Path(precision.__file__).parent / precision.DATA_FILE).read_text())
    rules = packaged["rules"]
    for kind, row in _readme_rows().items():
        codes = row["rules"].split(", ")
        reviewed = sum(rules[code]["sample"] for code in codes)
        false = sum(rules[code]["false_positives"] for code in codes)
        assert (int(row["reviewed"]), int(row["false"])) == (reviewed, false), kind
