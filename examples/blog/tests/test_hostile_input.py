"""Hostile request bodies and parameters: a 422 or stored as sent, never a 500.

Every string field and text parameter gets the same payloads: NUL, a lone
surrogate, a megabyte, SQL injection, LIKE wildcards, bidirectional overrides,
zero-width and combining characters, emoji sequences, a byte-order mark. Ids
get numbers past BIGINT, JSON gets wrong types and deep nesting. The responses,
and every log line the app writes meanwhile, must hold no SQL, no bound
parameter and no internal message.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Iterator
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import User
from tests.factories import create_post, create_user

# Text PostgreSQL cannot store: refused with a 422 naming the field.
UNSTORABLE = {"nul": "a\x00b", "lone surrogate": "x\ud800y"}
# Text it can: stored and returned exactly as sent.
STORABLE = {
    "sql injection": "'; DROP TABLE users; --",
    "tautology": "' OR '1'='1",
    "like wildcards": "100% _done_ \\",
    "right-to-left override": "\u202egnp.exe",
    "zero-width space": "a\u200bb",
    "combining marks": "e\u0301\u0302\u0303",
    "emoji sequence": "\U0001f469\u200d\U0001f4bb \U0001f3f3\ufe0f\u200d\U0001f308",
    "byte-order mark": "\ufeffbom",
    "highest code point": "\U0010ffff",
    "markup": "<script>alert(1)</script>",
}
OVERSIZED = "x" * 1_000_000
BEYOND_BIGINT = 2**63
# Words that would only be in a response or a log line if SQL leaked into it.
SQL_MARKERS = ("SELECT ", "INSERT ", "UPDATE ", "DELETE ", "[SQL", "parameters", "asyncpg")


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every record of the app's loggers (INFO and up) and of others at WARNING,
    the levels logging.ini runs the server with."""
    caplog.set_level(logging.INFO, logger="app")
    yield caplog
    formatter = logging.Formatter()
    records = caplog.get_records("call")  # in teardown, `caplog.records` is teardown's
    assert records, "the request log wrote nothing: the capture is not working"
    for record in records:
        line = formatter.format(record)  # with the traceback, if there is one
        assert record.levelno < logging.ERROR, line
        for marker in SQL_MARKERS:
            assert marker not in line, line
        for payload in [*UNSTORABLE.values(), *STORABLE.values()]:
            assert payload not in line, line


def _clean(response: Response, *expected: int) -> Any:
    """The response is one of `expected`, in the error shape if it is an error."""
    assert response.status_code in expected, response.text
    assert response.status_code != 500
    for marker in SQL_MARKERS:
        assert marker not in response.text
    if response.status_code >= 400:
        assert set(response.json()) == {"error"}
        for payload in UNSTORABLE.values():
            assert json.dumps(payload)[1:-1] not in response.text  # inputs not echoed
    return response.json() if response.content else None


def _json(client: AsyncClient, method: str, url: str, body: object) -> Awaitable[Response]:
    """Send `body` as JSON with non-ASCII escaped: `\\ud800` is valid JSON, while
    httpx's own encoder cannot turn a lone surrogate into UTF-8 bytes."""
    return client.request(
        method, url, content=json.dumps(body), headers={"content-type": "application/json"}
    )


@pytest.mark.parametrize("value", UNSTORABLE.values(), ids=UNSTORABLE.keys())
async def test_unstorable_text_is_422_in_every_body_field(
    client: AsyncClient, db: AsyncSession, logs: pytest.LogCaptureFixture, value: str
) -> None:
    user = await create_user(db)
    post = await create_post(db, author=user)
    author = user.id
    calls = [
        _json(client, "POST", "/users", {"email": f"a{value}@b.cd", "display_name": "A"}),
        _json(client, "POST", "/users", {"email": "a@b.cd", "display_name": value}),
        _json(client, "PATCH", f"/users/{author}", {"display_name": value}),
        _json(client, "POST", "/posts", {"author_id": author, "title": value, "body": "B"}),
        _json(client, "POST", "/posts", {"author_id": author, "title": "T", "body": value}),
        _json(
            client,
            "POST",
            "/posts",
            {"author_id": author, "title": "T", "body": "B", "tags": [value]},
        ),
        _json(client, "PATCH", f"/posts/{post.id}", {"tags": [value]}),
        _json(client, "POST", f"/posts/{post.id}/comments", {"author_id": author, "body": value}),
    ]
    for call in calls:
        error = _clean(await call, 422)
        assert error["error"]["code"] == "validation_error"
    assert await db.scalar(select(func.count()).select_from(User)) == 1


async def test_nul_in_a_query_parameter_is_422(
    client: AsyncClient, logs: pytest.LogCaptureFixture
) -> None:
    # A URL cannot carry a lone surrogate (percent-decoding makes U+FFFD of it).
    for url, name in (("/posts", "q"), ("/posts", "tag"), ("/posts/feed", "q")):
        error = _clean(await client.get(url, params={name: UNSTORABLE["nul"]}), 422)
        assert error["error"]["details"][0]["loc"] == ["query", name]


@pytest.mark.parametrize("value", STORABLE.values(), ids=STORABLE.keys())
async def test_storable_text_is_stored_and_returned_exactly_as_sent(
    client: AsyncClient, db: AsyncSession, logs: pytest.LogCaptureFixture, value: str
) -> None:
    user = _clean(await client.post("/users", json={"email": "a@b.cd", "display_name": value}), 201)
    post = _clean(
        await client.post("/posts", json={"author_id": user["id"], "title": value, "body": value}),
        201,
    )
    comment = _clean(
        await client.post(
            f"/posts/{post['id']}/comments", json={"author_id": user["id"], "body": value}
        ),
        201,
    )
    found = _clean(await client.get("/posts", params={"q": value}), 200)
    stored = _clean(await client.get(f"/posts/{post['id']}"), 200)

    assert user["display_name"] == post["author"]["display_name"] == value
    assert stored["title"] == stored["body"] == stored["comments"][0]["body"] == value
    assert comment["body"] == value
    # The search matches the text literally: wildcards and quotes included.
    assert [item["id"] for item in found["items"]] == [post["id"]]
    assert await db.scalar(select(func.count()).select_from(User)) == 1


async def test_oversized_strings_are_422_and_never_reach_the_database(
    client: AsyncClient, db: AsyncSession, logs: pytest.LogCaptureFixture
) -> None:
    user = await create_user(db)
    calls = [
        client.post("/users", json={"email": "a@b.cd", "display_name": OVERSIZED}),
        client.post("/users", json={"email": OVERSIZED + "@b.cd", "display_name": "A"}),
        client.post("/posts", json={"author_id": user.id, "title": OVERSIZED, "body": "B"}),
        client.post("/posts", json={"author_id": user.id, "title": "T", "body": OVERSIZED}),
        client.post(
            "/posts", json={"author_id": user.id, "title": "T", "body": "B", "tags": [OVERSIZED]}
        ),
        client.post(
            "/posts", json={"author_id": user.id, "title": "T", "body": "B", "tags": ["t"] * 10_000}
        ),
        client.get("/posts", params={"q": OVERSIZED[:10_000]}),
        client.get("/posts/feed", params={"cursor": OVERSIZED[:10_000]}),
    ]
    for call in calls:
        _clean(await call, 422)


@pytest.mark.parametrize(
    "body",
    [
        {"email": 123, "display_name": "A"},
        {"email": ["a@b.cd"], "display_name": "A"},
        {"email": {"$ne": None}, "display_name": "A"},
        {"email": None, "display_name": "A"},
        {"email": "a@b.cd", "display_name": True},
        {"email": "a@b.cd"},
        {"email": "a@b.cd", "display_name": "A", "is_admin": True},
        [],
        "a string",
        None,
    ],
    ids=lambda body: json.dumps(body)[:40],
)
async def test_wrong_types_are_422(
    client: AsyncClient, logs: pytest.LogCaptureFixture, body: object
) -> None:
    _clean(await client.post("/users", json=body), 422)


async def test_ids_beyond_bigint_and_malformed_ids_are_422_or_404(
    client: AsyncClient, db: AsyncSession, logs: pytest.LogCaptureFixture
) -> None:
    user = await create_user(db)
    post = await create_post(db, author=user)
    for path in (f"/users/{BEYOND_BIGINT}", f"/posts/{BEYOND_BIGINT}", "/users/1;DROP TABLE users"):
        _clean(await client.get(path), 404, 422)
    _clean(await client.get(f"/posts/{BEYOND_BIGINT}/comments"), 404, 422)
    _clean(await client.get("/users", params={"offset": BEYOND_BIGINT}), 422)
    _clean(await client.get("/users", params={"limit": -1}), 422)
    _clean(
        await client.post("/posts", json={"author_id": BEYOND_BIGINT, "title": "T", "body": "B"}),
        404,
        422,
    )
    _clean(
        await client.post(
            f"/posts/{post.id}/comments", json={"author_id": BEYOND_BIGINT, "body": "B"}
        ),
        404,
        422,
    )
    _clean(await client.post("/posts", json={"author_id": 1e308, "title": "T", "body": "B"}), 422)


@pytest.mark.parametrize("depth", [100, 10_000, 100_000])
async def test_deeply_nested_json_is_refused_without_a_500(
    client: AsyncClient, logs: pytest.LogCaptureFixture, depth: int
) -> None:
    nested = "[" * depth + "]" * depth
    for content in (nested, '{"email": "a@b.cd", "display_name": ' + nested + "}"):
        response = await client.post(
            "/users", content=content, headers={"content-type": "application/json"}
        )
        # Past Python's recursion limit the JSON parser gives up: FastAPI answers
        # 400 "There was an error parsing the body"; below it, 422.
        _clean(response, 400, 422)


async def test_tampered_cursors_are_422(
    client: AsyncClient, logs: pytest.LogCaptureFixture
) -> None:
    import base64

    def encode(payload: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()

    for cursor in (
        "not-base64!",
        encode(["2026-01-01T00:00:00+00:00", BEYOND_BIGINT]),
        encode(["2026-01-01T00:00:00+00:00", -1]),
        encode(["2026-01-01T00:00:00", 1]),
        encode(["'; DROP TABLE posts; --", 1]),
        encode({"a": 1}),
    ):
        _clean(await client.get("/posts/feed", params={"cursor": cursor}), 422)
