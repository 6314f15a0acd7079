"""The SQLAlchemy release a project targets: `target-sqlalchemy`, else its declared dependency.

As ruff's `target-version` falls back to `requires-python`, an absent
`target-sqlalchemy` is read from the project's own dependency on SQLAlchemy, in the
project root (the folder of the pyproject.toml with `[tool.sqla-checks]`, else the
current directory): `[project] dependencies` and `optional-dependencies`,
`[tool.poetry.dependencies]`, `requirements*.txt`, and setup.cfg's `install_requires`
and `extras_require`. The target is the lowest release the specifier admits
(`sqlalchemy>=2.0` -> 2.0, `SQLAlchemy>=1.4,<3` -> 1.4); with several declarations
the lowest of them counts, since the code must run under each. A declaration without
a version (`sqlalchemy`, a URL), environment markers and unreadable dependency files
say nothing; with nothing to go on the target is unknown and fixes assume the newest
release.

`packaging` is imported only when a declaration names SQLAlchemy (and configparser
only when there is a setup.cfg): a run whose project declares nothing starts without
them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqla_checks.evidence.sqlalchemy_api import Release, Target

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

KEY = "target-sqlalchemy"
_DISTRIBUTION = "sqlalchemy"


def parse_release(text: str) -> Release | None:
    """`"1.4"` or `"2.0.36"` as a Release; None for anything else."""
    parts = text.split(".")
    if not 2 <= len(parts) <= 3 or not all(part.isdigit() and part.isascii() for part in parts):
        return None
    numbers = [int(part) for part in parts]
    return Release(*numbers)


def configured_target(release: Release) -> Target:
    """The target the user set with `target-sqlalchemy`."""
    return Target(release, f"SQLAlchemy {release} ({KEY})")


def effective_target(configured: Release | None, root: Path) -> Target | None:
    """`target-sqlalchemy` when it is set, else the target the project root declares."""
    return configured_target(configured) if configured is not None else infer_target(root)


def describe(target: Target | None) -> str:
    """One line for settings output: the effective target and where it came from."""
    if target is None:
        return "unknown (no versioned dependency on SQLAlchemy found): the newest is assumed"
    return target.label


@dataclass(frozen=True)
class _Declaration:
    """One declared dependency on SQLAlchemy: alternatives of specifiers, as written."""

    alternatives: tuple[SpecifierSet, ...]
    written: str
    where: str


def infer_target(root: Path) -> Target | None:
    """The lowest release the dependency declarations under `root` admit, or None."""
    best: tuple[Version, _Declaration] | None = None
    for declaration in _declarations(root):
        lowest = [_lowest_admitted(spec) for spec in declaration.alternatives if spec]
        admitted = [version for version in lowest if version is not None]
        if not admitted:
            continue
        version = min(admitted)
        if best is None or version < best[0]:
            best = (version, declaration)
    if best is None:
        return None
    version, declaration = best
    release = Release(*(*version.release, 0, 0)[:3])
    return Target(release, f"{declaration.written} ({declaration.where})")


def _lowest_admitted(spec: SpecifierSet) -> Version | None:
    """The lowest version `spec` admits among the versions its clauses name.

    The lowest admitted version is always one a clause names, or just above one
    (`>1.4` admits 1.4.1, `>=2.0,!=2.0.*` admits 2.1), or 0 when nothing bounds it
    from below; so trying those candidates is exact for the release it names. Only an
    upper bound (`<2.0`) gives 0: every older release counts, and 2.0 fixes stay off.
    """
    from packaging.version import InvalidVersion, Version

    no_lower_bound = Version("0")
    candidates = {no_lower_bound}
    for clause in spec:
        try:
            named = Version(clause.version.removesuffix(".*"))
        except InvalidVersion:
            continue  # `===` arbitrary strings name no version
        major, minor, *_ = (*named.release, 0, 0)
        candidates.update(
            {
                named,
                Version(f"{named.base_version}.1"),
                Version(f"{major}.{minor + 1}"),
                Version(f"{major + 1}"),
            }
        )
    admitted = [version for version in candidates if spec.contains(version, prereleases=True)]
    lowest = min(admitted, default=None)
    if lowest == no_lower_bound and spec.contains(Version("9999"), prereleases=True):
        return None  # bounded neither below nor above (`!=1.3.5`): it names no release
    return lowest


# -- where projects declare dependencies -----------------------------------------------


def _declarations(root: Path) -> Iterator[_Declaration]:
    pyproject = _toml(root / "pyproject.toml")
    project = pyproject.get("project")
    if isinstance(project, dict):
        yield from _pep508(project.get("dependencies"), "pyproject.toml")
        extras = project.get("optional-dependencies")
        if isinstance(extras, dict):
            for requirements in extras.values():
                yield from _pep508(requirements, "pyproject.toml")
    tool = pyproject.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    if isinstance(poetry, dict) and isinstance(poetry.get("dependencies"), dict):
        for name, value in poetry["dependencies"].items():
            if _is_sqlalchemy(str(name)):
                declaration = _poetry(value)
                if declaration is not None:
                    yield declaration
    for requirements_file in sorted(root.glob("requirements*.txt")):
        yield from _pep508(_requirement_lines(requirements_file), requirements_file.name)
    yield from _setup_cfg(root / "setup.cfg")


def _toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def _pep508(lines: Any, where: str) -> Iterator[_Declaration]:
    """The SQLAlchemy requirements among PEP 508 strings."""
    if not isinstance(lines, list):
        return
    for line in lines:
        # The name of a requirement is part of its line: the cheap test spares the
        # parser (and its import) every other dependency.
        if not isinstance(line, str) or _DISTRIBUTION not in line.lower():
            continue
        from packaging.requirements import InvalidRequirement, Requirement

        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if _is_sqlalchemy(requirement.name):
            yield _Declaration((requirement.specifier,), line.strip(), where)


def _requirement_lines(path: Path) -> list[str]:
    """The requirement part of each line of a pip requirements file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    lines = []
    for raw in text.replace("\\\n", " ").splitlines():
        line = raw.split(" #")[0].strip()
        if not line or line.startswith(("#", "-")):
            continue  # comments and pip options (-r, -e, --hash on its own line)
        lines.append(line.split(" -")[0].strip())  # trailing `--hash=...` options
    return lines


def _is_sqlalchemy(name: str) -> bool:
    # packaging's canonical form lowercases and turns runs of `-_.` into `-`; a name
    # whose canonical form is `sqlalchemy` has no such runs, so lowercasing suffices.
    return name.lower() == _DISTRIBUTION


def _setup_cfg(path: Path) -> Iterator[_Declaration]:
    if not path.is_file():
        return
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        if not parser.read(path, encoding="utf-8"):
            return
    except (configparser.Error, UnicodeDecodeError):
        return
    if parser.has_option("options", "install_requires"):
        yield from _pep508(parser.get("options", "install_requires").splitlines(), "setup.cfg")
    if parser.has_section("options.extras_require"):
        for _, value in parser.items("options.extras_require"):
            yield from _pep508(value.splitlines(), "setup.cfg")


# Poetry's constraint operators that PEP 440 lacks, as the lower bound they set:
# `^1.4` and `~1.4` both admit 1.4 and nothing lower.
_POETRY_OPERATORS = ("^", "~")
_PEP440_OPERATORS = ("===", "==", "!=", "~=", ">=", "<=", ">", "<")


def _poetry(value: Any) -> _Declaration | None:
    """`sqlalchemy = "^1.4"`, `{version = ...}` or a list of those (one per Python)."""
    entries = value if isinstance(value, list) else [value]
    constraints = []
    for entry in entries:
        constraint = entry.get("version") if isinstance(entry, dict) else entry
        if isinstance(constraint, str):
            constraints.append(constraint)
    alternatives = []
    for constraint in constraints:
        for alternative in constraint.split("||"):
            spec = _poetry_specifier(alternative)
            if spec is not None:
                alternatives.append(spec)
    if not alternatives:
        return None
    written = " || ".join(constraints)
    return _Declaration(tuple(alternatives), f'sqlalchemy = "{written}"', "pyproject.toml")


def _poetry_specifier(alternative: str) -> SpecifierSet | None:
    """One Poetry alternative (`>=1.4,<2`, `>= 1.4 < 2`, `^2.0`, `2.0.*`) as PEP 440."""
    tokens = alternative.replace(",", " ").split()
    clauses: list[str] = []
    for token in tokens:
        if clauses and clauses[-1] in (*_PEP440_OPERATORS, *_POETRY_OPERATORS, "="):
            clauses[-1] += token  # `>= 1.4`: the operator stood alone
        else:
            clauses.append(token)
    translated = []
    for clause in clauses:
        if clause == "*":
            continue
        if clause.startswith(_PEP440_OPERATORS):
            translated.append(clause)
        elif clause.startswith(_POETRY_OPERATORS):
            translated.append(">=" + clause[1:])
        else:
            translated.append("==" + clause.removeprefix("="))
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        return SpecifierSet(",".join(translated))
    except InvalidSpecifier:
        return None
