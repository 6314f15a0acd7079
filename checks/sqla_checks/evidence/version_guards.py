"""Version guards: code written to run only on some SQLAlchemy releases.

Compatibility code picks an API by the installed release:

    if SQLALCHEMY_VERSION >= (2, 0):          # any test of sqlalchemy's version
        from sqlalchemy.ext.asyncio import async_sessionmaker
    else:
        async_sessionmaker = None

    try:
        from sqlalchemy.orm import DeclarativeBase
    except ImportError:                        # a release without it
        ...

Each branch is written for releases the other avoids, so no fix rewrites code in
either (`covers`), and no fix brings in or drops a name a guard binds (`binds`).

A test counts as a version test when it reads `sqlalchemy.__version__` (through any
import of it), `importlib.metadata.version("sqlalchemy")` or
`pkg_resources.get_distribution("sqlalchemy")`, a module-level name assigned from one
of those (`SA_VERSION = parse(sa.__version__)`, `IS_SQLA2 = SA_VERSION >= ...`), or a
name spelled like one (`SQLALCHEMY_VERSION`, `sqla_version`: SQLA and VERSION in it)
imported from a compatibility module. `PY_VERSION >= (3, 8)` is none of those. A
`try` counts when its body imports from sqlalchemy and a handler names `ImportError`
or `ModuleNotFoundError`. An `elif` is read as its own `if`. Conditional expressions
(`a if SQLA2 else b`) are not guards: only statements are.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence

import libcst as cst

from sqla_checks.evidence.assignments import Assignment
from sqla_checks.evidence.imports import ImportMap, dotted_name

_VERSION_ATTRIBUTE = "sqlalchemy.__version__"
# Functions that read an installed distribution's version by its name.
_DISTRIBUTION_READERS = frozenset({"version", "get_distribution", "distribution"})
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})
# Without one of these (lower-cased) in the source a module has no guard; the walk is
# skipped. Every version test above spells "version"; every try guard an error name.
_PREFILTER = ("version", "importerror", "modulenotfounderror")


class VersionGuards:
    """Which nodes of a module sit inside a version guard, and the names guards bind."""

    def __init__(
        self,
        module: cst.Module,
        text: str,
        imports: ImportMap,
        assignments: tuple[Assignment, ...],
    ) -> None:
        self._covered: set[int] = set()
        self._bound: set[str] = set()
        lowered = text.lower()
        if not any(word in lowered for word in _PREFILTER):
            return
        finder = _GuardFinder(_VersionTests(imports, assignments))
        finder.find(module)
        self._covered = finder.covered
        self._bound = finder.bound

    def covers(self, node: cst.CSTNode) -> bool:
        """Whether `node` is inside a guard (either branch, or the guard's test)."""
        return id(node) in self._covered

    def binds(self, name: str) -> bool:
        """Whether code inside a guard binds `name` (imports, assigns or defines it)."""
        return name in self._bound


class _VersionTests:
    """Tells expressions that read SQLAlchemy's version from the rest."""

    def __init__(self, imports: ImportMap, assignments: tuple[Assignment, ...]) -> None:
        self._imports = imports
        self._derived: set[str] = set()
        # In source order, so `IS_2 = SA_VERSION >= (2, 0)` follows `SA_VERSION = ...`.
        for assignment in assignments:
            if self.reads_version(assignment.value):
                self._derived.add(assignment.name)

    def reads_version(self, expression: cst.CSTNode) -> bool:
        """Whether `expression` (or any part of it) reads SQLAlchemy's version."""
        return any(self._is_version_source(node) for node in _subtree(expression))

    def _is_version_source(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.Name | cst.Attribute):
            if self._imports.resolve(node) == _VERSION_ATTRIBUTE:
                return True
            return isinstance(node, cst.Name) and (
                node.value in self._derived or _named_like_version(node.value)
            )
        if isinstance(node, cst.Call) and node.args:
            func = dotted_name(node.func)
            first = node.args[0].value
            return (
                func is not None
                and func.rpartition(".")[2] in _DISTRIBUTION_READERS
                and isinstance(first, cst.SimpleString)
                and str(first.evaluated_value).lower() == "sqlalchemy"
            )
        return False


def _named_like_version(name: str) -> bool:
    upper = name.upper()
    return "SQLA" in upper and "VERSION" in upper


class _GuardFinder:
    """Guard regions, the nodes in them and the names they bind.

    Guards are statements, so only statements are walked to find them (a full walk of
    every expression would cost as much as checking the file); each guard's own
    subtree is walked whole.
    """

    def __init__(self, tests: _VersionTests) -> None:
        self._tests = tests
        self.covered: set[int] = set()
        self.bound: set[str] = set()

    def find(self, module: cst.Module) -> None:
        pending: list[cst.CSTNode] = [module]
        while pending:
            node = pending.pop()
            if self._is_guard(node):
                self._cover(node)
            elif isinstance(node, cst.Module | cst.IndentedBlock):
                pending.extend(node.body)
            elif isinstance(node, cst.BaseCompoundStatement):
                pending.extend(_blocks(node))
            elif isinstance(node, cst.Else | cst.ExceptHandler | cst.Finally | cst.MatchCase):
                pending.append(node.body)

    def _cover(self, guard: cst.CSTNode) -> None:
        for node in _subtree(guard):
            self.covered.add(id(node))
            self.bound.update(_names_bound(node))

    def _is_guard(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.If):
            return self._tests.reads_version(node.test)
        if isinstance(node, cst.Try):
            return any(_catches_import_error(handler) for handler in node.handlers) and any(
                _imports_sqlalchemy(child) for child in _subtree(node.body)
            )
        return False


def _blocks(statement: cst.BaseCompoundStatement) -> list[cst.CSTNode]:
    """The parts of a compound statement that hold statements (read field by field:
    libcst's `children` rebuilds the node's child list on every call)."""
    blocks: list[cst.CSTNode] = [statement.body]
    for name in ("orelse", "finalbody"):
        part = getattr(statement, name, None)
        if isinstance(part, cst.CSTNode):
            blocks.append(part)
    blocks.extend(getattr(statement, "handlers", ()))
    blocks.extend(getattr(statement, "cases", ()))
    return blocks


def _subtree(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """`node` and everything below it, read from the dataclass fields directly."""
    pending = [node]
    while pending:
        current = pending.pop()
        yield current
        for field in dataclasses.fields(current):
            value = getattr(current, field.name)
            if isinstance(value, cst.CSTNode):
                pending.append(value)
            elif isinstance(value, Sequence) and not isinstance(value, str):
                pending.extend(item for item in value if isinstance(item, cst.CSTNode))


def _catches_import_error(handler: cst.ExceptHandler) -> bool:
    caught = handler.type
    if caught is None:
        return False
    names = caught.elements if isinstance(caught, cst.Tuple) else [caught]
    for element in names:
        value = element.value if isinstance(element, cst.Element) else element
        if isinstance(value, cst.Name) and value.value in _IMPORT_ERRORS:
            return True
    return False


def _imports_sqlalchemy(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.ImportFrom):
        module = dotted_name(node.module) if node.module is not None else None
        return not node.relative and module is not None and _is_sqlalchemy(module)
    if isinstance(node, cst.Import):
        return any(_is_sqlalchemy(dotted_name(alias.name) or "") for alias in node.names)
    return False


def _is_sqlalchemy(module: str) -> bool:
    return module == "sqlalchemy" or module.startswith("sqlalchemy.")


def _names_bound(node: cst.CSTNode) -> Iterator[str]:
    """The plain names `node` binds by itself (not through its children)."""
    if isinstance(node, cst.Import):
        for alias in node.names:
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                yield alias.asname.name.value
            else:
                yield (dotted_name(alias.name) or "").split(".")[0]
    elif isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
        for alias in node.names:
            bound = alias.asname.name if alias.asname is not None else alias.name
            if isinstance(bound, cst.Name):
                yield bound.value
    elif isinstance(node, cst.AssignTarget | cst.AnnAssign | cst.AugAssign):
        yield from _target_names(node.target)
    elif isinstance(node, cst.FunctionDef | cst.ClassDef):
        yield node.name.value


def _target_names(target: cst.BaseExpression) -> Iterator[str]:
    """`a`, `a, b` and `*a` bind names; `obj.attr` and `items[0]` bind none."""
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, cst.Tuple | cst.List):
        for element in target.elements:
            yield from _target_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from _target_names(target.value)


def fallback_names(statement: cst.Try) -> dict[cst.ImportFrom, frozenset[str]]:
    """The `from ... import` statements of `statement`'s `except ImportError:` handlers,
    each with the names it binds that the `try` body binds already.

    Such an import is the fallback for releases where the body's import fails
    (`try: from sqlalchemy.orm import declarative_base` / `except ImportError: from
    sqlalchemy.ext.declarative import declarative_base`): the body's binding is the
    one every newer release uses.
    """
    in_body = {name for node in _subtree(statement.body) for name in _names_bound(node)}
    found: dict[cst.ImportFrom, frozenset[str]] = {}
    for handler in statement.handlers:
        if not _catches_import_error(handler):
            continue
        for node in _subtree(handler.body):
            if isinstance(node, cst.ImportFrom):
                found[node] = frozenset(_names_bound(node)) & in_body
    return found
