"""`/posts/{post_id}/comments`: comment on a post and read its comments."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.api.deps import CommentServiceDep, Limit, Offset, RowId
from app.schemas.comment import CommentCreate, CommentRead
from app.schemas.common import ErrorResponse, Page

router = APIRouter(
    prefix="/posts/{post_id}/comments",
    tags=["comments"],
    responses={
        status.HTTP_404_NOT_FOUND: {"model": ErrorResponse},
        status.HTTP_422_UNPROCESSABLE_CONTENT: {"model": ErrorResponse},
    },
)


@router.post("", response_model=CommentRead, status_code=status.HTTP_201_CREATED)
async def create_comment(
    post_id: RowId, data: CommentCreate, service: CommentServiceDep
) -> CommentRead:
    """Add a comment; 404 if the post or the author does not exist."""
    return CommentRead.model_validate(await service.create(post_id, data))


@router.get("", response_model=Page[CommentRead], status_code=status.HTTP_200_OK)
async def list_comments(
    post_id: RowId, service: CommentServiceDep, limit: Limit = 50, offset: Offset = 0
) -> Page[CommentRead]:
    """The post's comments, oldest first, with their authors (three queries)."""
    comments, total = await service.list_for_post(post_id, limit=limit, offset=offset)
    return Page[CommentRead](
        items=[CommentRead.model_validate(comment) for comment in comments],
        total=total,
        limit=limit,
        offset=offset,
    )
