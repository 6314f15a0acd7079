"""What one module says at its top level that other modules may need: a summary.

The project index (`evidence.project_index`) needs, for every module of a project,
what each top-level name is bound to: an import, a class (with its bases), a function
(and what it yields), or an assignment (`db = SQLAlchemy()`, `Column = db.Column`,
`SessionLocal = sessionmaker(...)`). This module reads that with the standard
library's `ast`, which parses about ten times faster than libcst and is all a summary
needs. Expressions are kept as dotted names (`sa.orm.sessionmaker`), never as trees,
so summaries are small, picklable and cheap to fingerprint.

Only statements that always run at import time, or under a top-level `if`/`try`,
count; the first binding of a name wins, as in `evidence.imports`, except that a
`try:` body's import wins over its `except ImportError:` fallback by coming first.
"""

from __future__ import annotations

import ast
import dataclasses
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Imported:
    """`local` is bound by an import to `qualified` (a module or a module's name)."""

    qualified: str


@dataclass(frozen=True)
class Alias:
    """`local = a.b.c`: another name, spelled as a dotted chain."""

    dotted: str


@dataclass(frozen=True)
class Called:
    """`local = callee(...)`: the callee's dotted name and the keywords that matter."""

    callee: str
    # Dotted values of keyword arguments (`class_=AsyncSession`), by keyword.
    keywords: tuple[tuple[str, str], ...] = ()
    # The dotted callee of the first positional argument when it is a call itself:
    # `scoped_session(sessionmaker(...))`.
    first_call: str | None = None
    # `Base.query = Session.query_property()` follows `Base = declarative_base()`.
    query_property: bool = False

    def keyword(self, name: str) -> str | None:
        """The dotted value of keyword `name`, if given as a dotted name."""
        return next((value for key, value in self.keywords if key == name), None)


@dataclass(frozen=True)
class Subscripted:
    """`local = Annotated[X, ...]` (or any `head[X, ...]`): an annotation alias."""

    head: str
    first: str | None


@dataclass(frozen=True)
class ClassSummary:
    """A top-level class: its bases and what its body says about mapping."""

    bases: tuple[str, ...]
    decorators: tuple[str, ...]
    # `__tablename__ = "..."` in the body (the class is mapped to a table of its own).
    tablename: bool = False
    # `__tablename__` computed (`@declared_attr def __tablename__`): subclasses get one.
    generates_tablename: bool = False
    abstract: bool = False
    # `query = <session>.query_property()` in the body, or `Name.query = ...` at the
    # top level of the module: `Name.query` (and a subclass's) is a legacy Query.
    query_property: bool = False
    # The body binds `query` to something else (a column named `query`): the class's
    # `query` is no Query, whatever its bases give.
    hides_query: bool = False


@dataclass(frozen=True)
class FunctionSummary:
    """A top-level function: whether it yields, and what it yields or returns."""

    asynchronous: bool
    decorators: tuple[str, ...]
    generator: bool
    # The dotted names in the return annotation (`Iterator[Session]` -> `Iterator`,
    # `Session`), outermost first.
    returns: tuple[str, ...]
    # Dotted callees of the values yielded (or returned): `db = SessionLocal(); yield db`
    # and `with SessionLocal() as db: yield db` give `SessionLocal`.
    produces: tuple[str, ...]


Binding = Imported | Alias | Called | Subscripted | ClassSummary | FunctionSummary


@dataclass(frozen=True)
class ModuleSummary:
    """The top-level bindings of one module, by name."""

    module: str
    path: str
    is_package: bool
    bindings: dict[str, Binding] = field(default_factory=dict)
    # `from x import *`: names may come from these modules too.
    star_imports: tuple[str, ...] = ()

    def imported_modules(self) -> set[str]:
        """Every module an import names (and its parents), for loading the closure."""
        found: set[str] = set(self.star_imports)
        for binding in self.bindings.values():
            if isinstance(binding, Imported):
                found.add(binding.qualified)
                found.add(binding.qualified.rpartition(".")[0])
        found.discard("")
        return found


def summarize(module: str, path: str, source: bytes, is_package: bool) -> ModuleSummary | None:
    """The summary of `source`, the module `module`; None if it does not parse."""
    try:
        tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None  # the file's own check reports the parse error
    summary = ModuleSummary(module, path, is_package)
    stars: list[str] = []
    package = module if is_package else module.rpartition(".")[0]
    for statement in _top_level(tree.body):
        _add(summary.bindings, stars, statement, package)
    return ModuleSummary(module, path, is_package, summary.bindings, tuple(stars))


def _top_level(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements run at import time: the body, and the bodies of top-level if/try."""
    found: list[ast.stmt] = []
    for statement in body:
        if isinstance(statement, ast.If):
            found.extend(_top_level(statement.body))
            found.extend(_top_level(statement.orelse))
        elif isinstance(statement, ast.Try):
            found.extend(_top_level(statement.body))
            for handler in statement.handlers:
                found.extend(_top_level(handler.body))
            found.extend(_top_level(statement.orelse))
        else:
            found.append(statement)
    return found


def _add(bindings: dict[str, Binding], stars: list[str], statement: ast.stmt, package: str) -> None:
    if isinstance(statement, ast.Import):
        for alias in statement.names:
            if alias.asname:
                bindings.setdefault(alias.asname, Imported(alias.name))
            else:
                top = alias.name.partition(".")[0]
                bindings.setdefault(top, Imported(top))
    elif isinstance(statement, ast.ImportFrom):
        base = _absolute(statement.module, statement.level, package)
        if base is None:
            return
        for alias in statement.names:
            if alias.name == "*":
                stars.append(base)
            else:
                bindings.setdefault(alias.asname or alias.name, Imported(f"{base}.{alias.name}"))
    elif isinstance(statement, ast.ClassDef):
        bindings.setdefault(statement.name, _class(statement))
    elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
        bindings.setdefault(statement.name, _function(statement))
    elif isinstance(statement, ast.Assign | ast.AnnAssign):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        value = _value(statement.value) if statement.value is not None else None
        for target in targets:
            if isinstance(target, ast.Name) and value is not None:
                bindings.setdefault(target.id, value)
            elif (
                isinstance(target, ast.Attribute)
                and target.attr == "query"
                and isinstance(target.value, ast.Name)
                and _is_query_property(statement.value)
            ):
                # `Base.query = Session.query_property()` after `class Base` (or after
                # `Base = declarative_base()`): recorded on the class binding.
                _give_query_property(bindings, target.value.id)


def _give_query_property(bindings: dict[str, Binding], name: str) -> None:
    binding = bindings.get(name)
    if isinstance(binding, ClassSummary | Called):
        bindings[name] = dataclasses.replace(binding, query_property=True)


def _absolute(module: str | None, level: int, package: str) -> str | None:
    if level == 0:
        return module
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    if module:
        base.append(module)
    return ".".join(base) or None


def dotted(node: ast.expr | None) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _value(node: ast.expr) -> Binding | None:
    name = dotted(node)
    if name is not None:
        return Alias(name)
    if isinstance(node, ast.Call):
        callee = dotted(node.func)
        if callee is None:
            return None
        keywords = tuple(
            (keyword.arg, value)
            for keyword in node.keywords
            if keyword.arg is not None and (value := dotted(keyword.value)) is not None
        )
        first = node.args[0] if node.args else None
        first_call = dotted(first.func) if isinstance(first, ast.Call) else None
        return Called(callee, keywords, first_call)
    if isinstance(node, ast.Subscript):
        head = dotted(node.value)
        if head is None:
            return None
        inner = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
        return Subscripted(head, dotted(inner))
    return None


def _decorators(node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, ...]:
    found = []
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = dotted(target)
        if name is not None:
            found.append(name)
    return tuple(found)


def _class(node: ast.ClassDef) -> ClassSummary:
    bases = tuple(name for base in node.bases if (name := dotted(base)) is not None)
    tablename = generates = abstract = query = hides = False
    for statement in node.body:
        if isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            names = {target.id for target in targets if isinstance(target, ast.Name)}
            if "__tablename__" in names:
                tablename = True
            if "__abstract__" in names and _is_true(statement.value):
                abstract = True
            if "query" in names:
                query = _is_query_property(statement.value)
                hides = not query
        elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            hides = hides or statement.name == "query"
            generates = generates or (
                not isinstance(statement, ast.ClassDef) and statement.name == "__tablename__"
            )
    return ClassSummary(bases, _decorators(node), tablename, generates, abstract, query, hides)


def _is_query_property(node: ast.expr | None) -> bool:
    """`<session>.query_property(...)`: the legacy `Model.query` of `scoped_session`."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "query_property"
    )


def _is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _function(node: ast.FunctionDef | ast.AsyncFunctionDef) -> FunctionSummary:
    returns: list[str] = []
    if node.returns is not None:
        for part in ast.walk(node.returns):
            name = dotted(part) if isinstance(part, ast.Name | ast.Attribute) else None
            if name is not None and name not in returns:
                returns.append(name)
    finder = _Produces()
    for statement in node.body:
        finder.visit(statement)
    produced = [
        finder.calls.get(value, value) for value in finder.values if value in finder.calls
    ] + finder.direct
    return FunctionSummary(
        asynchronous=isinstance(node, ast.AsyncFunctionDef),
        decorators=_decorators(node),
        generator=finder.generator,
        returns=tuple(returns),
        produces=tuple(dict.fromkeys(produced)),
    )


class _Produces(ast.NodeVisitor):
    """What a function body yields or returns, traced through local `name = f()`."""

    def __init__(self) -> None:
        self.calls: dict[str, str] = {}  # local name -> dotted callee it was bound from
        self.values: list[str] = []  # names yielded or returned
        self.direct: list[str] = []  # callees yielded or returned directly
        self.generator = False

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        return  # a nested function's yields are its own

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        return

    def visit_Lambda(self, node: ast.Lambda) -> None:
        return

    def visit_Assign(self, node: ast.Assign) -> None:
        callee = _callee(node.value)
        if callee is not None:
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.calls.setdefault(target.id, callee)
        self.generic_visit(node)

    def _with(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            callee = _callee(item.context_expr)
            if callee is not None and isinstance(item.optional_vars, ast.Name):
                self.calls.setdefault(item.optional_vars.id, callee)
        self.generic_visit(node)

    def visit_With(self, node: ast.With) -> None:
        self._with(node)

    def visit_AsyncWith(self, node: ast.AsyncWith) -> None:
        self._with(node)

    def _produce(self, value: ast.expr | None) -> None:
        if isinstance(value, ast.Name):
            self.values.append(value.id)
        else:
            callee = _callee(value)
            if callee is not None:
                self.direct.append(callee)

    def visit_Yield(self, node: ast.Yield) -> None:
        self.generator = True
        self._produce(node.value)
        self.generic_visit(node)

    def visit_Return(self, node: ast.Return) -> None:
        self._produce(node.value)
        self.generic_visit(node)


def _callee(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Await):
        node = node.value
    if isinstance(node, ast.Call):
        return dotted(node.func)
    return None


# -- a JSON form, for the cache (never pickle: the cache is a folder of the project) ----
_BINDING_TYPES: dict[str, type[Binding]] = {
    cls.__name__: cls
    for cls in (Imported, Alias, Called, Subscripted, ClassSummary, FunctionSummary)
}


def summary_to_json(summary: ModuleSummary) -> dict[str, object]:
    """A JSON-ready form of `summary` (`summary_from_json` reads it back)."""
    bindings = {
        name: [type(binding).__name__, asdict(binding)]
        for name, binding in summary.bindings.items()
    }
    return {
        "module": summary.module,
        "path": summary.path,
        "is_package": summary.is_package,
        "bindings": bindings,
        "star_imports": list(summary.star_imports),
    }


def summary_from_json(payload: Any) -> ModuleSummary:
    """The summary `summary_to_json` wrote; raises ValueError/TypeError/KeyError if damaged."""
    bindings: dict[str, Binding] = {}
    for name, (kind, fields) in payload["bindings"].items():
        cls = _BINDING_TYPES[kind]
        values: dict[str, Any] = {
            key: tuple(tuple(v) if isinstance(v, list) else v for v in value)
            if isinstance(value, list)
            else value
            for key, value in fields.items()
        }
        bindings[name] = cls(**values)
    return ModuleSummary(
        str(payload["module"]),
        str(payload["path"]),
        bool(payload["is_package"]),
        bindings,
        tuple(payload["star_imports"]),
    )
