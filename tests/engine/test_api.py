"""The engine API an editor integration calls for one document: `settings_for` and
`check_text`, with no command line and no file on disk."""

from __future__ import annotations

from pathlib import Path

from sqla_checks.engine.api import Overrides, SettingsResolver, check_text, settings_for
from sqla_checks.engine.runner import RunOptions
from tests.cli.conftest import FIXED_URL, SYNC_URL


def _project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.sqla-checks]\nselect = ["ALC204"]\n'
        '[tool.sqla-checks.per-file-ignores]\n"scripts/*.py" = ["ALC204"]\n'
    )
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "sqla-checks.toml").write_text('select = ["ALC101"]\n')
    return tmp_path


def test_settings_for_a_file_come_from_its_nearest_configuration(tmp_path: Path) -> None:
    root = _project(tmp_path)
    settings = settings_for(root / "app" / "db.py")
    assert settings.config.path == root / "pyproject.toml"
    assert settings.rule_codes == ("ALC204",)
    nested = settings_for(root / "legacy" / "db.py")
    assert nested.config.path == root / "legacy" / "sqla-checks.toml"
    assert nested.rule_codes == ("ALC101",)


def test_check_text_applies_the_per_file_ignores_of_its_path(tmp_path: Path) -> None:
    root = _project(tmp_path)
    app = str(root / "app" / "db.py")
    script = str(root / "scripts" / "db.py")
    findings = check_text(app, SYNC_URL, settings_for(app)).findings
    assert [(f.code, f.path, f.start.line) for f in findings] == [("ALC204", app, 3)]
    assert check_text(script, SYNC_URL, settings_for(script)).findings == []


def test_check_text_fixes_text_and_bytes_alike(tmp_path: Path) -> None:
    root = _project(tmp_path)
    path = str(root / "app" / "db.py")
    settings = settings_for(path)
    for source in (SYNC_URL, SYNC_URL.encode()):
        result = check_text(path, source, settings, RunOptions(fix=True))
        assert result.fixed_source == FIXED_URL.encode()
        assert result.findings == []


def test_check_text_reports_bad_input_instead_of_raising(tmp_path: Path) -> None:
    root = _project(tmp_path)
    path = str(root / "app" / "db.py")
    result = check_text(path, "create_async_engine(\n", settings_for(path))
    assert result.error is not None
    assert result.error.path == path
    assert "cannot parse file" in result.error.reason


def test_a_resolver_applies_overrides_over_every_configuration(tmp_path: Path) -> None:
    root = _project(tmp_path)
    resolver = SettingsResolver(overrides=Overrides(ignore=("ALC2",)), cwd=root)
    assert resolver.settings_for("app/db.py").rule_codes == ()
    assert resolver.settings_for("legacy/db.py").rule_codes == ("ALC101",)
