"""Building the project index of a run: module names, summaries, imported modules.

Each file's module name comes from the package layout: the directories above it that
hold an `__init__.py` are its packages (`app/models/user.py` under `app/__init__.py`
and `app/models/__init__.py` is `app.models.user`), and the first directory without
one is a root. Files of the run whose text may matter to another module are
summarised (`evidence.module_summary`); then every project module they import, found
under the roots, is read and summarised too, and so on, so a file checked alone still
sees the base class, the `db` object or the session factory it imports.

The scan reads a file the run does not check only to summarise it; it never reports
on it. Unreadable or unparsable modules are left out (the index then knows less).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from sqla_checks.engine.cache import FindingsCache
from sqla_checks.engine.parse_limits import MAX_PARSE_BYTES
from sqla_checks.evidence.module_summary import (
    CallSites,
    FunctionSummary,
    ModuleSummary,
    call_sites,
    summarize,
)
from sqla_checks.evidence.project_index import IndexBuilder, ProjectIndex

# Files of the run are summarised when their bytes mention SQLAlchemy (or
# Flask-SQLAlchemy) or hold a rule's trigger (the files rules parse anyway). Any other
# module is summarised only when a summarised one imports it (a re-exporting
# `__init__.py`, a `get_db` module): lookups only ever start from checked files.
_MARKERS = (b"qlalchemy",)
# A bound on the imported modules read beyond the run's files (vendored trees).
_MAX_EXTRA_MODULES = 5000

# What summarising one module needs: (module, path, bytes, is_package, cache).
SummaryJob = tuple[str, str, bytes, bool, FindingsCache | None]
# Runs `summarize_job` over jobs, in order: `map`, or a process pool's `map`.
Mapper = Callable[
    [Callable[[SummaryJob], ModuleSummary | None], list[SummaryJob]],
    Iterable[ModuleSummary | None],
]


class _Layout:
    """Module names of paths, and paths of module names, from `__init__.py` files."""

    def __init__(self) -> None:
        self._is_package_dir: dict[str, bool] = {}
        # Each directory's (file names, subdirectory names), read once: a project's
        # imports probe thousands of paths, and a missing one fails at its first missing
        # directory, whose parent's listing is already known.
        self._listings: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        self.roots: list[str] = []

    def _listing(self, directory: str) -> tuple[frozenset[str], frozenset[str]]:
        found = self._listings.get(directory)
        if found is None:
            files: list[str] = []
            directories: list[str] = []
            try:
                with os.scandir(directory) as entries:
                    for entry in entries:
                        if entry.is_file():
                            files.append(entry.name)
                        elif entry.is_dir():
                            directories.append(entry.name)
            except OSError:
                pass
            found = self._listings[directory] = (frozenset(files), frozenset(directories))
        return found

    def _is_file(self, path: str) -> bool:
        directory, name = os.path.split(path)
        return name in self._listing(directory)[0]

    def _package_dir(self, directory: str) -> bool:
        known = self._is_package_dir.get(directory)
        if known is None:
            known = self._is_file(os.path.join(directory, "__init__.py"))
            self._is_package_dir[directory] = known
        return known

    def module_of(self, path: str) -> tuple[str, bool]:
        """`(module name, is_package)` of the file at `path`; records its root."""
        absolute = os.path.abspath(path)
        directory, filename = os.path.split(absolute)
        stem = filename[:-3] if filename.endswith(".py") else filename
        is_package = stem == "__init__"
        parts = [] if is_package else [stem]
        while self._package_dir(directory):
            directory, package = os.path.split(directory)
            parts.append(package)
            if not package:
                break
        if directory not in self.roots:
            self.roots.append(directory)
        return ".".join(reversed(parts)), is_package

    def find(self, module: str, under_roots: bool = True) -> tuple[str, bool] | None:
        """`(path, is_package)` of `module` under one of the roots, if it exists.

        The working directory and its `src/` count as roots too: `app/main.py` importing
        `app.models` without an `app/__init__.py` is a namespace package run from there.
        `under_roots=False` looks there only.
        """
        *packages, last = module.split(".")
        cwd = os.getcwd()
        roots = self.roots if under_roots else []
        for root in (*roots, cwd, os.path.join(cwd, "src")):
            directory = root
            for package in packages:
                if package not in self._listing(directory)[1]:
                    break
                directory = os.path.join(directory, package)
            else:
                files, directories = self._listing(directory)
                if f"{last}.py" in files:
                    return os.path.join(directory, f"{last}.py"), False
                package_dir = os.path.join(directory, last)
                if last in directories and "__init__.py" in self._listing(package_dir)[0]:
                    return os.path.join(package_dir, "__init__.py"), True
        return None


class ProjectScan:
    """Collects a run's files one at a time, then summarises them and builds the index.

    The summaries (an `ast` parse each, most of the index's cost) are made by `mapper`
    in batches: the run's files at once, then each round of the modules they import,
    so a process pool can share the work.
    """

    def __init__(
        self,
        triggers: Iterable[str] = (),
        cache: FindingsCache | None = None,
        mapper: Mapper = map,
    ) -> None:
        # Summaries are cached by content, so a warm run parses nothing.
        self._cache = cache
        self._mapper = mapper
        # Each marker once (rules share triggers); a substring test each beats a regex.
        markers = _MARKERS + tuple(trigger.encode() for trigger in triggers)
        self._markers = tuple(dict.fromkeys(markers))
        self._layout = _Layout()
        self._summaries: dict[str, ModuleSummary] = {}
        self._jobs: dict[str, SummaryJob] = {}
        # Top-level packages of the run's files: beyond the working directory, the
        # closure stays inside them, so a run over `site-packages/alembic` does not read
        # SQLAlchemy's own modules.
        self._packages: set[str] = set()

    def add(self, path: str, data: bytes) -> None:
        """Note the file at `path` (its bytes `data`), to be summarised if it may matter."""
        module, is_package = self._layout.module_of(path)
        if not module or module in self._jobs:
            return
        self._packages.add(module.partition(".")[0])
        if any(marker in data for marker in self._markers):
            self._jobs[module] = (module, path, data, is_package, self._cache)

    def index(self) -> ProjectIndex:
        """Summarise the files and the project modules they import (transitively), and
        resolve."""
        layout, summaries = self._layout, self._summaries
        pending = self._record(self._jobs.values())
        # A file of the run left unsummarised may still be read as an imported module.
        known: set[str] = set(summaries)
        modules: set[str] = set(summaries)
        extra = 0
        while pending and extra < _MAX_EXTRA_MODULES:
            jobs: list[SummaryJob] = []
            for module in pending:
                if module in known or extra >= _MAX_EXTRA_MODULES:
                    continue
                known.add(module)
                under_roots = module.partition(".")[0] in self._packages
                found = layout.find(module, under_roots=under_roots)
                if found is None:
                    continue
                modules.add(module)
                path, is_package = found
                try:
                    data = Path(path).read_bytes()
                except OSError:
                    continue
                extra += 1
                jobs.append((module, path, data, is_package, self._cache))
            pending = self._record(jobs)
        for module in list(modules):
            # Parent packages of known modules (`import app.models` binds `app`).
            while "." in module:
                module = module.rpartition(".")[0]
                modules.add(module)
        return IndexBuilder(summaries.values(), modules, _calls_needed(summaries)).build()

    def _record(self, jobs: Iterable[SummaryJob]) -> list[str]:
        """Summarise `jobs`; the modules the new summaries import."""
        batch = list(jobs)
        # Cached summaries are read here; only the others are worth a worker's time.
        found = [cached_summary(job) for job in batch]
        missing = [job for job, summary in zip(batch, found, strict=True) if summary is None]
        made = iter(self._mapper(summarize_job, missing))
        imported: list[str] = []
        for job, cached in zip(batch, found, strict=True):
            summary = cached if cached is not None else next(made)
            if summary is not None:
                self._summaries[job[0]] = summary
                imported.extend(summary.imported_modules())
        return imported


def cached_summary(job: SummaryJob) -> ModuleSummary | None:
    """The cached summary of the job's module; None on a miss or without a cache."""
    module, path, data, is_package, cache = job
    if cache is None or len(data) > MAX_PARSE_BYTES:
        return None
    return cache.load_summary(cache.summary_key(path, module, is_package, data))


def summarize_job(job: SummaryJob) -> ModuleSummary | None:
    """The summary of one module, stored in the cache when there is one; None when the
    module is not summarised."""
    module, path, data, is_package, cache = job
    # A file the checker refuses to parse is not summarised either: the index then
    # knows less, and the file's check says why. Too large is refused here; nested
    # too deeply, by the summary's own `ast` parse, which refuses what CPython does.
    if len(data) > MAX_PARSE_BYTES:
        return None
    summary = summarize(module, path, data, is_package)
    if summary is not None and cache is not None:
        cache.store_summary(cache.summary_key(path, module, is_package, data), summary)
    return summary


def _calls_needed(summaries: dict[str, ModuleSummary]) -> dict[str, CallSites]:
    """The calls of the functions whose parameters only their callers explain
    (`def create_models(db): class Model1(db.Model)`), in every summarised module.

    Most projects have none, and then no module is read again. The modules are read
    from disk: an editor's unsaved buffer counts as its saved text here.
    """
    names = frozenset(
        name
        for summary in summaries.values()
        for name, binding in summary.bindings.items()
        if isinstance(binding, FunctionSummary) and binding.model_parameters
    )
    if not names:
        return {}
    found: dict[str, CallSites] = {}
    for module, summary in summaries.items():
        try:
            data = Path(summary.path).read_bytes()
        except OSError:
            continue
        sites = call_sites(summary, data, names)
        if sites.calls or sites.escaped:
            found[module] = sites
    return found


def build_project_index(sources: Iterable[tuple[str, bytes]]) -> ProjectIndex:
    """The index of the run made of `sources`, `(path, bytes)` of each file."""
    scan = ProjectScan()
    for path, data in sources:
        scan.add(path, data)
    return scan.index()
