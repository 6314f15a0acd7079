"""`/posts`: publish, list, search, read, update and delete posts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from app.api.deps import Limit, Offset, PostServiceDep, RowId
from app.limits import TAG_NAME_MAX
from app.repositories.posts import PostFilter
from app.schemas.common import CursorPage, ErrorResponse, Page
from app.schemas.post import PostCreate, PostDetail, PostRead, PostUpdate
from app.schemas.text import Storable

router = APIRouter(
    prefix="/posts",
    tags=["posts"],
    responses={
        status.HTTP_404_NOT_FOUND: {"model": ErrorResponse},
        status.HTTP_422_UNPROCESSABLE_CONTENT: {"model": ErrorResponse},
    },
)

Search = Annotated[
    str | None,
    Query(min_length=1, max_length=100, description="case-insensitive text in title or body"),
    Storable,
]
TagQuery = Annotated[
    str | None,
    Query(min_length=1, max_length=TAG_NAME_MAX, description="only posts with this tag"),
    Storable,
]


def _criteria(q: str | None, tag: str | None) -> PostFilter:
    return PostFilter(search=q, tag=tag.strip().lower() if tag else None)


@router.post("", response_model=PostRead, status_code=status.HTTP_201_CREATED)
async def create_post(data: PostCreate, service: PostServiceDep) -> PostRead:
    """Publish a post; unknown tags are created. 404 if the author does not exist."""
    return PostRead.model_validate(await service.create(data))


@router.get("", response_model=Page[PostRead], status_code=status.HTTP_200_OK)
async def list_posts(
    service: PostServiceDep,
    q: Search = None,
    tag: TagQuery = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[PostRead]:
    """Newest posts first, with the total number of matches (three queries)."""
    posts, total = await service.list_page(_criteria(q, tag), limit=limit, offset=offset)
    return Page[PostRead](
        items=[PostRead.model_validate(post) for post in posts],
        total=total,
        limit=limit,
        offset=offset,
    )


# Declared before "/{post_id}" so that "feed" is not taken for a post id.
@router.get("/feed", response_model=CursorPage[PostRead], status_code=status.HTTP_200_OK)
async def feed(
    service: PostServiceDep,
    q: Search = None,
    tag: TagQuery = None,
    limit: Limit = 20,
    cursor: Annotated[
        str | None, Query(max_length=200, description="next_cursor of the previous page")
    ] = None,
) -> CursorPage[PostRead]:
    """Newest posts first, paginated by keyset: pass `next_cursor` to continue."""
    posts, next_cursor = await service.list_after(_criteria(q, tag), limit=limit, cursor=cursor)
    return CursorPage[PostRead](
        items=[PostRead.model_validate(post) for post in posts],
        limit=limit,
        next_cursor=next_cursor,
    )


@router.get("/{post_id}", response_model=PostDetail, status_code=status.HTTP_200_OK)
async def get_post(post_id: RowId, service: PostServiceDep) -> PostDetail:
    """A post with its author, tags and comments (three queries)."""
    return PostDetail.model_validate(await service.get(post_id))


@router.patch("/{post_id}", response_model=PostRead, status_code=status.HTTP_200_OK)
async def update_post(post_id: RowId, data: PostUpdate, service: PostServiceDep) -> PostRead:
    """Change the fields sent; `tags`, when sent, replaces all tags."""
    return PostRead.model_validate(await service.update(post_id, data))


@router.delete("/{post_id}", status_code=status.HTTP_204_NO_CONTENT, response_model=None)
async def delete_post(post_id: RowId, service: PostServiceDep) -> None:
    """Delete a post and its comments."""
    await service.delete(post_id)
