"""Queries on users."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import User


class UserRepository:
    """Loads and stores `User` rows within the caller's session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int) -> User | None:
        """The user with this id, from the identity map when already loaded."""
        return await self.session.get(User, user_id)

    async def list(self, *, limit: int, offset: int) -> tuple[list[User], int]:
        """One page of users in id order, and the total number of users."""
        total = await self.session.scalar(select(func.count()).select_from(User))
        users = await self.session.scalars(
            select(User).order_by(User.id).limit(limit).offset(offset)
        )
        return list(users), total or 0

    def add(self, user: User) -> None:
        """Stage a new user: its INSERT is sent at the next flush.

        That is an explicit flush, the one in commit, or the autoflush before the
        session's next query [claim: session-add-inserts-at-next-flush].
        """
        self.session.add(user)

    async def delete(self, user_id: int) -> bool:
        """Delete the user (posts and comments go by ON DELETE CASCADE).

        Returns False when no such user existed. One statement: no SELECT first.
        """
        deleted = await self.session.scalar(
            delete(User).where(User.id == user_id).returning(User.id)
        )
        return deleted is not None
