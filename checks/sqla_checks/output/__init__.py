"""Output formats: one module per `--format`, each a `render(report) -> str`."""

from __future__ import annotations

from collections.abc import Callable

from sqla_checks.output import full, github, gitlab, json, junit, sarif, text
from sqla_checks.output.report import RunReport

Renderer = Callable[[RunReport], str]

FORMATS: dict[str, Renderer] = {
    # `text` is the default and stays what it was; `concise` is ruff's name for it.
    "text": text.render,
    "concise": text.render,
    "full": full.render,
    "json": json.render,
    "sarif": sarif.render,
    "github": github.render,
    "gitlab": gitlab.render,
    "junit": junit.render,
}
# Formats that show each fix's edits, so the runner has to compute them.
FORMATS_WITH_EDITS = frozenset({"json", "sarif"})

__all__ = ["FORMATS", "FORMATS_WITH_EDITS", "Renderer", "RunReport"]
