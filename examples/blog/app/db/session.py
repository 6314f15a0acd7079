"""The async engine and session factory: created once per process, never per request."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from app.config import Settings


def create_engine(settings: Settings) -> AsyncEngine:
    """Build the application's engine and pool. Opens no connection yet."""
    server_settings = {"application_name": settings.app_name}
    if settings.db_statement_timeout_ms:
        # A runaway query is cancelled by the server instead of holding a pooled
        # connection (and its locks) indefinitely.
        server_settings["statement_timeout"] = str(settings.db_statement_timeout_ms)
    return create_async_engine(
        settings.sqlalchemy_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_recycle=settings.db_pool_recycle,
        # One cheap round trip on checkout replaces a failed request after a
        # database restart or a connection dropped by a proxy.
        pool_pre_ping=settings.db_pool_pre_ping,
        echo=settings.db_echo,
        # Bound values stay out of the echo log, DBAPIError messages and tracebacks.
        hide_parameters=True,
        connect_args={
            "timeout": settings.db_connect_timeout,
            "server_settings": server_settings,
        },
    )


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A factory of sessions bound to `engine`.

    `expire_on_commit=False` keeps loaded attributes readable after `commit()`:
    the response is built from the committed objects, and a refresh on access
    would be implicit I/O, which AsyncSession forbids.
    """
    return async_sessionmaker(engine, expire_on_commit=False)


@dataclass(frozen=True, slots=True)
class Database:
    """The engine and session factory the application uses for its whole life."""

    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """Create the engine and its session factory from `settings`."""
        engine = create_engine(settings)
        return cls(engine=engine, session_factory=create_session_factory(engine))

    async def dispose(self) -> None:
        """Close every pooled connection; call once at shutdown."""
        await self.engine.dispose()
