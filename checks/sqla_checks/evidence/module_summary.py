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
    # Parameter names, positional ones (in order) first, then keyword-only ones after
    # `keyword_only_from` (the number of positional ones).
    parameters: tuple[str, ...] = ()
    keyword_only_from: int = 0
    # Parameters whose `.Model` a class statement of the body subclasses
    # (`def create_models(db): class Model1(db.Model)`): what they are depends on the
    # function's callers (`call_sites`).
    model_parameters: tuple[str, ...] = ()


@dataclass(frozen=True)
class CallSite:
    """A call of a project function, anywhere in the module: `create_models(db)`.

    `callee` is spelled as the module's top level reads it (`create_models`,
    `helpers.create_models`), or `=` and the qualified name when an import inside the
    calling function binds it. Each argument is what the caller passes, as far as the
    call's own function shows it: `name:db` (a module-level name), `call:SQLAlchemy`
    (a call, or a local bound only from one), `item:1:3:setup` (item 1 of the three a
    local `app, db, admin = setup()` unpacks), or "" (anything else).
    """

    callee: str
    positional: tuple[str, ...] = ()
    keywords: tuple[tuple[str, str], ...] = ()
    # `*args` or `**kwargs` in the call: which argument goes where is unknown.
    unpacked: bool = False

    def argument(self, position: int | None, keyword: str) -> str | None:
        """What the call passes for the parameter at `position` (None: keyword-only)
        named `keyword`; None when it passes nothing for it."""
        if position is not None and position < len(self.positional):
            return self.positional[position]
        return next((value for key, value in self.keywords if key == keyword), None)


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


@dataclass(frozen=True)
class CallSites:
    """Where a module calls some project functions, and where it reads them as values."""

    calls: tuple[CallSite, ...] = ()
    # The names read other than as a callee (`partial(create_models, db)`, a
    # decorator, a list of helpers), spelled as `CallSite.callee`: their functions
    # may be called with anything.
    escaped: tuple[str, ...] = ()


def call_sites(summary: ModuleSummary, source: bytes, names: frozenset[str]) -> CallSites:
    """The calls in `source` (the module `summary` summarises) of project functions
    named one of `names`, whether defined here or imported from the module's own
    top-level package, and where those names are read as values.

    Only asked for when the project has functions whose parameters need their
    callers (`FunctionSummary.model_parameters`): one more parse of the module.
    """
    if not any(name.encode() in source for name in names):
        return CallSites()
    try:
        tree = ast.parse(source, filename=summary.path)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return CallSites()
    package = summary.module if summary.is_package else summary.module.rpartition(".")[0]
    found = _CallSites(summary.bindings, package, names)
    found.visit(tree)
    return CallSites(tuple(found.calls), tuple(dict.fromkeys(found.escaped)))


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
        parameters=tuple(
            arg.arg for arg in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)
        ),
        keyword_only_from=len(node.args.posonlyargs) + len(node.args.args),
        model_parameters=tuple(
            arg.arg
            for arg in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)
            if arg.arg in finder.model_bases
        ),
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
        self.model_bases: set[str] = set()  # `x` of class statements `class C(x.Model)`

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for base in node.bases:
            if (
                isinstance(base, ast.Attribute)
                and base.attr == "Model"
                and isinstance(base.value, ast.Name)
            ):
                self.model_bases.add(base.value.id)
        self.generic_visit(node)

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


# -- calls of project functions ---------------------------------------------------
# How a scope binds a name: ("import", qualified) for an import, ("call", callee) for
# `name = callee(...)`, ("item", "i:n:callee") for the i-th of n names unpacked from
# `callee(...)`, ("other", "") for anything else (a parameter, a loop, a class, ...).
_ScopeNames = dict[str, list[tuple[str, str]]]


class _CallSites(ast.NodeVisitor):
    """The calls of project functions in one module, and those names read as values.

    Scopes are followed as Python resolves names: a function's own bindings first,
    then the enclosing functions', then the module's. A class body or comprehension
    hides what it binds, and its arguments say nothing (recorded as "").
    """

    def __init__(self, bindings: dict[str, Binding], package: str, names: frozenset[str]) -> None:
        self._bindings = bindings
        self._names = names
        self._package = package  # for relative imports inside functions
        self._top = package.partition(".")[0]
        self._scopes: list[_ScopeNames] = []
        self.calls: list[CallSite] = []
        self.escaped: list[str] = []

    # -- scopes -----------------------------------------------------------------
    def _in_scope(self, names: _ScopeNames, body: list[ast.AST]) -> None:
        self._scopes.append(names)
        for node in body:
            self.visit(node)
        self._scopes.pop()

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        for default in (*node.args.defaults, *node.args.kw_defaults):
            if default is not None:
                self.visit(default)
        if not isinstance(node, ast.Lambda):
            for decorator in node.decorator_list:
                self.visit(decorator)
        names: _ScopeNames = {}
        arguments = node.args
        for arg in (
            *arguments.posonlyargs,
            *arguments.args,
            *arguments.kwonlyargs,
            *(a for a in (arguments.vararg, arguments.kwarg) if a is not None),
        ):
            names.setdefault(arg.arg, []).append(("other", ""))
        body: list[ast.AST] = [node.body] if isinstance(node, ast.Lambda) else list(node.body)
        for statement in body:
            _scope_bindings(statement, names, self._package)
        self._in_scope(names, body)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._function(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._function(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expression in (*node.bases, *node.keywords, *node.decorator_list):
            self.visit(expression)
        names: _ScopeNames = {}
        for statement in node.body:
            _scope_bindings(statement, names, self._package)
        self._in_scope({name: [("other", "")] for name in names} | {"": []}, list(node.body))

    def _comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp
    ) -> None:
        names: _ScopeNames = {}
        for generator in node.generators:
            for name in _names_of(generator.target):
                names.setdefault(name, []).append(("other", ""))
        self._in_scope(names, list(ast.iter_child_nodes(node)))

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._comprehension(node)

    def visit_SetComp(self, node: ast.SetComp) -> None:
        self._comprehension(node)

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._comprehension(node)

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> None:
        self._comprehension(node)

    def _bound(self, name: str) -> tuple[list[tuple[str, str]], bool] | None:
        """How the innermost scope binding `name` binds it, and whether that scope is a
        class body (whose names a nested function does not see); None: module level."""
        for names in reversed(self._scopes):
            if name in names:
                return names[name], "" in names
        return None

    def _spelled(self, dotted: str | None) -> str | None:
        """`dotted` as the module's top level reads it, or `=qualified` through an
        import of the enclosing function; None when a local binds it otherwise."""
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        found = self._bound(head)
        if found is None:
            return dotted
        bound, _ = found
        if len(bound) == 1 and bound[0][0] == "import":
            return "=" + bound[0][1] + (f".{rest}" if rest else "")
        return None

    def _project_function(self, spelled: str) -> bool:
        """Whether `spelled` may name a project function (a top-level def here, or a
        name imported from this module's own top-level package) of those asked for."""
        if spelled.rpartition(".")[2] not in self._names:
            return False
        if spelled.startswith("="):
            return spelled[1:].partition(".")[0] == self._top
        binding = self._bindings.get(spelled.partition(".")[0])
        if isinstance(binding, FunctionSummary):
            return "." not in spelled
        if not isinstance(binding, Imported):
            return False
        # A module outside any package: which of its imports are the project's is unknown.
        return not self._top or binding.qualified.partition(".")[0] == self._top

    # -- calls and reads ---------------------------------------------------------
    def _argument(self, node: ast.expr) -> str:
        if isinstance(node, ast.Call):
            callee = self._spelled(dotted(node.func))
            return f"call:{callee}" if callee else ""
        if not isinstance(node, ast.Name):
            return ""
        found = self._bound(node.id)
        if found is None:
            return f"name:{node.id}"
        bound, in_class = found
        if in_class or len(bound) != 1:
            return ""
        how, value = bound[0]
        if how == "call":
            callee = self._spelled(value)
            return f"call:{callee}" if callee else ""
        if how == "item":
            index, length, callee_text = value.split(":", 2)
            callee = self._spelled(callee_text)
            return f"item:{index}:{length}:{callee}" if callee else ""
        return ""

    def visit_Call(self, node: ast.Call) -> None:
        spelled = self._spelled(dotted(node.func))
        if spelled is not None and self._project_function(spelled):
            self.calls.append(
                CallSite(
                    spelled,
                    tuple(
                        self._argument(arg) for arg in node.args if not isinstance(arg, ast.Starred)
                    ),
                    tuple(
                        (keyword.arg, self._argument(keyword.value))
                        for keyword in node.keywords
                        if keyword.arg is not None
                    ),
                    unpacked=any(isinstance(arg, ast.Starred) for arg in node.args)
                    or any(keyword.arg is None for keyword in node.keywords),
                )
            )
            if isinstance(node.func, ast.Attribute):
                self.visit(node.func.value)
        else:
            self.visit(node.func)
        for arg in node.args:
            self.visit(arg)
        for keyword in node.keywords:
            self.visit(keyword.value)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            spelled = self._spelled(node.id)
            if spelled is not None and self._project_function(spelled):
                self.escaped.append(spelled)


def _scope_bindings(node: ast.AST, names: _ScopeNames, package: str) -> None:
    """Add what `node` (a statement of one scope) binds to `names`, not descending
    into the scopes nested in it."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        names.setdefault(node.name, []).append(("other", ""))
        return
    if isinstance(node, ast.Lambda | ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
        return
    if isinstance(node, ast.Import | ast.ImportFrom):
        base = None
        if isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, node.level, package)
        for alias in node.names:
            if isinstance(node, ast.Import):
                local = alias.asname or alias.name.partition(".")[0]
                qualified = alias.name if alias.asname else local
            else:
                local = alias.asname or alias.name
                qualified = f"{base}.{alias.name}" if base and alias.name != "*" else ""
            names.setdefault(local, []).append(
                ("import", qualified) if qualified else ("other", "")
            )
        return
    if isinstance(node, ast.Assign):
        callee = dotted(node.value.func) if isinstance(node.value, ast.Call) else None
        for target in node.targets:
            if isinstance(target, ast.Name) and callee is not None:
                names.setdefault(target.id, []).append(("call", callee))
            elif (
                isinstance(target, ast.Tuple | ast.List)
                and callee is not None
                and all(isinstance(element, ast.Name) for element in target.elts)
            ):
                for index, element in enumerate(target.elts):
                    assert isinstance(element, ast.Name)
                    value = f"{index}:{len(target.elts)}:{callee}"
                    names.setdefault(element.id, []).append(("item", value))
            else:
                for name in _names_of(target):
                    names.setdefault(name, []).append(("other", ""))
        _scope_bindings(node.value, names, package)
        return
    if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
        names.setdefault(node.id, []).append(("other", ""))
    elif isinstance(node, ast.ExceptHandler) and node.name:
        names.setdefault(node.name, []).append(("other", ""))
    elif isinstance(node, ast.Global | ast.Nonlocal):
        for name in node.names:
            names.setdefault(name, []).append(("other", ""))
    elif isinstance(node, ast.MatchAs | ast.MatchStar) and node.name:
        names.setdefault(node.name, []).append(("other", ""))
    elif isinstance(node, ast.MatchMapping) and node.rest:
        names.setdefault(node.rest, []).append(("other", ""))
    for child in ast.iter_child_nodes(node):
        _scope_bindings(child, names, package)


def _names_of(target: ast.expr) -> list[str]:
    return [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]


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
