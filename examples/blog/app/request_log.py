"""One log line per HTTP request, with nothing secret or personal in it.

Each request is logged once, when it ends, by the `app.request_log` logger:

    GET /posts/42 200 3.1ms request_id=0f5c1e2a9b7d4c3e8a6f1b2c3d4e5f60

The same values are attributes of the log record (`http_method`, `http_path`,
`http_status`, `duration_ms`, `request_id`) for formatters that emit JSON.

Left out on purpose: the query string (search terms, e-mail addresses, tokens
sent as `?token=`), headers (`Authorization`, cookies), request and response
bodies, and the client's address (personal data under the GDPR). The path is
logged percent-encoded, so a `%0A` in it cannot start a forged log line.

The request id comes from the `X-Request-ID` header when it is a short token of
letters, digits, `.`, `_` and `-` (what proxies and load balancers generate), and
is a new UUID otherwise. It is sent back in the `X-Request-ID` response header and
kept in `request.state.request_id` for other code that logs (see app/errors.py).

A pure ASGI middleware rather than `@app.middleware("http")`: Starlette's
`BaseHTTPMiddleware` runs the rest of the app in another task and passes the
response body on through a memory stream, neither of which a log line needs.

Unhandled exceptions: `add_middleware` places this middleware inside Starlette's
`ServerErrorMiddleware`, which turns them into the 500 response after they have
passed through here. A request that raised before a response started is logged
with status 500, the status that response will have.

Run uvicorn with `--no-access-log`: its access log would add a second line per
request, with the query string and the client's address in it.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Final
from urllib.parse import quote

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER: Final = "X-Request-ID"

# Fits UUIDs (with or without dashes) and the ids of common proxies; excludes
# spaces, `=`, quotes and line breaks, so a client cannot forge log fields or lines.
_SAFE_REQUEST_ID: Final = re.compile(r"[A-Za-z0-9._-]{1,64}")
_REQUEST_ID_HEADER_KEY: Final = REQUEST_ID_HEADER.lower().encode("latin-1")

# RFC 3986 path characters that may stay as they are; everything else (spaces,
# control characters, non-ASCII, `%`) is percent-encoded in the log.
_PATH_SAFE: Final = "/-._~!$&'()*+,;=:@"


def request_id_of(request: Request) -> str | None:
    """The id `RequestLogMiddleware` gave this request, if it went through it."""
    request_id = getattr(request.state, "request_id", None)
    return request_id if isinstance(request_id, str) else None


def _incoming_request_id(scope: Scope) -> str | None:
    """The client's or proxy's `X-Request-ID`, if it is a safe token."""
    for name, value in scope["headers"]:
        if name == _REQUEST_ID_HEADER_KEY:
            candidate = value.decode("latin-1")
            return candidate if _SAFE_REQUEST_ID.fullmatch(candidate) else None
    return None


class RequestLogMiddleware:
    """Log method, path, status, duration and request id once per HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan and websockets pass through
            await self.app(scope, receive, send)
            return

        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        # `scope["state"]` backs `request.state`: the 500 handler reads the id there.
        scope.setdefault("state", {})["request_id"] = request_id
        status: int | None = None
        started = time.perf_counter()

        async def send_with_request_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_request_id)
        finally:
            # No response started: the app raised (ServerErrorMiddleware answers
            # 500) or returned without answering (the server answers 500).
            _log_request(
                method=scope["method"],
                path=quote(scope["path"], safe=_PATH_SAFE),
                status=status if status is not None else 500,
                duration_ms=(time.perf_counter() - started) * 1000,
                request_id=request_id,
            )


def _log_request(
    *, method: str, path: str, status: int, duration_ms: float, request_id: str
) -> None:
    level = logging.ERROR if status >= 500 else logging.INFO
    logger.log(
        level,
        "%s %s %d %.1fms request_id=%s",
        method,
        path,
        status,
        duration_ms,
        request_id,
        extra={
            "http_method": method,
            "http_path": path,
            "http_status": status,
            "duration_ms": round(duration_ms, 1),
            "request_id": request_id,
        },
    )
