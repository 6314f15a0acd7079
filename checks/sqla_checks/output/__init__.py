"""Output formats: one module per `--format`, each a `render(report) -> str`."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from sqla_checks.output.report import RunReport

Renderer = Callable[[RunReport], str]

# Each format's module, imported only when that format is chosen: a run pays for the
# one it prints (junit's XML library, SARIF's tables), not for all of them.
FORMAT_MODULES: dict[str, str] = {
    # `text` is the default and stays what it was; `concise` is ruff's name for it.
    "text": "text",
    "concise": "text",
    "full": "full",
    "json": "json",
    "sarif": "sarif",
    "github": "github",
    "gitlab": "gitlab",
    "junit": "junit",
}
# Formats that show each fix's edits, so the runner has to compute them.
FORMATS_WITH_EDITS = frozenset({"json", "sarif"})


def renderer(format_name: str) -> Renderer:
    """The `render` function of `--format format_name` (a key of FORMAT_MODULES)."""
    module = importlib.import_module(f"{__name__}.{FORMAT_MODULES[format_name]}")
    render: Renderer = module.render
    return render


__all__ = ["FORMATS_WITH_EDITS", "FORMAT_MODULES", "Renderer", "RunReport", "renderer"]
