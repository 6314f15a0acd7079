"""Sessions a file cannot prove from its own text, read from the project index.

`db.session` of a Flask-SQLAlchemy object defined in another module, a
`scoped_session` registry imported from `app.db` (`Session.query(...)` proxies the
registry's session), and a registry or factory called where it is used
(`Session()`, `SessionLocal()`) are sessions because the index says what the
imported names are (`evidence.project_index`); so are a class's `cls.Session` /
`self.session` that the index knows from the class body or a project base class, and
the `db.session` of a `db` a helper function returns (`app, db = setup()`). A name
the enclosing function binds itself (`model = context["model"]`) is not the import.
Anything the index does not know stays unknown: a look-alike `client.query(...)` is
never a session here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from sqla_checks.evidence.imports import ImportMap
from sqla_checks.evidence.project_index import (
    AnnotationAlias,
    FlaskSQLAlchemy,
    Instance,
    SessionDependency,
    TupleProvider,
)
from sqla_checks.evidence.sqlalchemy_api import Kind, Role

if TYPE_CHECKING:  # `context` builds the SessionIndex, which imports this module
    from sqla_checks.evidence.context import FileContext


def indexed_session_kind(context: FileContext, owner: cst.BaseExpression) -> Kind | None:
    """The session kind of `owner` as the project index knows it, if it is a session.

    A registry is a session for its proxied methods (`Session.query`), and so is the
    session a registry call returns; a factory call makes a new session. A name the
    enclosing function binds itself hides the imported one.
    """
    head = owner.func if isinstance(owner, cst.Call) else owner
    if context.sessions.head_bound_locally(head, context.functions):
        return None  # a local `model = context["model"]` is not the imported module
    if isinstance(owner, cst.Call) and not owner.args:
        called = context.imports.fact_of(owner.func)
        if isinstance(called, Instance):
            if called.registry and called.kind.role is Role.SESSION:
                return called.kind
            return called.kind.session_made
        return None
    fact = context.imports.fact_of(owner)
    if isinstance(fact, Instance) and fact.kind.role is Role.SESSION:
        return fact.kind
    return None


def indexed_kind(imports: ImportMap, node: cst.BaseExpression) -> Kind | None:
    """The kind of an imported (or module-level) session, factory or registry name."""
    fact = imports.fact_of(node)
    return fact.kind if isinstance(fact, Instance) else None


def indexed_call_kind(imports: ImportMap, call: cst.Call) -> Kind | None:
    """What calling an indexed name returns: a registry's session, a factory's new
    session, or the session a plain or `@contextmanager` provider function gives."""
    fact = imports.fact_of(call.func)
    if isinstance(fact, Instance):
        if fact.registry and fact.kind.role is Role.SESSION:
            return fact.kind
        return fact.kind.session_made
    if isinstance(fact, SessionDependency) and (not fact.generator or fact.context_manager):
        # A `@contextmanager` provider's call is a manager, bound as the session by
        # `with provider() as s`; no code calls session methods on the manager itself.
        return fact.kind
    return None


def indexed_dependency_kind(imports: ImportMap, dependency: cst.BaseExpression) -> Kind | None:
    """The session a `Depends(provider)` gives when `provider` comes from another module
    (FastAPI unwraps a generator provider's yield)."""
    fact = imports.fact_of(dependency)
    return fact.kind if isinstance(fact, SessionDependency) else None


def indexed_alias_kind(imports: ImportMap, annotation: cst.BaseExpression) -> Kind | None:
    """The session kind an imported annotation alias (`SessionDep`) names."""
    fact = imports.fact_of(annotation)
    return fact.kind if isinstance(fact, AnnotationAlias) else None


def indexed_tuple_items(
    imports: ImportMap, call: cst.Call
) -> tuple[FlaskSQLAlchemy | Instance | None, ...] | None:
    """What each item of the tuple a provider function returns is (`app, db = setup()`)."""
    fact = imports.fact_of(call.func)
    return fact.items if isinstance(fact, TupleProvider) else None
