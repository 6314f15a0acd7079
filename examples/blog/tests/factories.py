"""Test data builders: plain async functions with sensible defaults.

Each takes the test's session, flushes (so ids and server defaults exist) and
returns the ORM object. Only the fields a test cares about need to be passed.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Comment, Post, User
from app.repositories.tags import TagRepository

_sequence = itertools.count(1)


async def create_user(
    session: AsyncSession, *, email: str | None = None, display_name: str | None = None
) -> User:
    """A user with a unique email."""
    n = next(_sequence)
    user = User(email=email or f"user{n}@example.com", display_name=display_name or f"User {n}")
    session.add(user)
    await session.flush()
    return user


async def create_post(
    session: AsyncSession,
    *,
    author: User | None = None,
    title: str | None = None,
    body: str = "Some text.",
    tags: Sequence[str] = (),
    created_at: datetime | None = None,
) -> Post:
    """A post (by a new user unless `author` is given), optionally tagged and dated."""
    post = Post(
        author=author or await create_user(session),
        title=title or f"Post {next(_sequence)}",
        body=body,
        tags=await TagRepository(session).get_or_create(tags),
    )
    if created_at is not None:
        post.created_at = created_at
    session.add(post)
    await session.flush()
    return post


async def create_comment(
    session: AsyncSession, *, post: Post, author: User | None = None, body: str = "Nice post."
) -> Comment:
    """A comment on `post` (by a new user unless `author` is given)."""
    comment = Comment(post=post, author=author or await create_user(session), body=body)
    session.add(comment)
    await session.flush()
    return comment
