"""Post request and response schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.limits import ID_MAX, POST_BODY_MAX, TAGS_PER_POST_MAX, TITLE_MAX
from app.schemas.comment import CommentRead
from app.schemas.common import PartialUpdate, ReadSchema
from app.schemas.tag import TagName, TagRead
from app.schemas.text import Storable
from app.schemas.user import UserSummary

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX), Storable
]
Body = Annotated[str, StringConstraints(max_length=POST_BODY_MAX), Storable]


def _dedupe(names: list[str]) -> list[str]:
    """Drop repeated tag names, keeping the first occurrence's position."""
    return list(dict.fromkeys(names))


TagNames = Annotated[list[TagName], Field(max_length=TAGS_PER_POST_MAX), AfterValidator(_dedupe)]


class PostCreate(BaseModel):
    """Body of `POST /posts`. The example has no auth, so the author is named in
    the body; a real app takes it from the logged-in user."""

    model_config = ConfigDict(extra="forbid")

    author_id: int = Field(gt=0, le=ID_MAX)
    title: Title
    body: Body
    tags: TagNames = Field(default_factory=list)


class PostUpdate(PartialUpdate):
    """Body of `PATCH /posts/{id}`; `tags`, when sent, replaces the whole set."""

    title: Title | None = None
    body: Body | None = None
    tags: TagNames | None = None


class PostRead(ReadSchema):
    """A post with its author and tags, as listed."""

    id: int
    title: str
    body: str
    author: UserSummary
    tags: list[TagRead]
    created_at: datetime
    updated_at: datetime


class PostDetail(PostRead):
    """A post with everything shown on its page, comments included."""

    comments: list[CommentRead]
