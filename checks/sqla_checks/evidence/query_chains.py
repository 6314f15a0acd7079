"""Legacy `Query` chains: `session.query(...)` and the method calls above it.

Starting from a call, the reader walks down the method chain to `<owner>.query(...)`
and splits it into the calls that still build the query and the one that runs (or
leaves) it, using the catalogue's `QUERY_*` facts. The finder reads each chain once,
from its outermost call, and keeps only chains whose owner is known to be a session,
or that select a mapped class of the project (`selects_project_model`: then no fix,
since only a session is known to have what a rewrite calls).
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from sqla_checks.contract import tree_walk
from sqla_checks.evidence.assignments import simple_assignment
from sqla_checks.evidence.context import FileContext
from sqla_checks.evidence.imports import dotted_name
from sqla_checks.evidence.project_index import ModelClass
from sqla_checks.evidence.project_sessions import indexed_session_kind
from sqla_checks.evidence.sqlalchemy_api import (
    QUERY_BUILDERS,
    QUERY_OTHER_ENDS,
    QUERY_RUNNERS,
    Kind,
    Role,
)


@dataclass(frozen=True)
class QueryStep:
    """One method call of a chain: `<previous>.name(args)`."""

    call: cst.Call
    name: str


@dataclass(frozen=True)
class QueryChain:
    """`owner.query(entities)` followed by `builders`, up to and including `end`."""

    owner: cst.BaseExpression
    query: cst.Call
    builders: tuple[QueryStep, ...]
    end: QueryStep | None  # the method that runs or leaves the query, if any

    @property
    def end_name(self) -> str | None:
        """The name of the method that runs or leaves the query, if any."""
        return None if self.end is None else self.end.name

    @property
    def top(self) -> cst.Call:
        """The outermost call of the chain: where it is reported and replaced."""
        if self.end is not None:
            return self.end.call
        return self.builders[-1].call if self.builders else self.query


@dataclass(frozen=True)
class SessionQuery:
    """A session's query chain, the session's kind, and why no fix may touch it."""

    chain: QueryChain
    kind: Kind
    # Set when the project configures a custom Query class: `select()` and
    # `Session.get()` would skip whatever its methods add.
    fix_blocker: str | None


def read_chain(top: cst.Call) -> tuple[cst.Call, list[QueryStep]] | None:
    """The `X.query(...)` call under `top` and the method calls above it, bottom first."""
    steps: list[QueryStep] = []
    node: cst.BaseExpression = top
    while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        name = node.func.attr.value
        if name == "query":
            steps.reverse()
            return node, steps
        steps.append(QueryStep(node, name))
        node = node.func.value
    return None


def _split(query: cst.Call, owner: cst.BaseExpression, steps: list[QueryStep]) -> QueryChain:
    builders: list[QueryStep] = []
    for step in steps:
        if (
            step.name in QUERY_RUNNERS
            or step.name in QUERY_OTHER_ENDS
            or step.name not in QUERY_BUILDERS
        ):
            return QueryChain(owner, query, tuple(builders), step)
        builders.append(step)
    return QueryChain(owner, query, tuple(builders), None)


class QueryChainFinder:
    """Finds each `session.query(...)` chain once, from its outermost call."""

    def __init__(self, context: FileContext) -> None:
        self.context = context
        self._seen: set[int] = set()
        self._flask_instances: frozenset[str] | None = None

    def query_at(self, node: cst.Call) -> SessionQuery | None:
        """The session query chain whose outermost call is `node`, with what rules need."""
        found = self._chain_at(node)
        if found is None:
            return None
        chain, kind, receiver_blocker = found
        return SessionQuery(chain, kind, receiver_blocker or self._custom_query_blocker())

    def _custom_query_blocker(self) -> str | None:
        custom = self.context.project.query_classes()
        if not custom:
            return None
        return (
            f"a custom Query class is configured ({custom[0].describe()}); "
            "its methods may add criteria that a rewrite would drop"
        )

    def _chain_at(self, node: cst.Call) -> tuple[QueryChain, Kind, str | None] | None:
        """The session query chain whose outermost call is `node`, the session kind, and
        why no fix may touch it when only the selected entity proves the chain."""
        if not isinstance(node.func, cst.Attribute):
            return None
        found = read_chain(node)
        if found is None:
            return None
        query, steps = found
        if id(query) in self._seen or not query.args:
            return None
        self._seen.add(id(query))
        assert isinstance(query.func, cst.Attribute)
        owner = query.func.value
        kind = self._session_kind(owner)
        blocker = None
        if kind is None:
            if selects_project_model(self.context, query):
                proof = "the mapped class it queries is"
            elif criteria_name_entity(query, steps):
                proof = "the chain's entity and criteria are"
            else:
                return None
            # `x.query(User)` with `User` a mapped class of the project is a legacy Query
            # (an AsyncSession has no `query()`), but a rewrite would call
            # `x.scalars()` / `x.execute()`, which only a session is known to have.
            kind = Kind.SYNC_SESSION
            blocker = (
                f"the receiver is not known to be a Session (only {proof}); rewrite it by hand"
            )
        return _split(query, owner, steps), kind, blocker

    def _session_kind(self, owner: cst.BaseExpression) -> Kind | None:
        kind = self.context.kind_of(owner)
        if kind is not None and kind.role is Role.SESSION:
            return kind
        # Flask-SQLAlchemy: `db.session` is a scoped (sync) Session.
        if (
            isinstance(owner, cst.Attribute)
            and owner.attr.value == "session"
            and isinstance(owner.value, cst.Name)
        ):
            if self._flask_instances is None:
                self._flask_instances = _flask_sqlalchemy_instances(self.context)
            if owner.value.value in self._flask_instances:
                return Kind.SYNC_SESSION
        # Defined in another module of the project: `db.session`, a registry, a factory.
        return indexed_session_kind(self.context, owner)


def _flask_sqlalchemy_instances(context: FileContext) -> frozenset[str]:
    """Module-level names assigned `SQLAlchemy(...)` from Flask-SQLAlchemy."""
    if not context.imports.imports_from("flask_sqlalchemy"):
        return frozenset()
    return frozenset(
        assignment.name
        for assignment in context.module_assignments
        if not assignment.annotated
        and isinstance(assignment.value, cst.Call)
        and context.qualified_name(assignment.value.func) == "flask_sqlalchemy.SQLAlchemy"
    )


def selects_project_model(context: FileContext, query: cst.Call) -> bool:
    """Whether `query(...)` selects a mapped class of the project (not a declarative base
    or mixin), as the project index knows it: a positional argument is such a class, one
    of its attributes (`User.id`), a SQLAlchemy call over one (`func.count(User.id)`), or
    `self.x` where the enclosing class body binds `x = User`."""
    return any(
        arg.keyword is None and not arg.star and _names_project_model(context, arg.value)
        for arg in query.args
    )


def criteria_name_entity(query: cst.Call, steps: list[QueryStep]) -> bool:
    """Whether the chain's own methods and arguments prove a SQLAlchemy `Query`: it
    selects a class (`x.query(model.Package)`, or a column of one, `Package.id`) and a
    criterion, ordering or join above it names an attribute of that class
    (`.filter(model.Package.name == name)`), or it filters by keywords
    (`.filter_by(name=name)`, a method only SQLAlchemy's `Query` and `Select` have).
    A `.query()` of another library takes a string or an object (`df.query("a > 1")`,
    `Search().query(Match(...))`), and none filters by attributes of what it selected."""
    entities = {name for arg in query.args if (name := _selected_class(arg)) is not None}
    if not entities:
        return False
    return any(
        step.name == "filter_by"
        or (
            step.name in _CRITERIA
            and any(
                isinstance(node, cst.Attribute) and dotted_name(node.value) in entities
                for arg in step.call.args
                for node in _subnodes(arg.value)
            )
        )
        for step in steps
    )


# Query methods whose arguments are column expressions of the selected entities.
_CRITERIA = frozenset({"filter", "where", "order_by", "group_by", "having", "join", "outerjoin"})


def _selected_class(arg: cst.Arg) -> str | None:
    """The dotted name of the class a positional `query()` argument selects: a name whose
    last part is capitalised (`model.Package`), or the owner of a column (`Package.id`)."""
    if arg.keyword is not None or arg.star:
        return None
    for node in (arg.value, getattr(arg.value, "value", None)):
        name = dotted_name(node) if isinstance(node, cst.BaseExpression) else None
        if name is not None and name.rpartition(".")[2][:1].isupper():
            return name
    return None


def _subnodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    """`node` and every node under it."""
    found = [node]
    for child in tree_walk.children(node):
        found.extend(_subnodes(child))
    return found


def _names_project_model(context: FileContext, node: cst.BaseExpression, depth: int = 0) -> bool:
    if isinstance(node, cst.Call):
        # `func.count(User.id)`, `distinct(User.name)`: SQLAlchemy's own functions only.
        qualified = context.imports.resolve(node.func) or ""
        return (
            depth < 3
            and qualified.startswith("sqlalchemy.")
            and any(
                arg.keyword is None and _names_project_model(context, arg.value, depth + 1)
                for arg in node.args
            )
        )
    if isinstance(node, cst.Attribute) and _is_project_model(context, node.value):
        return True  # a mapped attribute: `User.id`
    return _is_project_model(context, node)


def _is_project_model(context: FileContext, node: cst.BaseExpression) -> bool:
    head = node
    while isinstance(head, cst.Attribute):
        head = head.value
    if not isinstance(head, cst.Name):
        return False
    if head.value in {"self", "cls"} and isinstance(node, cst.Attribute) and node.value is head:
        return _class_attribute_model(context, node.attr.value)
    if context.sessions.bound_locally(head.value, context.functions):
        # `model = context["model"]` hides the module-level `model`; a local every
        # binding of which is a mapped class (`entity = SqlTag` in each branch) is one.
        return node is head and _local_model_alias(context, head.value)
    return _is_mapped_fact(context, node)


def _local_model_alias(context: FileContext, name: str) -> bool:
    """Whether the innermost function binding `name` binds it only by `name = X`
    statements with X a mapped class of the project (so a read of it is one)."""
    function = next(
        (f for f in reversed(context.functions) if context.sessions.bound_locally(name, [f])),
        None,
    )
    if function is None:
        return False
    finder = _LocalBindings(name)
    tree_walk.visit(function, finder)
    return (
        not finder.other
        and bool(finder.values)
        and all(
            not context.sessions.head_bound_locally(value, context.functions)
            and _is_mapped_fact(context, value)
            for value in finder.values
        )
    )


def _is_mapped_fact(context: FileContext, node: cst.BaseExpression) -> bool:
    """Whether the index knows `node` as a mapped class (not a base or mixin)."""
    fact = context.imports.fact_of(node)
    return isinstance(fact, ModelClass) and not fact.base and not fact.mixin


class _LocalBindings(cst.CSTVisitor):
    """The values of `name = value` in a function; `other` for any other binding of it
    (a parameter, `for name in`, `with ... as name`, tuple targets, `name += 1`)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.values: list[cst.BaseExpression] = []
        self.other = False
        self._depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self._depth += 1
        if self._depth == 1:
            params = node.params
            every = (*params.posonly_params, *params.params, *params.kwonly_params)
            stars = [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
            if any(param.name.value == self.name for param in (*every, *stars)):
                self.other = True
        return self._depth == 1  # a nested function's bindings are its own

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._depth -= 1

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name) and target.target.value == self.name:
                self.values.append(node.value)

    def _other_target(self, target: cst.CSTNode) -> None:
        if any(isinstance(n, cst.Name) and n.value == self.name for n in _walk_names(target)):
            self.other = True

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        if not isinstance(node.target, cst.Name):
            self._other_target(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._other_target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._other_target(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._other_target(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._other_target(node.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._other_target(node.target)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self._other_target(node.name)

    def visit_Global(self, node: cst.Global) -> None:
        self.other = self.other or any(n.name.value == self.name for n in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.other = self.other or any(n.name.value == self.name for n in node.names)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        self.other = self.other or (node.evaluated_alias or node.evaluated_name) == self.name


def _walk_names(node: cst.CSTNode) -> list[cst.CSTNode]:
    """`node` and the names of a tuple/list/starred target under it."""
    if isinstance(node, cst.Tuple | cst.List):
        return [n for element in node.elements for n in _walk_names(element.value)]
    if isinstance(node, cst.StarredElement):
        return _walk_names(node.value)
    return [node]


def _class_attribute_model(context: FileContext, name: str) -> bool:
    """Whether the innermost enclosing class body binds `name = <mapped class>`
    (`user_model = User`), the last such binding counting."""
    if not context.classes:
        return False
    value = None
    for statement in context.classes[-1].body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                assignment = simple_assignment(small)
                if assignment is not None and assignment.name == name:
                    value = assignment.value
    return value is not None and _is_mapped_fact(context, value)
