"""Users: the authors of posts and comments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base, IntPK, TimestampMixin
from app.limits import DISPLAY_NAME_MAX, EMAIL_MAX

if TYPE_CHECKING:
    from app.models.comment import Comment
    from app.models.post import Post


class User(TimestampMixin, Base):
    """A registered user; `email` is unique (stored lower-case by the API)."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("btrim(display_name) <> ''", name="display_name_not_blank"),)

    id: Mapped[IntPK]
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME_MAX))

    # lazy="raise": an async session cannot load on attribute access, so every
    # query must say what it needs (selectinload / joinedload) or fail loudly.
    # passive_deletes: rows go with ON DELETE CASCADE in the database instead of
    # the ORM loading every child just to delete it.
    posts: Mapped[list[Post]] = relationship(
        back_populates="author", lazy="raise", passive_deletes=True
    )
    comments: Mapped[list[Comment]] = relationship(
        back_populates="author", lazy="raise", passive_deletes=True
    )
