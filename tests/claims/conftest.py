"""Fixtures of the claim tests: one fresh database for the lot, and the URLs to it."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

import pytest
from sqlalchemy.engine import URL


@pytest.fixture(scope="session")
def claims_database(postgres_server: ModuleType) -> Iterator[URL]:
    """A fresh empty database (asyncpg URL), dropped after the session."""
    url: URL = postgres_server.create_database("claims")
    yield url
    postgres_server.drop_database(url)


@pytest.fixture(scope="session")
def async_url(claims_database: URL) -> str:
    """`postgresql+asyncpg://...` of the claims database, password included."""
    return str(claims_database.render_as_string(hide_password=False))


@pytest.fixture(scope="session")
def sync_url(claims_database: URL) -> str:
    """`postgresql+psycopg2://...` of the claims database (named: 2.0 and 2.1 differ)."""
    psycopg2 = claims_database.set(drivername="postgresql+psycopg2")
    return str(psycopg2.render_as_string(hide_password=False))
