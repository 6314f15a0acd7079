"""The /users endpoints: create, read, list, partial update, delete."""

from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Post, User
from tests.factories import create_post, create_user


async def test_create_user_returns_201_with_the_stored_user(client: AsyncClient) -> None:
    response = await client.post(
        "/users", json={"email": "  Ada@Example.COM ", "display_name": "Ada"}
    )

    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "ada@example.com"  # trimmed and lower-cased
    assert body["display_name"] == "Ada"
    assert isinstance(body["id"], int)
    assert body["created_at"].endswith("Z") or "+" in body["created_at"]  # timezone-aware


async def test_create_user_with_a_taken_email_is_409_and_stores_nothing(
    client: AsyncClient, db: AsyncSession
) -> None:
    await create_user(db, email="ada@example.com")

    response = await client.post(
        "/users", json={"email": "ADA@example.com", "display_name": "Another Ada"}
    )

    assert response.status_code == 409
    assert response.json() == {
        "error": {"code": "conflict", "message": "email ada@example.com is already registered"}
    }
    assert await db.scalar(select(func.count()).select_from(User)) == 1


async def test_the_session_stays_usable_after_a_conflict(
    client: AsyncClient, db: AsyncSession
) -> None:
    await create_user(db, email="ada@example.com")
    await client.post("/users", json={"email": "ada@example.com", "display_name": "Dup"})

    response = await client.post("/users", json={"email": "bob@example.com", "display_name": "Bob"})

    assert response.status_code == 201


async def test_create_user_rejects_invalid_input_with_422_and_field_details(
    client: AsyncClient,
) -> None:
    response = await client.post("/users", json={"email": "not-an-email", "display_name": ""})

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert {tuple(detail["loc"]) for detail in error["details"]} == {
        ("body", "email"),
        ("body", "display_name"),
    }
    assert "not-an-email" not in response.text  # inputs are not echoed back


async def test_get_user(client: AsyncClient, db: AsyncSession) -> None:
    user = await create_user(db, display_name="Grace")

    response = await client.get(f"/users/{user.id}")

    assert response.status_code == 200
    assert response.json()["display_name"] == "Grace"


async def test_get_unknown_user_is_404_with_an_error_body(client: AsyncClient) -> None:
    response = await client.get("/users/999999")

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "User 999999 not found"}}


async def test_list_users_pages_with_total(client: AsyncClient, db: AsyncSession) -> None:
    users = [await create_user(db) for _ in range(3)]

    response = await client.get("/users", params={"limit": 2, "offset": 1})

    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 3
    assert (body["limit"], body["offset"]) == (2, 1)
    assert [item["id"] for item in body["items"]] == [users[1].id, users[2].id]


async def test_patch_changes_only_the_fields_sent(client: AsyncClient, db: AsyncSession) -> None:
    user = await create_user(db, email="ada@example.com", display_name="Ada")

    response = await client.patch(f"/users/{user.id}", json={"display_name": "Ada L."})

    assert response.status_code == 200
    assert response.json()["display_name"] == "Ada L."
    assert response.json()["email"] == "ada@example.com"


async def test_patch_refuses_null_for_a_required_field(
    client: AsyncClient, db: AsyncSession
) -> None:
    user = await create_user(db)

    response = await client.patch(f"/users/{user.id}", json={"display_name": None})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


async def test_patch_to_a_taken_email_is_409(client: AsyncClient, db: AsyncSession) -> None:
    await create_user(db, email="ada@example.com")
    bob = await create_user(db, email="bob@example.com")

    response = await client.patch(f"/users/{bob.id}", json={"email": "ada@example.com"})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


async def test_patch_unknown_user_is_404(client: AsyncClient) -> None:
    response = await client.patch("/users/999999", json={"display_name": "X"})

    assert response.status_code == 404


async def test_delete_user_is_204_and_removes_their_posts(
    client: AsyncClient, db: AsyncSession
) -> None:
    post = await create_post(db)

    response = await client.delete(f"/users/{post.author_id}")

    assert response.status_code == 204
    assert response.content == b""
    assert await db.scalar(select(func.count()).select_from(Post)) == 0
    assert (await client.get(f"/users/{post.author_id}")).status_code == 404


async def test_delete_unknown_user_is_404(client: AsyncClient) -> None:
    response = await client.delete("/users/999999")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
