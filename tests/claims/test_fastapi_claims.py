"""What the docs say FastAPI does with routes and `yield` dependencies, shown on the
installed FastAPI by driving the ASGI app directly and recording the order of events."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import Depends, FastAPI
from httpx import ASGITransport, AsyncClient


@pytest.mark.claim("fastapi-def-routes-run-in-threadpool")
async def test_def_routes_and_dependencies_run_in_a_worker_thread_async_def_on_the_loop() -> None:
    app = FastAPI()

    def sync_dependency() -> str:
        return threading.current_thread().name

    async def async_dependency() -> str:
        return threading.current_thread().name

    @app.get("/sync")
    def sync_route(
        sync_dep: str = Depends(sync_dependency), async_dep: str = Depends(async_dependency)
    ) -> list[str]:
        return [threading.current_thread().name, sync_dep, async_dep]

    @app.get("/async")
    async def async_route() -> str:
        return threading.current_thread().name

    loop_thread = threading.current_thread().name
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
        sync_thread, sync_dep_thread, async_dep_thread = (await client.get("/sync")).json()
        async_thread = (await client.get("/async")).json()
    assert async_thread == async_dep_thread == loop_thread
    assert loop_thread not in (sync_thread, sync_dep_thread)


async def _events_of_one_request(scope_of_dependency: str | None) -> list[str]:
    """Call a route with a `yield` dependency; return what happened, in order."""
    events: list[str] = []

    def resource() -> Iterator[str]:
        events.append("dependency enter")
        yield "value"
        events.append("dependency exit")

    depends: Any = (
        Depends(resource)
        if scope_of_dependency is None
        else Depends(resource, scope=scope_of_dependency)  # type: ignore[call-arg]
    )
    app = FastAPI()

    # A default rather than Annotated: the annotation is a string (future import) and
    # could not see this local `depends`.
    @app.get("/")
    def route(value: str = depends) -> str:
        return value

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            events.append("response start")
        elif message["type"] == "http.response.body" and not message.get("more_body"):
            events.append("response sent")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"t")],
        "client": ("127.0.0.1", 1),
        "server": ("t", 80),
    }
    call: Callable[..., Any] = app
    await call(scope, receive, send)
    return events


@pytest.mark.claim("fastapi-yield-exit-after-response")
async def test_code_after_yield_runs_after_the_response_is_sent() -> None:
    events = await _events_of_one_request(None)
    assert events == ["dependency enter", "response start", "response sent", "dependency exit"]


@pytest.mark.claim("fastapi-scope-function-exits-before-response")
async def test_scope_function_runs_the_exit_code_before_the_response() -> None:
    events = await _events_of_one_request("function")
    assert events == ["dependency enter", "dependency exit", "response start", "response sent"]
