"""Text PostgreSQL can store: the last check on every string a request sends.

PostgreSQL's text types refuse the NUL character, and UTF-8 has no encoding for a
lone surrogate (JSON's "\\ud800" decodes to one). Either would pass Pydantic's
`str` and fail in the driver, as a 500. Checked here, they are a 422 that names
the field, like any other invalid input. Everything else (emoji, combining marks,
right-to-left text, quotes and SQL keywords) is stored as sent.
"""

from __future__ import annotations

from pydantic import AfterValidator


def _storable(value: str | None) -> str | None:
    # None passes: optional query parameters carry the check too.
    if value is None:
        return value
    if "\x00" in value:
        raise ValueError("must not contain the NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no lone surrogates)") from None
    return value


# Annotated[str, ..., Storable]: the string can be bound as a text parameter.
Storable = AfterValidator(_storable)
