"""The benchmark stages, run in order over one corpus and gathered into `Results`."""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import sqla_checks
from benchmarks import stages
from benchmarks.cli_runs import CliRun, CliWorkspace
from benchmarks.corpus import Corpus
from benchmarks.formats import run_formats
from benchmarks.results import Results, Row, RuleCost
from benchmarks.timing import Timing, measure, progress
from sqla_checks.contract.rule import Rule
from sqla_checks.engine.registry import all_rules

# In the order they run; `per-rule` is opt-in (it runs the corpus once per rule).
STAGES = ("parse", "engine", "prefilter", "fixit", "cli", "memory")
OPTIONAL_STAGES = ("per-rule", "formats")


@dataclass(frozen=True)
class Settings:
    """How much to run: repeats per measurement, which stages, CLI worker count."""

    repeat: int
    # The prefilter-off and Fixit-style passes cost several engine runs each, and
    # their effect is large; fewer repeats keep the whole run within minutes.
    baseline_repeat: int
    stages: frozenset[str]
    jobs: int


def environment(settings: Settings, rules: Sequence[type[Rule]]) -> dict[str, Any]:
    """Where and with what the numbers were measured."""
    return {
        "date": datetime.date.today().isoformat(),
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "platform": f"{platform.system()} {platform.machine()}",
        "cpus": os.cpu_count(),
        "libcst": importlib.metadata.version("libcst"),
        # libcst's native (Rust) parser is the default; the pure-Python one is slower.
        "libcst_parser": os.environ.get("LIBCST_PARSER_TYPE", "native"),
        "sqla_checks": sqla_checks.__version__,
        "rules": len(rules),
        "repeat": settings.repeat,
        "baseline": settings.baseline_repeat,
        "jobs": settings.jobs,
        "load_before": os.getloadavg()[0],
    }


def describe(corpus: Corpus) -> dict[str, Any]:
    """Size and make-up of the corpus, for the report header."""
    return {
        "description": corpus.description,
        "root": str(corpus.root),
        "files": len(corpus.files),
        "lines": corpus.lines,
        "bytes": corpus.size_bytes,
        "files_by_kind": dict(Counter(source.kind for source in corpus.files)),
        "largest_file_lines": corpus.largest().lines,
    }


def run_suite(corpus: Corpus, settings: Settings, scratch: Path) -> Results:
    """Run the selected stages over `corpus`; `scratch` holds the CLI's cache."""
    rules = all_rules()
    results = Results(environment=environment(settings, rules), corpus=describe(corpus))
    files, lines = len(corpus.files), corpus.lines
    wanted = settings.stages
    progress(f"corpus: {files} files, {lines:,} lines ({corpus.description})")

    if "parse" in wanted:
        progress("parse only")
        timing, outcome = measure(lambda: stages.parse_only(corpus), settings.repeat, "parse")
        note = f"{outcome.errors} files do not parse" if outcome.errors else ""
        results.rows.append(Row("parse", "libcst parse only", timing, files, lines, note=note))

    if "engine" in wanted:
        progress("engine (check_source, all rules)")
        timing, outcome = measure(lambda: stages.engine(corpus, rules), settings.repeat, "engine")
        results.findings["engine"] = outcome.findings
        results.rows.append(Row("engine", "engine: check_source, all rules", timing, files, lines))

    if "prefilter" in wanted:
        _prefilter(corpus, rules, settings, results)

    if "fixit" in wanted:
        progress("Fixit-style (positions + parents on every file)")
        timing, outcome = measure(
            lambda: stages.fixit_style(corpus, rules), settings.baseline_repeat, "fixit-style"
        )
        results.rows.append(
            Row(
                "fixit_style",
                "Fixit-style: prefilter off + Position + Parent metadata",
                timing,
                files,
                lines,
                note=f"{outcome.findings} reports",
            )
        )

    if "cli" in wanted:
        _cli(corpus, rules, settings, results, scratch)

    if "memory" in wanted:
        _memory(corpus, rules, results)
        if "cli" not in wanted:
            # Without the CLI stage, one single-process run still gives the peak RSS.
            _cli(corpus, rules, settings, results, scratch, only="cli_no_cache_jobs1")

    if "per-rule" in wanted:
        _per_rule(corpus, rules, settings, results)

    if "formats" in wanted:
        # Its own corpora (legacy_blog, 500 legacy modules), whatever --corpus says.
        workspace = CliWorkspace(scratch / "cli", [rule.code for rule in rules])
        run_formats(workspace, settings.repeat, results, scratch)

    results.environment["load_after"] = os.getloadavg()[0]
    return results


def _prefilter(
    corpus: Corpus, rules: Sequence[type[Rule]], settings: Settings, results: Results
) -> None:
    progress("prefilter statistics, then the engine with the prefilter off")
    results.prefilter = stages.prefilter_stats(corpus, rules)
    forced = stages.without_prefilter(rules)
    timing, outcome = measure(
        lambda: stages.engine(corpus, forced), settings.baseline_repeat, "prefilter off"
    )
    results.findings["prefilter off"] = outcome.findings
    results.rows.append(
        Row(
            "engine_no_prefilter",
            "engine, prefilter off (every file parsed)",
            timing,
            len(corpus.files),
            corpus.lines,
        )
    )


def _cli(
    corpus: Corpus,
    rules: Sequence[type[Rule]],
    settings: Settings,
    results: Results,
    scratch: Path,
    only: str | None = None,
) -> None:
    workspace = CliWorkspace(scratch / "cli", [rule.code for rule in rules])
    files, lines = len(corpus.files), corpus.lines
    jobs = str(settings.jobs)
    root, no_cache = corpus.root, ("--no-cache",)
    one, many = ("--jobs", "1"), ("--jobs", jobs)
    # (key, label, target, options, clear the cache before each run)
    scenarios: list[tuple[str, str, Path, tuple[str, ...], bool]] = [
        ("cli_startup", "CLI startup (empty directory)", workspace.empty, no_cache, False),
        ("cli_no_cache_jobs1", "CLI --no-cache --jobs 1", root, (*no_cache, *one), False),
        ("cli_no_cache_jobsN", f"CLI --no-cache --jobs {jobs}", root, (*no_cache, *many), False),
        ("cli_cold_cache", f"CLI cold cache (empty) --jobs {jobs}", root, many, True),
        ("cli_warm_cache", f"CLI warm cache --jobs {jobs}", root, many, False),
        ("cli_warm_cache_jobs1", "CLI warm cache --jobs 1", root, one, False),
    ]
    for key, label, target, options, cold in scenarios:
        if only is not None and key != only:
            continue
        progress(label)
        runs: list[CliRun] = []
        for _ in range(settings.repeat):
            if cold:
                workspace.clear_cache()
            runs.append(workspace.run(target, *options))
        progress("  " + ", ".join(f"{run.seconds:.2f}" for run in runs) + " s")
        notes = []
        failed = [run for run in runs if run.exit_code not in (0, 1)]
        if failed:
            notes.append(f"exit {failed[0].exit_code}")
            progress(f"  exit {failed[0].exit_code}: {failed[0].stderr_tail.strip()[-500:]}")
        misses = [run.new_cache_entries for run in runs]
        if "--no-cache" not in options and not cold and any(misses):
            # Not warm after all: checks/ was edited during the run (see cli_runs).
            notes.append("NOT WARM: cache misses per run " + "/".join(map(str, misses)))
        note = "; ".join(notes)
        target_files, target_lines = (0, 0) if target == workspace.empty else (files, lines)
        results.rows.append(
            Row(
                key,
                label,
                Timing(tuple(run.seconds for run in runs)),
                target_files,
                target_lines,
                max_rss_kib=max(run.max_rss_kib for run in runs),
                note=note,
            )
        )


def _memory(corpus: Corpus, rules: Sequence[type[Rule]], results: Results) -> None:
    largest = corpus.largest()
    one = stages.single_file(corpus, largest)
    progress(f"tracemalloc peaks on the largest file ({largest.lines} lines)")
    prefix = f"tracemalloc peak, largest file ({largest.lines:,} lines)"
    results.traced_peaks[f"{prefix}: parse only"] = stages.peak_traced_bytes(
        lambda: stages.parse_only(one)
    )
    results.traced_peaks[f"{prefix}: engine"] = stages.peak_traced_bytes(
        lambda: stages.engine(one, rules)
    )
    results.traced_peaks[f"{prefix}: Fixit-style"] = stages.peak_traced_bytes(
        lambda: stages.fixit_style(one, rules)
    )


def _per_rule(
    corpus: Corpus, rules: Sequence[type[Rule]], settings: Settings, results: Results
) -> None:
    for rule in rules:
        subset = stages.files_where_rule_applies(corpus, rule)
        if not subset.files:
            continue
        progress(f"{rule.code} alone on {len(subset.files)} files")
        parse, _ = measure(partial(stages.parse_only, subset), settings.repeat)
        alone, _ = measure(partial(stages.engine, subset, [rule]), settings.repeat)
        results.rule_costs.append(
            RuleCost(rule.code, len(subset.files), subset.lines, parse=parse, rule=alone)
        )
