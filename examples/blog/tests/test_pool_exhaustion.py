"""More concurrent requests than the pool has connections: wait, then a clean 503.

Six requests arrive while a table lock keeps every connection busy. The pool is
2 connections + 1 overflow with a 0.5 s `pool_timeout` (the app's own settings),
so three requests wait on the lock holding a connection each, and three wait for
a connection, get none within the timeout and are answered 503 with
`Retry-After`. When the lock goes, the three held ones are served, and the app
keeps serving without leaking a connection. About a second in all.
"""

from __future__ import annotations

import asyncio
import time

from httpx import Response
from sqlalchemy.engine import URL

from tests.live_app import LiveApp, Observer, eventually, running_app

POOL_SIZE, MAX_OVERFLOW, POOL_TIMEOUT = 2, 1, 0.5
CONNECTIONS = POOL_SIZE + MAX_OVERFLOW
SETTINGS = {
    "db_pool_size": POOL_SIZE,
    "db_max_overflow": MAX_OVERFLOW,
    "db_pool_timeout": POOL_TIMEOUT,
    "retry_after_seconds": 3,
}


async def _a_user_url(live: LiveApp) -> str:
    """Create a user to read back: every request of the burst fetches it."""
    created = await live.client.post(
        "/users", json={"email": "ada@example.com", "display_name": "Ada"}
    )
    return f"/users/{created.json()['id']}"


async def _answered(tasks: list[asyncio.Task[Response]], count: int) -> bool:
    return sum(task.done() for task in tasks) >= count


async def test_requests_beyond_the_pool_wait_pool_timeout_then_get_503_with_retry_after(
    live_database: URL, observer: Observer
) -> None:
    async with running_app(live_database, **SETTINGS) as live:
        name = live.settings.app_name
        user_url = await _a_user_url(live)

        async def connections_waiting_on_the_lock() -> bool:
            backends = await observer.backends(name)
            return sum(backend.wait_event_type == "Lock" for backend in backends) == CONNECTIONS

        async with observer.table_locked("users"):
            started = time.monotonic()
            tasks = [asyncio.create_task(live.client.get(user_url)) for _ in range(6)]
            await eventually(connections_waiting_on_the_lock, what="3 requests on the lock")
            await eventually(lambda: _answered(tasks, 3), what="3 requests answered")
            waited = time.monotonic() - started
            refused = [task.result() for task in tasks if task.done()]
            held = [task for task in tasks if not task.done()]
            assert live.pool.checkedout() == CONNECTIONS
        served = await asyncio.gather(*held)

    assert len(refused) == 3
    assert waited >= POOL_TIMEOUT
    for response in refused:
        assert response.status_code == 503
        assert response.headers["retry-after"] == "3"
        assert response.json() == {
            "error": {
                "code": "database_busy",
                "message": "every database connection is in use: retry later",
            }
        }
    assert [response.status_code for response in served] == [200] * CONNECTIONS


async def test_the_app_recovers_after_the_burst_and_leaks_no_connection(
    live_database: URL, observer: Observer
) -> None:
    async with running_app(live_database, **SETTINGS) as live:
        name = live.settings.app_name
        user_url = await _a_user_url(live)
        async with observer.table_locked("users"):
            burst = [asyncio.create_task(live.client.get(user_url)) for _ in range(8)]
            await eventually(lambda: _answered(burst, 8 - CONNECTIONS), what="the refusals")
        statuses = sorted(response.status_code for response in await asyncio.gather(*burst))
        assert statuses == [200] * CONNECTIONS + [503] * (8 - CONNECTIONS)

        # Load drops: every request is served again, one at a time and 10 at once.
        sequential = [await live.client.get(user_url) for _ in range(5)]
        concurrent = await asyncio.gather(*(live.client.get(user_url) for _ in range(10)))
        assert {response.status_code for response in [*sequential, *concurrent]} == {200}

        # Every connection is back in the pool, the overflow one closed on its
        # return, and none of them is left inside a transaction.
        assert live.pool.checkedout() == 0
        backends = await observer.backends(name)
        assert 1 <= len(backends) <= POOL_SIZE
        assert {backend.state for backend in backends} == {"idle"}

    async def no_backend_left() -> bool:
        return not await observer.backends(name)

    # Shutdown disposes the pool: back to the baseline before the app started.
    await eventually(no_backend_left, what="the app's backends gone after shutdown")
