"""Posts, and the association table linking them to tags."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base, IntPK, TimestampMixin
from app.limits import POST_BODY_MAX, TITLE_MAX

if TYPE_CHECKING:
    from app.models.comment import Comment
    from app.models.tag import Tag
    from app.models.user import User

# A plain Table, not a mapped class: the link carries no data of its own, and the
# ORM manages its rows through `Post.tags` / `Tag.posts`. (Core `Column` objects
# are the right tool inside `Table`; models use `mapped_column`.)
post_tags = Table(
    "post_tags",
    Base.metadata,
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    # The primary key (post_id, tag_id) serves lookups by post; this index serves
    # the tag filter and the ON DELETE CASCADE from tags.
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Post(TimestampMixin, Base):
    """A blog post written by one user, with tags and comments."""

    __tablename__ = "posts"
    __table_args__ = (
        CheckConstraint("btrim(title) <> ''", name="title_not_blank"),
        CheckConstraint(f"char_length(body) <= {POST_BODY_MAX}", name="body_max_length"),
        # Serves both the newest-first listing and keyset pagination on (created_at, id).
        Index("ix_posts_created_at_id", "created_at", "id"),
    )

    id: Mapped[IntPK]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    # TEXT plus a CHECK rather than VARCHAR(20000): same storage, and the limit can
    # change later without rewriting the column type.
    body: Mapped[str] = mapped_column(Text)

    author: Mapped[User] = relationship(back_populates="posts", lazy="raise")
    tags: Mapped[list[Tag]] = relationship(
        secondary=post_tags,
        back_populates="posts",
        order_by="Tag.name",
        lazy="raise",
        passive_deletes=True,
    )
    comments: Mapped[list[Comment]] = relationship(
        back_populates="post",
        order_by="(Comment.created_at, Comment.id)",
        cascade="all, delete-orphan",
        lazy="raise",
        passive_deletes=True,
    )
