"""/tags: an aggregate query (outer join + group by)."""

from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.tags import TagRepository
from tests.factories import create_post


async def test_tags_are_listed_with_post_counts_most_used_first(
    client: AsyncClient, db: AsyncSession
) -> None:
    await create_post(db, tags=["python", "sql"])
    await create_post(db, tags=["python"])
    await TagRepository(db).get_or_create(["unused"])

    response = await client.get("/tags")

    assert response.status_code == 200
    assert response.json() == [
        {"name": "python", "post_count": 2},
        {"name": "sql", "post_count": 1},
        {"name": "unused", "post_count": 0},
    ]
