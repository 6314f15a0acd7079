"""Each read endpoint runs a fixed number of queries, however many rows it returns.

The data sets are large enough (several posts, tags and comments, different
authors) that one lazy load per row would change the count.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Post
from tests.factories import create_comment, create_post
from tests.query_budget import QueryLog

Queries = Callable[[], AbstractContextManager[QueryLog]]


@pytest.fixture
async def posts(db: AsyncSession) -> list[Post]:
    """Five posts by five authors, each with two tags and three comments."""
    posts = [await create_post(db, tags=[f"tag{n}", "common"]) for n in range(5)]
    for post in posts:
        for _ in range(3):
            await create_comment(db, post=post)
    return posts


async def test_list_posts_runs_3_queries(
    client: AsyncClient, posts: list[Post], queries: Queries
) -> None:
    with queries() as log:
        response = await client.get("/posts")

    assert response.status_code == 200
    assert len(response.json()["items"]) == 5
    # count, posts JOIN authors, tags of the page (selectinload)
    assert log.count == 3, log


async def test_filtered_list_runs_3_queries(
    client: AsyncClient, posts: list[Post], queries: Queries
) -> None:
    with queries() as log:
        response = await client.get("/posts", params={"tag": "common", "q": "post"})

    assert response.json()["total"] == 5
    assert log.count == 3, log


async def test_feed_runs_2_queries(
    client: AsyncClient, posts: list[Post], queries: Queries
) -> None:
    with queries() as log:
        response = await client.get("/posts/feed", params={"limit": 3})

    assert len(response.json()["items"]) == 3
    # posts JOIN authors (limit + 1 rows, no COUNT), tags of the page
    assert log.count == 2, log


async def test_post_detail_runs_3_queries(
    client: AsyncClient, posts: list[Post], queries: Queries
) -> None:
    with queries() as log:
        response = await client.get(f"/posts/{posts[0].id}")

    assert len(response.json()["comments"]) == 3
    # post JOIN author, its tags, its comments JOIN their authors
    assert log.count == 3, log


async def test_list_comments_runs_3_queries(
    client: AsyncClient, posts: list[Post], queries: Queries
) -> None:
    with queries() as log:
        response = await client.get(f"/posts/{posts[0].id}/comments")

    assert len(response.json()["items"]) == 3
    # post exists, count, comments JOIN authors
    assert log.count == 3, log


async def test_list_tags_runs_1_query(
    client: AsyncClient, posts: list[Post], queries: Queries
) -> None:
    with queries() as log:
        response = await client.get("/tags")

    assert len(response.json()) == 6
    assert log.count == 1, log


async def test_list_users_runs_2_queries(
    client: AsyncClient, posts: list[Post], queries: Queries
) -> None:
    with queries() as log:
        response = await client.get("/users")

    assert response.json()["total"] == 20
    assert log.count == 2, log


async def test_create_post_runs_5_queries(
    client: AsyncClient, posts: list[Post], queries: Queries
) -> None:
    with queries() as log:
        response = await client.post(
            "/posts",
            json={
                "author_id": posts[0].author_id,
                "title": "T",
                "body": "B",
                "tags": ["a", "b", "c"],
            },
        )

    assert response.status_code == 201
    # author, INSERT tags ON CONFLICT, SELECT tags, INSERT post RETURNING, INSERT links
    assert log.count == 5, log


async def test_patch_post_tags_runs_7_queries(
    client: AsyncClient, posts: list[Post], queries: Queries
) -> None:
    with queries() as log:
        response = await client.patch(f"/posts/{posts[0].id}", json={"tags": ["tag0", "new"]})

    assert response.status_code == 200
    # post JOIN author, its tags, INSERT tags ON CONFLICT, SELECT tags, then the
    # flush: UPDATE posts SET updated_at RETURNING it, DELETE and INSERT links
    assert log.count == 7, log
