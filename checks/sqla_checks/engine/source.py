"""Reading a file the way Python does: bytes first, then PEP 263 decoding."""

from __future__ import annotations

import io
import os
import stat
import tokenize
from dataclasses import dataclass
from pathlib import Path


class SourceError(Exception):
    """A file that cannot be read or decoded; the message says why."""


@dataclass(frozen=True)
class Source:
    """One file's bytes and their decoded text."""

    path: Path
    data: bytes
    text: str
    encoding: str


def read_source_bytes(path: str) -> bytes:
    """The bytes of the regular file at `path`; SourceError for anything else.

    Opened non-blocking and checked with fstat on the open descriptor, so a FIFO or
    device named `*.py` (or swapped in after discovery) is refused instead of
    blocking the run forever.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc.strerror or exc}") from exc
    with os.fdopen(descriptor, "rb") as stream:
        try:
            mode = os.fstat(descriptor).st_mode
            if not stat.S_ISREG(mode):
                raise SourceError("cannot read file: not a regular file")
            return stream.read()
        except OSError as exc:
            raise SourceError(f"cannot read file: {exc.strerror or exc}") from exc


def decode_source(path: Path, data: bytes) -> Source:
    """Decode `data` as the Python interpreter would (BOM, coding cookie, else UTF-8)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise SourceError(f"cannot decode file: {exc.msg}") from exc
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise SourceError(f"cannot decode file as {encoding}: {exc}") from exc
    if text.startswith("\ufeff"):
        text = text[1:]
    return Source(path=path, data=data, text=text, encoding=encoding)
