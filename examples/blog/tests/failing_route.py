"""A route that fails unexpectedly, for the tests of error bodies and error logs."""

from __future__ import annotations

from fastapi import FastAPI, status
from httpx import ASGITransport, AsyncClient, Response

SECRET_IN_ERROR = "password=hunter2 in some driver message"


async def call_failing_route(app: FastAPI) -> Response:
    """GET a route that raises an unexpected error whose message holds a secret."""

    @app.get("/boom", status_code=status.HTTP_200_OK)
    async def boom() -> None:
        raise RuntimeError(SECRET_IN_ERROR)

    # raise_app_exceptions=False: Starlette re-raises after answering, as servers expect.
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get("/boom")
