"""The effective settings of one file: its configuration file with the command line over it.

Every file is governed by the configuration nearest to it (`config.find_config`), or
by the one `--config` names; the command line's selection and excludes apply on top
of whichever it is, as ruff's do. A `SettingsResolver` remembers what it found per
folder, so a walk over a large tree reads each configuration file once.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqla_checks.contract.rule import Rule
from sqla_checks.engine import registry
from sqla_checks.engine.alembic_revisions import AlembicRevisions, exempt_codes
from sqla_checks.engine.config import Config, config_file_in, read_config
from sqla_checks.engine.path_patterns import Glob
from sqla_checks.engine.target_version import effective_target
from sqla_checks.evidence.sqlalchemy_api import Target


@dataclass(frozen=True)
class Overrides:
    """What the command line says over every configuration file."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    # `--exclude` replaces the configured exclude; `--extend-exclude` adds to it.
    exclude: tuple[Glob, ...] | None = None
    extend_exclude: tuple[Glob, ...] = ()
    respect_gitignore: bool | None = None
    # `--check-alembic-revisions` / `--no-check-alembic-revisions`.
    check_alembic_revisions: bool | None = None


def resolve_rules(config: Config, overrides: Overrides = Overrides()) -> tuple[type[Rule], ...]:
    """Rules to run: (select, else the configured select, else the defaults)
    plus every extend-select, minus every ignore (configured and given)."""
    select = overrides.select if overrides.select is not None else config.select
    base = registry.select_rules(None if select is None else list(select))
    extended = [*config.extend_select, *overrides.extend_select]
    extra = registry.select_rules(extended) if extended else ()
    chosen = {rule.code: rule for rule in (*base, *extra)}
    ignored = [*config.ignore, *overrides.ignore]
    return registry.select_rules(
        list(chosen), ignored, sorted(chosen.values(), key=lambda r: r.code)
    )


@dataclass(frozen=True)
class Settings:
    """What applies to the files one configuration governs."""

    config: Config
    rules: tuple[type[Rule], ...]
    excludes: tuple[Glob, ...]
    respect_gitignore: bool = True
    # The oldest SQLAlchemy release these files run on (None: unknown, the newest).
    target: Target | None = None
    # Whether the legacy and async rules also run on Alembic revision files.
    check_alembic_revisions: bool = False
    # Shared by every Settings of a run, so each folder's Alembic configuration is
    # read once.
    revisions: AlembicRevisions = field(default_factory=AlembicRevisions, compare=False)

    @property
    def rule_codes(self) -> tuple[str, ...]:
        """The codes of the selected rules, before per-file-ignores."""
        return tuple(rule.code for rule in self.rules)

    def ignored_for(self, path: str) -> tuple[str, ...]:
        """The selectors per-file-ignores switch off for `path` (an absolute path)."""
        return tuple(
            selector
            for entry in self.config.per_file_ignores
            if entry.applies_to(path)
            for selector in entry.selectors
        )

    def codes_for(self, path: str, source: bytes | None = None) -> tuple[str, ...]:
        """The rule codes to run on `path` (absolute): the selection minus
        per-file-ignores, and minus the legacy and async rules when `path` is an
        Alembic revision file (`source`: its content, when not the file on disk)."""
        ignored = self.ignored_for(path)
        codes = self.rule_codes
        if ignored:
            kept = registry.select_rules(list(codes), list(ignored), self.rules)
            codes = tuple(rule.code for rule in kept)
        exempt = exempt_codes(codes)
        if exempt and self.revision_reason(path, source) is not None:
            codes = tuple(code for code in codes if code not in exempt)
        return codes

    def revision_reason(self, path: str, source: bytes | None = None) -> str | None:
        """Why `path` (absolute) counts as an Alembic revision file the legacy and async
        rules skip; None when it does not, or when the settings check revisions too."""
        if self.check_alembic_revisions:
            return None
        return self.revisions.why_revision(path, source)

    def is_excluded(self, path: str) -> bool:
        """Whether `exclude`/`extend-exclude` (configured or given) match `path`."""
        return any(glob.matches(path) for glob in self.excludes)


@dataclass
class SettingsResolver:
    """Finds the settings of any path; one per run (or per editor workspace)."""

    overrides: Overrides = field(default_factory=Overrides)
    # A configuration file for every path instead of the nearest one (`--config`).
    config_path: Path | None = None
    cwd: Path = field(default_factory=Path.cwd)
    _by_directory: dict[str, Settings] = field(default_factory=dict, init=False, repr=False)
    _by_file: dict[Path | None, Settings] = field(default_factory=dict, init=False, repr=False)
    _revisions: AlembicRevisions = field(default_factory=AlembicRevisions, init=False, repr=False)

    def __post_init__(self) -> None:
        self.cwd = self.cwd.absolute()
        if self.config_path is not None:
            self.config_path = Path(os.path.join(self.cwd, self.config_path))

    def absolute(self, path: str | Path) -> str:
        """`path` made absolute against the resolver's current directory."""
        return os.path.normpath(os.path.join(self.cwd, path))

    def settings_for(self, path: str | Path) -> Settings:
        """The settings of the file (or folder) at `path`; it need not exist."""
        absolute = self.absolute(path)
        directory = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
        return self.settings_for_directory(directory)

    def settings_for_directory(self, directory: str) -> Settings:
        """The settings of the files directly inside `directory` (absolute)."""
        known = self._by_directory.get(directory)
        if known is not None:
            return known
        if self.config_path is not None:
            settings = self._settings_of(self.config_path)
        else:
            found = config_file_in(directory)
            parent = os.path.dirname(directory)
            if found is not None:
                settings = self._settings_of(found)
            elif parent == directory:
                settings = self._settings_of(None)
            else:
                settings = self.settings_for_directory(parent)
        self._by_directory[directory] = settings
        return settings

    @property
    def root(self) -> Settings:
        """The settings of the current directory: they say where the cache lives and
        whether ignore files count (ruff reads `respect-gitignore` there too)."""
        return self.settings_for_directory(str(self.cwd))

    @property
    def respect_gitignore(self) -> bool:
        """Whether `.gitignore`, `.ignore` and `.git/info/exclude` apply to this run."""
        if self.overrides.respect_gitignore is not None:
            return self.overrides.respect_gitignore
        return self.root.config.respect_gitignore

    def _settings_of(self, path: Path | None) -> Settings:
        known = self._by_file.get(path)
        if known is not None:
            return known
        if path is None:
            config = Config(root=self.cwd)
        elif path == self.config_path:
            # Ruff reads a `--config` file's relative globs against the current folder.
            config = read_config(path, base=self.cwd)
        else:
            config = read_config(path)
        overrides = self.overrides
        exclude = overrides.exclude if overrides.exclude is not None else config.exclude
        settings = Settings(
            config=config,
            rules=resolve_rules(config, overrides),
            excludes=(*exclude, *config.extend_exclude, *overrides.extend_exclude),
            respect_gitignore=config.respect_gitignore
            if overrides.respect_gitignore is None
            else overrides.respect_gitignore,
            target=effective_target(config.target_sqlalchemy, config.root),
            check_alembic_revisions=config.check_alembic_revisions
            if overrides.check_alembic_revisions is None
            else overrides.check_alembic_revisions,
            revisions=self._revisions,
        )
        self._by_file[path] = settings
        return settings


def settings_for(
    path: str | Path,
    *,
    config_path: Path | None = None,
    overrides: Overrides = Overrides(),
    cwd: Path | None = None,
) -> Settings:
    """The settings of one file, for callers that check a single file (an editor)."""
    resolver = SettingsResolver(overrides=overrides, config_path=config_path, cwd=cwd or Path.cwd())
    return resolver.settings_for(path)


def command_line_globs(patterns: Sequence[str], cwd: Path) -> tuple[Glob, ...]:
    """Globs given on the command line are relative to the current directory."""
    return tuple(Glob(pattern, str(cwd.absolute())) for pattern in patterns)
