"""Alembic revision files: which modules are migrations, so the legacy and async rules
leave them alone.

An applied migration is history: rewriting its `session.query()` or its sync calls
changes nothing that runs again and makes the file differ from what the database saw.
So by default the ALC1xx (legacy API) and ALC2xx (async) rules do not run on revision
files; other families (migration rules among them) still do.

A file is a revision file when either

1. the nearest Alembic configuration at or above its folder, an `alembic.ini` (every
   section with a `script_location`, so `alembic -n NAME` setups count too) or a
   `pyproject.toml` with a `[tool.alembic]` table (Alembic 1.16+), declares a version
   location holding it: `version_locations` when set, else `versions/` inside
   `script_location`; with `recursive_version_locations` its subfolders too; or
2. it sits directly in a folder named `versions` and assigns both `revision` and
   `down_revision` at module level, as Alembic's revision template writes.

Paths are read as Alembic reads them, with two simplifications because this runs
without the project's environment. `%(here)s` is the configuration file's folder.
Alembic takes a relative path against the folder `alembic` runs in; here it is taken
against the configuration file's folder, where `alembic` looks for `alembic.ini`. A
`package:resource` location (Alembic's form for installed packages: a colon in a
relative path) is looked for as the package's folder beside the configuration file or
under `src/`, since importing the project to ask is not an option for a linter.

The search for a configuration stops at the first folder that holds one, at a git
work tree's top (a folder holding `.git`) or at the file system's root; what each
folder gave is remembered, so a walk over a large tree reads each file once.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

# The rule families that do not run on revision files: ALC1xx legacy API, ALC2xx async.
REVISION_EXEMPT_PREFIXES = ("ALC1", "ALC2")

ALEMBIC_INI = "alembic.ini"
PYPROJECT = "pyproject.toml"
# Where Alembic puts revisions when `version_locations` is not set.
DEFAULT_VERSIONS_FOLDER = "versions"
# A folder holding this is a work tree's top: no configuration above it is the project's.
PROJECT_TOP_MARKER = ".git"

# `path_separator` (Alembic 1.16+; `version_path_separator` before) names how
# `version_locations` is split in an ini file.
_SEPARATORS = {"space": " ", "newline": "\n", "os": os.pathsep, ":": ":", ";": ";"}
# Without a separator setting Alembic splits on commas and spaces.
_LEGACY_SPLIT = re.compile(r", *| +")
# `revision = ...` / `revision: str = ...` at the start of a line (module level).
_IDENTIFIER_ASSIGNMENT = re.compile(
    rb"^(revision|down_revision)[ \t]*(?::[^=\n]*)?=(?!=)", re.MULTILINE
)
_IDENTIFIERS = frozenset({b"revision", b"down_revision"})


def exempt_codes(codes: Iterable[str]) -> tuple[str, ...]:
    """The codes of `codes` that do not run on revision files."""
    return tuple(code for code in codes if code.startswith(REVISION_EXEMPT_PREFIXES))


def assigns_revision_identifiers(source: bytes) -> bool:
    """Whether `source` assigns both `revision` and `down_revision` at module level."""
    found = {match.group(1) for match in _IDENTIFIER_ASSIGNMENT.finditer(source)}
    return found >= _IDENTIFIERS


@dataclass(frozen=True)
class VersionLocation:
    """A folder Alembic reads revisions from, and the configuration that names it."""

    folder: str
    source: str
    recursive: bool = False

    def holds(self, path: str) -> bool:
        """Whether the file at `path` (absolute, normalised) is a revision of this folder."""
        parent = os.path.dirname(path)
        if parent == self.folder:
            return True
        return self.recursive and parent.startswith(self.folder + os.sep)


@dataclass
class AlembicRevisions:
    """Answers whether a file is an Alembic revision file; one per run (or editor check)."""

    _by_directory: dict[str, tuple[VersionLocation, ...]] = field(
        default_factory=dict, init=False, repr=False
    )

    def why_revision(self, path: str, source: bytes | None = None) -> str | None:
        """Why the file at `path` (absolute) is a revision file, or None when it is not.

        `source` is the file's content when the caller has it (an editor buffer,
        stdin); otherwise it is read, and only for a file in a `versions` folder.
        """
        path = os.path.normpath(path)
        directory = os.path.dirname(path)
        for location in self._locations_for(directory):
            if location.holds(path):
                return f"in a version location of {location.source}"
        if os.path.basename(directory) != DEFAULT_VERSIONS_FOLDER:
            return None
        if source is None:
            source = _read(path)
        if source is not None and assigns_revision_identifiers(source):
            return "assigns revision and down_revision in a versions folder"
        return None

    def _locations_for(self, directory: str) -> tuple[VersionLocation, ...]:
        """The version locations of the configuration nearest to `directory`."""
        known = self._by_directory.get(directory)
        if known is not None:
            return known
        found = configured_locations(directory)
        parent = os.path.dirname(directory)
        if found is None:
            stop = parent == directory or os.path.exists(
                os.path.join(directory, PROJECT_TOP_MARKER)
            )
            found = () if stop else self._locations_for(parent)
        self._by_directory[directory] = found
        return found


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None  # the file's own check reports it


def configured_locations(directory: str) -> tuple[VersionLocation, ...] | None:
    """The version locations the Alembic configuration in `directory` declares, or
    None when the folder holds none (an ini file that cannot be read declares none)."""
    ini = os.path.join(directory, ALEMBIC_INI)
    pyproject = os.path.join(directory, PYPROJECT)
    from_ini = _ini_locations(ini) if os.path.isfile(ini) else None
    table = _tool_alembic(pyproject) if os.path.isfile(pyproject) else None
    if from_ini is None and table is None:
        return None
    from_toml = () if table is None else tuple(_toml_locations(table, pyproject))
    return (*(from_ini or ()), *from_toml)


def _ini_locations(path: str) -> tuple[VersionLocation, ...]:
    import configparser  # only for projects with an alembic.ini

    here = os.path.dirname(path)
    # Alembic reads the file with ConfigParser and `here` among the defaults.
    parser = configparser.ConfigParser(defaults={"here": here})
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return ()
    locations: list[VersionLocation] = []
    for section in parser.sections():
        try:
            script_location = parser.get(section, "script_location", fallback=None)
            versions = parser.get(section, "version_locations", fallback=None)
            separator = parser.get(section, "path_separator", fallback=None) or parser.get(
                section, "version_path_separator", fallback=None
            )
            recursive = parser.get(section, "recursive_version_locations", fallback="false")
        except configparser.Error:
            continue  # a broken interpolation: Alembic would refuse this section too
        if not script_location:
            continue
        if versions:
            split = _split_locations(versions, separator)
        else:
            split = [os.path.join(script_location, DEFAULT_VERSIONS_FOLDER)]
        locations.extend(_resolved(split, here, path, recursive.strip() == "true"))
    return tuple(locations)


def _split_locations(value: str, separator: str | None) -> list[str]:
    character = _SEPARATORS.get(separator.strip()) if separator else None
    if character is None:
        return [part for part in _LEGACY_SPLIT.split(value.strip()) if part]
    return [part.strip() for part in value.split(character) if part.strip()]


def _tool_alembic(path: str) -> Mapping[str, Any] | None:
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return None  # a broken pyproject.toml is reported by the configuration reader
    tool = document.get("tool")
    table = tool.get("alembic") if isinstance(tool, dict) else None
    return table if isinstance(table, dict) and "script_location" in table else None


def _toml_locations(table: Mapping[str, Any], path: str) -> Iterator[VersionLocation]:
    here = os.path.dirname(path)
    script_location = _substituted(table.get("script_location"), here)
    versions = table.get("version_locations")
    recursive = table.get("recursive_version_locations") is True
    if isinstance(versions, list):
        split = [value for item in versions if (value := _substituted(item, here))]
    elif script_location:
        split = [os.path.join(script_location, DEFAULT_VERSIONS_FOLDER)]
    else:
        return
    yield from _resolved(split, here, path, recursive)


def _substituted(value: Any, here: str) -> str | None:
    """A TOML string with `%(here)s` filled in, as Alembic does; None when unusable."""
    if not isinstance(value, str):
        return None
    try:
        return value % {"here": here}
    except (KeyError, ValueError, TypeError):
        return None


def _resolved(
    values: Iterable[str], here: str, source: str, recursive: bool
) -> Iterator[VersionLocation]:
    for value in values:
        folder = _folder_of(value, here)
        if folder is not None:
            yield VersionLocation(os.path.normpath(folder), source, recursive)


def _folder_of(value: str, here: str) -> str | None:
    """The folder a location names: a path (relative to `here`) or `package:resource`."""
    value = os.path.expanduser(value.strip())
    if os.path.isabs(value) or ":" not in value:
        return os.path.join(here, value)
    package, *resource = value.split(":")
    for base in (here, os.path.join(here, "src")):
        folder = os.path.join(base, *package.split("."))
        if os.path.isdir(folder):
            return os.path.join(folder, *(part for part in resource if part))
    return None
