"""In-process measurements over a corpus held in memory (no disk I/O on the clock).

Each function here does one whole pass over the corpus and returns what it counted,
so the caller can time it with `benchmarks.timing.measure` and check that the
variants agree (the prefilter must not lose findings).
"""

from __future__ import annotations

import tracemalloc
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider

from benchmarks.corpus import Corpus, SourceFile
from sqla_checks.contract.rule import Rule

# `_visit` is the engine's one batched traversal; the Fixit-style pass calls it so
# that it runs exactly the engine's rules and differs only in the metadata it pays.
from sqla_checks.engine.runner import RunOptions, _visit, check_source
from sqla_checks.engine.source import SourceError, decode_source


@dataclass(frozen=True)
class Outcome:
    """What one pass over the corpus found: findings and files it could not check."""

    findings: int
    errors: int


def parse_only(corpus: Corpus) -> Outcome:
    """The baseline: `libcst.parse_module` on every file, nothing else."""
    errors = 0
    for source in corpus.files:
        try:
            cst.parse_module(source.data)
        except cst.ParserSyntaxError:
            errors += 1
    return Outcome(findings=0, errors=errors)


def engine(corpus: Corpus, rules: Sequence[type[Rule]]) -> Outcome:
    """`check_source` on every file, as the CLI runs it (prefilter, positions last)."""
    findings = errors = 0
    options = RunOptions()
    for source in corpus.files:
        result = check_source(source.path, source.data, rules, options)
        findings += len(result.findings)
        errors += result.error is not None
    return Outcome(findings=findings, errors=errors)


def without_prefilter(rules: Sequence[type[Rule]]) -> tuple[type[Rule], ...]:
    """The same rules with a prefilter that always says yes: every file is parsed."""
    return tuple(_always_applies(rule) for rule in rules)


def _always_applies(rule: type[Rule]) -> type[Rule]:
    def applies_to_text(cls: type[Rule], text: str) -> bool:
        return True

    # A subclass keeps the rule's visitors, code and messages; only the prefilter
    # changes, so the engine itself runs unmodified.
    namespace = {"applies_to_text": classmethod(applies_to_text)}
    return type(rule.__name__, (rule,), namespace)


def fixit_style(corpus: Corpus, rules: Sequence[type[Rule]]) -> Outcome:
    """Fixit's cost model: every file parsed, position and parent metadata resolved
    up front, then the engine's rules run in one batched visit."""
    findings = errors = 0
    for source in corpus.files:
        try:
            text = decode_source(Path(source.path), source.data).text
            module = cst.parse_module(source.data)
        except (SourceError, cst.ParserSyntaxError):
            errors += 1
            continue
        # Fixit builds its wrapper with unsafe_skip_copy=True too; no deep copy here.
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        wrapper.resolve(PositionProvider)
        wrapper.resolve(ParentNodeProvider)
        findings += len(_visit(source.path, text, module, rules))
    return Outcome(findings=findings, errors=errors)


@dataclass
class PrefilterStats:
    """Which files the text prefilter lets through to the parser, and why."""

    files: int = 0
    lines: int = 0
    parsed_files: int = 0
    parsed_lines: int = 0
    # kind -> [files, parsed files]
    by_kind: dict[str, list[int]] = field(default_factory=dict)
    # rule code -> files whose text trips the rule's prefilter
    trips: Counter[str] = field(default_factory=Counter)
    # rule code -> files parsed only because of this rule (no other rule applies)
    sole_reason: Counter[str] = field(default_factory=Counter)

    @property
    def skipped_share(self) -> float:
        return 1 - self.parsed_files / self.files if self.files else 0.0


def prefilter_stats(corpus: Corpus, rules: Sequence[type[Rule]]) -> PrefilterStats:
    """Apply each rule's prefilter the way the runner does, and count the outcomes."""
    stats = PrefilterStats()
    for source in corpus.files:
        active = _active_rules(source, rules)
        stats.files += 1
        stats.lines += source.lines
        kind = stats.by_kind.setdefault(source.kind, [0, 0])
        kind[0] += 1
        stats.trips.update(rule.code for rule in active)
        if active:
            stats.parsed_files += 1
            stats.parsed_lines += source.lines
            kind[1] += 1
        if len(active) == 1:
            stats.sole_reason[active[0].code] += 1
    return stats


def _active_rules(source: SourceFile, rules: Sequence[type[Rule]]) -> list[type[Rule]]:
    try:
        text = decode_source(Path(source.path), source.data).text
    except SourceError:
        return []
    return [
        rule for rule in rules if rule.applies_to_path(source.path) and rule.applies_to_text(text)
    ]


def peak_traced_bytes(action: Callable[[], object]) -> int:
    """Peak Python heap allocation (tracemalloc) while `action` runs."""
    tracemalloc.start()
    try:
        action()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


def single_file(corpus: Corpus, source: SourceFile) -> Corpus:
    """A corpus of one of `corpus`'s files (for per-file memory measurements)."""
    return Corpus(root=corpus.root, files=(source,), description=source.path)


def files_where_rule_applies(corpus: Corpus, rule: type[Rule]) -> Corpus:
    """The part of `corpus` that `rule`'s prefilter lets through."""
    files = tuple(source for source in corpus.files if _active_rules(source, [rule]))
    return Corpus(root=corpus.root, files=files, description=f"{rule.code} files")
