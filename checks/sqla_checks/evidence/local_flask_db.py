"""Flask-SQLAlchemy objects bound inside functions, and the models built on them.

Test suites build their models inside functions (Flask-Admin's do):

    def test_list():
        app, db, admin = setup()          # `setup` returns `db = SQLAlchemy()`
        class User(db.Model):
            id = db.Column(db.Integer, primary_key=True)

    def create_models(db):                # every call passes such a `db`
        class Model1(db.Model): ...

The module-level evidence (`evidence.imports`, the project index) cannot see that
`db`: it is a local of the function. This module reads what each function binds
itself (parameters, assignments, `with ... as`, loops, imports, nested `def` and
`class` statements) and proves a local name a Flask-SQLAlchemy object when the
function binds it exactly once, and that once is:

- `db = SQLAlchemy(...)`, Flask-SQLAlchemy's class itself;
- `app, db = setup()` where the project index knows `setup` returns a tuple with a
  `db = SQLAlchemy(...)` at that place (`project_index.TupleProvider`);
- a parameter of a top-level function that every call of it the project index read
  passes such an object (`project_index` records it under
  `module.function.<locals>.parameter`).

GINO spells its models the same way (`db = Gino()`, `class User(db.Model)`,
`db.Column(...)`), so the shape of a function is never evidence: only its body or
its callers are. Call sites are weaker evidence than the body (a caller outside the
run, or one that passes the function around as a value without a call the index
can read, is not seen), and `LocalFlaskDb.proof` says which one it was. A name read
in a nested function or class resolves through the enclosing functions, innermost
first; a function that binds it twice, or any other way (`global`, `for db in ...`),
makes it unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import libcst as cst

from sqla_checks.evidence.imports import ImportMap, dotted_name, sqla_symbol
from sqla_checks.evidence.project_index import (
    FlaskSQLAlchemy,
    SqlaName,
    TupleProvider,
    attribute_of,
)

_FLASK_SQLALCHEMY = frozenset(
    {"flask_sqlalchemy.SQLAlchemy", "flask_sqlalchemy.extension.SQLAlchemy"}
)


@dataclass(frozen=True)
class LocalFlaskDb:
    """A function's local name proven to hold a Flask-SQLAlchemy `SQLAlchemy()` object."""

    # "body": the function binds it from `SQLAlchemy(...)` or a helper's tuple;
    # "callers": it is a parameter, and every call of the function the run sees
    # passes such an object.
    proof: Literal["body", "callers"]
    # The function that binds it (for messages).
    function: str


@dataclass(frozen=True)
class _Bound:
    """One way a function binds a name."""

    how: Literal["parameter", "call", "item", "class", "import", "other"]
    node: cst.CSTNode | None = None  # the call (`call`, `item`) or the class
    index: int = 0  # `item`: the position in the unpacked tuple
    length: int = 0  # `item`: the length of the tuple


class FunctionLocals:
    """What the functions of one module bind, read on demand (one walk per function)."""

    def __init__(self, imports: ImportMap, top_level: Sequence[cst.FunctionDef]) -> None:
        self._imports = imports
        self._top_level = set(top_level)
        self._bound: dict[cst.FunctionDef, dict[str, list[_Bound]]] = {}

    def bindings(self, function: cst.FunctionDef) -> dict[str, list[_Bound]]:
        """Every name `function` binds itself, with each way it does."""
        found = self._bound.get(function)
        if found is None:
            collector = _Collector()
            for param in (*function.params.posonly_params, *function.params.params):
                collector.add(param.name.value, _Bound("parameter"))
            for param in function.params.kwonly_params:
                collector.add(param.name.value, _Bound("parameter"))
            for star in (function.params.star_arg, function.params.star_kwarg):
                if isinstance(star, cst.Param):
                    collector.add(star.name.value, _Bound("other"))
            function.body.visit(collector)
            found = collector.names
            self._bound[function] = found
        return found

    def _binding(
        self, name: str, functions: Sequence[cst.FunctionDef]
    ) -> tuple[cst.FunctionDef, list[_Bound]] | None:
        """The innermost of `functions` that binds `name`, and how it does."""
        for function in reversed(functions):
            bound = self.bindings(function).get(name)
            if bound:
                return function, bound
        return None

    def binds(self, name: str, functions: Sequence[cst.FunctionDef]) -> bool:
        """Whether one of `functions` binds `name` other than by an import (which the
        module's `ImportMap` reads wherever it is), hiding a module-level name."""
        found = self._binding(name, functions)
        return found is not None and any(bound.how != "import" for bound in found[1])

    def flask_db(self, name: str, functions: Sequence[cst.FunctionDef]) -> LocalFlaskDb | None:
        """Whether `name`, read inside `functions` (outermost first), is a local proven
        to be a Flask-SQLAlchemy object (see the module docstring)."""
        found = self._binding(name, functions)
        if found is None or len(found[1]) != 1:
            return None
        function, (bound,) = found
        where = function.name.value
        if bound.how == "parameter":
            if function not in self._top_level:
                return None
            fact = self._imports.parameter_fact(where, name)
            return LocalFlaskDb("callers", where) if isinstance(fact, FlaskSQLAlchemy) else None
        if bound.how == "call" and isinstance(bound.node, cst.Call):
            if self.binds(_head(bound.node.func), functions):
                return None
            if self._imports.resolve(bound.node.func) in _FLASK_SQLALCHEMY:
                return LocalFlaskDb("body", where)
            return None
        if bound.how == "item" and isinstance(bound.node, cst.Call):
            if self.binds(_head(bound.node.func), functions):
                return None  # a local `setup` is not the project's
            provider = self._imports.fact_of(bound.node.func)
            if (
                isinstance(provider, TupleProvider)
                and len(provider.items) == bound.length
                and isinstance(provider.items[bound.index], FlaskSQLAlchemy)
            ):
                return LocalFlaskDb("body", where)
        return None

    def local_class(self, name: str, functions: Sequence[cst.FunctionDef]) -> cst.ClassDef | None:
        """The class statement that is the only binding of `name` in its function."""
        found = self._binding(name, functions)
        if found is None or len(found[1]) != 1:
            return None
        node = found[1][0].node
        return node if found[1][0].how == "class" and isinstance(node, cst.ClassDef) else None

    def local_base_call(self, name: str, functions: Sequence[cst.FunctionDef]) -> str | None:
        """The SQLAlchemy name of the call that is the only binding of `name` in its
        function (`Base = declarative_base()` gives `declarative_base`)."""
        found = self._binding(name, functions)
        if found is None or len(found[1]) != 1:
            return None
        bound = found[1][0]
        if bound.how != "call" or not isinstance(bound.node, cst.Call):
            return None
        if self.binds(_head(bound.node.func), functions):
            return None
        return sqla_symbol(self._imports.resolve(bound.node.func))

    def qualified_name(
        self, node: cst.BaseExpression, functions: Sequence[cst.FunctionDef]
    ) -> tuple[str | None, LocalFlaskDb | None]:
        """The qualified name `node` stands for inside `functions`, and the local
        Flask-SQLAlchemy object it was read through, if any (`db.Column` of a proven
        local `db` is `sqlalchemy.Column`). A name the functions bind otherwise is
        unknown; one they do not bind resolves through the module's imports."""
        head = _head(node)
        if not head or not self.binds(head, functions):
            return self._imports.resolve(node), None
        dotted = dotted_name(node)
        db = self.flask_db(head, functions)
        if db is None or dotted is None or dotted.count(".") != 1:
            return None, None
        fact = attribute_of(FlaskSQLAlchemy(), dotted.partition(".")[2])
        return (fact.qualified, db) if isinstance(fact, SqlaName) else (None, None)


def _head(node: cst.BaseExpression) -> str:
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value if isinstance(node, cst.Name) else ""


class _Collector(cst.CSTVisitor):
    """The names one function body binds, not counting the scopes nested in it."""

    def __init__(self) -> None:
        super().__init__()
        self.names: dict[str, list[_Bound]] = {}

    def add(self, name: str, bound: _Bound) -> None:
        self.names.setdefault(name, []).append(bound)

    def _other(self, target: cst.BaseExpression) -> None:
        for name in _target_names(target):
            self.add(name, _Bound("other"))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.add(node.name.value, _Bound("other"))
        for decorator in node.decorators:
            decorator.visit(self)
        return False  # its body is its own scope

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.add(node.name.value, _Bound("class", node))
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        value = node.value
        for target in node.targets:
            element = target.target
            if isinstance(element, cst.Name) and isinstance(value, cst.Call):
                self.add(element.value, _Bound("call", value))
            elif (
                isinstance(element, cst.Tuple | cst.List)
                and isinstance(value, cst.Call)
                and all(isinstance(e.value, cst.Name) for e in element.elements)
            ):
                for index, item in enumerate(element.elements):
                    assert isinstance(item.value, cst.Name)
                    bound = _Bound("item", value, index, len(element.elements))
                    self.add(item.value.value, bound)
            else:
                self._other(element)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name) and isinstance(node.value, cst.Call):
            self.add(node.target.value, _Bound("call", node.value))
        else:
            self._other(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._other(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._other(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._other(node.target)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._other(node.target)  # its own scope in Python 3; unknown here either way

    def visit_AsName(self, node: cst.AsName) -> None:
        if isinstance(node.name, cst.BaseExpression):
            self._other(node.name)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> bool:
        asname = node.asname.name if node.asname is not None else None
        if isinstance(asname, cst.Name):
            self.add(asname.value, _Bound("import"))
        elif asname is None:
            name = dotted_name(node.name)
            if name is not None:
                self.add(name.partition(".")[0], _Bound("import"))
        return False  # its `as` name is an import's, not an `AsName` binding

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self.add(item.name.value, _Bound("other"))

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        for item in node.names:
            self.add(item.name.value, _Bound("other"))

    def visit_Del(self, node: cst.Del) -> None:
        self._other(node.target)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self.add(node.name.value, _Bound("other"))

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        if node.name is not None:
            self.add(node.name.value, _Bound("other"))

    def visit_MatchMapping(self, node: cst.MatchMapping) -> None:
        if node.rest is not None:
            self.add(node.rest.value, _Bound("other"))


def _target_names(target: cst.BaseExpression) -> list[str]:
    """The names a binding target binds (`a`, `a, (b, *c)`; not `a.x` or `a[0]`)."""
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, cst.Tuple | cst.List):
        return [name for element in target.elements for name in _target_names(element.value)]
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return []
