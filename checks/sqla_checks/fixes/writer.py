"""Writing fixed files back: atomically, keeping the mode, never over someone's edit.

The new content goes to a temporary file in the same directory (so the final rename
stays on one file system and is atomic), gets the original's permission bits, is
fsynced, and replaces the original with `os.replace`. Just before the rename the file
is read again: if its bytes differ from those the fix was computed from (an editor or
formatter saved it meanwhile), the fix is dropped rather than silently undoing that
edit.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


class FixWriteError(Exception):
    """A fixed file that was not written; the message says why."""


def _read_current(path: Path) -> bytes:
    return path.read_bytes()


def write_fixed_file(path: Path, original: bytes, fixed: bytes) -> None:
    """Replace `path` (whose content was `original`) by `fixed`, atomically."""
    # Write through a symlink to its target rather than replacing the link itself.
    target = Path(os.path.realpath(path))
    try:
        status = target.stat()
    except OSError as exc:
        raise FixWriteError(f"cannot write fix: {exc.strerror or exc}") from exc
    try:
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".sqla-checks-tmp"
        )
    except OSError as exc:
        raise FixWriteError(f"cannot write fix: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(fixed)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, stat.S_IMODE(status.st_mode))
        with contextlib.suppress(OSError):
            # Keeps the owner when run as root on someone else's file; not possible
            # (and not needed) for an ordinary user, whose file it already is.
            os.chown(temporary, status.st_uid, status.st_gid)
        if _read_current(target) != original:
            raise FixWriteError(
                "file changed on disk while it was being checked; fix not written (run again)"
            )
        os.replace(temporary, target)
    except OSError as exc:
        _remove(temporary)
        raise FixWriteError(f"cannot write fix: {exc.strerror or exc}") from exc
    except BaseException:
        _remove(temporary)
        raise
    _sync_directory(target.parent)


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable; best effort where directories cannot be opened."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
