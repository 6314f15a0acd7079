"""User operations."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.errors import violated_unique_constraint
from app.models import User
from app.repositories.users import UserRepository
from app.schemas.user import UserCreate, UserUpdate
from app.services.errors import ConflictError, NotFoundError

EMAIL_CONSTRAINT = "uq_users_email"


class UserService:
    """Creates, reads, updates and deletes users; one method, one transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.users = UserRepository(session)

    async def create(self, data: UserCreate) -> User:
        """Register a user; `ConflictError` if the email is taken."""
        user = User(email=data.email, display_name=data.display_name)
        self.users.add(user)
        await self._commit(email=data.email)
        return user

    async def get(self, user_id: int) -> User:
        """The user, or `NotFoundError`."""
        user = await self.users.get(user_id)
        if user is None:
            raise NotFoundError.for_entity("User", user_id)
        return user

    async def list(self, *, limit: int, offset: int) -> tuple[list[User], int]:
        """A page of users and the total count."""
        return await self.users.list(limit=limit, offset=offset)

    async def update(self, user_id: int, data: UserUpdate) -> User:
        """Apply the fields the client sent; `ConflictError` on a taken email."""
        user = await self.get(user_id)
        changes = data.changes()
        for field, value in changes.items():
            setattr(user, field, value)
        await self._commit(email=changes.get("email"))
        return user

    async def delete(self, user_id: int) -> None:
        """Delete the user with their posts and comments, or `NotFoundError`."""
        if not await self.users.delete(user_id):
            raise NotFoundError.for_entity("User", user_id)
        await self.session.commit()

    async def _commit(self, *, email: str | None) -> None:
        # The unique constraint is the only race-free duplicate check: a SELECT
        # before the INSERT could pass in two requests at once. After an
        # IntegrityError the transaction is unusable until rolled back.
        try:
            await self.session.commit()
        except IntegrityError as exc:
            await self.session.rollback()
            if violated_unique_constraint(exc) == EMAIL_CONSTRAINT:
                raise ConflictError(f"email {email} is already registered") from exc
            raise
