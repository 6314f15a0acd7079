"""Tag operations."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tags import TagRepository


class TagService:
    """Read-only view of the tags in use."""

    def __init__(self, session: AsyncSession) -> None:
        self.tags = TagRepository(session)

    async def list_with_counts(self) -> list[tuple[str, int]]:
        """Every tag with its number of posts, most used first."""
        return await self.tags.list_with_counts()
