"""Shared pieces of the reliability tests: the CLI project fixture and a trigger line.

Every hostile file starts with `TRIGGER`, which names ALC204's trigger word, so the
text prefilter lets it through to the parser (a file no rule could match is never
parsed, by design).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

from tests.cli.conftest import Project, project

__all__ = ["TRIGGER", "Project", "project"]

TRIGGER = "from sqlalchemy.ext.asyncio import create_async_engine\n"

# Property-based tests: a small, derandomized profile by default, so the suite stays
# fast and reproducible; SQLA_CHECKS_HYPOTHESIS=thorough explores far more.
settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.register_profile(
    "thorough",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile(os.environ.get("SQLA_CHECKS_HYPOTHESIS", "ci"))
