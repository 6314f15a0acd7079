"""FastAPI dependencies: the per-request session and the services built on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.db.session import Database
from app.limits import ID_MAX, PAGE_LIMIT_MAX
from app.services.comments import CommentService
from app.services.posts import PostService
from app.services.tags import TagService
from app.services.users import UserService


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings = getattr(request.app.state, "settings", None)
    if not isinstance(settings, Settings):
        raise RuntimeError("no settings on app.state: build the app with create_app()")
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_session_factory(request: Request) -> async_sessionmaker[AsyncSession]:
    """The session factory the lifespan created (tests override this one)."""
    database = getattr(request.app.state, "database", None)
    if not isinstance(database, Database):
        raise RuntimeError("no database on app.state: was the app started through its lifespan?")
    return database.session_factory


async def get_session(
    factory: Annotated[async_sessionmaker[AsyncSession], Depends(get_session_factory)],
) -> AsyncIterator[AsyncSession]:
    """One session per request, closed when the request is done.

    No commit here: code after `yield` is cleanup, and by default FastAPI runs it
    after the response has been sent, when a failed commit could no longer change
    the status code [claim: fastapi-yield-exit-after-response]. Services commit
    explicitly; closing the session rolls back whatever was left uncommitted (after
    an error, say) and returns the connection to the pool.
    """
    async with factory() as session:
        yield session


# scope="function" closes the session as soon as the endpoint has returned and the
# response has been serialised, so the pooled connection is not held while the
# response is sent to a slow client [claim: fastapi-scope-function-exits-before-response].
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


def get_user_service(session: SessionDep) -> UserService:
    """A `UserService` on the request's session."""
    return UserService(session)


def get_post_service(session: SessionDep) -> PostService:
    """A `PostService` on the request's session."""
    return PostService(session)


def get_comment_service(session: SessionDep) -> CommentService:
    """A `CommentService` on the request's session."""
    return CommentService(session)


def get_tag_service(session: SessionDep) -> TagService:
    """A `TagService` on the request's session."""
    return TagService(session)


UserServiceDep = Annotated[UserService, Depends(get_user_service)]
PostServiceDep = Annotated[PostService, Depends(get_post_service)]
CommentServiceDep = Annotated[CommentService, Depends(get_comment_service)]
TagServiceDep = Annotated[TagService, Depends(get_tag_service)]

Limit = Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX, description="page size")]
Offset = Annotated[int, Query(ge=0, le=ID_MAX, description="rows to skip")]
# A path id; past BIGINT it is a 422, never a query.
RowId = Annotated[int, Path(gt=0, le=ID_MAX)]
