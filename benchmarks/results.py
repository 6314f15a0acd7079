"""What a benchmark run measured, and its two renderings: Markdown and JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from benchmarks.stages import PrefilterStats
from benchmarks.timing import Timing


@dataclass(frozen=True)
class Row:
    """One timed measurement over `files` files / `lines` lines."""

    key: str
    label: str
    timing: Timing
    files: int
    lines: int
    max_rss_kib: int | None = None
    note: str = ""


@dataclass(frozen=True)
class RuleCost:
    """One rule run alone on the files its prefilter lets through."""

    code: str
    files: int
    lines: int
    parse: Timing
    rule: Timing


@dataclass
class Results:
    """Everything one run of `benchmarks.run` measured."""

    environment: dict[str, Any]
    corpus: dict[str, Any]
    rows: list[Row] = field(default_factory=list)
    prefilter: PrefilterStats | None = None
    findings: dict[str, int] = field(default_factory=dict)
    # label -> peak bytes allocated while checking the corpus's largest file
    traced_peaks: dict[str, int] = field(default_factory=dict)
    rule_costs: list[RuleCost] = field(default_factory=list)

    def row(self, key: str) -> Row | None:
        return next((row for row in self.rows if row.key == key), None)

    def ratio(self, key: str, base: str) -> float | None:
        """median(key) / median(base), when both were measured."""
        row, base_row = self.row(key), self.row(base)
        if row is None or base_row is None or base_row.timing.median == 0:
            return None
        return row.timing.median / base_row.timing.median

    def ratios(self) -> dict[str, float]:
        """The comparisons the README interprets, by name."""
        pairs = {
            "engine_over_parse": ("engine", "parse"),
            "no_prefilter_over_engine": ("engine_no_prefilter", "engine"),
            "no_prefilter_over_parse": ("engine_no_prefilter", "parse"),
            "fixit_style_over_parse": ("fixit_style", "parse"),
            "fixit_style_over_no_prefilter": ("fixit_style", "engine_no_prefilter"),
            "fixit_style_over_engine": ("fixit_style", "engine"),
            "cli_jobs1_over_jobsN": ("cli_no_cache_jobs1", "cli_no_cache_jobsN"),
            "cli_cold_over_warm": ("cli_cold_cache", "cli_warm_cache"),
            "json_over_text_legacy_blog": ("format_json_legacy_blog", "format_text_legacy_blog"),
            "sarif_over_text_legacy_blog": ("format_sarif_legacy_blog", "format_text_legacy_blog"),
            "json_over_text_legacy500": ("format_json_legacy500", "format_text_legacy500"),
            "sarif_over_text_legacy500": ("format_sarif_legacy500", "format_text_legacy500"),
            "one_file_over_import_libcst": ("one_file", "import_libcst"),
        }
        found = {}
        for name, (key, base) in pairs.items():
            value = self.ratio(key, base)
            if value is not None:
                found[name] = value
        return found


def to_json(results: Results) -> str:
    """The machine-readable form: every sample, not only the summaries."""
    payload: dict[str, Any] = {
        "environment": results.environment,
        "corpus": results.corpus,
        "timings": {
            row.key: {
                "label": row.label,
                "samples_s": [round(sample, 4) for sample in row.timing.samples],
                "median_s": round(row.timing.median, 4),
                "min_s": round(row.timing.minimum, 4),
                "files": row.files,
                "lines": row.lines,
                "max_rss_kib": row.max_rss_kib,
                "note": row.note,
            }
            for row in results.rows
        },
        "ratios": {name: round(value, 3) for name, value in results.ratios().items()},
        "findings": results.findings,
        "traced_peak_bytes": results.traced_peaks,
    }
    if results.prefilter is not None:
        stats = results.prefilter
        payload["prefilter"] = {
            "files": stats.files,
            "parsed_files": stats.parsed_files,
            "lines": stats.lines,
            "parsed_lines": stats.parsed_lines,
            "skipped_share": round(stats.skipped_share, 4),
            "by_kind": {kind: {"files": f, "parsed": p} for kind, (f, p) in stats.by_kind.items()},
            "trips": dict(sorted(stats.trips.items())),
            "sole_reason": dict(sorted(stats.sole_reason.items())),
        }
    if results.rule_costs:
        payload["rule_costs"] = [
            {
                "code": cost.code,
                "files": cost.files,
                "lines": cost.lines,
                "parse_median_s": round(cost.parse.median, 4),
                "rule_median_s": round(cost.rule.median, 4),
            }
            for cost in results.rule_costs
        ]
    return json.dumps(payload, indent=2) + "\n"


def to_markdown(results: Results) -> str:
    """The human-readable report: environment, timings, prefilter, memory, ratios."""
    out: list[str] = []
    env, corpus = results.environment, results.corpus
    out.append(f"## sqla-checks benchmark, {env['date']}\n")
    out.append(
        f"- Machine: {env['cpus']} CPUs, {env['platform']}; Python {env['python']}, "
        f"libcst {env['libcst']} ({env['libcst_parser']} parser), "
        f"sqla-checks {env['sqla_checks']}"
    )
    out.append(
        f"- Load average (1 min) before/after: {env['load_before']:.2f} / "
        f"{env.get('load_after', float('nan')):.2f}; total run {env.get('total_s', 0):.0f} s"
    )
    kinds = ", ".join(f"{count} {kind}" for kind, count in corpus["files_by_kind"].items())
    out.append(
        f"- Corpus: {corpus['description']}: {corpus['files']} files ({kinds}), "
        f"{corpus['lines']:,} lines, {corpus['bytes'] / 1e6:.1f} MB; "
        f"{env['rules']} rules"
    )
    out.append(f"- Repeats: {env['repeat']} (prefilter-off and Fixit-style: {env['baseline']})\n")
    out.extend(_timing_table(results))
    out.extend(_prefilter_section(results))
    out.extend(_memory_section(results))
    out.extend(_rule_cost_section(results))
    out.extend(_ratio_section(results))
    return "\n".join(out) + "\n"


def _timing_table(results: Results) -> list[str]:
    if not results.rows:
        return []
    parse = results.row("parse")
    lines = [
        "| Measurement | runs | median s | min s | ms/file | lines/s | x parse | notes |",
        "|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    for row in results.rows:
        median = row.timing.median
        per_file = 1000 * median / row.files if row.files else 0.0
        rate = f"{row.lines / median:,.0f}" if median and row.lines else "-"
        times = f"{median / parse.timing.median:.2f}" if parse and row.lines else "-"
        lines.append(
            f"| {row.label} | {len(row.timing.samples)} | {median:.2f} | "
            f"{row.timing.minimum:.2f} | {per_file:.1f} | {rate} | {times} | {row.note} |"
        )
    return [*lines, ""]


def _prefilter_section(results: Results) -> list[str]:
    stats = results.prefilter
    if stats is None:
        return []
    out = [
        "### Prefilter",
        "",
        f"Parsed {stats.parsed_files} of {stats.files} files "
        f"({stats.parsed_files / stats.files:.0%}), {stats.parsed_lines:,} of "
        f"{stats.lines:,} lines ({stats.parsed_lines / max(stats.lines, 1):.0%}); "
        f"**{stats.skipped_share:.0%} of files never reach the parser**.",
        "",
        "| Files of kind | total | parsed |",
        "|---|--:|--:|",
    ]
    for kind, (total, parsed) in stats.by_kind.items():
        out.append(f"| {kind} | {total} | {parsed} ({parsed / total:.0%}) |")
    out += [
        "",
        "| Rule | files whose text trips it | files parsed only because of it |",
        "|---|--:|--:|",
    ]
    for code in sorted(stats.trips):
        out.append(f"| {code} | {stats.trips[code]} | {stats.sole_reason.get(code, 0)} |")
    if results.findings:
        agree = len(set(results.findings.values())) == 1
        shown = ", ".join(f"{key} {value}" for key, value in results.findings.items())
        verdict = "same" if agree else "**differ: the prefilter loses findings**"
        out += ["", f"Findings: {shown} ({verdict})."]
    return [*out, ""]


def _memory_section(results: Results) -> list[str]:
    rss = [(row.label, row.max_rss_kib) for row in results.rows if row.max_rss_kib is not None]
    if not results.traced_peaks and not rss:
        return []
    out = ["### Memory", "", "| Measurement | peak MiB |", "|---|--:|"]
    for label, peak in results.traced_peaks.items():
        out.append(f"| {label} | {peak / 2**20:.1f} |")
    for label, kib in rss:
        out.append(f"| peak RSS of the largest process: {label} | {kib / 1024:.0f} |")
    return [*out, ""]


def _rule_cost_section(results: Results) -> list[str]:
    if not results.rule_costs:
        return []
    out = [
        "### Cost of each rule alone (on the files its prefilter lets through)",
        "",
        "| Rule | files | lines | parse s | engine, this rule only s | (engine - parse) / parse |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for cost in results.rule_costs:
        parse, rule = cost.parse.median, cost.rule.median
        share = f"{(rule - parse) / parse:.2f}" if parse else "-"
        out.append(
            f"| {cost.code} | {cost.files} | {cost.lines:,} | {parse:.2f} | {rule:.2f} | {share} |"
        )
    return [*out, ""]


def _ratio_section(results: Results) -> list[str]:
    ratios = results.ratios()
    if not ratios:
        return []
    out = ["### Ratios (of medians)", ""]
    out += [f"- {name}: {value:.2f}" for name, value in ratios.items()]
    return [*out, ""]
