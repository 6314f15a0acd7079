"""Checking one file: decode, prefilter, parse once, one batched visit, positions last."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import libcst as cst

from sqla_checks.contract import tree_walk
from sqla_checks.contract.finding import FileError, FileResult, Finding, FixInfo, Position
from sqla_checks.contract.positions import NodePositions
from sqla_checks.contract.rule import Applicability, Report, Rule
from sqla_checks.engine import registry
from sqla_checks.engine.noqa import FileNoqa, read_noqa
from sqla_checks.engine.parse_errors import parse_error
from sqla_checks.engine.parse_limits import parse_refusal
from sqla_checks.engine.source import SourceError, decode_source
from sqla_checks.engine.unused_noqa import UNUSED_NOQA, may_report, unused_noqa_reports
from sqla_checks.evidence.context import FileContext, ScopeEnter, ScopeLeave
from sqla_checks.evidence.project_facts import ProjectFacts
from sqla_checks.evidence.sqlalchemy_api import Target

if TYPE_CHECKING:
    from libcst.metadata import Scope

    from sqla_checks.fixes.text_edits import FixEdits

# --fix stops after this many rounds even if fixes keep producing new fixable code.
# Every round applies all fixes that do not overlap, so the number of findings does
# not matter: rounds are needed only for fixes nested inside each other (a query
# chain inside another's argument) and for fixed code that trips another rule, a few
# levels in real code. The bound stays for a fix that keeps producing fixable code.
MAX_FIX_ROUNDS = 10


@dataclass(frozen=True)
class RunOptions:
    """How findings are turned into output and fixes."""

    fix: bool = False
    unsafe_fixes: bool = False
    # Fix edits are only computed when an output format shows them (json, sarif).
    with_edits: bool = False
    # The oldest SQLAlchemy release the project runs on (None: unknown, the newest).
    target: Target | None = None


def check_source(
    path: str,
    data: bytes,
    rules: Sequence[type[Rule]],
    options: RunOptions = RunOptions(),
    project: ProjectFacts | None = None,
) -> FileResult:
    """Check the bytes of one file with `rules`; never raises for bad input.

    `project` holds the facts of the whole run (None: the file is checked alone).
    """
    result = FileResult(path=path)
    try:
        text = decode_source(Path(path), data).text
    except SourceError as exc:
        result.error = FileError(path=path, reason=str(exc))
        return result
    active = _applicable(rules, path, text)
    if not active:
        return result
    refusal = parse_refusal(text, len(data))
    if refusal is not None:
        result.error = FileError(path=path, reason=refusal)
        return result
    try:
        module = cst.parse_module(data)
    except cst.ParserSyntaxError as exc:
        result.error = parse_error(path, text, exc)
        return result
    except cst.CSTValidationError as exc:
        # The grammar accepted it, the node rules did not (e.g. an identifier made of
        # characters this Python's Unicode database does not know).
        result.error = FileError(path=path, reason=f"cannot parse file: {exc}")
        return result
    except RecursionError:
        return _too_deep(path)
    if options.fix and module.bytes != data:
        # libcst does not reproduce this file exactly (seen: a lone backslash
        # continuation line is dropped), so any fix would also rewrite unrelated
        # text. Report the findings, fix nothing.
        options = dataclasses.replace(options, fix=False)
    try:
        return _check_module(path, text, module, rules, active, options, result, project)
    except RecursionError:
        return _too_deep(path)


def _too_deep(path: str) -> FileResult:
    # Valid Python nested deeper than libcst's recursive visitors can walk; the
    # partial result is dropped with it.
    reason = "nested too deeply to check (recursion limit)"
    return FileResult(path=path, error=FileError(path=path, reason=reason))


def _check_module(
    path: str,
    text: str,
    module: cst.Module,
    rules: Sequence[type[Rule]],
    active: list[type[Rule]],
    options: RunOptions,
    result: FileResult,
    project: ProjectFacts | None,
) -> FileResult:
    reports: list[tuple[type[Rule], Report]] | None = None
    if options.fix:
        original_code = module.code
        module, applied, reports = _fix_until_stable(
            path, text, module, active, rules, options, project
        )
        if module.code != original_code:
            result.fixed_source = module.bytes
            result.fixes_applied = applied.total()
            result.fixed_codes = dict(applied)
            text = module.code
            # Fixed code may trip (or no longer trip) another rule's prefilter; the
            # last round's reports only stand for the rules it ran.
            now_active = _applicable(rules, path, text)
            if now_active != active:
                active, reports = now_active, None
    scopes = None
    if reports is None:
        reports, context = _visit_with_context(path, text, module, active, options.target, project)
        bindings = context.built_bindings() if context is not None else None
        scopes = bindings.scopes if bindings is not None else None
    result.findings, noqa = _to_findings(
        path, text, module, reports, rules, options.with_edits, scopes
    )
    result.warnings = noqa.warnings
    return result


def _applicable(rules: Sequence[type[Rule]], path: str, text: str) -> list[type[Rule]]:
    """The prefilter: rules that could match this file at all."""
    return [rule for rule in rules if rule.applies_to_path(path) and rule.applies_to_text(text)]


def _visit(
    path: str,
    text: str,
    module: cst.Module,
    rules: Sequence[type[Rule]],
    target: Target | None = None,
    project: ProjectFacts | None = None,
) -> list[tuple[type[Rule], Report]]:
    """Run every rule over the tree in one traversal and gather their reports."""
    return _visit_with_context(path, text, module, rules, target, project)[0]


def _visit_with_context(
    path: str,
    text: str,
    module: cst.Module,
    rules: Sequence[type[Rule]],
    target: Target | None = None,
    project: ProjectFacts | None = None,
) -> tuple[list[tuple[type[Rule], Report]], FileContext | None]:
    """`_visit`, and the file's context (with what the rules made it compute)."""
    if not rules:
        return [], None
    context = FileContext(path, text, module, target=target, project=project)
    instances = [rule(context) for rule in rules]
    # Session evidence is gathered in the same traversal, ahead of the rules.
    evidence = [context.sessions.binder] if context.uses_sqlalchemy else []
    visitors = [ScopeEnter(context), *evidence, *instances, ScopeLeave(context)]
    tree_walk.visit_batched(module, visitors, on_statement=context.enter_statement)
    reports = [(type(instance), report) for instance in instances for report in instance.reports]
    return reports, context


def _to_findings(
    path: str,
    text: str,
    module: cst.Module,
    reports: list[tuple[type[Rule], Report]],
    selected: Sequence[type[Rule]],
    with_edits: bool,
    scopes: Mapping[cst.CSTNode, Scope | None] | None = None,
) -> tuple[list[Finding], FileNoqa]:
    reports, noqa, positions = _unsuppressed(text, module, reports, selected)
    if not reports:
        return [], noqa
    if positions is None:
        # Computed when asked: only files with something to report get here.
        positions = NodePositions(module, text)
    edits: FixEdits | None = None
    if with_edits and any(report.fix is not None for _, report in reports):
        # The fix modules (and libcst's codemod visitors) load only when needed.
        from sqla_checks.fixes.text_edits import FixEdits

        edits = FixEdits(module, text, positions, scopes)
    findings: list[Finding] = []
    for rule, report in reports:
        code_range = positions.range_of(report.node, report.statement)
        start = Position(code_range.start.line, code_range.start.column + 1)
        end = Position(code_range.end.line, code_range.end.column + 1)
        fix_info = None
        if report.fix is not None:
            fix_info = FixInfo(
                applicability=report.fix.applicability,
                description=report.fix.description or f"Fix {rule.code}",
                edits=() if edits is None else edits.edits(report.fix),
            )
        findings.append(
            Finding(
                path=path,
                code=rule.code,
                name=rule.name,
                message=report.message,
                start=start,
                end=end,
                url=rule.url(),
                fix=fix_info,
            )
        )
    findings.sort(key=Finding.sort_key)
    return findings, noqa


def _fix_until_stable(
    path: str,
    text: str,
    module: cst.Module,
    rules: Sequence[type[Rule]],
    selected: Sequence[type[Rule]],
    options: RunOptions,
    project: ProjectFacts | None,
) -> tuple[cst.Module, Counter[str], list[tuple[type[Rule], Report]] | None]:
    """Apply fixes round by round until a round changes nothing.

    Returns the final module; the codes of the fixes applied over all rounds (one per
    fix that landed); and the reports of the final module when the last round saw it
    unchanged (None when the round limit cut the loop short).
    """
    from sqla_checks.fixes.apply import apply_fixes

    allowed: set[Applicability] = {"safe", "unsafe"} if options.unsafe_fixes else {"safe"}
    applied: Counter[str] = Counter()
    for _ in range(MAX_FIX_ROUNDS):
        reports = _visit(path, text, module, rules, options.target, project)
        # Directives are read from this round's text: a fix that adds an import moves
        # every line below it (tests/engine/test_noqa.py). Without a `noqa` in the text
        # the read is one substring test.
        unsuppressed, _, _ = _unsuppressed(text, module, reports, selected)
        candidates = [
            (rule.code, report.fix)
            for rule, report in unsuppressed
            if report.fix is not None and report.fix.applicability in allowed
        ]
        if not candidates:
            return module, applied, reports
        code_of = {id(fix): code for code, fix in candidates}
        new_module, landed = apply_fixes(module, [fix for _, fix in candidates])
        if not landed or new_module.code == module.code:
            return module, applied, reports
        applied.update(code_of[id(fix)] for fix in landed)
        module = new_module
        text = module.code
    return module, applied, None


def _unsuppressed(
    text: str,
    module: cst.Module,
    reports: list[tuple[type[Rule], Report]],
    selected: Sequence[type[Rule]],
) -> tuple[list[tuple[type[Rule], Report]], FileNoqa, NodePositions | None]:
    """The reports no `# noqa` silences, plus unused-noqa's own when it is selected;
    and the positions, when they had to be computed (only if a directive may matter)."""
    known = {rule.code for rule in registry.all_rules()}
    noqa = read_noqa(text, known)
    unused_rule = next((rule for rule in selected if rule.code == UNUSED_NOQA), None)
    has_directives = noqa.directives or noqa.exempt_all or noqa.exempt_codes
    if not has_directives or not (reports or unused_rule):
        return reports, noqa, None
    if noqa.exempt_all:
        return [], noqa, None
    codes = {rule.code for rule in selected}
    if unused_rule is not None and not may_report(noqa, codes, known):
        unused_rule = None
    if unused_rule is None and not noqa.may_silence({rule.code for rule, _ in reports}):
        # Only the file-level codes can silence a finding: no line is needed.
        kept = [(rule, report) for rule, report in reports if rule.code not in noqa.exempt_codes]
        return kept, noqa, None
    positions = NodePositions(module, text)
    kept = [
        (rule, report)
        for rule, report in reports
        if not noqa.suppresses(
            rule.code, positions.range_of(report.node, report.statement).start.line
        )
    ]
    if unused_rule is not None:
        unused = unused_noqa_reports(noqa, codes, known, positions)
        kept.extend((unused_rule, report) for report in unused)
    return kept, noqa, positions
