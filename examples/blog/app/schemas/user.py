"""User request and response schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from app.limits import DISPLAY_NAME_MAX, EMAIL_MAX
from app.schemas.common import PartialUpdate, ReadSchema
from app.schemas.text import Storable

# A light syntax check keeps the example free of the email-validator dependency;
# use pydantic's `EmailStr` (pip install "pydantic[email]") for real validation.
# Lower-casing makes the unique constraint case-insensitive in practice.
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=EMAIL_MAX, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    ),
    AfterValidator(str.lower),
    Storable,
]
DisplayName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=DISPLAY_NAME_MAX),
    Storable,
]


class UserCreate(BaseModel):
    """Body of `POST /users`."""

    model_config = ConfigDict(extra="forbid")

    email: Email
    display_name: DisplayName


class UserUpdate(PartialUpdate):
    """Body of `PATCH /users/{id}`: send only the fields to change."""

    email: Email | None = None
    display_name: DisplayName | None = None


class UserSummary(ReadSchema):
    """The public face of a user, embedded in posts and comments."""

    id: int
    display_name: str


class UserRead(ReadSchema):
    """A user as returned by the users endpoints."""

    id: int
    email: str
    display_name: str
    created_at: datetime
    updated_at: datetime
