"""Reading a file the way Python does: bytes first, then PEP 263 decoding."""

from __future__ import annotations

import io
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
