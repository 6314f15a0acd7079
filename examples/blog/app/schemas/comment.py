"""Comment schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.limits import COMMENT_BODY_MAX, ID_MAX
from app.schemas.common import ReadSchema
from app.schemas.text import Storable
from app.schemas.user import UserSummary

CommentBody = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=COMMENT_BODY_MAX),
    Storable,
]


class CommentCreate(BaseModel):
    """Body of `POST /posts/{id}/comments`. The example has no auth, so the
    author is named in the body; a real app takes it from the logged-in user."""

    model_config = ConfigDict(extra="forbid")

    author_id: int = Field(gt=0, le=ID_MAX)
    body: CommentBody


class CommentRead(ReadSchema):
    """A comment with its author."""

    id: int
    post_id: int
    author: UserSummary
    body: str
    created_at: datetime
