"""Sessions reached through a project module imported as a module (`from airflow import
settings`, then `settings.Session()`), in files that never name SQLAlchemy.

Such a file imports no SQLAlchemy name and no project name the index knows; what makes
it a SQLAlchemy user is that a module it imports binds the project's session objects.
Each project holds a look-alike package beside the real one: a `settings` module whose
`Session` is some other library's (or a plain class), used the same way, which must
stay silent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rules.project_files import finding_lines

# The same job in both packages: only the settings module differs.
JOBS = """
    from {package} import settings

    def run(thing):
        session = settings.Session()
        return session.query(thing).all()
"""
LOOKALIKE_SETTINGS = """
    import requests

    class Session:
        def query(self, thing):
            return requests.get(thing)
"""
AIRFLOW_LIKE_SETTINGS = """
    from typing import Callable

    from sqlalchemy.orm import Session as SASession, scoped_session, sessionmaker

    Session: Callable[..., SASession]

    def configure_orm(engine):
        global Session
        Session = scoped_session(sessionmaker(bind=engine))
"""
ANNOTATED_LOOKALIKE = """
    from typing import Callable

    import requests

    Session: Callable[..., requests.Session]

    def configure():
        global Session
        Session = requests.Session
"""
REGISTRY_SETTINGS = """
    from sqlalchemy.orm import scoped_session, sessionmaker

    Session = scoped_session(sessionmaker())
"""


def _project(settings: str, lookalike: str) -> dict[str, str]:
    return {
        "app/__init__.py": "",
        "app/settings.py": settings,
        "app/jobs.py": JOBS.format(package="app"),
        "other/__init__.py": "",
        "other/settings.py": lookalike,
        "other/jobs.py": JOBS.format(package="other"),
    }


@pytest.mark.parametrize(
    ("settings", "lookalike"),
    [
        (REGISTRY_SETTINGS, LOOKALIKE_SETTINGS),
        # `Session: Callable[..., Session]` set by a setup function (airflow's settings).
        (AIRFLOW_LIKE_SETTINGS, ANNOTATED_LOOKALIKE),
    ],
    ids=["registry", "declared-callable"],
)
def test_a_session_module_imported_as_a_module(
    tmp_path: Path, settings: str, lookalike: str
) -> None:
    found = finding_lines(tmp_path, _project(settings, lookalike), "ALC101")
    assert found == {"app/jobs.py": [5]}


def test_a_dotted_module_import(tmp_path: Path) -> None:
    # `import app.settings` binds only `app`; `app.settings.Session()` reads the module.
    files = {
        "app/__init__.py": "",
        "app/settings.py": REGISTRY_SETTINGS,
        "app/jobs.py": """
            import app.settings
            import other.settings

            def run(thing):
                session = app.settings.Session()
                return session.query(thing).all()

            def look_alike(thing):
                session = other.settings.Session()
                return session.query(thing).all()
        """,
        "other/__init__.py": "",
        "other/settings.py": LOOKALIKE_SETTINGS,
    }
    assert finding_lines(tmp_path, files, "ALC101") == {"app/jobs.py": [6]}


def test_an_async_factory_module_imported_as_a_module(tmp_path: Path) -> None:
    # ALC202 in a route file that names neither SQLAlchemy nor a project name the
    # index knows: the factory is reached as `db.SessionLocal`.
    files = {
        "app/__init__.py": "",
        "app/db.py": """
            from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

            SessionLocal = async_sessionmaker(create_async_engine("postgresql+asyncpg://"))
        """,
        "app/routes.py": """
            from app import db
            from other import db as other_db

            async def rename(user_id):
                async with db.SessionLocal() as session:
                    session.commit()

            async def look_alike(user_id):
                async with other_db.SessionLocal() as session:
                    session.commit()
        """,
        "other/__init__.py": "",
        "other/db.py": """
            class SessionLocal:
                async def __aenter__(self):
                    return self

                async def __aexit__(self, *exc):
                    return None

                def commit(self):
                    return None
        """,
    }
    assert finding_lines(tmp_path, files, "ALC202") == {"app/routes.py": [6]}


def test_a_module_that_only_imports_sqlalchemy_does_not_count(tmp_path: Path) -> None:
    # `helpers` names SQLAlchemy but binds no session object of the project: importing
    # it proves nothing about `helpers.Session`, a class of its own.
    files = {
        "app/__init__.py": "",
        "app/helpers.py": """
            from sqlalchemy import exc

            class Session:
                def query(self, thing):
                    return thing

            ERRORS = (exc.OperationalError,)
        """,
        "app/jobs.py": JOBS.format(package="app").replace("settings", "helpers"),
    }
    assert finding_lines(tmp_path, files, "ALC101") == {}
