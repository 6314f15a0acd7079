"""`--show-settings PATH`: the settings that apply to one file and where they came from."""

from __future__ import annotations

from sqla_checks.engine.settings import Settings
from sqla_checks.engine.target_version import describe


def render_settings(path: str, absolute: str, settings: Settings, respect_gitignore: bool) -> str:
    """The effective settings for `path` (at `absolute`) as text: the configuration
    files (nearest first), the rules that run on it after per-file-ignores (and the
    Alembic revision exemption), the globs in force, the target SQLAlchemy release and
    whether the file counts as an Alembic revision file."""
    config = settings.config
    sources = [str(source) for source in config.sources] or ["none (the defaults)"]
    lines = [
        f"Settings for {path}",
        f"configuration: {sources[0]}",
        *(f"  extends: {source}" for source in sources[1:]),
        f"select: {_listed(config.select) if config.select is not None else '(default rules)'}",
        f"extend-select: {_listed(config.extend_select)}",
        f"ignore: {_listed(config.ignore)}",
        f"per-file-ignores for this file: {_listed(settings.ignored_for(absolute))}",
        f"rules run on this file: {_listed(settings.codes_for(absolute))}",
        f"exclude: {_listed(tuple(f'{g.pattern} (in {g.base})' for g in settings.excludes))}",
        f"respect-gitignore: {'true' if respect_gitignore else 'false'}",
        f"target-sqlalchemy: {describe(settings.target)}",
        f"check-alembic-revisions: {'true' if settings.check_alembic_revisions else 'false'}",
        f"alembic revision file: {_revision(settings, absolute)}",
    ]
    return "\n".join(lines) + "\n"


def _revision(settings: Settings, absolute: str) -> str:
    if settings.check_alembic_revisions:
        return "not looked for (check-alembic-revisions)"
    reason = settings.revision_reason(absolute)
    return "no" if reason is None else f"yes, {reason} (no legacy or async rules)"


def _listed(items: tuple[str, ...]) -> str:
    return ", ".join(items) if items else "(none)"
