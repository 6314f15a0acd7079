"""The measured precision in references/rules.md is the review record's, and complete."""

from __future__ import annotations

import json
import re
from pathlib import Path

from benchmarks import precision as review
from sqla_checks.engine.registry import all_rules
from sqla_checks.output import precision

REPO_ROOT = Path(__file__).resolve().parents[1]


def _summary() -> dict[str, object]:
    corpus = json.loads(review.CORPUS.read_text())
    return review.summarise(review.read_record(), corpus)


def test_the_packaged_summary_is_the_records() -> None:
    packaged = json.loads((Path(precision.__file__).parent / precision.DATA_FILE).read_text())
    assert packaged == _summary(), (
        "output/measured_precision.json is stale: run"
        " `python -m benchmarks.precision summary --write`"
    )


def test_the_reference_table_shows_the_records_numbers() -> None:
    reference = (REPO_ROOT / "references" / "rules.md").read_text()
    section = reference.split(f"## {precision.HEADING}\n", 1)[1]
    rows = re.findall(
        r"^\| (ALC\d{3}) \| (\d+) \| (all|\d+) \| (\d+) \| ([\d.]+%|-) \| (\d+) \|$", section, re.M
    )
    summary = _summary()["rules"]
    assert isinstance(summary, dict)
    shown = {
        code: (int(found), sample, int(false), share, int(fixed))
        for code, found, sample, false, share, fixed in rows
    }
    expected = {
        code: (
            result["findings"],
            "all" if result["sample"] == result["findings"] else str(result["sample"]),
            result["false_positives"],
            f"{100 * (1 - result['false_positives'] / result['sample']):.1f}%".replace(".0%", "%")
            if result["sample"]
            else "-",
            result["fixed_false_positives"],
        )
        for code, result in summary.items()
    }
    assert shown == expected
    for result in summary.values():
        for item in (*result["what_they_were"], *result["fixed"]):
            assert item in section


def test_every_rule_with_findings_has_a_big_enough_reviewed_sample() -> None:
    summary = _summary()["rules"]
    assert isinstance(summary, dict)
    for code, result in summary.items():
        assert result["sample"] >= min(review.SIZE, result["findings"]), code
    assert {rule.code for rule in all_rules()} >= summary.keys()


def test_every_verdict_has_a_reason_and_a_known_place() -> None:
    entries = review.read_record()
    assert len({entry.place for entry in entries}) == len(entries)
    for entry in entries:
        assert entry.verdict in review.VERDICTS, entry.place
        assert entry.reason and entry.reason.strip() and entry.reviewed, entry.place
        assert entry.place.project in (*review.LEGACY, *review.MODERN, *review.ASYNC_APPS)
        if entry.place.project in review.ASYNC_APPS:
            assert entry.place.code.startswith("ALC2"), entry.place  # the set collects only those


def test_the_reference_shows_the_async_rules_together() -> None:
    reference = (REPO_ROOT / "references" / "rules.md").read_text()
    section = reference.split(f"## {precision.HEADING}\n", 1)[1]
    measured = precision.load()
    reviewed, false, fixed = precision.async_totals(measured)
    assert reviewed >= 20, "the ALC2xx precision needs at least 20 reviewed findings"
    assert (
        f"The async rules together: {reviewed} findings reviewed, {false} false positives"
        f" ({fixed} more fixed since the review)." in section
    )
    for release in measured.async_corpus:
        assert f"`{release}`" in section


def test_the_sample_is_the_lowest_seeded_ranks() -> None:
    places = [
        review.Place("p==1", f"m{index}.py", index, 1, code)
        for index in range(400)
        for code in ("ALC101", "ALC102")
    ]
    drawn = review.draw(places, seed=3, size=150)
    assert {code: len(found) for code, found in drawn.items()} == {"ALC101": 150, "ALC102": 150}
    # Adding findings keeps every earlier pick that still ranks among the lowest.
    more = [*places, *(review.Place("p==1", "new.py", n, 1, "ALC101") for n in range(50))]
    again = review.draw(more, seed=3, size=150)
    cutoff = max(place.rank(3) for place in again["ALC101"])
    kept = {place for place in drawn["ALC101"] if place.rank(3) <= cutoff}
    assert kept <= set(again["ALC101"])
    assert len(kept) >= 100


def test_the_summary_adds_the_sets_findings_per_rule() -> None:
    def entry(project: str, code: str, verdict: str) -> review.Entry:
        place = review.Place(project, "m.py", 1, 1, code)
        return review.Entry(place, "", verdict, "why", "2026-12-03")

    corpus = {
        "recall": {"releases": ["legacy==1"], "findings": {"ALC101": 3, "ALC201": 1}},
        "async": {"releases": ["app==2"], "findings": {"ALC201": 2}},
    }
    entries = [entry("legacy==1", "ALC201", "tp"), entry("app==2", "ALC201", "fp")]
    summary = review.summarise(entries, corpus)
    assert summary["corpus"] == ["legacy==1"]
    assert summary["async_corpus"] == ["app==2"]
    rules = summary["rules"]
    assert isinstance(rules, dict)
    assert rules["ALC201"]["findings"] == 3
    assert rules["ALC201"]["false_positives"] == 1
    assert rules["ALC101"]["findings"] == 3
