"""Comment operations."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Comment
from app.repositories.comments import CommentRepository
from app.repositories.posts import PostRepository
from app.repositories.users import UserRepository
from app.schemas.comment import CommentCreate
from app.services.errors import NotFoundError


class CommentService:
    """Adds and lists comments on posts."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.comments = CommentRepository(session)
        self.posts = PostRepository(session)
        self.users = UserRepository(session)

    async def create(self, post_id: int, data: CommentCreate) -> Comment:
        """Add a comment by an existing user to an existing post."""
        if not await self.posts.exists(post_id):
            raise NotFoundError.for_entity("Post", post_id)
        author = await self.users.get(data.author_id)
        if author is None:
            raise NotFoundError.for_entity("User", data.author_id)
        comment = Comment(post_id=post_id, author=author, body=data.body)
        self.comments.add(comment)
        await self.session.commit()
        return comment

    async def list_for_post(
        self, post_id: int, *, limit: int, offset: int
    ) -> tuple[list[Comment], int]:
        """A page of the post's comments, oldest first, or `NotFoundError`."""
        if not await self.posts.exists(post_id):
            raise NotFoundError.for_entity("Post", post_id)
        return await self.comments.list_for_post(post_id, limit=limit, offset=offset)
