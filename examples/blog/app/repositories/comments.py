"""Queries on comments."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.models import Comment


class CommentRepository:
    """Loads and stores `Comment` rows within the caller's session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_for_post(
        self, post_id: int, *, limit: int, offset: int
    ) -> tuple[list[Comment], int]:
        """One page of a post's comments, oldest first, with their authors."""
        total = await self.session.scalar(
            select(func.count()).select_from(Comment).where(Comment.post_id == post_id)
        )
        comments = await self.session.scalars(
            select(Comment)
            .where(Comment.post_id == post_id)
            .options(joinedload(Comment.author, innerjoin=True))
            .order_by(Comment.created_at, Comment.id)
            .limit(limit)
            .offset(offset)
        )
        return list(comments), total or 0

    def add(self, comment: Comment) -> None:
        """Stage a new comment: its INSERT is sent at the next flush.

        That is an explicit flush, the one in commit, or the autoflush before the
        session's next query [claim: session-add-inserts-at-next-flush].
        """
        self.session.add(comment)
