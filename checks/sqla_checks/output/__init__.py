"""Output formats: one module per `--format`, each a `render(report) -> str`."""

from __future__ import annotations

from collections.abc import Callable

from sqla_checks.output import github, json, sarif, text
from sqla_checks.output.report import RunReport

Renderer = Callable[[RunReport], str]

FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "json": json.render,
    "sarif": sarif.render,
    "github": github.render,
}
# Formats that show each fix's edits, so the runner has to compute them.
FORMATS_WITH_EDITS = frozenset({"json", "sarif"})

__all__ = ["FORMATS", "FORMATS_WITH_EDITS", "Renderer", "RunReport"]
