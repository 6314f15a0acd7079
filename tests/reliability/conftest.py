"""Shared pieces of the reliability tests: the CLI project fixture and a trigger line.

Every hostile file starts with `TRIGGER`, which names ALC204's trigger word, so the
text prefilter lets it through to the parser (a file no rule could match is never
parsed, by design).
"""

from __future__ import annotations

from tests.cli.conftest import Project, project

__all__ = ["TRIGGER", "Project", "project"]

TRIGGER = "from sqlalchemy.ext.asyncio import create_async_engine\n"
