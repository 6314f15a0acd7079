"""Fixtures shared by the root test suite."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    # tests/claims/index.py pairs each marked test with the `[claim: id]` tags it proves.
    config.addinivalue_line(
        "markers", "claim(id): the test demonstrates the statement tagged [claim: id]"
    )


def _load_postgres_server() -> ModuleType:
    # One implementation of "which PostgreSQL do tests use", owned by the example
    # project (it must run standalone); the root suite loads it by path.
    name = "sqla_skillpack_postgres_server"
    if name in sys.modules:
        return sys.modules[name]
    path = REPO_ROOT / "examples" / "blog" / "tests" / "postgres_server.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def postgres_server() -> ModuleType:
    """The helper module that provides the test PostgreSQL server."""
    return _load_postgres_server()


@pytest.fixture(scope="session")
def admin_database_url(postgres_server: ModuleType) -> str:
    """Admin URL of the running test server (DATABASE_URL, else an embedded one)."""
    url = postgres_server.admin_url()
    return str(url.render_as_string(hide_password=False))


@pytest.fixture
def fresh_database_url(postgres_server: ModuleType) -> Iterator[str]:
    """The asyncpg URL of a new empty database on the test server, dropped afterwards."""
    url = postgres_server.create_database("docs")
    yield url.render_as_string(hide_password=False)
    postgres_server.drop_database(url)
