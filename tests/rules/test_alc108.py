"""ALC108 implicit-execution: beyond the rule's own examples."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sqla_checks.rules.alc108_implicit_execution import ImplicitExecution
from tests.rules.lint import finding_lines


def test_engine_built_in_the_same_expression_is_flagged() -> None:
    assert finding_lines(
        ImplicitExecution,
        """
        import sqlalchemy as sa
        sa.create_engine("postgresql+psycopg://h/db").execute(sa.text("SELECT 1"))
        """,
    ) == [3]


def test_metadata_given_an_engine_positionally_is_flagged() -> None:
    assert finding_lines(
        ImplicitExecution,
        """
        import sqlalchemy as sa
        engine = sa.create_engine("postgresql+psycopg://h/db")
        metadata = sa.MetaData(engine)
        """,
    ) == [4]


def test_statement_names_are_per_function() -> None:
    assert not finding_lines(
        ImplicitExecution,
        """
        from sqlalchemy import select

        def build(users):
            stmt = select(users)
            return stmt

        def run(stmt, conn):
            return stmt.execute()
        """,
    )


def test_result_scalar_after_connection_execute_is_not_flagged() -> None:
    assert not finding_lines(
        ImplicitExecution,
        """
        from sqlalchemy import create_engine, select
        engine = create_engine("postgresql+psycopg://h/db")
        with engine.connect() as conn:
            total = conn.execute(select(1)).scalar()
        """,
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda: sa.create_engine("sqlite://").execute,  # type: ignore[attr-defined]
        lambda: sa.select(sa.literal(1)).execute,  # type: ignore[attr-defined]
        lambda: sa.MetaData(bind=sa.create_engine("sqlite://")),  # type: ignore[call-arg]
    ],
)
def test_the_flagged_apis_are_gone_in_the_installed_sqlalchemy(call: object) -> None:
    assert callable(call)
    with pytest.raises((AttributeError, TypeError)):
        call()
