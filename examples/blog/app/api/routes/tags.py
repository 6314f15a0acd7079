"""`/tags`: the tags in use and how often."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.api.deps import TagServiceDep
from app.schemas.tag import TagStats

router = APIRouter(prefix="/tags", tags=["tags"])


@router.get("", response_model=list[TagStats], status_code=status.HTTP_200_OK)
async def list_tags(service: TagServiceDep) -> list[TagStats]:
    """Every tag with its post count, most used first (one query)."""
    return [
        TagStats(name=name, post_count=count) for name, count in await service.list_with_counts()
    ]
