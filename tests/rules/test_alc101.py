"""ALC101/ALC103 beyond their examples: nesting, name clashes, safety tiers, rule split."""

from __future__ import annotations

import textwrap

import libcst as cst

from sqla_checks.rules.alc101_legacy_query import LegacyQueryApi
from sqla_checks.rules.alc103_legacy_query_get import LegacyQueryGet
from tests.rules.lint import lint

MODELS = """\
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
"""


def _check(body: str, *, fix: bool = False, unsafe: bool = False) -> tuple[list[str], str | None]:
    source = MODELS + "\n\n" + textwrap.dedent(body).lstrip("\n")
    result = lint([LegacyQueryApi, LegacyQueryGet], source, fix=fix, unsafe=unsafe, dedent=False)
    codes = [f"{f.code}:{f.fix.applicability if f.fix else 'none'}" for f in result.findings]
    fixed = result.fixed_source.decode() if result.fixed_source else None
    return codes, fixed


def test_a_query_nested_in_a_filter_is_reported_on_its_own_and_the_outer_one_is_fixed() -> None:
    codes, fixed = _check(
        """
        def f(session: Session):
            inner = session.query(User.id).filter(User.name == "a")
            return session.query(User).filter(User.id.in_(inner)).all()
        """,
        fix=True,
    )
    assert codes == ["ALC101:none"]  # what remains after the fix: the stored query
    assert fixed is not None
    assert "session.scalars(select(User).where(User.id.in_(inner))).unique().all()" in fixed
    cst.parse_module(fixed)


def test_each_chain_is_reported_once() -> None:
    codes, _ = _check(
        """
        def f(session: Session):
            return session.query(User).filter(User.id > 1).order_by(User.id).first().name
        """
    )
    assert codes == ["ALC101:safe"]


def test_a_select_name_bound_to_another_module_blocks_the_fix() -> None:
    codes, fixed = _check(
        """
        import select


        def f(session: Session):
            return session.query(User).all()
        """,
        fix=True,
        unsafe=True,
    )
    assert codes == ["ALC101:none"]
    assert fixed is None


def test_an_entity_known_only_by_its_name_is_an_unsafe_fix() -> None:
    body = """
        from app import models


        def f(session: Session):
            return session.query(models.Post).all()
        """
    codes, fixed = _check(body, fix=True)
    assert codes == ["ALC101:unsafe"]
    assert fixed is None
    _, fixed = _check(body, fix=True, unsafe=True)
    assert fixed is not None and "session.scalars(select(models.Post)).unique().all()" in fixed


def test_rows_with_an_unnamed_expression_are_an_unsafe_fix() -> None:
    codes, _ = _check(
        """
        from sqlalchemy import func


        def f(session: Session):
            return session.query(User.id, func.lower(User.name)).all()
        """
    )
    assert codes == ["ALC101:unsafe"]


def test_an_unclassifiable_argument_gets_no_fix() -> None:
    codes, _ = _check(
        """
        def f(session: Session, target):
            return session.query(target).all()
        """
    )
    assert codes == ["ALC101:none"]


def test_get_chains_belong_to_alc103_only() -> None:
    result = lint(
        [LegacyQueryApi, LegacyQueryGet],
        MODELS + "\n\ndef f(session: Session):\n    return session.query(User).get(1)\n",
        dedent=False,
    )
    assert [f.code for f in result.findings] == ["ALC103"]


def test_untranslatable_methods_name_a_recipe() -> None:
    result = lint(
        LegacyQueryApi,
        MODELS
        + "\n\ndef f(session: Session):\n"
        + "    session.query(User).filter(User.id == 1).delete()\n",
        dedent=False,
    )
    [finding] = result.findings
    assert finding.fix is None
    assert "delete(Model)" in finding.message


def test_comments_inside_a_rewritten_chain_are_kept() -> None:
    _, fixed = _check(
        """
        def names(session: Session) -> list[User]:
            return (
                session.query(User)  # every user
                .filter(User.id > 1)  # skip the admin
                .order_by(User.name)  # noqa: E501
                .all()  # noqa: ALC999
            )


        def first(session: Session) -> User | None:
            return (
                session.query(User)
                .order_by(User.id)  # newest last
                .first()
            )


        def total(session: Session) -> int:
            return (
                session.query(User)
                .filter(User.id > 1)  # counted
                .count()
            )


        def get(session: Session) -> User | None:
            return (
                session.query(User)  # the table
                .get(1)  # by key
            )
        """,
        fix=True,
    )
    assert fixed is not None and ".query(" not in fixed
    for comment in (
        "# every user",
        "# skip the admin",
        "# noqa: ALC999",
        "# newest last",
        "# counted",
        "# the table",
        "# by key",
    ):
        assert fixed.count(comment) == 1, comment
    # A comment stays on the line of the code it was written next to.
    assert "User.name)  # noqa: E501" in fixed or "User.name)).unique()  # noqa: E501" in fixed
    cst.parse_module(fixed)
