"""Checking many files: the rules for each file, the cache, and parallel workers.

This is the programmatic entry point the CLI and the language server are built on:

    plan = CheckPlan(SettingsResolver(overrides=Overrides(select=("ALC204",))))
    for checked in check_files(["app/db.py"], plan):
        print(checked.result.findings)

    # One document that is not on disk (an editor buffer, stdin):
    settings = settings_for("app/db.py")
    result = check_text("app/db.py", source_text, settings)

Results come back in the order of the paths given, whatever the number of workers.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqla_checks.contract.finding import FileError, FileResult
from sqla_checks.contract.rule import Rule
from sqla_checks.engine import registry
from sqla_checks.engine.cache import FindingsCache
from sqla_checks.engine.project_scan import Mapper, ProjectScan, SummaryJob
from sqla_checks.engine.runner import RunOptions, check_source
from sqla_checks.engine.settings import Overrides, Settings, SettingsResolver, settings_for
from sqla_checks.engine.source import SourceError, read_source_bytes
from sqla_checks.engine.workers import ShippedFacts, Workers
from sqla_checks.evidence.module_summary import ModuleSummary
from sqla_checks.evidence.project_facts import ProjectFacts, custom_query_classes
from sqla_checks.evidence.project_reads import answers_hold, recording

__all__ = [
    "CheckPlan",
    "CheckedFile",
    "Overrides",
    "Settings",
    "SettingsResolver",
    "check_files",
    "check_text",
    "settings_for",
]


@dataclass(frozen=True)
class CheckPlan:
    """What to run on every file: each file's settings and how to treat findings."""

    resolver: SettingsResolver
    options: RunOptions = field(default_factory=RunOptions)
    # None disables the cache; it is never used when fixing.
    cache: FindingsCache | None = None

    def codes_for(self, path: str) -> tuple[str, ...]:
        """The rule codes for `path`: its settings' selection minus its per-file-ignores."""
        return codes_for(path, self.resolver.settings_for(path), self.resolver.cwd)

    def is_revision(self, path: str, data: bytes) -> bool:
        """Whether `path` (its bytes `data`) is an Alembic revision file its settings
        exempt from the legacy and async rules."""
        settings = self.resolver.settings_for(path)
        return settings.revision_reason(self.resolver.absolute(path), data) is not None

    def options_for(self, path: str) -> RunOptions:
        """The run options for `path`: the plan's, with its settings' target release."""
        return dataclasses.replace(self.options, target=self.resolver.settings_for(path).target)


def codes_for(
    path: str, settings: Settings, cwd: Path | None = None, source: bytes | None = None
) -> tuple[str, ...]:
    """The rule codes `settings` run on `path` (relative paths against `cwd`);
    `source` is its content when that is not the file on disk."""
    return settings.codes_for(_absolute(path, cwd), source)


def _absolute(path: str, cwd: Path | None) -> str:
    return os.path.normpath(os.path.join(cwd or Path.cwd(), path))


@dataclass(frozen=True)
class CheckedFile:
    """One file's result, and the bytes the fix was computed from (when fixed)."""

    result: FileResult
    original: bytes | None = None
    from_cache: bool = False


@dataclass(frozen=True)
class _Task:
    path: str
    rule_codes: tuple[str, ...]
    options: RunOptions
    cache: FindingsCache | None
    project: ProjectFacts | ShippedFacts


def _rules_by_codes(codes: Sequence[str]) -> tuple[type[Rule], ...]:
    # Looked up through the module (not a cached copy) so the registry stays the one
    # source of rules, in worker processes as in this one.
    index = {rule.code: rule for rule in registry.all_rules()}
    return tuple(index[code] for code in codes)


def _check_data(
    path: str,
    data: bytes,
    rule_codes: Sequence[str],
    options: RunOptions,
    project: ProjectFacts | None = None,
) -> FileResult:
    try:
        return check_source(path, data, _rules_by_codes(rule_codes), options, project)
    except Exception as exc:
        # A crashing rule is a bug in the pack, not in the user's file; report it
        # against this file and keep checking the others.
        import traceback  # only on this error path

        frames = traceback.extract_tb(exc.__traceback__)
        last = frames[-1] if frames else None
        where = f"at {os.path.basename(last.filename)}:{last.lineno}; " if last else ""
        reason = (
            f"internal error while checking: {type(exc).__name__}: {exc} ({where}please report it)"
        )
        return FileResult(path=path, error=FileError(path, reason))


def check_file(task: _Task) -> CheckedFile:
    """Check one file (in a worker process or in this one); never raises."""
    try:
        data = read_source_bytes(task.path)
    except SourceError as exc:
        return CheckedFile(FileResult(path=task.path, error=FileError(task.path, str(exc))))
    project = task.project.facts() if isinstance(task.project, ShippedFacts) else task.project
    cache = None if task.options.fix else task.cache
    if cache is None:
        result = _check_data(task.path, data, task.rule_codes, task.options, project)
    else:
        options = task.options
        key = cache.key(task.path, data, task.rule_codes, options.with_edits, options.target)
        cached = _cached(task, cache, key, project)
        if cached is not None:
            return cached
        recorded, reads = recording(project)
        result = _check_data(task.path, data, task.rule_codes, options, recorded)
        # Results with warnings about noqa comments are not cached, so they warn every run.
        if result.error is None and not result.warnings:
            cache.store(key, result.findings, reads)
    original = data if result.fixed_source is not None else None
    return CheckedFile(result, original=original)


def _from_cache(task: _Task, project: ProjectFacts) -> CheckedFile | None:
    """The task's result when the cache holds it (and its project answers hold)."""
    if task.cache is None or task.options.fix:
        return None
    try:
        data = read_source_bytes(task.path)
    except SourceError:
        return None  # its check reports the error
    options = task.options
    key = task.cache.key(task.path, data, task.rule_codes, options.with_edits, options.target)
    return _cached(task, task.cache, key, project)


def _cached(
    task: _Task, cache: FindingsCache, key: str, project: ProjectFacts
) -> CheckedFile | None:
    cached = cache.load(key)
    if cached is None or not answers_hold(cached.questions, cached.answers, project):
        return None
    return CheckedFile(FileResult(path=task.path, findings=cached.findings), from_cache=True)


def check_files(paths: Sequence[str], plan: CheckPlan, jobs: int = 1) -> list[CheckedFile]:
    """Check `paths` with `plan`, in up to `jobs` processes.

    This process reads what the cache holds (module summaries, then files' findings);
    worker processes make the rest, when there is enough of it to pay for starting
    them: the index's summaries first, then the checks.
    """
    cache = None if plan.options.fix else plan.cache
    with Workers(min(jobs, len(paths))) as workers:

        def mapper(
            function: Callable[[SummaryJob], ModuleSummary | None], jobs: list[SummaryJob]
        ) -> Iterable[ModuleSummary | None]:
            return workers.map(function, jobs, [len(job[2]) for job in jobs])

        project = project_facts(paths, cache=cache, leave_out=plan.is_revision, mapper=mapper)
        tasks = [_task(plan, path, project) for path in paths]
        results = [_from_cache(task, project) for task in tasks]
        todo = [task for task, result in zip(tasks, results, strict=True) if result is None]
        shipped: ProjectFacts | ShippedFacts = project
        if workers.worth_it(len(todo)):
            shipped = ShippedFacts.of(project)
        batch = [dataclasses.replace(task, project=shipped) for task in todo]
        checked = iter(workers.map(check_file, batch, [_size(task.path) for task in batch]))
    return [result if result is not None else next(checked) for result in results]


def _task(plan: CheckPlan, path: str, project: ProjectFacts) -> _Task:
    return _Task(path, plan.codes_for(path), plan.options_for(path), plan.cache, project)


def _size(path: str) -> int:
    """A file's size, its check's cost estimate (a file that cannot be read costs
    nothing to check: its check reports the error)."""
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def project_facts(
    paths: Sequence[str],
    documents: Sequence[tuple[str, bytes]] = (),
    cache: FindingsCache | None = None,
    leave_out: Callable[[str, bytes], bool] | None = None,
    mapper: Mapper = map,
) -> ProjectFacts:
    """Facts every file's check needs from the others (one extra read of each file).

    `documents` are texts that are not read from disk (an editor buffer, stdin), as
    `(path, bytes)`; the modules they import are read from disk. With a `cache`, module
    summaries are kept there. Files `leave_out(path, bytes)` is true of tell the others
    nothing: Alembic revision files, which no module imports and whose `query_cls=`
    configures no session of the application. `mapper` makes the module summaries
    (`map`, or a process pool's).
    """
    triggers = (trigger for rule in registry.all_rules() for trigger in rule.triggers)
    scan = ProjectScan(triggers, cache, mapper)
    queries = []
    for path, data in _sources(paths, documents):
        if leave_out is not None and leave_out(path, data):
            continue
        queries.extend(custom_query_classes(path, data))
        scan.add(path, data)
    return ProjectFacts(custom_query_classes=tuple(queries), index=scan.index())


def _sources(
    paths: Sequence[str], documents: Sequence[tuple[str, bytes]]
) -> Iterator[tuple[str, bytes]]:
    yield from documents
    for path in paths:
        try:
            yield path, read_source_bytes(path)
        except SourceError:
            continue  # the file's own check reports it


def check_text(
    path: str,
    source: str | bytes,
    settings: Settings,
    options: RunOptions | None = None,
    cwd: Path | None = None,
) -> FileResult:
    """Check source that is not read from disk as if it were the file at `path`.

    `source` is the text an editor holds, or the bytes read from stdin (decoded as a
    file's would be, coding cookie and all). `path`'s per-file-ignores and target
    release apply, an Alembic revision file is recognised from `path` and `source`,
    and the findings carry `path`. Never raises for bad input; with `options.fix` the
    result's `fixed_source` is the fixed source. The project index holds the document
    (unless it is a revision file) and the project modules it imports, read from disk.
    """
    data = source.encode("utf-8") if isinstance(source, str) else source
    options = dataclasses.replace(options or RunOptions(), target=settings.target)
    revision = settings.revision_reason(_absolute(path, cwd), data) is not None
    project = project_facts((), documents=[] if revision else [(path, data)])
    return _check_data(path, data, codes_for(path, settings, cwd, data), options, project)
