"""`spelling` answers from the text alone only where the scopes would answer the same."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from sqla_checks.evidence.context import FileContext
from sqla_checks.fixes import name_binding
from sqla_checks.fixes.name_binding import Spelling, spelling

SOURCES = {
    "no mention": """
        from sqlalchemy.orm import Session

        def f(session: Session):
            return session.query(User).all()
    """,
    "module alias": """
        import sqlalchemy as sa

        def f(session):
            return session.query(sa.text("1")).all()
    """,
    "module alias shadowed by a parameter": """
        import sqlalchemy as sa

        def f(session, sa):
            return session.query(User).all()
    """,
    "module alias only inside a function": """
        from sqlalchemy.orm import Session

        def f(session: Session):
            import sqlalchemy as sa
            return session.query(sa.text("1")).all()
    """,
    "plain module import": """
        import sqlalchemy

        def f(session):
            return session.query(sqlalchemy.text("1")).all()
    """,
    "star import": """
        from app.models import *

        def f(session):
            return session.query(User).all()
    """,
    "two module aliases": """
        import sqlalchemy as sa
        import sqlalchemy as sqla

        def f(session):
            return session.query(sa.text("1"), sqla.text("2")).all()
    """,
    "name in a comment": """
        from sqlalchemy.orm import Session

        def f(session: Session):  # select the users
            return session.query(User).all()
    """,
    "imported and called": """
        from sqlalchemy import (
            and_,
            select,  # select is called below
        )

        def f(session):
            "select the users"
            session.execute(select(User).where(and_(User.select)))
            return session.query(User).all()
    """,
    "imported, and a parameter of that name": """
        from sqlalchemy import select

        def f(session, select):
            return session.query(User).all()
    """,
    "imported, then assigned on the same line": """
        from sqlalchemy import select; select = None

        def f(session):
            return session.query(User).all()
    """,
    "imported under another name": """
        from sqlalchemy import (text as
            select)

        def f(session):
            return session.query(select(User)).all()
    """,
    "imported inside a function": """
        def f(session):
            from sqlalchemy import select
            return session.query(select(User)).all()
    """,
    "imported from another module": """
        from app.queries import select

        def f(session):
            return session.query(select(User)).all()
    """,
    "a function of that name": """
        from sqlalchemy import select

        def select(session):
            return session.query(User).all()
    """,
}

# The sources where only top-level imports of SQLAlchemy's `select` bind `select`.
ONLY_IMPORTS_BIND = {"imported and called"}


def _first_call(module: cst.Module) -> cst.Call:
    found: list[cst.Call] = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            if isinstance(node.func, cst.Attribute) and node.func.attr.value == "all":
                found.append(node)

    module.visit(Finder())
    return found[0]


def _answer(source: str, qualified: str, alias_first: bool) -> tuple[str, tuple[object, ...]]:
    text = textwrap.dedent(source).lstrip()
    module = cst.parse_module(text)
    context = FileContext("m.py", text, module)
    result = spelling(context, qualified, _first_call(module), module_alias_first=alias_first)
    if isinstance(result, str):
        return result, ()
    assert isinstance(result, Spelling)
    return module.code_for_node(result.expression), result.imports


@pytest.mark.parametrize("case", SOURCES)
@pytest.mark.parametrize("qualified", ["sqlalchemy.select", "sqlalchemy.orm.mapped_column"])
@pytest.mark.parametrize("alias_first", [False, True])
def test_the_text_shortcut_agrees_with_the_scopes(
    case: str, qualified: str, alias_first: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick = _answer(SOURCES[case], qualified, alias_first)
    with monkeypatch.context() as patch:
        patch.setattr(name_binding, "_without_scopes", lambda *args: None)
        patch.setattr(name_binding, "_only_module_imports_bind", lambda *args: False)
        assert _answer(SOURCES[case], qualified, alias_first) == quick


def test_the_shortcut_answers_the_common_cases_and_leaves_the_rest() -> None:
    shortcut = name_binding._without_scopes
    text = {case: textwrap.dedent(source) for case, source in SOURCES.items()}
    assert shortcut(text["no mention"], "sqlalchemy", "select", True) is not None
    assert shortcut(text["module alias"], "sqlalchemy", "select", True) is not None
    for case in (
        "module alias shadowed by a parameter",
        "module alias only inside a function",
        "plain module import",
        "star import",
        "two module aliases",
        "name in a comment",
    ):
        assert shortcut(text[case], "sqlalchemy", "select", True) is None, case


@pytest.mark.parametrize("case", SOURCES)
def test_the_token_shortcut_answers_only_where_imports_alone_bind(case: str) -> None:
    text = textwrap.dedent(SOURCES[case])
    answer = name_binding._only_module_imports_bind(text, "sqlalchemy", "select")
    assert answer == (case in ONLY_IMPORTS_BIND)
