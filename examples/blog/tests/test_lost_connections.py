"""Connections killed under the app, and a restart of the server itself.

`pg_terminate_backend` on every backend of the app stands for a failover, an
idle-connection reaper or a proxy restart. With `pool_pre_ping` (the app's
default) the next checkout notices and reconnects, so no request fails; without
it, the request that meets the dead connection is a 503 with `Retry-After`, and
the pool replaces its connections for the next one. A write in flight when its
connection dies is rolled back by the server: no half-written post.
"""

from __future__ import annotations

import asyncio

import pytest
from httpx import Response
from sqlalchemy.engine import URL

from tests import postgres_server
from tests.live_app import LiveApp, Observer, eventually, running_app


async def _create_user(live: LiveApp, email: str = "ada@example.com") -> int:
    response = await live.client.post("/users", json={"email": email, "display_name": "Ada"})
    assert response.status_code == 201, response.text
    user_id = response.json()["id"]
    assert isinstance(user_id, int)
    return user_id


async def _fill_pool(live: LiveApp, user_id: int, observer: Observer, connections: int) -> None:
    """Open `connections` pooled connections by holding them all at once."""
    async with observer.table_locked("users"):
        tasks = [
            asyncio.create_task(live.client.get(f"/users/{user_id}")) for _ in range(connections)
        ]

        async def all_open() -> bool:
            return len(await observer.backends(live.settings.app_name)) == connections

        await eventually(all_open, what=f"{connections} connections open")
    assert {response.status_code for response in await asyncio.gather(*tasks)} == {200}


async def test_after_every_backend_is_killed_the_next_requests_succeed(
    live_database: URL, observer: Observer
) -> None:
    async with running_app(live_database, db_pool_size=3, db_max_overflow=0) as live:
        name = live.settings.app_name
        user_id = await _create_user(live)
        await _fill_pool(live, user_id, observer, 3)
        before = {backend.pid for backend in await observer.backends(name)}

        assert await observer.terminate(name) == 3

        responses = [await live.client.get(f"/users/{user_id}") for _ in range(3)]
        responses += await asyncio.gather(*(live.client.get("/health") for _ in range(3)))
        after = {backend.pid for backend in await observer.backends(name)}

    assert [response.status_code for response in responses] == [200] * 6
    # Served by new connections only.
    assert after
    assert not after & before


async def test_without_pre_ping_one_request_gets_503_and_the_pool_heals(
    live_database: URL, observer: Observer
) -> None:
    settings = {"db_pool_size": 2, "db_max_overflow": 0, "db_pool_pre_ping": False}
    async with running_app(live_database, retry_after_seconds=2, **settings) as live:
        user_id = await _create_user(live)
        await _fill_pool(live, user_id, observer, 2)
        assert await observer.terminate(live.settings.app_name) == 2

        failed = await live.client.get(f"/users/{user_id}")
        # The disconnect invalidated the whole pool: the other dead connection
        # is replaced at its checkout instead of failing a second request.
        then = [await live.client.get(f"/users/{user_id}") for _ in range(4)]

    assert failed.status_code == 503
    assert failed.headers["retry-after"] == "2"
    assert failed.json() == {
        "error": {"code": "service_unavailable", "message": "the database is not reachable"}
    }
    assert [response.status_code for response in then] == [200] * 4


async def test_a_write_whose_connection_dies_mid_transaction_leaves_nothing_behind(
    live_database: URL, observer: Observer
) -> None:
    async with running_app(live_database, db_pool_size=1, db_max_overflow=0) as live:
        name = live.settings.app_name
        author_id = await _create_user(live)
        post = {"author_id": author_id, "title": "T", "body": "B", "tags": ["x", "y"]}

        async with observer.table_locked("post_tags"):
            # The INSERTs into tags and posts have run; the one into post_tags waits.
            write = asyncio.create_task(live.client.post("/posts", json=post))

            async def waiting_on_the_lock() -> bool:
                backends = await observer.backends(name)
                return any(backend.wait_event_type == "Lock" for backend in backends)

            await eventually(waiting_on_the_lock, what="the write reaching post_tags")
            assert await observer.terminate(name) == 1
            killed: Response = await write

        stored = {table: await observer.count(table) for table in ("posts", "tags", "post_tags")}
        retried = await live.client.post("/posts", json=post)

    assert killed.status_code == 503
    assert killed.json()["error"]["code"] == "service_unavailable"
    assert stored == {"posts": 0, "tags": 0, "post_tags": 0}
    assert retried.status_code == 201
    assert {table: await observer.count(table) for table in ("posts", "tags", "post_tags")} == {
        "posts": 1,
        "tags": 2,
        "post_tags": 2,
    }


@pytest.mark.skipif(
    not postgres_server.is_embedded(),
    reason="DATABASE_URL names a server this test must not restart; "
    "run with DATABASE_URL unset to restart the embedded one",
)
async def test_a_server_restart_costs_503s_while_it_is_down_and_nothing_after(
    live_database: URL, observer: Observer
) -> None:
    async with running_app(live_database, db_pool_size=2, retry_after_seconds=1) as live:
        user_id = await _create_user(live)
        assert (await live.client.get(f"/users/{user_id}")).status_code == 200

        with postgres_server.embedded_server_stopped():
            down = await live.client.get(f"/users/{user_id}")

        back = [await live.client.get(f"/users/{user_id}") for _ in range(3)]

    assert down.status_code == 503
    assert down.headers["retry-after"] == "1"
    assert down.json()["error"]["code"] == "service_unavailable"
    assert [response.status_code for response in back] == [200] * 3
