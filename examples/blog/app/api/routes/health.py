"""Liveness of the app and reachability of its database."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, status
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.api.deps import SessionDep, SettingsDep
from app.schemas.common import ErrorResponse
from app.services.errors import ServiceUnavailableError

logger = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


class HealthRead(BaseModel):
    """Body of a successful health check."""

    status: str
    database: str


@router.get(
    "/health",
    response_model=HealthRead,
    status_code=status.HTTP_200_OK,
    responses={status.HTTP_503_SERVICE_UNAVAILABLE: {"model": ErrorResponse}},
)
async def health(session: SessionDep, settings: SettingsDep) -> HealthRead:
    """Run `SELECT 1`; 503 when the database does not answer in time."""
    try:
        async with asyncio.timeout(settings.health_check_timeout):
            await session.execute(text("SELECT 1"))
    except (OSError, TimeoutError, SQLAlchemyError) as exc:
        # The exception type is enough to diagnose; its text may contain the host.
        logger.warning("health check failed: %s", type(exc).__name__)
        raise ServiceUnavailableError("the database is not reachable") from exc
    return HealthRead(status="ok", database="ok")
