"""Legacy `session.query(...)` (ALC101) where the session is defined in another module.

Each case is a small package written to `tmp_path` and checked through `check_files`
(the CLI's path: the project index is built from the files of the run). Each case
has a look-alike in the same file that must stay silent.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sqla_checks.engine.api import CheckPlan, Overrides, SettingsResolver, check_files
from sqla_checks.engine.runner import RunOptions
from tests.rules.project_files import finding_lines

MODELS = """
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        pass

    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
"""


def _lines(root: Path, files: dict[str, str], code: str = "ALC101") -> dict[str, list[int]]:
    return finding_lines(root, files, code)


CASES = {
    "flask_db_session": {
        "app/__init__.py": "",
        "app/extensions.py": """
            from flask_sqlalchemy import SQLAlchemy

            db = SQLAlchemy()
        """,
        "app/models.py": MODELS,
        "app/services.py": """
            import pandas as pd
            from app.extensions import db
            from app.models import User

            def users(df: pd.DataFrame):
                df.query("a > 1")
                return db.session.query(User).all()
        """,
    },
    "scoped_session_registry": {
        "app/__init__.py": "",
        "app/db.py": """
            from sqlalchemy.orm import scoped_session, sessionmaker

            Session = scoped_session(sessionmaker())
        """,
        "app/models.py": MODELS,
        "app/services.py": """
            import dns.resolver
            from app.db import Session
            from app.models import User

            def users():
                dns.resolver.query("example.com")
                return Session.query(User).all()
        """,
    },
    "registry_called": {
        "app/__init__.py": "",
        "app/db.py": """
            from sqlalchemy.orm import scoped_session, sessionmaker

            Session = scoped_session(sessionmaker())
        """,
        "app/models.py": MODELS,
        "app/services.py": """
            from app.db import Session
            from app.models import User

            def users(client):
                client.query("SELECT 1")
                return Session().query(User).all()
        """,
    },
    "factory_called": {
        "app/__init__.py": "",
        "app/db.py": """
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()
        """,
        "app/models.py": MODELS,
        "app/services.py": """
            from app.db import SessionLocal
            from app.models import User

            def users(client):
                client.query("SELECT 1")
                return SessionLocal().query(User).all()
        """,
    },
    "module_attribute": {
        "app/__init__.py": "",
        "app/model/__init__.py": """
            from sqlalchemy.orm import scoped_session, sessionmaker

            Session = scoped_session(sessionmaker())
        """,
        "app/models.py": MODELS,
        "app/services.py": """
            from app import model
            from app.models import User

            def users(client):
                client.query("SELECT 1")
                return model.Session.query(User).all()
        """,
    },
    "factory_bound": {
        "app/__init__.py": "",
        "app/db.py": """
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()
        """,
        "app/models.py": MODELS,
        "app/services.py": """
            from app.db import SessionLocal
            from app.models import User

            def users(sessions: set):
                s = SessionLocal(); sessions.pop().query("SELECT 1")
                return s.query(User).all()
        """,
    },
    "factory_with": {
        "app/__init__.py": "",
        "app/db.py": """
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()
        """,
        "app/models.py": MODELS,
        "app/services.py": """
            from app.db import SessionLocal
            from app.models import User

            def users(client):
                with SessionLocal() as s, client.connect() as c: c.query("SELECT 1")
                return s.query(User).all()
        """,
    },
    "contextmanager_provider": {
        "app/__init__.py": "",
        "app/db.py": """
            from contextlib import contextmanager
            from sqlalchemy.orm import Session

            @contextmanager
            def session_scope():
                with Session() as session:
                    yield session
        """,
        "app/models.py": MODELS,
        "app/services.py": """
            from app.db import session_scope
            from app.models import User

            def users(client):
                with session_scope() as s, client.connect() as c: c.query("SELECT 1")
                return s.query(User).all()
        """,
    },
    "depends_imported_get_db": {
        "app/__init__.py": "",
        "app/db.py": """
            from sqlalchemy.orm import Session, sessionmaker

            SessionLocal = sessionmaker()

            def get_db():
                db = SessionLocal()
                try:
                    yield db
                finally:
                    db.close()
        """,
        "app/models.py": MODELS,
        "app/services.py": """
            from fastapi import Depends
            from app.db import get_db
            from app.models import User

            def users(db=Depends(get_db), client=Depends(object)):
                client.query("SELECT 1")
                return db.query(User).all()
        """,
    },
    "annotated_alias_imported": {
        "app/__init__.py": "",
        "app/deps.py": """
            from typing import Annotated
            from fastapi import Depends
            from sqlalchemy.orm import Session

            def get_db():
                yield Session()

            SessionDep = Annotated[Session, Depends(get_db)]
        """,
        "app/models.py": MODELS,
        "app/services.py": """
            from app.deps import SessionDep
            from app.models import User

            def users(db: SessionDep, client: dict):
                client.query("SELECT 1")
                return db.query(User).all()
        """,
    },
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_session_from_another_module_is_found(tmp_path: Path, case: str) -> None:
    # The look-alike `query(...)` above stays silent; the session's chain is found.
    services = textwrap.dedent(CASES[case]["app/services.py"]).lstrip().splitlines()
    expected = [n for n, line in enumerate(services, 1) if "return" in line]
    assert _lines(tmp_path, CASES[case]) == {"app/services.py": expected}


def test_a_project_name_that_is_not_a_session_stays_silent(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/db.py": """
            def get_db():
                return {"users": []}

            Session = dict
        """,
        "app/models.py": MODELS,
        "app/services.py": """
            from app.db import Session, get_db
            from app.models import User

            def users():
                get_db().query("users")
                return Session.query("users").all()
        """,
    }
    assert _lines(tmp_path, files) == {}


def test_a_mapped_class_proves_the_query_but_not_the_receiver(tmp_path: Path) -> None:
    # `repo.query(User)`: a legacy Query because `User` is mapped; reported without a fix,
    # since only a session is known to have the `scalars()` a rewrite would call. A
    # look-alike querying a plain class or a string stays silent.
    files = {
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/services.py": """
            from app.models import Base, User

            def users(repo, df, resolver):
                df.query("a > 1"); resolver.query(Base)
                return repo.query(User).all()
        """,
    }
    assert _lines(tmp_path, files) == {"app/services.py": [5]}
    paths = [str(tmp_path / name) for name in files]
    resolver = SettingsResolver(Overrides(select=("ALC101",)), cwd=tmp_path)
    checked = check_files(paths, CheckPlan(resolver, RunOptions(fix=True, unsafe_fixes=True)))
    services = next(c for c in checked if c.result.path.endswith("services.py"))
    assert services.result.fixed_source is None


ASYNC_FACTORY_PROJECT = {
    "app/__init__.py": "",
    "app/db.py": """
        from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

        engine = create_async_engine("postgresql+asyncpg://localhost/app")
        async_session = async_sessionmaker(engine, expire_on_commit=False)
    """,
    # No asyncio name of SQLAlchemy in this file: only the index says what
    # `async_session` makes. `client()` is a look-alike with the same methods.
    "app/service.py": """
        from app.db import async_session
        from app.http import client


        async def rename(item: object) -> None:
            async with async_session() as session:
                session.commit()
            async with client() as http:
                http.commit()


        async def add(item: object) -> None:
            async with async_session() as session:
                await session.add(item)
            async with client() as http:
                await http.add(item)
    """,
}


@pytest.mark.parametrize(("code", "line"), [("ALC202", 7), ("ALC203", 14)])
def test_an_async_session_factory_from_another_module(tmp_path: Path, code: str, line: int) -> None:
    assert _lines(tmp_path, ASYNC_FACTORY_PROJECT, code) == {"app/service.py": [line]}


ASYNC_PROVIDERS = {
    "app/deps.py": """
        from typing import Annotated

        from fastapi import Depends
        from sqlalchemy.ext.asyncio import AsyncSession

        from app.db import async_session


        async def get_db():
            async with async_session() as session:
                yield session


        SessionDep = Annotated[AsyncSession, Depends(get_db)]
    """,
    "app/routes.py": """
        from fastapi import Depends

        from app.deps import SessionDep, get_db
        from app.http import get_client


        async def one(db=Depends(get_db), http=Depends(get_client)):
            db.commit()
            http.commit()


        async def two(db: SessionDep):
            db.commit()
    """,
}


def test_async_providers_and_aliases_from_another_module(tmp_path: Path) -> None:
    files = {**ASYNC_FACTORY_PROJECT, **ASYNC_PROVIDERS}
    found = _lines(tmp_path, files, "ALC202")
    assert found == {"app/service.py": [7], "app/routes.py": [8, 13]}


# Airflow 3's action logging: an `async def` dependency in a module that imports no
# SQLAlchemy, whose session alias comes from the project's db module.
SESSION_ALIAS_PROJECT = {
    "app/__init__.py": "",
    "app/db.py": """
        from collections.abc import AsyncGenerator, Generator
        from typing import Annotated

        from fastapi import Depends
        from sqlalchemy.ext.asyncio import AsyncSession
        from sqlalchemy.orm import Session


        def _get_session() -> Generator[Session, None, None]:
            yield Session()


        async def _get_async_session() -> AsyncGenerator[AsyncSession, None]:
            yield AsyncSession()


        SessionDep = Annotated[Session, Depends(_get_session)]
        AsyncSessionDep = Annotated[AsyncSession, Depends(_get_async_session)]
    """,
    "app/logging.py": """
        from app.db import AsyncSessionDep, SessionDep


        async def log_action(session: SessionDep, entry):
            session.add(entry)
            session.commit()


        async def log_async(session: AsyncSessionDep, entry):
            session.add(entry)
            await session.commit()
    """,
    "app/other.py": """
        class SessionDep:
            def commit(self):
                pass


        async def log_action(session: SessionDep):
            session.commit()
    """,
}


def test_sync_session_alias_in_a_module_without_sqlalchemy_imports(tmp_path: Path) -> None:
    assert _lines(tmp_path, SESSION_ALIAS_PROJECT, "ALC201") == {"app/logging.py": [6]}
