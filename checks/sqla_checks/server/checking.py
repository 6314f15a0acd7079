"""Checking one editor buffer with the settings of the file it will be saved as.

The one place the server asks the engine for a check. Settings are read afresh for
every check, so an edited `pyproject.toml` applies to the next keystroke.
"""

from __future__ import annotations

from pathlib import Path

from sqla_checks.contract.finding import FileResult
from sqla_checks.engine.api import check_text
from sqla_checks.engine.discovery import force_excluded
from sqla_checks.engine.runner import RunOptions
from sqla_checks.engine.settings import SettingsResolver


def check_document(
    path: Path, text: str, *, with_edits: bool = False, fix: bool = False
) -> FileResult:
    """Check `text` as the content of `path`: the nearest configuration of `path`, its
    per-file-ignores and target release. Raises ConfigError for a broken configuration.

    A file the configuration leaves out (`exclude`, `extend-exclude`, the ignore files
    unless `respect-gitignore = false`, a virtualenv or build folder) gets no findings
    and no fixes: the same decision as `sqla-checks --force-exclude --stdin-filename
    PATH`, which editor integrations of the command line use.
    """
    resolver = SettingsResolver(cwd=path.parent)
    if force_excluded(str(path), resolver):
        return FileResult(path=str(path))
    settings = resolver.settings_for(path)
    return check_text(str(path), text, settings, RunOptions(fix=fix, with_edits=with_edits))
