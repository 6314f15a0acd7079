"""ALC110 legacy-session-flags: several flags, look-alikes, and the 2.x facts."""

from __future__ import annotations

import textwrap

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from sqla_checks.rules.alc110_legacy_session_flags import LegacySessionFlags
from tests.rules.lint import fixed_code, lint


def _fix(code: str) -> tuple[int, list[str], str | None]:
    source = textwrap.dedent(code).lstrip()
    result = lint(LegacySessionFlags, source, dedent=False)
    fixed = lint(LegacySessionFlags, source, fix=True, dedent=False)
    new_source = fixed.fixed_source.decode() if fixed.fixed_source is not None else None
    return len(result.findings), [f.message for f in fixed.findings], new_source


def test_every_droppable_flag_in_one_call_is_dropped() -> None:
    count, remaining, fixed = _fix(
        """
        from sqlalchemy.orm import sessionmaker
        Factory = sessionmaker(
            autocommit=False,
            future=True,
        )
        """
    )
    assert count == 2 and remaining == []
    assert fixed == "from sqlalchemy.orm import sessionmaker\nFactory = sessionmaker()\n"


def test_values_that_change_behaviour_are_reported_without_fix() -> None:
    count, remaining, fixed = _fix(
        """
        from sqlalchemy import create_engine
        from sqlalchemy.orm import Session
        engine = create_engine(url, future=False)
        session = Session(engine, autocommit=settings.autocommit)
        """
    )
    assert count == 2 and len(remaining) == 2 and fixed is None


def test_subtransactions_without_sqlalchemy_evidence_is_ignored() -> None:
    count, _, _ = _fix(
        """
        def work(tx):
            tx.begin(subtransactions=True)
        """
    )
    assert count == 0


def test_installed_sqlalchemy_behaves_as_documented() -> None:
    engine = sa.create_engine("sqlite://", future=True)
    Session(engine, future=True, autocommit=False).close()
    with pytest.raises(sa.exc.ArgumentError):
        Session(engine, autocommit=True)
    with pytest.raises(sa.exc.ArgumentError):
        sessionmaker(engine, autocommit=True)()
    with pytest.raises(sa.exc.ArgumentError):
        sa.create_engine("sqlite://", future=False)
    with pytest.raises(TypeError):
        Session(engine).begin(subtransactions=True)  # type: ignore[call-arg]


def test_dropping_the_last_argument_keeps_comments_and_layout() -> None:
    fixed = fixed_code(
        LegacySessionFlags,
        """
        from sqlalchemy.orm import sessionmaker

        SessionLocal = sessionmaker(
            bind=engine,  # the app's engine
            autocommit=False  # legacy flag
        )
        """,
    )
    assert fixed is not None
    assert "bind=engine,  # the app's engine\n" in fixed
    assert "autocommit" not in fixed
    assert fixed.rstrip().endswith("\n)")
