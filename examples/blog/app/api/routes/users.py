"""`/users`: register, read, update and delete users."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.api.deps import Limit, Offset, RowId, UserServiceDep
from app.schemas.common import ErrorResponse, Page
from app.schemas.user import UserCreate, UserRead, UserUpdate

router = APIRouter(
    prefix="/users",
    tags=["users"],
    responses={
        status.HTTP_404_NOT_FOUND: {"model": ErrorResponse},
        status.HTTP_422_UNPROCESSABLE_CONTENT: {"model": ErrorResponse},
    },
)


@router.post(
    "",
    response_model=UserRead,
    status_code=status.HTTP_201_CREATED,
    responses={status.HTTP_409_CONFLICT: {"model": ErrorResponse}},
)
async def create_user(data: UserCreate, service: UserServiceDep) -> UserRead:
    """Register a user; 409 when the email is already registered."""
    return UserRead.model_validate(await service.create(data))


@router.get("", response_model=Page[UserRead], status_code=status.HTTP_200_OK)
async def list_users(
    service: UserServiceDep, limit: Limit = 20, offset: Offset = 0
) -> Page[UserRead]:
    """Users in registration order, one page at a time."""
    users, total = await service.list(limit=limit, offset=offset)
    return Page[UserRead](
        items=[UserRead.model_validate(user) for user in users],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/{user_id}", response_model=UserRead, status_code=status.HTTP_200_OK)
async def get_user(user_id: RowId, service: UserServiceDep) -> UserRead:
    """One user."""
    return UserRead.model_validate(await service.get(user_id))


@router.patch(
    "/{user_id}",
    response_model=UserRead,
    status_code=status.HTTP_200_OK,
    responses={status.HTTP_409_CONFLICT: {"model": ErrorResponse}},
)
async def update_user(user_id: RowId, data: UserUpdate, service: UserServiceDep) -> UserRead:
    """Change the fields sent; omitted fields keep their value."""
    return UserRead.model_validate(await service.update(user_id, data))


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT, response_model=None)
async def delete_user(user_id: RowId, service: UserServiceDep) -> None:
    """Delete a user together with their posts and comments."""
    await service.delete(user_id)
