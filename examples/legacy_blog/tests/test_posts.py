async def test_create_post_with_tags(client, make_user):
    ann = await make_user()
    payload = {
        "title": "Async SQLAlchemy",
        "body": "Sessions and pools",
        "author_id": ann["id"],
        "tags": ["Python", "sql", "python"],
    }
    response = await client.post("/posts", json=payload)
    assert response.status_code == 201
    post = response.json()
    assert post["id"] == 1
    assert post["title"] == "Async SQLAlchemy"
    assert post["body"] == "Sessions and pools"
    assert post["author"] == {"id": ann["id"], "name": "Ann"}
    assert sorted(t["name"] for t in post["tags"]) == ["python", "sql"]
    assert post["comments"] == []
    assert post["created_at"]


async def test_create_post_for_missing_author_is_404(client):
    response = await client.post(
        "/posts", json={"title": "T", "body": "B", "author_id": 7}
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "User not found"}


async def test_tags_are_shared_between_posts(client, make_user, make_post):
    ann = await make_user()
    first = await make_post(ann["id"], tags=["sql", "python"])
    second = await make_post(ann["id"], tags=["sql"])
    first_sql = next(t for t in first["tags"] if t["name"] == "sql")
    assert [t["id"] for t in second["tags"]] == [first_sql["id"]]

    response = await client.get("/tags")
    assert response.status_code == 200
    assert [t["name"] for t in response.json()] == ["python", "sql"]
    assert all(isinstance(t["id"], int) for t in response.json())


async def test_post_detail_has_author_tags_and_comments(client, make_user, make_post):
    ann = await make_user(email="ann@example.com", name="Ann")
    bob = await make_user(email="bob@example.com", name="Bob")
    post = await make_post(ann["id"], title="Hello", tags=["intro"])

    for author, body in [(bob, "First!"), (ann, "Thanks Bob")]:
        response = await client.post(
            f"/posts/{post['id']}/comments",
            json={"body": body, "author_id": author["id"]},
        )
        assert response.status_code == 201
        assert response.json()["body"] == body
        assert response.json()["author"] == {"id": author["id"], "name": author["name"]}

    response = await client.get(f"/posts/{post['id']}")
    assert response.status_code == 200
    detail = response.json()
    assert detail["title"] == "Hello"
    assert detail["author"] == {"id": ann["id"], "name": "Ann"}
    assert [t["name"] for t in detail["tags"]] == ["intro"]
    assert [(c["author"]["name"], c["body"]) for c in detail["comments"]] == [
        ("Bob", "First!"),
        ("Ann", "Thanks Bob"),
    ]


async def test_comment_on_missing_post_or_by_missing_user_is_404(
    client, make_user, make_post
):
    ann = await make_user()
    post = await make_post(ann["id"])
    response = await client.post(
        "/posts/99/comments", json={"body": "?", "author_id": ann["id"]}
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Post not found"}
    response = await client.post(
        f"/posts/{post['id']}/comments", json={"body": "?", "author_id": 99}
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "User not found"}


async def test_missing_post_is_404(client):
    response = await client.get("/posts/123")
    assert response.status_code == 404
    assert response.json() == {"detail": "Post not found"}


async def test_list_posts_newest_first_with_pagination(client, make_user, make_post):
    ann = await make_user()
    for i in range(5):
        await make_post(ann["id"], title=f"Post {i}", tags=["a", "b"])

    response = await client.get("/posts", params={"skip": 1, "limit": 2})
    assert response.status_code == 200
    page = response.json()
    assert page["total"] == 5
    assert page["skip"] == 1
    assert page["limit"] == 2
    assert [p["title"] for p in page["items"]] == ["Post 3", "Post 2"]
    assert all(p["author"]["name"] == "Ann" for p in page["items"])
    assert all(len(p["tags"]) == 2 for p in page["items"])

    last = (await client.get("/posts", params={"skip": 4, "limit": 2})).json()
    assert [p["title"] for p in last["items"]] == ["Post 0"]
    assert last["total"] == 5


async def test_search_posts_by_title_or_body(client, make_user, make_post):
    ann = await make_user()
    await make_post(ann["id"], title="Connection pools", body="Sizing")
    await make_post(ann["id"], title="Migrations", body="Alembic and POOL tuning")
    await make_post(ann["id"], title="Unrelated", body="Nothing here")

    page = (await client.get("/posts", params={"q": "pool"})).json()
    assert page["total"] == 2
    assert [p["title"] for p in page["items"]] == ["Migrations", "Connection pools"]

    page = (await client.get("/posts", params={"q": "missing"})).json()
    assert page == {"total": 0, "skip": 0, "limit": 20, "items": []}


async def test_filter_posts_by_tag(client, make_user, make_post):
    ann = await make_user()
    await make_post(ann["id"], title="One", tags=["sql", "python"])
    await make_post(ann["id"], title="Two", tags=["python"])
    await make_post(ann["id"], title="Three", tags=["rust"])

    page = (await client.get("/posts", params={"tag": "python"})).json()
    assert page["total"] == 2
    assert [p["title"] for p in page["items"]] == ["Two", "One"]
    # the filter selects posts; each post still lists all of its tags
    assert sorted(t["name"] for t in page["items"][1]["tags"]) == ["python", "sql"]

    page = (await client.get("/posts", params={"tag": "python", "q": "one"})).json()
    assert [p["title"] for p in page["items"]] == ["One"]

    page = (await client.get("/posts", params={"tag": "go"})).json()
    assert page["total"] == 0


async def test_update_post(client, make_user, make_post):
    ann = await make_user()
    post = await make_post(ann["id"], title="Draft", body="Old", tags=["a"])

    response = await client.patch(
        f"/posts/{post['id']}", json={"title": "Final", "tags": ["b", "c"]}
    )
    assert response.status_code == 200
    updated = response.json()
    assert updated["title"] == "Final"
    assert updated["body"] == "Old"
    assert sorted(t["name"] for t in updated["tags"]) == ["b", "c"]

    detail = (await client.get(f"/posts/{post['id']}")).json()
    assert detail["title"] == "Final"
    assert sorted(t["name"] for t in detail["tags"]) == ["b", "c"]

    response = await client.patch(f"/posts/{post['id']}", json={"body": "New"})
    assert response.json()["body"] == "New"
    assert sorted(t["name"] for t in response.json()["tags"]) == ["b", "c"]

    assert (await client.patch("/posts/99", json={"title": "x"})).status_code == 404


async def test_delete_post(client, make_user, make_post):
    ann = await make_user()
    post = await make_post(ann["id"], tags=["sql"])
    await client.post(
        f"/posts/{post['id']}/comments", json={"body": "Hi", "author_id": ann["id"]}
    )

    response = await client.delete(f"/posts/{post['id']}")
    assert response.status_code == 204
    assert (await client.get(f"/posts/{post['id']}")).status_code == 404
    assert (await client.get("/posts")).json()["total"] == 0
    # the author and the tag stay
    assert (await client.get(f"/users/{ann['id']}")).status_code == 200
    assert [t["name"] for t in (await client.get("/tags")).json()] == ["sql"]
    assert (await client.delete(f"/posts/{post['id']}")).status_code == 404


async def test_health(client):
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
