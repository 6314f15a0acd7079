"""Comments on a post: create and list."""

from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_comment, create_post, create_user


async def test_create_comment_returns_201_with_its_author(
    client: AsyncClient, db: AsyncSession
) -> None:
    post = await create_post(db)
    author = await create_user(db, display_name="Linus")

    response = await client.post(
        f"/posts/{post.id}/comments", json={"author_id": author.id, "body": " Great read. "}
    )

    assert response.status_code == 201
    body = response.json()
    assert body["post_id"] == post.id
    assert body["body"] == "Great read."
    assert body["author"] == {"id": author.id, "display_name": "Linus"}


async def test_comment_on_an_unknown_post_is_404(client: AsyncClient, db: AsyncSession) -> None:
    author = await create_user(db)

    response = await client.post(
        "/posts/999999/comments", json={"author_id": author.id, "body": "Hi"}
    )

    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Post 999999 not found"


async def test_comment_by_an_unknown_user_is_404(client: AsyncClient, db: AsyncSession) -> None:
    post = await create_post(db)

    response = await client.post(
        f"/posts/{post.id}/comments", json={"author_id": 999999, "body": "Hi"}
    )

    assert response.status_code == 404
    assert response.json()["error"]["message"] == "User 999999 not found"


async def test_empty_comment_is_422(client: AsyncClient, db: AsyncSession) -> None:
    post = await create_post(db)

    response = await client.post(f"/posts/{post.id}/comments", json={"author_id": 1, "body": "   "})

    assert response.status_code == 422


async def test_list_comments_oldest_first_with_total(client: AsyncClient, db: AsyncSession) -> None:
    post = await create_post(db)
    comments = [await create_comment(db, post=post) for _ in range(3)]
    await create_comment(db, post=await create_post(db))  # another post's comment

    body = (await client.get(f"/posts/{post.id}/comments", params={"limit": 2})).json()

    assert [c["id"] for c in body["items"]] == [comments[0].id, comments[1].id]
    assert body["total"] == 3


async def test_list_comments_of_an_unknown_post_is_404(client: AsyncClient) -> None:
    response = await client.get("/posts/999999/comments")

    assert response.status_code == 404
