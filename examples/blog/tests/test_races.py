"""Concurrent requests on the same data: the database decides, the API answers cleanly.

Each request of a burst runs in its own session and transaction on the app's own
pool, as in production; nothing here serialises them but PostgreSQL.
"""

from __future__ import annotations

import asyncio
import itertools
import random

from sqlalchemy import text
from sqlalchemy.engine import URL

from tests.live_app import Observer, eventually, running_app

POOL = {"db_pool_size": 5, "db_max_overflow": 5}


async def test_50_concurrent_signups_with_one_email_make_one_user_and_49_conflicts(
    live_database: URL, observer: Observer
) -> None:
    async with running_app(live_database, **POOL) as live:
        responses = await asyncio.gather(
            *(
                live.client.post(
                    "/users", json={"email": "Ada@Example.com", "display_name": f"Ada {n}"}
                )
                for n in range(50)
            )
        )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * 49
    assert {
        response.json()["error"]["code"] for response in responses if response.status_code == 409
    } == {"conflict"}
    assert await observer.count("users") == 1


async def test_concurrent_tag_changes_on_one_post_never_fail_or_duplicate_a_link(
    live_database: URL, observer: Observer
) -> None:
    names = ["alpha", "beta", "gamma", "delta"]
    # Every subset of the four names, in shuffled orders: attach and detach at once.
    subsets = [list(c) for size in range(5) for c in itertools.combinations(names, size)]
    rng = random.Random(13)
    bodies = [{"tags": rng.sample(subset, len(subset))} for subset in subsets * 2]
    rng.shuffle(bodies)

    async with running_app(live_database, **POOL) as live:
        author = await live.client.post("/users", json={"email": "a@b.cd", "display_name": "A"})
        post = await live.client.post(
            "/posts",
            json={"author_id": author.json()["id"], "title": "T", "body": "B", "tags": ["beta"]},
        )
        post_url = f"/posts/{post.json()['id']}"

        responses = await asyncio.gather(
            *(live.client.patch(post_url, json=body) for body in bodies)
        )
        final = await live.client.get(post_url)

    assert {response.status_code for response in responses} == {200}, [
        response.json() for response in responses if response.status_code != 200
    ]
    # Each PATCH replaced the whole set, so the post ends with one of the sets sent.
    final_tags = sorted(tag["name"] for tag in final.json()["tags"])
    assert final_tags in [sorted(subset) for subset in subsets]
    assert await observer.count("post_tags") == len(final_tags)
    # Every tag any request named exists exactly once.
    assert await observer.count("tags") == len(names)


async def test_concurrent_posts_creating_the_same_new_tags_in_any_order_all_succeed(
    live_database: URL, observer: Observer
) -> None:
    names = [f"tag{n}" for n in range(6)]
    rng = random.Random(7)
    orders = [rng.sample(names, len(names)) for _ in range(20)]

    async with running_app(live_database, **POOL) as live:
        author = await live.client.post("/users", json={"email": "a@b.cd", "display_name": "A"})
        responses = await asyncio.gather(
            *(
                live.client.post(
                    "/posts",
                    json={
                        "author_id": author.json()["id"],
                        "title": "T",
                        "body": "B",
                        "tags": tags,
                    },
                )
                for tags in orders
            )
        )

    # INSERT ... ON CONFLICT DO NOTHING: a SELECT-then-INSERT would let all but one
    # of them fail on the unique constraint of tags.name.
    assert [response.status_code for response in responses] == [201] * len(orders)
    assert await observer.count("tags") == len(names)
    assert await observer.count("post_tags") == len(names) * len(orders)


async def test_a_request_chosen_as_deadlock_victim_gets_409_and_leaves_nothing(
    live_database: URL, observer: Observer
) -> None:
    async with running_app(live_database, **POOL) as live:
        author = await live.client.post("/users", json={"email": "a@b.cd", "display_name": "A"})
        post = {"author_id": author.json()["id"], "title": "T", "body": "B", "tags": ["a", "b"]}

        async with observer.engine.connect() as other:
            transaction = await other.begin()
            # Another transaction holds the new tag "b" (not committed yet) ...
            await other.execute(text("INSERT INTO tags (name) VALUES ('b')"))
            # ... the request inserts "a", then waits for "b" ...
            request = asyncio.create_task(live.client.post("/posts", json=post))

            async def request_waits() -> bool:
                backends = await observer.backends(live.settings.app_name)
                return any(backend.wait_event_type == "Lock" for backend in backends)

            await eventually(request_waits, what="the request waiting for tag b")
            # ... and the other transaction now waits for "a": a cycle. After
            # deadlock_timeout (1 s by default) the request's backend, which has
            # waited longest, finds it and aborts its own transaction.
            await other.execute(text("INSERT INTO tags (name) VALUES ('a')"))
            deadlocked = await request
            await transaction.rollback()

        stored = await observer.count("posts")
        retried = await live.client.post("/posts", json=post)

    assert deadlocked.status_code == 409
    assert deadlocked.json() == {
        "error": {
            "code": "concurrent_update",
            "message": "a concurrent request changed the same data: retry",
        }
    }
    assert stored == 0
    assert retried.status_code == 201
