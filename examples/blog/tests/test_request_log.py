"""Every request leaves exactly one log line, and nothing personal or secret in it."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from app.request_log import REQUEST_ID_HEADER
from tests.failing_route import call_failing_route

REQUEST_LOGGER = "app.request_log"
FIELDS = ("http_method", "http_path", "http_status", "duration_ms", "request_id")


@pytest.fixture(autouse=True)
def _capture_app_logs(caplog: pytest.LogCaptureFixture) -> None:
    """Capture INFO and up from every `app.*` logger, the request log included."""
    caplog.set_level(logging.INFO, logger="app")


def request_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == REQUEST_LOGGER]


def fields(record: logging.LogRecord) -> dict[str, Any]:
    """The structured fields the middleware attaches to its record."""
    return {name: record.__dict__[name] for name in FIELDS}


async def test_a_request_is_logged_once_with_its_fields(
    client: AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = await client.get("/posts/999999")

    assert response.status_code == 404
    [record] = request_lines(caplog)
    logged = fields(record)
    request_id = response.headers[REQUEST_ID_HEADER]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # generated: none was sent
    assert logged == {
        "http_method": "GET",
        "http_path": "/posts/999999",
        "http_status": 404,
        "duration_ms": logged["duration_ms"],
        "request_id": request_id,
    }
    assert isinstance(logged["duration_ms"], float)
    assert logged["duration_ms"] >= 0
    assert record.levelno == logging.INFO
    assert record.getMessage() == (
        f"GET /posts/999999 404 {logged['duration_ms']:.1f}ms request_id={request_id}"
    )


async def test_each_request_gets_its_own_line_and_id(
    client: AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    first = await client.get("/tags")
    second = await client.get("/tags")

    records = request_lines(caplog)
    assert [fields(record)["http_status"] for record in records] == [200, 200]
    ids = [fields(record)["request_id"] for record in records]
    assert ids == [first.headers[REQUEST_ID_HEADER], second.headers[REQUEST_ID_HEADER]]
    assert ids[0] != ids[1]


async def test_a_safe_incoming_request_id_is_kept_and_echoed(
    client: AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = await client.get("/tags", headers={REQUEST_ID_HEADER: "lb-1234.abcd_EF"})

    assert response.headers[REQUEST_ID_HEADER] == "lb-1234.abcd_EF"
    [record] = request_lines(caplog)
    assert fields(record)["request_id"] == "lb-1234.abcd_EF"


@pytest.mark.parametrize(
    "unsafe",
    ["alice@example.com", "id status=200", "x" * 65, "caf\u00e9"],
    ids=["personal-data", "forged-field", "too-long", "non-ascii"],
)
async def test_an_unsafe_incoming_request_id_is_replaced(
    client: AsyncClient, caplog: pytest.LogCaptureFixture, unsafe: str
) -> None:
    response = await client.get("/tags", headers={REQUEST_ID_HEADER.encode(): unsafe.encode()})

    replacement = response.headers[REQUEST_ID_HEADER]
    assert re.fullmatch(r"[0-9a-f]{32}", replacement)
    [record] = request_lines(caplog)
    assert fields(record)["request_id"] == replacement
    assert unsafe not in caplog.text


async def test_query_strings_and_bodies_never_reach_the_log(
    client: AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    search = await client.get("/posts", params={"q": "alice@example.com"})
    created = await client.post(
        "/users", json={"email": "bob.secret@example.com", "display_name": "Bob Secretname"}
    )

    assert (search.status_code, created.status_code) == (200, 201)
    assert [fields(record)["http_path"] for record in request_lines(caplog)] == [
        "/posts",
        "/users",
    ]
    for private in ("alice", "example.com", "bob.secret", "Secretname", "q="):
        assert private not in caplog.text


async def test_the_path_is_logged_percent_encoded_on_one_line(
    client: AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = await client.get("/posts/1%0AGET%20/admin%20200")

    assert response.status_code == 404  # decoded, the path has one more segment
    [record] = request_lines(caplog)
    assert fields(record)["http_path"] == "/posts/1%0AGET%20/admin%20200"
    assert "\n" not in record.getMessage()


async def test_an_unhandled_error_is_logged_as_500_without_leaking_to_the_client(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    response = await call_failing_route(app)

    assert response.status_code == 500
    assert "hunter2" not in response.text
    [record] = request_lines(caplog)
    request_id = response.headers[REQUEST_ID_HEADER]
    assert fields(record) | {"duration_ms": 0} == {
        "http_method": "GET",
        "http_path": "/boom",
        "http_status": 500,
        "duration_ms": 0,
        "request_id": request_id,
    }
    assert record.levelno == logging.ERROR
    assert "hunter2" not in record.getMessage()
    # The traceback goes to the app.errors logger, tied to the request by its id.
    [traceback] = [r for r in caplog.records if r.name == "app.errors"]
    assert traceback.exc_info is not None
    assert f"request_id={request_id}" in traceback.getMessage()
