"""Post operations."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Post
from app.pagination import Cursor
from app.repositories.posts import PostFilter, PostRepository
from app.repositories.tags import TagRepository
from app.repositories.users import UserRepository
from app.schemas.post import PostCreate, PostUpdate
from app.services.errors import NotFoundError


class PostService:
    """Writes and reads posts; one method, one transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.posts = PostRepository(session)
        self.tags = TagRepository(session)
        self.users = UserRepository(session)

    async def create(self, data: PostCreate) -> Post:
        """Publish a post for an existing author, creating new tags on the way."""
        author = await self.users.get(data.author_id)
        if author is None:
            raise NotFoundError.for_entity("User", data.author_id)
        post = Post(
            author=author,
            title=data.title,
            body=data.body,
            tags=await self.tags.get_or_create(data.tags),
        )
        self.posts.add(post)
        await self.session.commit()
        return post

    async def get(self, post_id: int) -> Post:
        """The post with author, tags and comments loaded, or `NotFoundError`."""
        post = await self.posts.get_detail(post_id)
        if post is None:
            raise NotFoundError.for_entity("Post", post_id)
        return post

    async def list_page(
        self, criteria: PostFilter, *, limit: int, offset: int
    ) -> tuple[list[Post], int]:
        """An offset page of posts and the total number of matches."""
        return await self.posts.list_page(criteria, limit=limit, offset=offset)

    async def list_after(
        self, criteria: PostFilter, *, limit: int, cursor: str | None
    ) -> tuple[list[Post], str | None]:
        """A keyset page of posts and the cursor of the next page (None at the end)."""
        after = Cursor.decode(cursor) if cursor else None
        # One extra row says whether another page exists without a COUNT.
        posts = await self.posts.list_after(criteria, limit=limit + 1, after=after)
        if len(posts) <= limit:
            return posts, None
        page = posts[:limit]
        last = page[-1]
        return page, Cursor(created_at=last.created_at, id=last.id).encode()

    async def update(self, post_id: int, data: PostUpdate) -> Post:
        """Apply the fields the client sent; `tags` replaces the set of tags."""
        # Locked: concurrent updates of this post wait for this one to commit.
        post = await self.posts.get_for_update(post_id)
        if post is None:
            raise NotFoundError.for_entity("Post", post_id)
        changes = data.changes()
        if "tags" in changes:
            tags = await self.tags.get_or_create(changes.pop("tags"))
            if {tag.id for tag in tags} != {tag.id for tag in post.tags}:
                # Assigning the collection lets the ORM diff old and new links; the
                # old ones are loaded already (selectinload), so no lazy load.
                post.tags = tags
                # Only post_tags rows change: with no column of `posts` modified the
                # ORM sends no UPDATE of posts, so `onupdate` never fires. Set the
                # timestamp with the same SQL clock the mixin uses; the flush sends
                # `SET updated_at=now()` and, with eager_defaults (app/db/base.py),
                # reads the value back through RETURNING.
                post.updated_at = func.now()
        for field, value in changes.items():
            setattr(post, field, value)
        await self.session.commit()
        return post

    async def delete(self, post_id: int) -> None:
        """Delete the post with its comments, or `NotFoundError`."""
        if not await self.posts.delete(post_id):
            raise NotFoundError.for_entity("Post", post_id)
        await self.session.commit()
