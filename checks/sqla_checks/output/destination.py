"""`--output-file`: the report written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class OutputFileError(Exception):
    """The report could not be written; the message names the file and why."""


def write_report(path: Path, text: str) -> None:
    """Write `text` to `path` atomically: a reader (a CI step, an editor) sees the old
    file or the complete new one, never half a report."""
    directory = path.parent
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    except OSError as exc:
        raise OutputFileError(f"{path}: cannot write the report: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        os.unlink(temporary)
        raise OutputFileError(f"{path}: cannot write the report: {exc.strerror or exc}") from exc
