"""Configuration files: finding the one that governs a file, reading it, checking it.

Configuration is found the way ruff finds its own, per file: the nearest folder at or
above the file holding `.sqla-checks.toml` or `sqla-checks.toml` (their keys at the top
level) or a `pyproject.toml` with a `[tool.sqla-checks]` table; in one folder they win
in that order, as `.ruff.toml` and `ruff.toml` beat `pyproject.toml`. A pyproject.toml
without the table is passed over. `extend = "../pyproject.toml"` inherits another file's
settings. Relative globs (exclude, per-file-ignores) are relative to the folder of the
file that wrote them. Every mistake is an error naming the file and the key, so a typo
never silently disables a rule.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqla_checks.engine.path_patterns import Glob
from sqla_checks.engine.registry import SelectionError, validate_selectors
from sqla_checks.engine.target_version import KEY as TARGET_KEY
from sqla_checks.engine.target_version import parse_release
from sqla_checks.evidence.sqlalchemy_api import Release

TABLE = "sqla-checks"
PYPROJECT = "pyproject.toml"
# In one folder, the first of these that exists governs (pyproject.toml only with the table).
CONFIG_FILES = (".sqla-checks.toml", "sqla-checks.toml", PYPROJECT)

_LIST_KEYS = ("select", "ignore", "extend-select", "exclude", "extend-exclude")
_SELECTOR_KEYS = ("select", "ignore", "extend-select")
CHECK_REVISIONS_KEY = "check-alembic-revisions"
KNOWN_KEYS = (
    *_LIST_KEYS,
    "per-file-ignores",
    "respect-gitignore",
    "extend",
    TARGET_KEY,
    CHECK_REVISIONS_KEY,
)


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class PerFileIgnore:
    """Rule selectors switched off for files matching `glob` (`negated`: not matching)."""

    glob: Glob
    selectors: tuple[str, ...]
    negated: bool = False

    def applies_to(self, path: str) -> bool:
        """Whether this entry switches its rules off for `path`."""
        return self.glob.matches(path) != self.negated


@dataclass(frozen=True)
class Config:
    """The settings one configuration file gives (after `extend`), before the command line."""

    root: Path
    # The file the settings came from, then the files it extends, nearest first.
    sources: tuple[Path, ...] = ()
    # None means "the default rule set"; a list replaces it, as in ruff.
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[PerFileIgnore, ...] = ()
    exclude: tuple[Glob, ...] = ()
    extend_exclude: tuple[Glob, ...] = ()
    respect_gitignore: bool = True
    # `target-sqlalchemy`; None means "infer it" (engine/target_version.py).
    target_sqlalchemy: Release | None = None
    # `check-alembic-revisions`: run the legacy and async rules on Alembic revision
    # files too (engine/alembic_revisions.py); off, since an applied migration is history.
    check_alembic_revisions: bool = False

    @property
    def path(self) -> Path | None:
        """The configuration file itself, or None when the defaults apply."""
        return self.sources[0] if self.sources else None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc


def _table_of(path: Path) -> Any:
    """The settings table of a configuration file, or None when it has none."""
    document = _read_toml(path)
    tool = document.get("tool")
    table = tool.get(TABLE) if isinstance(tool, dict) else None
    # Any file may hold the pyproject form; `tool` is no key of the top-level form.
    if path.name == PYPROJECT or table is not None:
        return table
    return document


def config_file_in(directory: str) -> Path | None:
    """The configuration file that governs `directory` itself, if it holds one."""
    # os.path, not pathlib: a walk asks this of every folder it enters.
    for name in CONFIG_FILES:
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate) and (
            name != PYPROJECT or _table_of(Path(candidate)) is not None
        ):
            return Path(candidate)
    return None


def read_config(path: Path, *, base: Path | None = None, _seen: tuple[Path, ...] = ()) -> Config:
    """Read the configuration file at `path`, with the files it extends; its own
    relative globs are relative to `base` (default: its folder)."""
    path = Path(os.path.abspath(path))
    if path in _seen:
        chain = " -> ".join(str(p) for p in (*_seen, path))
        raise ConfigError(f"{path}: extend: circular ({chain})")
    table = _table_of(path)
    if table is None:
        raise ConfigError(f"{path}: no [tool.{TABLE}] table")
    own = parse_table(table, path, base)
    extend = table.get("extend")
    if extend is None:
        return own
    if not isinstance(extend, str):
        raise ConfigError(f"{path}: extend: expected a path, got {type(extend).__name__}")
    target = path.parent / os.path.expanduser(os.path.expandvars(extend))
    if not target.is_file():
        raise ConfigError(f"{path}: extend: {target} not found")
    return _merge(read_config(target, _seen=(*_seen, path)), own, table)


def _merge(base: Config, own: Config, table: Mapping[str, Any]) -> Config:
    """`own` over `base`: a key `own` sets replaces the inherited value, except that
    `ignore`, `extend-select` and `extend-exclude` add up; a `select` starts the rule
    choice afresh (the base's ignores and extensions go with it), as in ruff."""
    if "select" in table:
        select, ignore, extend_select = own.select, own.ignore, own.extend_select
    else:
        select = base.select
        ignore = base.ignore + own.ignore
        extend_select = base.extend_select + own.extend_select
    return Config(
        root=own.root,
        sources=own.sources + base.sources,
        select=select,
        ignore=ignore,
        extend_select=extend_select,
        per_file_ignores=own.per_file_ignores
        if "per-file-ignores" in table
        else base.per_file_ignores,
        exclude=own.exclude if "exclude" in table else base.exclude,
        extend_exclude=base.extend_exclude + own.extend_exclude,
        respect_gitignore=own.respect_gitignore
        if "respect-gitignore" in table
        else base.respect_gitignore,
        target_sqlalchemy=own.target_sqlalchemy if TARGET_KEY in table else base.target_sqlalchemy,
        check_alembic_revisions=own.check_alembic_revisions
        if CHECK_REVISIONS_KEY in table
        else base.check_alembic_revisions,
    )


def _where(path: Path) -> str:
    return f"{path}: [tool.{TABLE}]" if path.name == PYPROJECT else f"{path}:"


def parse_table(table: Any, path: Path, base: Path | None = None) -> Config:
    """Check and convert the settings table read from `path` (without `extend`)."""
    where = _where(path)
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    unknown = sorted(set(table) - set(KNOWN_KEYS))
    if unknown:
        raise ConfigError(
            f"{where} unknown key {unknown[0]!r} (known keys: {', '.join(KNOWN_KEYS)})"
        )
    values = {key: _string_list(table[key], where, key) for key in _LIST_KEYS if key in table}
    for key in _SELECTOR_KEYS:
        if key in values:
            _check_selectors(values[key], where, key)
    folder = base or path.parent
    per_file = _per_file_ignores(table.get("per-file-ignores", {}), where, str(folder))
    respect_gitignore = _boolean(table, "respect-gitignore", True, where)
    check_revisions = _boolean(table, CHECK_REVISIONS_KEY, False, where)
    select = values.get("select")
    return Config(
        root=folder,
        sources=(path,),
        select=None if select is None else tuple(select),
        ignore=tuple(values.get("ignore", ())),
        extend_select=tuple(values.get("extend-select", ())),
        per_file_ignores=per_file,
        exclude=tuple(Glob(p, str(folder)) for p in values.get("exclude", ())),
        extend_exclude=tuple(Glob(p, str(folder)) for p in values.get("extend-exclude", ())),
        respect_gitignore=respect_gitignore,
        target_sqlalchemy=_target(table.get(TARGET_KEY), where),
        check_alembic_revisions=check_revisions,
    )


def _boolean(table: Mapping[str, Any], key: str, default: bool, where: str) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{where} {key}: expected true or false")
    return value


def _target(value: Any, where: str) -> Release | None:
    if value is None:
        return None
    release = parse_release(value) if isinstance(value, str) else None
    if release is None:
        raise ConfigError(
            f"{where} {TARGET_KEY}: expected a SQLAlchemy release such as"
            f' "1.4" or "2.0" (MAJOR.MINOR[.PATCH]), got {value!r}'
        )
    return release


def _string_list(value: Any, where: str, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(
            f"{where} {key}: expected a list of strings, got {type(value).__name__} {value!r}"
        )
    return value


def _check_selectors(selectors: list[str], where: str, key: str) -> None:
    try:
        validate_selectors(selectors, f"{where} {key}")
    except SelectionError as exc:
        raise ConfigError(str(exc)) from exc


def _per_file_ignores(value: Any, where: str, base: str) -> tuple[PerFileIgnore, ...]:
    key = "per-file-ignores"
    if not isinstance(value, dict):
        raise ConfigError(
            f"{where} {key}: expected a table of glob = [codes], got {type(value).__name__}"
        )
    entries: list[PerFileIgnore] = []
    for pattern, selectors in value.items():
        entry = f'{key}."{pattern}"'
        codes = _string_list(selectors, where, entry)
        _check_selectors(codes, where, entry)
        negated = pattern.startswith("!")
        glob = Glob(pattern[1:] if negated else pattern, base)
        entries.append(PerFileIgnore(glob=glob, selectors=tuple(codes), negated=negated))
    return tuple(entries)
