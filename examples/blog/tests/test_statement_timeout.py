"""A statement the server cancels (statement_timeout) is a 504, and its connection stays good.

The statement waits on a lock another transaction holds, the way a real one gets
slow; `db_statement_timeout_ms` (the app's setting, passed to the server at
connect time) cancels it after 200 ms. The pool has one connection, so the next
requests prove that this same connection went back to the pool usable.
"""

from __future__ import annotations

import time

from sqlalchemy.engine import URL

from tests.live_app import Observer, running_app

TIMEOUT_MS = 200


async def test_a_cancelled_statement_is_a_504_and_the_connection_is_reused(
    live_database: URL, observer: Observer
) -> None:
    settings = {"db_pool_size": 1, "db_max_overflow": 0, "db_statement_timeout_ms": TIMEOUT_MS}
    async with running_app(live_database, **settings) as live:
        name = live.settings.app_name
        created = await live.client.post(
            "/users", json={"email": "ada@example.com", "display_name": "Ada"}
        )
        user_url = f"/users/{created.json()['id']}"
        [connection] = await observer.backends(name)

        async with observer.table_locked("users"):
            started = time.monotonic()
            slow = await live.client.patch(user_url, json={"display_name": "Ada L."})
            elapsed = time.monotonic() - started

        after = [await live.client.get(user_url) for _ in range(3)]
        renamed = await live.client.patch(user_url, json={"display_name": "Ada L."})
        backends = await observer.backends(name)
        assert live.pool.checkedout() == 0

    assert slow.status_code == 504
    assert slow.json() == {
        "error": {"code": "database_timeout", "message": "the database did not answer in time"}
    }
    assert "retry-after" not in slow.headers  # the same query would be as slow again
    assert TIMEOUT_MS / 1000 <= elapsed < 5
    assert [response.status_code for response in after] == [200] * 3
    assert renamed.status_code == 200
    assert renamed.json()["display_name"] == "Ada L."
    # One connection all along: the cancelled statement did not cost it.
    assert [(backend.pid, backend.state) for backend in backends] == [(connection.pid, "idle")]
