"""`--output-file`: the report written whole or not at all."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


class OutputFileError(Exception):
    """The report could not be written; the message names the file and why."""


def write_report(path: Path, text: str) -> None:
    """Write `text` to `path` atomically: a reader (a CI step, an editor) sees the old
    file or the complete new one, never half a report.

    A symlink is followed (the link stays). A path that is not a regular file
    (`/dev/null`, `/dev/stdout`, a FIFO) is written in place: renaming a file over it
    would replace the device itself.
    """
    target = Path(os.path.realpath(path))
    try:
        special = not stat.S_ISREG(target.stat().st_mode)
    except OSError:
        special = False  # no such file yet: created by the rename below
    if special:
        try:
            with target.open("w", encoding="utf-8", newline="") as stream:
                stream.write(text)
        except OSError as exc:
            raise _cannot_write(path, exc) from exc
        return
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        raise _cannot_write(path, exc) from exc
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except OSError as exc:
        os.unlink(temporary)
        raise _cannot_write(path, exc) from exc


def _cannot_write(path: Path, exc: OSError) -> OutputFileError:
    return OutputFileError(f"{path}: cannot write the report: {exc.strerror or exc}")
