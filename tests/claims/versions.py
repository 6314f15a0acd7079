"""The installed SQLAlchemy series, for claims whose behaviour differs between 2.0 and 2.1."""

from __future__ import annotations

import sqlalchemy

SQLALCHEMY_2_1 = tuple(int(part) for part in sqlalchemy.__version__.split(".")[:2]) >= (2, 1)
