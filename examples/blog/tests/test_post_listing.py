"""Listing posts: offset pages with totals, keyset pages, search and tag filter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Post
from tests.factories import create_post, create_user

T0 = datetime(2024, 1, 1, tzinfo=UTC)


async def _posts_at(db: AsyncSession, minutes: list[int]) -> list[Post]:
    """Posts created `minutes` after T0 (equal values give equal timestamps)."""
    author = await create_user(db)
    return [
        await create_post(db, author=author, created_at=T0 + timedelta(minutes=m)) for m in minutes
    ]


def _ids(page: dict[str, list[dict[str, int]]]) -> list[int]:
    return [item["id"] for item in page["items"]]


async def test_list_posts_is_newest_first_with_total(client: AsyncClient, db: AsyncSession) -> None:
    old, new, middle = await _posts_at(db, [1, 3, 2])

    response = await client.get("/posts")

    assert response.status_code == 200
    body = response.json()
    assert _ids(body) == [new.id, middle.id, old.id]
    assert (body["total"], body["limit"], body["offset"]) == (3, 20, 0)


async def test_offset_pages_cover_every_post_once(client: AsyncClient, db: AsyncSession) -> None:
    posts = await _posts_at(db, [1, 2, 3, 4, 5])

    first = (await client.get("/posts", params={"limit": 2})).json()
    second = (await client.get("/posts", params={"limit": 2, "offset": 2})).json()
    last = (await client.get("/posts", params={"limit": 2, "offset": 4})).json()
    beyond = (await client.get("/posts", params={"limit": 2, "offset": 10})).json()

    assert _ids(first) + _ids(second) + _ids(last) == [p.id for p in reversed(posts)]
    assert {first["total"], second["total"], last["total"], beyond["total"]} == {5}
    assert beyond["items"] == []


async def test_limit_is_bounded(client: AsyncClient) -> None:
    assert (await client.get("/posts", params={"limit": 0})).status_code == 422
    assert (await client.get("/posts", params={"limit": 101})).status_code == 422
    assert (await client.get("/posts", params={"offset": -1})).status_code == 422


async def test_feed_walks_all_posts_by_cursor_including_equal_timestamps(
    client: AsyncClient, db: AsyncSession
) -> None:
    # Three posts share a timestamp: only the id tie-breaker keeps them apart.
    posts = await _posts_at(db, [1, 2, 2, 2, 3, 4, 5])
    expected = [p.id for p in sorted(posts, key=lambda p: (p.created_at, p.id), reverse=True)]

    seen: list[int] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        body = (await client.get("/posts/feed", params=params)).json()
        seen += _ids(body)
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert seen == expected
    assert pages == 3


async def test_feed_is_stable_when_posts_are_added_between_pages(
    client: AsyncClient, db: AsyncSession
) -> None:
    posts = await _posts_at(db, [1, 2, 3, 4])
    first = (await client.get("/posts/feed", params={"limit": 2})).json()

    await create_post(db, created_at=T0 + timedelta(minutes=10))  # lands on page one
    second = (
        await client.get("/posts/feed", params={"limit": 2, "cursor": first["next_cursor"]})
    ).json()

    assert _ids(second) == [posts[1].id, posts[0].id]  # OFFSET would repeat posts[2]
    assert second["next_cursor"] is None


async def test_feed_with_a_tampered_cursor_is_422(client: AsyncClient) -> None:
    response = await client.get("/posts/feed", params={"cursor": "not-a-cursor"})

    assert response.status_code == 422
    assert response.json() == {"error": {"code": "invalid_input", "message": "cursor is not valid"}}


async def test_search_matches_title_or_body_case_insensitively(
    client: AsyncClient, db: AsyncSession
) -> None:
    in_title = await create_post(db, title="Async SQLAlchemy", body="...")
    in_body = await create_post(db, title="Other", body="all about sqlalchemy sessions")
    await create_post(db, title="Unrelated", body="nothing here")

    body = (await client.get("/posts", params={"q": "SQLALCHEMY"})).json()

    assert sorted(_ids(body)) == sorted([in_title.id, in_body.id])
    assert body["total"] == 2


async def test_search_treats_like_wildcards_literally(
    client: AsyncClient, db: AsyncSession
) -> None:
    percent = await create_post(db, title="100% coverage")
    underscore = await create_post(db, title="snake_case names")
    backslash = await create_post(db, title=r"C:\temp paths")
    await create_post(db, title="1000 coverage")
    await create_post(db, title="snakeXcase names")

    async def search(term: str) -> list[int]:
        return _ids((await client.get("/posts", params={"q": term})).json())

    assert await search("0%") == [percent.id]
    assert await search("e_c") == [underscore.id]
    assert await search("\\") == [backslash.id]
    assert await search("%") == [percent.id]


async def test_tag_filter_returns_only_tagged_posts_once(
    client: AsyncClient, db: AsyncSession
) -> None:
    both = await create_post(db, tags=["python", "sql"])
    python_only = await create_post(db, tags=["python"])
    await create_post(db, tags=["sql"])
    await create_post(db)

    body = (await client.get("/posts", params={"tag": "Python"})).json()

    assert sorted(_ids(body)) == sorted([both.id, python_only.id])
    assert body["total"] == 2


async def test_search_and_tag_filter_combine(client: AsyncClient, db: AsyncSession) -> None:
    match = await create_post(db, title="Keyset pagination", tags=["sql"])
    await create_post(db, title="Keyset pagination", tags=["python"])
    await create_post(db, title="Joins", tags=["sql"])

    body = (await client.get("/posts", params={"q": "keyset", "tag": "sql"})).json()
    feed = (await client.get("/posts/feed", params={"q": "keyset", "tag": "sql"})).json()

    assert _ids(body) == [match.id]
    assert _ids(feed) == [match.id]
