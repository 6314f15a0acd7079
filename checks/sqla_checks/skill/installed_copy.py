"""An installed copy of the skill: what it should hold, whether we may replace it, and how.

The installed folder holds exactly the skill's files. What we installed is remembered
in a small JSON record beside it in the skills folder
(`.sqlalchemy-postgres.install-record.json`: version and a SHA-256 per file), so a
later run can tell "unchanged since we installed it" (safe to upgrade) from "someone
edited it, or we never installed it" (refuse without `--force`).

Replacing is all or nothing: the new tree is written in a staging folder beside the
target (same file system, so renames are atomic), then the old folder is renamed
aside and the new one renamed into place. A failure while writing leaves the old copy
untouched; a failure of the final rename puts the old copy back.
"""

from __future__ import annotations

import enum
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import sqla_checks
from sqla_checks.skill import SKILL_NAME

RECORD_SUFFIX = ".install-record.json"
_SYMLINK = "symlink"  # what a symlink inside a copy "hashes" to: never a match

SkillFiles = Mapping[str, bytes]
"""A skill's files: relative POSIX path -> content."""


class InstallError(Exception):
    """A path that could not be read or written; exit code 2."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class Action(enum.Enum):
    """What installing into a target means, given what is there now."""

    INSTALL = "install"  # nothing there
    CURRENT = "current"  # already exactly this version
    UPGRADE = "upgrade"  # our earlier copy, unchanged since: replace it
    REPLACE = "replace"  # changed or not ours, and --force: replace it
    REFUSE = "refuse"  # changed or not ours, no --force: leave it


@dataclass(frozen=True)
class Plan:
    """The action for one target folder, with what a message about it needs."""

    target: Path
    action: Action
    reason: str = ""  # why the copy counts as changed or foreign (REPLACE, REFUSE)
    installed_version: str | None = None  # from the record, when there is one
    record_is_stale: bool = False  # CURRENT, but the record is missing or outdated


def packaged_skill() -> dict[str, bytes]:
    """The skill this package ships (`sqla_checks/.agents/skills/<name>/`), read through
    importlib.resources so it works from a wheel, a zip or a source checkout."""
    root = resources.files(sqla_checks) / ".agents" / "skills" / SKILL_NAME
    files: dict[str, bytes] = {}

    def collect(node: Traversable, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.is_dir():
                collect(child, f"{prefix}{child.name}/")
            elif child.is_file():
                files[f"{prefix}{child.name}"] = child.read_bytes()

    try:
        collect(root, "")
    except OSError as exc:
        raise InstallError(str(root), f"cannot read the packaged skill ({exc})") from exc
    if "SKILL.md" not in files:
        raise InstallError(str(root), "the package carries no SKILL.md; reinstall sqla-skillpack")
    return files


def digests(files: SkillFiles) -> dict[str, str]:
    """SHA-256 of every file, keyed by its relative path."""
    return {path: hashlib.sha256(data).hexdigest() for path, data in sorted(files.items())}


def folder_digests(folder: Path) -> dict[str, str]:
    """What `folder` holds now, in the form of `digests` (symlinks never match)."""
    found: dict[str, str] = {}
    for directory, subdirectories, names in os.walk(folder):
        base = Path(directory)
        for name in subdirectories:
            if (base / name).is_symlink():  # os.walk does not descend into it
                found[(base / name).relative_to(folder).as_posix()] = _SYMLINK
        for name in names:
            path = base / name
            relative = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[relative] = _SYMLINK
            else:
                found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return dict(sorted(found.items()))


def record_path(target: Path) -> Path:
    """The install record of `target`: beside it, never inside it."""
    return target.parent / f".{target.name}{RECORD_SUFFIX}"


@dataclass(frozen=True)
class Record:
    """What we wrote into a target the last time."""

    version: str
    files: dict[str, str]


def read_record(target: Path) -> Record | None:
    """The record of our last install into `target`, or None (missing or unreadable)."""
    try:
        data = json.loads(record_path(target).read_text(encoding="utf-8"))
        files = data["files"]
        version = data["version"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not (isinstance(files, dict) and isinstance(version, str)):
        return None
    return Record(version=version, files={str(k): str(v) for k, v in files.items()})


def plan(target: Path, files: SkillFiles, *, force: bool) -> Plan:
    """Decide what installing `files` into `target` does. Reads, never writes."""
    if not target.exists() and not target.is_symlink():
        return Plan(target, Action.INSTALL)
    record = read_record(target)
    installed_version = record.version if record else None
    if target.is_symlink() or not target.is_dir():
        kind = "is a symlink" if target.is_symlink() else "is not a folder"
        action = Action.REPLACE if force else Action.REFUSE
        return Plan(target, action, f"{kind}, so this command did not install it")
    wanted = digests(files)
    try:
        present = folder_digests(target)
    except OSError as exc:
        raise InstallError(target, f"cannot read the installed copy ({exc.strerror})") from exc
    if present == wanted:
        stale = record is None or record.files != wanted
        return Plan(
            target, Action.CURRENT, installed_version=installed_version, record_is_stale=stale
        )
    if record is not None and present == record.files:
        return Plan(target, Action.UPGRADE, installed_version=installed_version)
    if record is None:
        reason = "was not installed by this command (no install record beside it)"
    else:
        reason = f"was changed since it was installed ({_changes(record.files, present)})"
    return Plan(
        target,
        Action.REPLACE if force else Action.REFUSE,
        reason,
        installed_version=installed_version,
    )


def _changes(recorded: dict[str, str], present: dict[str, str], shown: int = 5) -> str:
    parts = []
    for label, paths in (
        ("changed", [p for p in present if p in recorded and present[p] != recorded[p]]),
        ("added", [p for p in present if p not in recorded]),
        ("removed", [p for p in recorded if p not in present]),
    ):
        if paths:
            more = f" and {len(paths) - shown} more" if len(paths) > shown else ""
            parts.append(f"{label}: {', '.join(paths[:shown])}{more}")
    return "; ".join(parts)


def replace_folder(target: Path, files: SkillFiles) -> None:
    """Make `target` hold exactly `files`, all or nothing (see the module docstring)."""
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=parent))
    except OSError as exc:
        raise _error(exc, parent, "cannot create the skills folder") from exc
    try:
        new = staging / "new"
        try:
            _write_tree(new, files)
        except OSError as exc:
            raise _error(exc, new, "cannot write the new copy; the old one is untouched") from exc
        old = staging / "old"
        had_old = target.exists() or target.is_symlink()
        try:
            if had_old:
                os.rename(target, old)  # a symlink is moved, never followed
            try:
                os.rename(new, target)
            except OSError:
                if had_old:
                    os.rename(old, target)
                raise
        except OSError as exc:
            raise _error(exc, target, "cannot move the new copy into place") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_record(target: Path, files: SkillFiles) -> None:
    """Remember what we installed into `target` (written atomically)."""
    record = {
        "skill": SKILL_NAME,
        "version": sqla_checks.__version__,
        "installed_by": "sqla-checks install-skill",
        "files": digests(files),
    }
    write_text_atomically(record_path(target), json.dumps(record, indent=2) + "\n")


def write_text_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file beside it and a rename, keeping
    the permissions of the file it replaces."""
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(text.encode("utf-8"))
            if path.exists():
                shutil.copymode(path, temporary)
            else:  # mkstemp makes it private; a new file gets the usual permissions
                os.chmod(temporary, 0o666 & ~_umask())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise _error(exc, path, "cannot write it") from exc


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _write_tree(folder: Path, files: SkillFiles) -> None:
    folder.mkdir()
    for relative, data in sorted(files.items()):
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _error(exc: OSError, fallback: Path, doing: str) -> InstallError:
    where = exc.filename if exc.filename else fallback
    return InstallError(where, f"{doing}: {exc.strerror or exc}")
