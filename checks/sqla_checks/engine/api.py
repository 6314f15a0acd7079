"""Checking many files: the rules for each file, the cache, and parallel workers.

This is the programmatic entry point the CLI is built on:

    plan = CheckPlan(rule_codes=("ALC204",), root=Path("."))
    for checked in check_files(["app/db.py"], plan):
        print(checked.result.findings)

Results come back in the order of the paths given, whatever the number of workers.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqla_checks.contract.finding import FileError, FileResult
from sqla_checks.contract.rule import Rule
from sqla_checks.engine import registry
from sqla_checks.engine.cache import FindingsCache
from sqla_checks.engine.config import PerFileIgnore
from sqla_checks.engine.path_patterns import path_matches
from sqla_checks.engine.runner import RunOptions, check_source
from sqla_checks.engine.source import SourceError, read_source_bytes

# Starting worker processes (each imports libcst) costs about as much as checking a
# dozen small files, so smaller runs stay in process.
PARALLEL_MIN_FILES = 16


@dataclass(frozen=True)
class CheckPlan:
    """What to run on every file: the selected rules and how to treat findings."""

    rule_codes: tuple[str, ...]
    root: Path
    per_file_ignores: tuple[PerFileIgnore, ...] = ()
    options: RunOptions = field(default_factory=RunOptions)
    # None disables the cache; it is never used when fixing.
    cache: FindingsCache | None = None

    def codes_for(self, path: str) -> tuple[str, ...]:
        """The selected rule codes minus those per-file-ignores turn off for `path`."""
        ignored: list[str] = []
        root = str(self.root)
        for entry in self.per_file_ignores:
            negated = entry.pattern.startswith("!")
            pattern = entry.pattern[1:] if negated else entry.pattern
            if path_matches(pattern, path, root) != negated:
                ignored.extend(entry.selectors)
        if not ignored:
            return self.rule_codes
        kept = registry.select_rules(
            list(self.rule_codes), ignored, _rules_by_codes(self.rule_codes)
        )
        return tuple(rule.code for rule in kept)


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


def _rules_by_codes(codes: Sequence[str]) -> tuple[type[Rule], ...]:
    # Looked up through the module (not a cached copy) so the registry stays the one
    # source of rules, in worker processes as in this one.
    index = {rule.code: rule for rule in registry.all_rules()}
    return tuple(index[code] for code in codes)


def check_file(task: _Task) -> CheckedFile:
    """Check one file (in a worker process or in this one); never raises."""
    try:
        data = read_source_bytes(task.path)
    except SourceError as exc:
        return CheckedFile(FileResult(path=task.path, error=FileError(task.path, str(exc))))
    cache = None if task.options.fix else task.cache
    key = None
    if cache is not None:
        key = cache.key(task.path, data, task.rule_codes, task.options.with_edits)
        cached = cache.load(key)
        if cached is not None:
            return CheckedFile(FileResult(path=task.path, findings=cached), from_cache=True)
    try:
        result = check_source(task.path, data, _rules_by_codes(task.rule_codes), task.options)
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
        return CheckedFile(FileResult(path=task.path, error=FileError(task.path, reason)))
    if cache is not None and key is not None and result.error is None:
        cache.store(key, result.findings)
    original = data if result.fixed_source is not None else None
    return CheckedFile(result, original=original)


def check_files(paths: Sequence[str], plan: CheckPlan, jobs: int = 1) -> list[CheckedFile]:
    """Check `paths` with `plan`, in `jobs` processes when that pays off."""
    tasks = [_Task(path, plan.codes_for(path), plan.options, plan.cache) for path in paths]
    workers = min(jobs, len(tasks))
    if workers <= 1 or len(tasks) < PARALLEL_MIN_FILES:
        return [check_file(task) for task in tasks]
    # Chunks amortise the pickling round trip; several per worker keep the load even.
    chunk = max(1, len(tasks) // (workers * 4))
    # Imported here: multiprocessing and its sockets cost a one-file run (an editor's
    # save hook) about a tenth of its start-up, for a pool it never starts.
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(check_file, tasks, chunksize=chunk))
