"""Facts about the whole run that a file cannot see in its own text.

Today there is one: where a custom `Query` class is configured. A session factory made
with `sessionmaker(query_cls=SoftDeleteQuery)`, Flask-SQLAlchemy's
`SQLAlchemy(query_class=...)`, `db.Model.query_class = ...` or a model's class-level
`query_class = ...` give every `session.query(...)` / `Model.query` of the project
methods of their own (a soft-delete filter, a tenant criterion), which a `select()`
statement never runs. Query fixes must not be applied anywhere in such a project.

The engine collects the facts from the texts of every file of the run before checking
(`collect_project_facts`) and hands them to each file's `FileContext`; a file checked
alone is its own project (`facts_of_file`). Only files whose bytes mention `query_cls`
or `query_class` are parsed, with the standard library's fast `ast`, so the scan costs
about one read of the files. The project index of issue 11 will add its facts here.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass

_MARKERS = (b"query_cls", b"query_class")
# Values that configure no custom class: the defaults, and pass-through parameters.
_DEFAULT_CLASSES = {"None", "Query", "BaseQuery", "query_cls", "query_class"}


@dataclass(frozen=True)
class CustomQueryClass:
    """Where a custom Query class is configured, spelled as in the source."""

    path: str
    line: int
    spelling: str  # `query_cls=SoftDeleteQuery`

    def describe(self) -> str:
        """`query_cls=SoftDeleteQuery` in app/db.py:12."""
        return f"`{self.spelling}` in {self.path}:{self.line}"


@dataclass(frozen=True)
class ProjectFacts:
    """What the engine knows about the files of the run as a whole."""

    custom_query_classes: tuple[CustomQueryClass, ...] = ()

    def fingerprint(self) -> str:
        """A stable text of the facts, for cache keys: findings depend on them."""
        return json.dumps(asdict(self), sort_keys=True)


def collect_project_facts(sources: Iterable[tuple[str, bytes]]) -> ProjectFacts:
    """The facts of a run, from `(path, bytes)` of each of its files."""
    found: list[CustomQueryClass] = []
    for path, data in sources:
        found.extend(_custom_query_classes(path, data))
    return ProjectFacts(custom_query_classes=tuple(found))


def facts_of_file(path: str, data: bytes) -> ProjectFacts:
    """The facts of a run made of this one file."""
    return collect_project_facts([(path, data)])


def _custom_query_classes(path: str, data: bytes) -> list[CustomQueryClass]:
    if not any(marker in data for marker in _MARKERS):
        return []
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return []  # the check of this file reports why it cannot be read
    finder = _QueryClassFinder(path)
    finder.visit(tree)
    return finder.found


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return None if head is None else f"{head}.{node.attr}"
    return None


class _QueryClassFinder(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path = path
        self.found: list[CustomQueryClass] = []

    def _record(self, node: ast.AST, name: str, value: ast.expr) -> None:
        spelled = _dotted(value)
        if spelled is None:
            spelled = "..."
        elif spelled.rsplit(".", 1)[-1] in _DEFAULT_CLASSES or spelled.startswith("self."):
            return
        line = getattr(node, "lineno", 0)
        self.found.append(CustomQueryClass(self.path, line, f"{name}={spelled}"))

    def visit_Call(self, node: ast.Call) -> None:
        callee = _dotted(node.func) or ""
        for keyword in node.keywords:
            # `query_cls` is the Session/sessionmaker parameter; `query_class` also
            # names a dynamic relationship's class, so only Flask-SQLAlchemy's counts.
            if keyword.arg == "query_cls" or (
                keyword.arg == "query_class" and callee.rsplit(".", 1)[-1] == "SQLAlchemy"
            ):
                self._record(node, keyword.arg, keyword.value)
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            # `db.Model.query_class = X` (not `self.query_class = ...` of a library).
            if (
                isinstance(target, ast.Attribute)
                and target.attr in {"query_cls", "query_class"}
                and not (isinstance(target.value, ast.Name) and target.value.id == "self")
            ):
                self._record(node, target.attr, node.value)
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        # A model's class-level `query_class = SoftDeleteQuery` (Flask-SQLAlchemy).
        for statement in node.body:
            if isinstance(statement, ast.Assign):
                for target in statement.targets:
                    if isinstance(target, ast.Name) and target.id == "query_class":
                        self._record(statement, "query_class", statement.value)
        self.generic_visit(node)
