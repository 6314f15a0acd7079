"""Queries on tags."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Tag, post_tags


class TagRepository:
    """Finds, creates and counts tags."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_or_create(self, names: Sequence[str]) -> list[Tag]:
        """The tags with these names, creating the missing ones.

        INSERT ... ON CONFLICT DO NOTHING makes this safe when two requests add the
        same new tag at once: a check-then-insert would let one of them fail on the
        unique constraint. Two statements whatever the number of names. Sorted, so
        two requests inserting the same new names wait for each other's keys in the
        same order instead of deadlocking.
        """
        if not names:
            return []
        await self.session.execute(
            insert(Tag)
            .values([{"name": name} for name in sorted(names)])
            .on_conflict_do_nothing(index_elements=[Tag.name])
        )
        tags = await self.session.scalars(select(Tag).where(Tag.name.in_(names)).order_by(Tag.name))
        return list(tags)

    async def list_with_counts(self) -> list[tuple[str, int]]:
        """Every tag name with its number of posts, most used first."""
        post_count = func.count(post_tags.c.post_id)
        rows = await self.session.execute(
            select(Tag.name, post_count.label("post_count"))
            .outerjoin(post_tags, post_tags.c.tag_id == Tag.id)
            .group_by(Tag.id)
            .order_by(post_count.desc(), Tag.name)
        )
        return [(name, count) for name, count in rows]
