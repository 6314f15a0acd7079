"""Opaque cursors for keyset pagination over (created_at, id).

The cursor is the sort key of the last row served, base64url-encoded JSON. Clients
must treat it as opaque; the encoding can change without breaking them.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from app.limits import ID_MAX
from app.services.errors import InvalidInputError


@dataclass(frozen=True, slots=True)
class Cursor:
    """A position in a newest-first listing: rows strictly older come next."""

    created_at: datetime
    id: int

    def encode(self) -> str:
        """The opaque string form handed to clients."""
        payload = json.dumps([self.created_at.isoformat(), self.id], separators=(",", ":"))
        return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        """Parse a client's cursor; raise `InvalidInputError` if it was tampered with."""
        try:
            padded = token + "=" * (-len(token) % 4)
            created_at_text, row_id = json.loads(base64.urlsafe_b64decode(padded))
            created_at = datetime.fromisoformat(created_at_text)
        except (binascii.Error, UnicodeDecodeError, ValueError, TypeError) as exc:
            raise InvalidInputError("cursor is not valid") from exc
        if type(row_id) is not int or not 0 < row_id <= ID_MAX or created_at.tzinfo is None:
            raise InvalidInputError("cursor is not valid")
        return cls(created_at=created_at, id=row_id)
