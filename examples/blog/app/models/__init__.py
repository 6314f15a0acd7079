"""ORM models. Importing this package registers every table on `Base.metadata`,
which Alembic's env.py relies on for autogenerate."""

from app.models.comment import Comment
from app.models.post import Post, post_tags
from app.models.tag import Tag
from app.models.user import User

__all__ = ["Comment", "Post", "Tag", "User", "post_tags"]
