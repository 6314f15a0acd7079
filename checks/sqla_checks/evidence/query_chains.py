"""Legacy `Query` chains: `session.query(...)` and the method calls above it.

Starting from a call, the reader walks down the method chain to `<owner>.query(...)`
and splits it into the calls that still build the query and the one that runs (or
leaves) it, using the catalogue's `QUERY_*` facts. The finder reads each chain once,
from its outermost call, and keeps only chains whose owner is known to be a session.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from sqla_checks.evidence.context import FileContext
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
            if not selects_project_model(self.context, query):
                return None
            # `x.query(User)` with `User` a mapped class of the project is a legacy Query
            # (an AsyncSession has no `query()`), but a rewrite would call
            # `x.scalars()` / `x.execute()`, which only a session is known to have.
            kind = Kind.SYNC_SESSION
            blocker = (
                "the receiver is not known to be a Session (only the mapped class it "
                "queries is); rewrite it by hand"
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
    """Whether the first argument of `query(...)` is a mapped class of the project (not a
    declarative base or mixin), as the project index knows it."""
    first = query.args[0]
    if first.keyword is not None or first.star:
        return False
    fact = context.imports.fact_of(first.value)
    return isinstance(fact, ModelClass) and not fact.base and not fact.mixin
