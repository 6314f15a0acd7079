"""Helpers for LIKE / ILIKE patterns built from user input."""

LIKE_ESCAPE = "\\"


def escape_like(term: str) -> str:
    """Escape LIKE wildcards so `term` matches literally.

    Without this a search for "100%" or "snake_case" would treat `%` and `_` as
    wildcards. Pair the result with `escape=LIKE_ESCAPE` in `like()` / `ilike()`.
    """
    return (
        term.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )


def contains_pattern(term: str) -> str:
    """An ILIKE pattern matching `term` anywhere in the text."""
    return f"%{escape_like(term)}%"
