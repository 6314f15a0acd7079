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
or `ModuleNotFoundError`. `if`, `elif` and conditional expressions are read the same.
"""

from __future__ import annotations

from collections.abc import Iterator

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
        tests = _VersionTests(imports, assignments)
        walker = _GuardWalker(tests, imports)
        module.visit(walker)
        self._covered = walker.covered
        self._bound = walker.bound

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


class _GuardWalker(cst.CSTVisitor):
    """One walk of the module: guard regions, the nodes in them and what they bind."""

    def __init__(self, tests: _VersionTests, imports: ImportMap) -> None:
        super().__init__()
        self._tests = tests
        self._imports = imports
        self._openers: set[int] = set()
        self.covered: set[int] = set()
        self.bound: set[str] = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self._is_guard(node):
            self._openers.add(id(node))
        if self._openers:
            self.covered.add(id(node))
            self.bound.update(_names_bound(node))
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self._openers.discard(id(original_node))

    def _is_guard(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.If | cst.IfExp):
            return self._tests.reads_version(node.test)
        if isinstance(node, cst.Try):
            return any(_catches_import_error(handler) for handler in node.handlers) and any(
                _imports_sqlalchemy(child) for child in _subtree(node.body)
            )
        return False


def _subtree(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    pending = [node]
    while pending:
        current = pending.pop()
        yield current
        pending.extend(current.children)


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
