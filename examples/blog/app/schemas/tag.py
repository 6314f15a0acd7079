"""Tag schemas."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from app.limits import TAG_NAME_MAX
from app.schemas.common import ReadSchema
from app.schemas.text import Storable

# Tags are compared by name, so normalise: trimmed, lower-case, no inner spaces.
TagName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=TAG_NAME_MAX, pattern=r"^[^\s]+$"
    ),
    AfterValidator(str.lower),
    Storable,
]


class TagRead(ReadSchema):
    """A tag as embedded in a post."""

    name: str


class TagStats(ReadSchema):
    """A tag with the number of posts carrying it."""

    name: str
    post_count: int
