"""`--diff`: what `--fix` would change, as a unified diff per file."""

from __future__ import annotations

import difflib
from pathlib import Path

from sqla_checks.engine.source import SourceError, decode_source


def unified_diff(path: str, original: bytes, fixed: bytes) -> str:
    """A unified diff of `original` -> `fixed`, decoded as Python decodes the file."""
    try:
        before = decode_source(Path(path), original).text
        after = decode_source(Path(path), fixed).text
    except SourceError:
        # The runner decoded both already; this only guards against a cookie change.
        before = original.decode("utf-8", "replace")
        after = fixed.decode("utf-8", "replace")
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=path,
        tofile=path,
    )
    text = ""
    for line in lines:
        text += line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
    return text
