"""The measured precision of each rule, as `references/rules.md` shows it.

The numbers come from a hand review of findings on real applications, kept in the
repository as `benchmarks/precision/review.jsonl`; `python -m benchmarks.precision
summary --write` turns that record into `measured_precision.json` beside this module,
the one copy the reference renders (the tests check it against the record).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

from sqla_checks.contract.rule import Rule

DATA_FILE = "measured_precision.json"
HEADING = "Measured precision"


@dataclass(frozen=True)
class RulePrecision:
    """One rule's reviewed sample: its size, the false positives and what they were."""

    findings: int  # in the whole corpus
    sample: int
    false_positives: int
    what_they_were: tuple[str, ...]
    fixed_false_positives: int  # found in the review, no longer reported
    fixed: tuple[str, ...]  # what those were


@dataclass(frozen=True)
class MeasuredPrecision:
    """The review: which releases, when, and each rule's result."""

    corpus: tuple[str, ...]
    reviewed: str
    rules: dict[str, RulePrecision]
    # Async applications on which only the ALC2xx findings were collected.
    async_corpus: tuple[str, ...] = ()


def load() -> MeasuredPrecision:
    """The packaged summary of the review."""
    text = resources.files(__package__).joinpath(DATA_FILE).read_text(encoding="utf-8")
    data = json.loads(text)
    rules = {
        code: RulePrecision(
            entry["findings"],
            entry["sample"],
            entry["false_positives"],
            tuple(entry["what_they_were"]),
            entry["fixed_false_positives"],
            tuple(entry["fixed"]),
        )
        for code, entry in data["rules"].items()
    }
    return MeasuredPrecision(
        tuple(data["corpus"]), data["reviewed"], rules, tuple(data.get("async_corpus", ()))
    )


def async_totals(measured: MeasuredPrecision) -> tuple[int, int, int]:
    """The ALC2xx rules together: findings reviewed, false positives, fixed ones."""
    results = [result for code, result in measured.rules.items() if code.startswith("ALC2")]
    return (
        sum(result.sample for result in results),
        sum(result.false_positives for result in results),
        sum(result.fixed_false_positives for result in results),
    )


def _percent(result: RulePrecision) -> str:
    if not result.sample:
        return "-"  # nothing left to review: its false positives were all fixed
    share = (result.sample - result.false_positives) / result.sample
    return f"{share:.1%}".replace(".0%", "%")


def render(rules: Sequence[type[Rule]], measured: MeasuredPrecision, level: int = 2) -> str:
    """The Markdown section: a table per rule, then every false positive found."""
    top = "#" * level
    sub = "#" * (level + 1)
    corpus = ", ".join(f"`{release}`" for release in measured.corpus)
    rows = [
        "| Rule | Findings in the corpus | Reviewed | False positives | Precision"
        " | False positives fixed since the review |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    unmeasured = []
    for rule in rules:
        result = measured.rules.get(rule.code)
        if result is None:
            unmeasured.append(f"`{rule.code}`")
            continue
        sample = "all" if result.sample == result.findings else f"{result.sample}"
        rows.append(
            f"| {rule.code} | {result.findings} | {sample} | {result.false_positives}"
            f" | {_percent(result)} | {result.fixed_false_positives} |"
        )
    reviewed = sum(result.sample for result in measured.rules.values())
    async_corpus = ", ".join(f"`{release}`" for release in measured.async_corpus)
    async_apps = (
        " The async rules (ALC2xx) are also run, alone (`--select ALC2`), on released"
        f" applications built on SQLAlchemy's asyncio extension ({async_corpus}), whose"
        " findings are reviewed whole."
        if async_corpus
        else ""
    )
    parts = [
        f"{top} {HEADING}",
        "How often a finding is right, judged by hand on real applications: the findings"
        " of `sqla-checks --select ALL` on the pinned releases of the recall benchmark"
        f" ({corpus}), reviewed on {measured.reviewed}. Per rule, a seeded sample of up to"
        " 150 findings (all of them where the corpus has fewer) was read in its code,"
        f" {reviewed} findings in all; a false positive is a finding the rule's own"
        " description says it should not make. A rule with a handful of findings is"
        " reviewed whole, which says little about its precision elsewhere. The record,"
        " one verdict and reason per finding, is `benchmarks/precision/review.jsonl`;"
        " `python -m benchmarks.precision` draws the sample and summarises it." + async_apps,
        "\n".join(rows),
    ]
    async_reviewed, async_false, async_fixed = async_totals(measured)
    if async_reviewed:
        parts.append(
            f"The async rules together: {async_reviewed} findings reviewed,"
            f" {async_false} false positives ({async_fixed} more fixed since the review)."
        )
    if unmeasured:
        parts.append(f"No finding in the corpus, so not measured: {', '.join(unmeasured)}.")
    remaining = {code: result.what_they_were for code, result in measured.rules.items()}
    fixed = {code: result.fixed for code, result in measured.rules.items()}
    parts.append(f"{sub} False positives\n\n" + _listed(remaining))
    parts.append(
        f"{sub} False positives fixed since the review\n\n"
        "Found in the review and no longer reported (the sample was topped up with"
        " findings drawn in their place); each change has a test beside a look-alike"
        " that is still reported.\n\n" + _listed(fixed)
    )
    return "\n\n".join(parts) + "\n"


def _listed(items_by_rule: dict[str, tuple[str, ...]]) -> str:
    items = [f"- {code}: {item}" for code, items in items_by_rule.items() for item in items]
    return "\n".join(items) if items else "None."
