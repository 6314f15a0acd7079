"""The application factory. Run with: uvicorn --factory app.main:create_app"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.api.routes import api_router
from app.config import Settings
from app.db.session import Database
from app.errors import register_error_handlers
from app.request_log import RequestLogMiddleware

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; settings come from the environment unless given."""
    settings = settings if settings is not None else Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # One engine (and pool) per process, created inside the server's event
        # loop: pooled asyncpg connections belong to the loop that opened them.
        database = Database.from_settings(settings)
        app.state.database = database
        logger.info("database engine ready: %s", database.engine.url)  # password masked
        try:
            yield
        finally:
            await database.dispose()
            logger.info("database engine disposed")

    app = FastAPI(title="Blog example", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    register_error_handlers(app, settings)
    # One log line per request (method, path, status, duration, request id).
    app.add_middleware(RequestLogMiddleware)
    app.include_router(api_router)
    return app
