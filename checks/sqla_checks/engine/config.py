"""`[tool.sqla-checks]` in pyproject.toml: finding it, reading it, checking it.

The configuration is found the way ruff finds its own: the nearest pyproject.toml,
from the current directory upwards, that has a `[tool.sqla-checks]` table; its
directory is the project root (exclude globs, per-file-ignores and the cache are
relative to it). `--config PATH` names the file instead. Every mistake in the table
is an error naming the file and the key, so a typo never silently disables a rule.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqla_checks.engine.registry import SelectionError, validate_selectors
from sqla_checks.engine.target_version import KEY as TARGET_KEY
from sqla_checks.engine.target_version import parse_release
from sqla_checks.evidence.sqlalchemy_api import Release

TABLE = "sqla-checks"
CONFIG_FILE = "pyproject.toml"

_LIST_KEYS = ("select", "ignore", "extend-select", "exclude", "extend-exclude")
_SELECTOR_KEYS = ("select", "ignore", "extend-select")
KNOWN_KEYS = (*_LIST_KEYS, "per-file-ignores", TARGET_KEY)


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class PerFileIgnore:
    """Rule selectors switched off for files matching `pattern` (`!` negates it)."""

    pattern: str
    selectors: tuple[str, ...]


@dataclass(frozen=True)
class Config:
    """The settings of one run's project, before the command line is applied."""

    root: Path
    path: Path | None = None
    # None means "the default rule set"; a list replaces it, as in ruff.
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[PerFileIgnore, ...] = ()
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    # `target-sqlalchemy`; None means "infer it" (engine/target_version.py).
    target_sqlalchemy: Release | None = None

    @property
    def all_excludes(self) -> tuple[str, ...]:
        """`exclude` and `extend-exclude` together (built-in skips always apply too)."""
        return self.exclude + self.extend_exclude


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc


def _tool_table(document: Mapping[str, Any]) -> Any:
    tool = document.get("tool")
    return tool.get(TABLE) if isinstance(tool, dict) else None


def find_config(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start` with a `[tool.sqla-checks]` table."""
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file() and _tool_table(_read_toml(candidate)) is not None:
            return candidate
    return None


def load_config(explicit: Path | None = None, cwd: Path | None = None) -> Config:
    """Load the configuration: `explicit` if given, else the one found from `cwd` up."""
    cwd = (cwd or Path.cwd()).absolute()
    if explicit is None:
        found = find_config(cwd)
        if found is None:
            return Config(root=cwd)
        path = found
    else:
        path = explicit.absolute()
        if not path.is_file():
            raise ConfigError(f"{explicit}: configuration file not found")
    table = _tool_table(_read_toml(path))
    if table is None:
        raise ConfigError(f"{path}: no [tool.{TABLE}] table")
    return parse_table(table, path)


def parse_table(table: Any, path: Path) -> Config:
    """Check and convert a `[tool.sqla-checks]` table read from `path`."""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.{TABLE}] must be a table")
    unknown = sorted(set(table) - set(KNOWN_KEYS))
    if unknown:
        raise ConfigError(
            f"{path}: [tool.{TABLE}] unknown key {unknown[0]!r}"
            f" (known keys: {', '.join(KNOWN_KEYS)})"
        )
    values = {key: _string_list(table[key], path, key) for key in _LIST_KEYS if key in table}
    for key in _SELECTOR_KEYS:
        if key in values:
            _check_selectors(values[key], path, key)
    per_file = _per_file_ignores(table.get("per-file-ignores", {}), path)
    select = values.get("select")
    return Config(
        root=path.parent,
        path=path,
        select=None if select is None else tuple(select),
        ignore=tuple(values.get("ignore", ())),
        extend_select=tuple(values.get("extend-select", ())),
        per_file_ignores=per_file,
        exclude=tuple(values.get("exclude", ())),
        extend_exclude=tuple(values.get("extend-exclude", ())),
        target_sqlalchemy=_target(table.get(TARGET_KEY), path),
    )


def _target(value: Any, path: Path) -> Release | None:
    if value is None:
        return None
    release = parse_release(value) if isinstance(value, str) else None
    if release is None:
        raise ConfigError(
            f"{path}: [tool.{TABLE}] {TARGET_KEY}: expected a SQLAlchemy release such as"
            f' "1.4" or "2.0" (MAJOR.MINOR[.PATCH]), got {value!r}'
        )
    return release


def _string_list(value: Any, path: Path, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(
            f"{path}: [tool.{TABLE}] {key}: expected a list of strings,"
            f" got {type(value).__name__} {value!r}"
        )
    return value


def _check_selectors(selectors: list[str], path: Path, key: str) -> None:
    try:
        validate_selectors(selectors, f"{path}: [tool.{TABLE}] {key}")
    except SelectionError as exc:
        raise ConfigError(str(exc)) from exc


def _per_file_ignores(value: Any, path: Path) -> tuple[PerFileIgnore, ...]:
    key = "per-file-ignores"
    if not isinstance(value, dict):
        raise ConfigError(
            f"{path}: [tool.{TABLE}] {key}: expected a table of glob = [codes],"
            f" got {type(value).__name__}"
        )
    entries: list[PerFileIgnore] = []
    for pattern, selectors in value.items():
        where = f'{key}."{pattern}"'
        codes = _string_list(selectors, path, where)
        _check_selectors(codes, path, where)
        entries.append(PerFileIgnore(pattern=pattern, selectors=tuple(codes)))
    return tuple(entries)
