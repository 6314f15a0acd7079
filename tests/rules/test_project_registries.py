"""Async rules (ALC202, ALC203) on sessions from another module: `async_scoped_session`
registries, and local names that shadow an imported factory or registry.

Each case is a small package checked through `check_files` (the CLI's path), with
look-alikes in the same file that must stay silent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rules.test_project_sessions import _lines

REGISTRY = {
    "app/__init__.py": "",
    "app/db.py": """
        from asyncio import current_task

        from sqlalchemy.ext.asyncio import (
            async_scoped_session,
            async_sessionmaker,
            create_async_engine,
        )

        engine = create_async_engine("postgresql+asyncpg://localhost/app")
        factory = async_sessionmaker(engine)
        Session = async_scoped_session(factory, scopefunc=current_task)
    """,
    # Not SQLAlchemy: an object with the same method names.
    "app/store.py": """
        class Store:
            def execute(self, query): ...
            def add(self, item): ...


        Cache = Store()
    """,
    # No SQLAlchemy asyncio name here: only the index says what `Session` is.
    "app/views.py": """
        from sqlalchemy import select

        from app.db import Session
        from app.store import Cache


        async def called() -> None:
            Session().execute(select(1))
            await Session().execute(select(1))
            Cache.execute(select(1))


        async def proxied() -> None:
            Session.execute(select(1))
            Cache.execute(select(1))


        async def add(item: object) -> None:
            await Session.add(item)
            await Session().add(item)
            Session.add(item)
            await Cache.add(item)
    """,
}


@pytest.mark.parametrize(("code", "lines"), [("ALC202", [8, 14]), ("ALC203", [19, 20])])
def test_an_async_scoped_session_registry_from_another_module(
    tmp_path: Path, code: str, lines: list[int]
) -> None:
    assert _lines(tmp_path, REGISTRY, code) == {"app/views.py": lines}


def test_a_sync_scoped_session_registry_is_not_async(tmp_path: Path) -> None:
    files = dict(REGISTRY)
    files["app/db.py"] = """
        from sqlalchemy.orm import scoped_session, sessionmaker

        Session = scoped_session(sessionmaker())
    """
    assert _lines(tmp_path, files, "ALC202") == {}


SHADOWED = {
    "app/__init__.py": "",
    "app/db.py": REGISTRY["app/db.py"],
    "app/views.py": """
        from app.db import Session, factory
        from app.http import make_client


        async def local_factory() -> None:
            factory = make_client
            async with factory() as client:
                client.commit()


        async def parameter_factory(factory) -> None:
            async with factory() as client:
                client.commit()


        async def parameter_registry(Session) -> None:
            Session.commit()
            Session().commit()


        async def imported() -> None:
            async with factory() as session:
                session.commit()
            Session.commit()
    """,
}


def test_a_local_name_shadowing_an_imported_factory_is_not_the_import(tmp_path: Path) -> None:
    assert _lines(tmp_path, SHADOWED, "ALC202") == {"app/views.py": [23, 24]}
