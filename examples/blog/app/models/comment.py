"""Comments: short replies to a post."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base, IntPK, TimestampMixin
from app.limits import COMMENT_BODY_MAX

if TYPE_CHECKING:
    from app.models.post import Post
    from app.models.user import User


class Comment(TimestampMixin, Base):
    """A comment by a user on a post; deleted together with either."""

    __tablename__ = "comments"
    __table_args__ = (
        CheckConstraint("btrim(body) <> ''", name="body_not_blank"),
        # Serves a post's comments in page order (WHERE post_id = ... ORDER BY
        # created_at, id), their count, and the ON DELETE CASCADE from posts: the
        # foreign key column leads, so no separate index on post_id is needed.
        # Migration 0002 builds it CONCURRENTLY. No postgresql_concurrently=True
        # here: how an index is built belongs to the migration, and with the flag
        # metadata.create_all() would emit CREATE INDEX CONCURRENTLY inside its
        # transaction, which PostgreSQL refuses. (Alembic's autogenerate does not
        # compare the flag, so either way `alembic check` sees no drift.)
        Index("ix_comments_post_id_created_at_id", "post_id", "created_at", "id"),
    )

    id: Mapped[IntPK]
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(String(COMMENT_BODY_MAX))

    post: Mapped[Post] = relationship(back_populates="comments", lazy="raise")
    author: Mapped[User] = relationship(back_populates="comments", lazy="raise")
