"""What one module says at its top level that other modules may need: a summary.

The project index (`evidence.project_index`) needs, for every module of a project,
what each top-level name is bound to: an import, a class (with its bases), a function
(and what it yields), an assignment (`db = SQLAlchemy()`, `Column = db.Column`,
`SessionLocal = sessionmaker(...)`), or a declaration with no value (`Session:
Callable[..., SASession]`, set by a setup function's `global Session`). This module
reads that with the standard library's `ast`, which parses about ten times faster
than libcst and is all a summary needs. Expressions are kept as dotted names
(`sa.orm.sessionmaker`), never as trees, so summaries are small, picklable and cheap
to fingerprint.

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
class Declared:
    """`local: T` at the top level with no value (bound elsewhere, as by a `global`
    statement in a setup function): the declared type, as a dotted name. For
    `local: Callable[..., T]`, `callable` is the dotted `Callable` spelling and
    `annotation` is `T`, what a call returns."""

    annotation: str
    callable: str | None = None


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
    # Every name the body binds, as (name, how, dotted): how is "alias" (`Session =
    # meta.Session`), "call" (`Session = scoped_session(...)`, the callee), "annotation"
    # (`session: Session`, or a `@property` returning `Session`), or "other" (a method,
    # anything else: it hides what a base class binds under that name).
    attributes: tuple[tuple[str, str, str], ...] = ()


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
    # The function's only `return app, db` of names bound from calls: each element's
    # dotted callee ("" when not bound from a call), for `app, db = setup()`.
    returns_tuple: tuple[str, ...] = ()


Binding = Imported | Alias | Called | Subscripted | Declared | ClassSummary | FunctionSummary


@dataclass(frozen=True)
class ModuleSummary:
    """The top-level bindings of one module, by name."""

    module: str
    path: str
    is_package: bool
    bindings: dict[str, Binding] = field(default_factory=dict)
    # `from x import *`: names may come from these modules too.
    star_imports: tuple[str, ...] = ()
    # Top-level `<registry>.map_imperatively(Cls, table)` / `mapper(Cls, table)`
    # calls: (dotted callee, dotted class), for the index to check the callee.
    imperative: tuple[tuple[str, str], ...] = ()

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
    imperative: list[tuple[str, str]] = []
    package = module if is_package else module.rpartition(".")[0]
    for statement in _top_level(tree.body):
        _add(summary.bindings, stars, statement, package)
        mapping = _imperative_mapping(statement)
        if mapping is not None:
            imperative.append(mapping)
    return ModuleSummary(
        module, path, is_package, summary.bindings, tuple(stars), tuple(imperative)
    )


def _imperative_mapping(statement: ast.stmt) -> tuple[str, str] | None:
    """`(callee, class)` of a `x.map_imperatively(Cls, ...)` or `mapper(Cls, ...)` call."""
    call = statement.value if isinstance(statement, ast.Expr | ast.Assign) else None
    if not (isinstance(call, ast.Call) and call.args):
        return None
    callee, klass = dotted(call.func), dotted(call.args[0])
    if callee is None or klass is None:
        return None
    if callee.rpartition(".")[2] not in {"map_imperatively", "mapper"}:
        return None
    return callee, klass


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
        if isinstance(statement, ast.AnnAssign) and statement.value is None:
            value = _declared(statement.annotation)
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


def _declared(annotation: ast.expr) -> Declared | None:
    """The type `name: T` declares: a dotted `T`, or `Callable[..., T]`'s result."""
    name = dotted(annotation)
    if name is not None:
        return Declared(name)
    if not isinstance(annotation, ast.Subscript):
        return None
    head = dotted(annotation.value)
    arguments = annotation.slice
    if head is None or head.rpartition(".")[2] != "Callable":
        return None
    if not (isinstance(arguments, ast.Tuple) and len(arguments.elts) == 2):
        return None
    result = dotted(arguments.elts[1])
    return Declared(result, head) if result is not None else None


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
    attributes: dict[str, tuple[str, str]] = {}
    for statement in node.body:
        if isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            names = {target.id for target in targets if isinstance(target, ast.Name)}
            for name in names:
                attributes.setdefault(name, _attribute(statement))
            if "__tablename__" in names:
                tablename = True
            if "__abstract__" in names and _is_true(statement.value):
                abstract = True
            if "query" in names:
                query = _is_query_property(statement.value)
                hides = not query
        elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            attributes.setdefault(statement.name, _property(statement))
            hides = hides or statement.name == "query"
            generates = generates or (
                not isinstance(statement, ast.ClassDef) and statement.name == "__tablename__"
            )
    spelled = tuple((name, how, value) for name, (how, value) in attributes.items())
    return ClassSummary(
        bases, _decorators(node), tablename, generates, abstract, query, hides, spelled
    )


def _attribute(statement: ast.Assign | ast.AnnAssign) -> tuple[str, str]:
    """How a class-body assignment binds its name (see `ClassSummary.attributes`)."""
    value = statement.value
    name = dotted(value)
    if name is not None:
        return "alias", name
    if isinstance(value, ast.Call) and not any(k.arg == "class_" for k in value.keywords):
        # A `sessionmaker(class_=...)` is left unknown: the summary keeps no keywords.
        callee = dotted(value.func)
        if callee is not None:
            return "call", callee
    if value is None and isinstance(statement, ast.AnnAssign):
        annotation = dotted(statement.annotation)
        if annotation is not None:
            return "annotation", annotation
    return "other", ""


def _property(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> tuple[str, str]:
    """A `@property` with a plain return annotation gives what it names; other defs hide."""
    if isinstance(node, ast.FunctionDef) and "property" in _decorators(node):
        annotation = dotted(node.returns)
        if annotation is not None:
            return "annotation", annotation
    return "other", ""


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
        returns_tuple=_returned_tuple(finder),
    )


def _returned_tuple(finder: _Produces) -> tuple[str, ...]:
    """The callees behind the names of the one `return a, b` of a plain function."""
    if finder.generator or len(finder.returned) != 1:
        return ()
    value = finder.returned[0]
    if not (isinstance(value, ast.Tuple) and all(isinstance(e, ast.Name) for e in value.elts)):
        return ()
    names = [element.id for element in value.elts if isinstance(element, ast.Name)]
    if any(finder.rebound.get(name, 0) > 1 for name in names):
        return ()  # bound twice: which value is returned depends on the path
    return tuple(finder.calls.get(name, "") for name in names)


class _Produces(ast.NodeVisitor):
    """What a function body yields or returns, traced through local `name = f()`."""

    def __init__(self) -> None:
        self.calls: dict[str, str] = {}  # local name -> dotted callee it was bound from
        self.values: list[str] = []  # names yielded or returned
        self.direct: list[str] = []  # callees yielded or returned directly
        self.returned: list[ast.expr | None] = []  # every `return` value
        self.rebound: dict[str, int] = {}  # how many assignments bind each local name
        self.generator = False

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        return  # a nested function's yields are its own

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        return

    def visit_Lambda(self, node: ast.Lambda) -> None:
        return

    def visit_Assign(self, node: ast.Assign) -> None:
        callee = _callee(node.value)
        for target in node.targets:
            for name in _target_names(target):
                self.rebound[name] = self.rebound.get(name, 0) + 1
            if callee is not None and isinstance(target, ast.Name):
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
        self.returned.append(node.value)
        self._produce(node.value)
        self.generic_visit(node)


def _target_names(target: ast.expr) -> list[str]:
    """The names an assignment target binds (`a`, `a, (b, *c)`; not `a.x` or `a[0]`)."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        return [name for element in target.elts for name in _target_names(element)]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return []


def _callee(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Await):
        node = node.value
    if isinstance(node, ast.Call):
        return dotted(node.func)
    return None


# -- a JSON form, for the cache (never pickle: the cache is a folder of the project) ----
_BINDING_TYPES: dict[str, type[Binding]] = {
    cls.__name__: cls
    for cls in (Imported, Alias, Called, Subscripted, Declared, ClassSummary, FunctionSummary)
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
        "imperative": [list(pair) for pair in summary.imperative],
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
        tuple((str(callee), str(klass)) for callee, klass in payload["imperative"]),
    )
