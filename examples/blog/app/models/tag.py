"""Tags: free-form labels attached to posts (many-to-many)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base, IntPK
from app.limits import TAG_NAME_MAX

if TYPE_CHECKING:
    from app.models.post import Post


class Tag(Base):
    """A tag name, unique across the blog."""

    __tablename__ = "tags"

    id: Mapped[IntPK]
    name: Mapped[str] = mapped_column(String(TAG_NAME_MAX), unique=True)

    posts: Mapped[list[Post]] = relationship(
        secondary="post_tags", back_populates="tags", lazy="raise", passive_deletes=True
    )
