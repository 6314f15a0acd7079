"""Every error has the same JSON shape, and none leaks internals."""

from __future__ import annotations

from fastapi import FastAPI, status
from httpx import ASGITransport, AsyncClient


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
    @app.get("/boom", status_code=status.HTTP_200_OK)
    async def boom() -> None:
        raise RuntimeError("password=hunter2 in some driver message")

    # raise_app_exceptions=False: Starlette re-raises after answering, as servers expect.
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/boom")

    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal_error", "message": "an unexpected error occurred"}
    }
    assert "hunter2" not in response.text
