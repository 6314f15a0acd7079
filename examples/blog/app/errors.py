"""Translate exceptions into `{"error": {"code", "message"}}` JSON responses.

Domain errors become 4xx/503 with their own message. Transient database failures
(pool exhausted, connection lost, statement timeout, deadlock) become 503/504/409
with a fixed message, and `Retry-After` where waiting helps. Anything unexpected
becomes a 500 with a generic message: tracebacks go to the log, never to the
client; the engine's `hide_parameters=True` keeps bound values out of them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.config import Settings
from app.db.errors import DatabaseFailure, classify_failure, sqlstate_of
from app.request_log import REQUEST_ID_HEADER, request_id_of
from app.services.errors import (
    ConflictError,
    DomainError,
    InvalidInputError,
    NotFoundError,
    ServiceUnavailableError,
)

logger = logging.getLogger(__name__)

ExceptionHandler = Callable[[Request, Exception], Awaitable[JSONResponse]]

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    NotFoundError: status.HTTP_404_NOT_FOUND,
    ConflictError: status.HTTP_409_CONFLICT,
    InvalidInputError: status.HTTP_422_UNPROCESSABLE_CONTENT,
    ServiceUnavailableError: status.HTTP_503_SERVICE_UNAVAILABLE,
}


# Status, code and message per failure; the message is all a client learns.
RESPONSE_BY_FAILURE: dict[DatabaseFailure, tuple[int, str, str]] = {
    DatabaseFailure.POOL_EXHAUSTED: (
        status.HTTP_503_SERVICE_UNAVAILABLE,
        "database_busy",
        "every database connection is in use: retry later",
    ),
    DatabaseFailure.UNAVAILABLE: (
        status.HTTP_503_SERVICE_UNAVAILABLE,
        "service_unavailable",
        "the database is not reachable",
    ),
    DatabaseFailure.TIMEOUT: (
        status.HTTP_504_GATEWAY_TIMEOUT,
        "database_timeout",
        "the database did not answer in time",
    ),
    DatabaseFailure.CONCURRENT_UPDATE: (
        status.HTTP_409_CONFLICT,
        "concurrent_update",
        "a concurrent request changed the same data: retry",
    ),
}
# Waiting helps only where the cause is load or a restart, not a slow query.
RETRY_LATER = frozenset({DatabaseFailure.POOL_EXHAUSTED, DatabaseFailure.UNAVAILABLE})


def error_response(
    status_code: int, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> JSONResponse:
    """A JSON response with the structured error body."""
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return JSONResponse(status_code=status_code, content={"error": error})


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    status_code = next(
        (code for cls, code in STATUS_BY_ERROR.items() if isinstance(exc, cls)),
        status.HTTP_400_BAD_REQUEST,
    )
    return error_response(status_code, exc.code, exc.message)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Only where and why: pydantic's `input` and `ctx` can echo what the client
    # sent (passwords included) and are not needed to fix the request.
    details = [
        {"loc": list(error["loc"]), "message": error["msg"], "type": error["type"]}
        for error in exc.errors()
    ]
    return error_response(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        "validation_error",
        "the request is not valid",
        jsonable_encoder(details),
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = "not_found" if exc.status_code == status.HTTP_404_NOT_FOUND else "http_error"
    response = error_response(exc.status_code, code, str(exc.detail))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def _database_error_handler(retry_after_seconds: int) -> ExceptionHandler:
    async def database_error(request: Request, exc: Exception) -> JSONResponse:
        failure = classify_failure(exc)
        if failure is None:
            return await _unexpected_error(request, exc)
        return _database_failure(request, exc, failure, retry_after_seconds)

    return database_error


def _database_failure(
    request: Request, exc: Exception, failure: DatabaseFailure, retry_after_seconds: int
) -> JSONResponse:
    # The kind, the exception type and the SQLSTATE are enough to diagnose; the
    # message would carry SQL, and PostgreSQL's DETAIL can quote row values.
    logger.warning(
        "database %s on %s %s: %s sqlstate=%s request_id=%s",
        failure,
        request.method,
        request.url.path,
        type(exc).__name__,
        sqlstate_of(exc) if isinstance(exc, DBAPIError) else None,
        request_id_of(request),
    )
    status_code, code, message = RESPONSE_BY_FAILURE[failure]
    response = error_response(status_code, code, message)
    if failure in RETRY_LATER:
        response.headers["Retry-After"] = str(retry_after_seconds)
    return response


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # Starlette calls this handler outside every user middleware, so the request
    # log cannot add its header to this response: it is added here, and the same
    # id in the traceback's log record ties it to the request's log line.
    request_id = request_id_of(request)
    logger.exception(
        "unhandled error on %s %s request_id=%s", request.method, request.url.path, request_id
    )
    response = error_response(
        status.HTTP_500_INTERNAL_SERVER_ERROR, "internal_error", "an unexpected error occurred"
    )
    if request_id is not None:
        response.headers[REQUEST_ID_HEADER] = request_id
    return response


def register_error_handlers(app: FastAPI, settings: Settings) -> None:
    """Install the handlers that give every error the same JSON shape."""
    database_error = _database_error_handler(settings.retry_after_seconds)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(SQLAlchemyError, database_error)
    # asyncpg raises OSError (refused, timed out) when it cannot open a connection;
    # PostgreSQL is this app's only network peer, so an OSError means it is away.
    app.add_exception_handler(OSError, database_error)
    app.add_exception_handler(Exception, _unexpected_error)
