"""Every error has the same JSON shape, and none leaks internals."""

from __future__ import annotations

from fastapi import FastAPI
from httpx import AsyncClient

from tests.failing_route import call_failing_route


async def test_unknown_route_has_the_structured_error_body(client: AsyncClient) -> None:
    response = await client.get("/nope")

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not Found"}}


async def test_wrong_method_keeps_the_allow_header(client: AsyncClient) -> None:
    response = await client.put("/health")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "http_error"
    assert "GET" in response.headers["allow"]


async def test_malformed_json_is_422_in_the_same_shape(client: AsyncClient) -> None:
    response = await client.post(
        "/users", content=b"{not json", headers={"content-type": "application/json"}
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


async def test_unexpected_errors_are_500_without_internal_details(app: FastAPI) -> None:
    response = await call_failing_route(app)

    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal_error", "message": "an unexpected error occurred"}
    }
    assert "hunter2" not in response.text
