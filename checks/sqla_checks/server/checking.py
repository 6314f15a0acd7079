"""Checking one editor buffer with the settings of the file it will be saved as.

The one place the server asks the engine for a check. Settings are read afresh for
every check, so an edited `pyproject.toml` applies to the next keystroke.
"""

from __future__ import annotations

from pathlib import Path

from sqla_checks.contract.finding import FileResult
from sqla_checks.engine.api import check_text, settings_for
from sqla_checks.engine.runner import RunOptions


def check_document(
    path: Path, text: str, *, with_edits: bool = False, fix: bool = False
) -> FileResult:
    """Check `text` as the content of `path`: the nearest configuration of `path`, its
    per-file-ignores and target release. Raises ConfigError for a broken configuration.
    """
    settings = settings_for(path, cwd=path.parent)
    return check_text(str(path), text, settings, RunOptions(fix=fix, with_edits=with_edits))
