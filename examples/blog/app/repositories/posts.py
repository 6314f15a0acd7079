"""Queries on posts, including listing, search and both kinds of pagination."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from app.models import Comment, Post, Tag
from app.pagination import Cursor
from app.repositories.text_search import LIKE_ESCAPE, contains_pattern

# What a post needs to be rendered in a listing. joinedload for the many-to-one
# author (one row per post, so the JOIN adds columns, not rows); selectinload for
# the tags collection (one extra `WHERE post_id IN (...)` query for the whole page
# instead of one per post, and no row multiplication in the main query).
LISTING_OPTIONS = (joinedload(Post.author, innerjoin=True), selectinload(Post.tags))

# The post page adds the comments and, chained, each comment's author: still a
# fixed number of queries however many comments there are.
DETAIL_OPTIONS = (
    *LISTING_OPTIONS,
    selectinload(Post.comments).joinedload(Comment.author, innerjoin=True),
)


@dataclass(frozen=True, slots=True)
class PostFilter:
    """Optional criteria shared by both listings."""

    search: str | None = None
    tag: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """The WHERE clauses for these criteria (empty when no filter is set)."""
        conditions: list[ColumnElement[bool]] = []
        if self.search:
            pattern = contains_pattern(self.search)
            conditions.append(
                or_(
                    Post.title.ilike(pattern, escape=LIKE_ESCAPE),
                    Post.body.ilike(pattern, escape=LIKE_ESCAPE),
                )
            )
        if self.tag:
            # EXISTS rather than a JOIN: a post matches once, so neither the page
            # nor the count can contain duplicates.
            conditions.append(Post.tags.any(Tag.name == self.tag))
        return conditions


# `id` breaks ties between posts created in the same transaction (same now()): the
# order must be total for pages to be stable. Matches ix_posts_created_at_id.
NEWEST_FIRST = (Post.created_at.desc(), Post.id.desc())


class PostRepository:
    """Loads and stores `Post` rows within the caller's session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_for_listing(self, post_id: int) -> Post | None:
        """The post with its author and tags loaded (what `PostRead` needs)."""
        return await self.session.scalar(
            select(Post).where(Post.id == post_id).options(*LISTING_OPTIONS)
        )

    async def get_for_update(self, post_id: int) -> Post | None:
        """The post as `get_for_listing` loads it, its row locked until the transaction ends.

        `FOR UPDATE OF posts` makes concurrent writers of one post take turns. The
        tags are loaded by a second query, after the lock is granted, so each writer
        sees the links the previous one committed: no two insert the same link row
        (a primary-key violation) or delete the same one (a StaleDataError).
        """
        return await self.session.scalar(
            select(Post)
            .where(Post.id == post_id)
            .options(*LISTING_OPTIONS)
            .with_for_update(of=Post)
        )

    async def get_detail(self, post_id: int) -> Post | None:
        """The post with author, tags and commented authors: three queries."""
        return await self.session.scalar(
            select(Post).where(Post.id == post_id).options(*DETAIL_OPTIONS)
        )

    async def exists(self, post_id: int) -> bool:
        """Whether the post exists, without loading it."""
        found = await self.session.scalar(
            select(select(Post.id).where(Post.id == post_id).exists())
        )
        return bool(found)

    async def list_page(
        self, criteria: PostFilter, *, limit: int, offset: int
    ) -> tuple[list[Post], int]:
        """A newest-first page of matching posts and the total number of matches."""
        conditions = criteria.conditions()
        total = await self.session.scalar(select(func.count()).select_from(Post).where(*conditions))
        posts = await self.session.scalars(
            select(Post)
            .where(*conditions)
            .order_by(*NEWEST_FIRST)
            .options(*LISTING_OPTIONS)
            .limit(limit)
            .offset(offset)
        )
        return list(posts), total or 0

    async def list_after(
        self, criteria: PostFilter, *, limit: int, after: Cursor | None
    ) -> list[Post]:
        """Up to `limit` matching posts older than `after`, newest first.

        Keyset pagination: the row-value comparison uses the (created_at, id) index,
        so page 1000 costs what page 1 costs, and rows inserted meanwhile neither
        repeat nor go missing, unlike OFFSET.
        """
        stmt = select(Post).where(*criteria.conditions())
        if after is not None:
            stmt = stmt.where(tuple_(Post.created_at, Post.id) < tuple_(after.created_at, after.id))
        posts = await self.session.scalars(
            stmt.order_by(*NEWEST_FIRST).options(*LISTING_OPTIONS).limit(limit)
        )
        return list(posts)

    def add(self, post: Post) -> None:
        """Stage a new post: its INSERT is sent at the next flush.

        That is an explicit flush, the one in commit, or the autoflush before the
        session's next query [claim: session-add-inserts-at-next-flush].
        """
        self.session.add(post)

    async def delete(self, post_id: int) -> bool:
        """Delete the post (comments and tag links go by ON DELETE CASCADE).

        Returns False when no such post existed.
        """
        deleted = await self.session.scalar(
            delete(Post).where(Post.id == post_id).returning(Post.id)
        )
        return deleted is not None
