"""Sessions a file cannot prove from its own text, read from the project index.

`db.session` of a Flask-SQLAlchemy object defined in another module, a
`scoped_session` registry imported from `app.db` (`Session.query(...)` proxies the
registry's session), and a registry or factory called where it is used
(`Session()`, `SessionLocal()`) are sessions because the index says what the
imported names are (`evidence.project_index`). Anything the index does not know
stays unknown: a look-alike `client.query(...)` is never a session here.
"""

from __future__ import annotations

import libcst as cst

from sqla_checks.evidence.context import FileContext
from sqla_checks.evidence.project_index import Instance
from sqla_checks.evidence.sqlalchemy_api import Kind, Role


def indexed_session_kind(context: FileContext, owner: cst.BaseExpression) -> Kind | None:
    """The session kind of `owner` as the project index knows it, if it is a session.

    A registry is a session for its proxied methods (`Session.query`), and so is the
    session a registry call returns; a factory call makes a new session.
    """
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
