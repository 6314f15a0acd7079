"""Schemas shared by every resource: pages, partial updates, error bodies."""

from __future__ import annotations

from typing import Any, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

T = TypeVar("T")


class ReadSchema(BaseModel):
    """Base of response schemas: built from ORM objects by attribute access."""

    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    """One page of an offset/limit listing, with the total count of matches."""

    items: list[T]
    total: int = Field(ge=0)
    limit: int = Field(ge=1)
    offset: int = Field(ge=0)


class CursorPage(BaseModel, Generic[T]):
    """One page of a keyset listing; pass `next_cursor` back to get the next page."""

    items: list[T]
    limit: int = Field(ge=1)
    next_cursor: str | None = Field(description="null on the last page")


class PartialUpdate(BaseModel):
    """Base of PATCH bodies: every field optional, but never explicitly null.

    Services apply `model_dump(exclude_unset=True)`, so a field the client left out
    keeps its value. A field sent as null would set a NOT NULL column to NULL, so it
    is rejected here with a 422 instead of failing in the database.
    """

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _reject_explicit_nulls(self) -> Self:
        nulls = sorted(name for name in self.model_fields_set if getattr(self, name) is None)
        if nulls:
            raise ValueError(f"fields may be omitted but not null: {', '.join(nulls)}")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields the client actually sent."""
        return self.model_dump(exclude_unset=True)


class ErrorDetail(BaseModel):
    """Machine-readable code plus a human message; `details` lists field errors."""

    code: str = Field(examples=["not_found"])
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorResponse(BaseModel):
    """The body of every error response: `{"error": {"code": ..., "message": ...}}`."""

    error: ErrorDetail
