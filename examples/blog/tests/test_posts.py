"""The /posts endpoints that write and read single posts."""

from __future__ import annotations

from datetime import UTC, datetime

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Comment, Post, Tag, post_tags
from tests.factories import create_comment, create_post, create_user

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


async def test_create_post_returns_201_with_author_and_tags(
    client: AsyncClient, db: AsyncSession
) -> None:
    author = await create_user(db, display_name="Ada")

    response = await client.post(
        "/posts",
        json={
            "author_id": author.id,
            "title": "Hello",
            "body": "First post.",
            "tags": ["Python", "sql", "python"],
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert body["title"] == "Hello"
    assert body["author"] == {"id": author.id, "display_name": "Ada"}
    assert [tag["name"] for tag in body["tags"]] == ["python", "sql"]  # normalised, deduplicated


async def test_create_post_reuses_existing_tags(client: AsyncClient, db: AsyncSession) -> None:
    author = await create_user(db)
    await create_post(db, tags=["python"])

    response = await client.post(
        "/posts", json={"author_id": author.id, "title": "T", "body": "B", "tags": ["python"]}
    )

    assert response.status_code == 201
    assert await db.scalar(select(func.count()).select_from(Tag)) == 1


async def test_create_post_for_an_unknown_author_is_404(client: AsyncClient) -> None:
    response = await client.post("/posts", json={"author_id": 999999, "title": "T", "body": "B"})

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "User 999999 not found"}}


async def test_create_post_validates_sizes(client: AsyncClient, db: AsyncSession) -> None:
    author = await create_user(db)

    response = await client.post(
        "/posts",
        json={"author_id": author.id, "title": "x" * 201, "body": "B", "tags": ["a"] * 11},
    )

    assert response.status_code == 422
    locs = {tuple(detail["loc"]) for detail in response.json()["error"]["details"]}
    assert locs == {("body", "title"), ("body", "tags")}


async def test_get_post_returns_author_tags_and_comments(
    client: AsyncClient, db: AsyncSession
) -> None:
    post = await create_post(db, tags=["sql", "async"])
    first = await create_comment(db, post=post, body="First!")
    second = await create_comment(db, post=post, body="Second.")

    response = await client.get(f"/posts/{post.id}")

    assert response.status_code == 200
    body = response.json()
    assert body["author"]["id"] == post.author_id
    assert [tag["name"] for tag in body["tags"]] == ["async", "sql"]
    assert [(c["id"], c["body"]) for c in body["comments"]] == [
        (first.id, "First!"),
        (second.id, "Second."),
    ]
    assert body["comments"][0]["author"]["id"] == first.author_id


async def test_get_unknown_post_is_404(client: AsyncClient) -> None:
    response = await client.get("/posts/999999")

    assert response.status_code == 404
    assert response.json()["error"] == {"code": "not_found", "message": "Post 999999 not found"}


async def test_post_id_must_be_an_integer(client: AsyncClient) -> None:
    response = await client.get("/posts/abc")

    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["loc"] == ["path", "post_id"]


async def test_patch_post_changes_only_the_fields_sent(
    client: AsyncClient, db: AsyncSession
) -> None:
    post = await create_post(db, title="Old", body="Body stays.", tags=["keep"])

    response = await client.patch(f"/posts/{post.id}", json={"title": "New"})

    assert response.status_code == 200
    body = response.json()
    assert (body["title"], body["body"]) == ("New", "Body stays.")
    assert [tag["name"] for tag in body["tags"]] == ["keep"]


async def test_patch_post_tags_replaces_the_whole_set(
    client: AsyncClient, db: AsyncSession
) -> None:
    post = await create_post(db, tags=["a", "b"])

    response = await client.patch(f"/posts/{post.id}", json={"tags": ["b", "c"]})

    assert response.status_code == 200
    assert [tag["name"] for tag in response.json()["tags"]] == ["b", "c"]
    links = await db.scalar(
        select(func.count()).select_from(post_tags).where(post_tags.c.post_id == post.id)
    )
    assert links == 2


async def _backdate(db: AsyncSession, post: Post) -> datetime:
    """Set the post's updated_at far in the past and return that value.

    A test runs inside one transaction, and the timestamp columns use now(), which
    PostgreSQL fixes at the start of the transaction: a post created and patched in
    the same test would get the same updated_at whether or not it was bumped.
    """
    post.updated_at = LONG_AGO  # an explicit value: onupdate does not apply
    await db.flush()
    return LONG_AGO


async def _stored_updated_at(db: AsyncSession, post: Post) -> datetime | None:
    return await db.scalar(select(Post.updated_at).where(Post.id == post.id))


async def test_patch_post_tags_only_bumps_updated_at(client: AsyncClient, db: AsyncSession) -> None:
    post = await create_post(db, tags=["a"])
    before = await _backdate(db, post)

    response = await client.patch(f"/posts/{post.id}", json={"tags": ["a", "b"]})

    assert response.status_code == 200
    transaction_start = await db.scalar(select(func.now()))
    assert datetime.fromisoformat(response.json()["updated_at"]) == transaction_start
    assert await _stored_updated_at(db, post) == transaction_start != before


async def test_patch_post_with_the_same_tags_leaves_updated_at_alone(
    client: AsyncClient, db: AsyncSession
) -> None:
    post = await create_post(db, tags=["a", "b"])
    before = await _backdate(db, post)

    response = await client.patch(f"/posts/{post.id}", json={"tags": ["b", "a"]})

    assert response.status_code == 200
    assert datetime.fromisoformat(response.json()["updated_at"]) == before
    assert await _stored_updated_at(db, post) == before


async def test_patch_post_refuses_null_and_unknown_fields(
    client: AsyncClient, db: AsyncSession
) -> None:
    post = await create_post(db)

    null_title = await client.patch(f"/posts/{post.id}", json={"title": None})
    unknown = await client.patch(f"/posts/{post.id}", json={"author_id": 1})

    assert null_title.status_code == 422
    assert unknown.status_code == 422


async def test_patch_unknown_post_is_404(client: AsyncClient) -> None:
    response = await client.patch("/posts/999999", json={"title": "T"})

    assert response.status_code == 404


async def test_delete_post_is_204_and_removes_its_comments(
    client: AsyncClient, db: AsyncSession
) -> None:
    post = await create_post(db)
    await create_comment(db, post=post)

    response = await client.delete(f"/posts/{post.id}")

    assert response.status_code == 204
    assert await db.scalar(select(func.count()).select_from(Comment)) == 0
    assert (await client.get(f"/posts/{post.id}")).status_code == 404


async def test_delete_unknown_post_is_404(client: AsyncClient) -> None:
    response = await client.delete("/posts/999999")

    assert response.status_code == 404
