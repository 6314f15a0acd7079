async def test_create_and_read_user(client, make_user):
    user = await make_user(email="ann@example.com", name="Ann", bio="Writes SQL")
    assert user["id"] == 1
    assert user["email"] == "ann@example.com"
    assert user["name"] == "Ann"
    assert user["bio"] == "Writes SQL"
    assert user["created_at"]

    response = await client.get(f"/users/{user['id']}")
    assert response.status_code == 200
    assert response.json() == user


async def test_email_is_normalised(make_user):
    user = await make_user(email="  Bob@Example.COM ", name="Bob")
    assert user["email"] == "bob@example.com"


async def test_invalid_email_is_rejected(client):
    response = await client.post("/users", json={"email": "nope", "name": "X"})
    assert response.status_code == 422


async def test_duplicate_email_is_rejected(client, make_user):
    await make_user(email="ann@example.com")
    response = await client.post(
        "/users", json={"email": "ANN@example.com", "name": "Other Ann"}
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Email already registered"}

    listing = await client.get("/users")
    assert [u["name"] for u in listing.json()] == ["Ann"]


async def test_missing_user_is_404(client):
    response = await client.get("/users/999")
    assert response.status_code == 404
    assert response.json() == {"detail": "User not found"}


async def test_list_users_is_paginated_in_id_order(client, make_user):
    for i in range(5):
        await make_user(email=f"user{i}@example.com", name=f"User {i}")

    response = await client.get("/users", params={"skip": 1, "limit": 2})
    assert response.status_code == 200
    assert [u["name"] for u in response.json()] == ["User 1", "User 2"]

    response = await client.get("/users")
    assert len(response.json()) == 5


async def test_update_user(client, make_user):
    user = await make_user(email="ann@example.com", name="Ann")

    response = await client.patch(f"/users/{user['id']}", json={"name": "Annie"})
    assert response.status_code == 200
    assert response.json()["name"] == "Annie"
    assert response.json()["email"] == "ann@example.com"

    response = await client.patch(
        f"/users/{user['id']}", json={"email": "Annie@Example.com"}
    )
    assert response.status_code == 200
    assert response.json()["email"] == "annie@example.com"

    again = await client.get(f"/users/{user['id']}")
    assert again.json()["name"] == "Annie"
    assert again.json()["email"] == "annie@example.com"


async def test_update_user_to_taken_email_is_rejected(client, make_user):
    await make_user(email="ann@example.com", name="Ann")
    bob = await make_user(email="bob@example.com", name="Bob")

    response = await client.patch(
        f"/users/{bob['id']}", json={"email": "ann@example.com"}
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Email already registered"}
    assert (await client.get(f"/users/{bob['id']}")).json()["email"] == (
        "bob@example.com"
    )


async def test_update_missing_user_is_404(client):
    response = await client.patch("/users/42", json={"name": "Nobody"})
    assert response.status_code == 404


async def test_delete_user_removes_their_posts_and_comments(
    client, make_user, make_post
):
    ann = await make_user(email="ann@example.com", name="Ann")
    bob = await make_user(email="bob@example.com", name="Bob")
    ann_post = await make_post(ann["id"], title="Ann's post", tags=["sql"])
    bob_post = await make_post(bob["id"], title="Bob's post")
    comment = {"body": "Nice", "author_id": ann["id"]}
    assert (
        await client.post(f"/posts/{bob_post['id']}/comments", json=comment)
    ).status_code == 201

    response = await client.delete(f"/users/{ann['id']}")
    assert response.status_code == 204
    assert response.content == b""

    assert (await client.get(f"/users/{ann['id']}")).status_code == 404
    assert (await client.get(f"/posts/{ann_post['id']}")).status_code == 404
    detail = (await client.get(f"/posts/{bob_post['id']}")).json()
    assert detail["comments"] == []
    assert (await client.delete(f"/users/{ann['id']}")).status_code == 404
