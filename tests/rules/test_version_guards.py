"""Fixes and SQLAlchemy versions: version guards, and the project's target release.

Code under a version guard is written for the releases its branch runs on, so no fix
rewrites it (either branch), and no fix brings in a name a guard binds. A known target
release older than an API a fix writes withholds that fix. Each withheld fix keeps its
finding, whose message says why there is no fix. Before this, every case below was
fixed.
"""

from __future__ import annotations

import textwrap

import pytest

from sqla_checks.contract.finding import Finding
from sqla_checks.contract.rule import Bad, Rule
from sqla_checks.engine.runner import RunOptions, check_source
from sqla_checks.engine.target_version import configured_target, parse_release
from sqla_checks.evidence.sqlalchemy_api import Target
from sqla_checks.rules.alc101_legacy_query import LegacyQueryApi
from sqla_checks.rules.alc103_legacy_query_get import LegacyQueryGet
from sqla_checks.rules.alc104_legacy_column import LegacyColumn
from sqla_checks.rules.alc105_legacy_declarative_base import LegacyDeclarativeBase
from sqla_checks.rules.alc107_list_select import ListSelect
from sqla_checks.rules.alc110_legacy_session_flags import LegacySessionFlags
from sqla_checks.rules.alc205_sessionmaker_async_class import SessionmakerAsyncClass

GUARD_MESSAGE = "(no automatic fix: the code is under a SQLAlchemy version guard)"


def _findings(
    rule: type[Rule], code: str, target: Target | None = None, *, dedent: bool = True
) -> list[Finding]:
    source = textwrap.dedent(code) if dedent else code
    result = check_source("example.py", source.encode(), [rule], RunOptions(target=target))
    assert result.error is None, result.error
    return result.findings


def _target(text: str) -> Target:
    release = parse_release(text)
    assert release is not None
    return configured_target(release)


# A 1.4-style factory, in each branch of each guard form below.
OLD_FACTORY = "sessionmaker(class_=AsyncSession)"
PRELUDE = """\
import sqlalchemy
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import sessionmaker
"""

GUARDS = {
    "startswith": 'if sqlalchemy.__version__.startswith("1."):',
    "derived tuple": (
        'SQLALCHEMY_VERSION = tuple(int(p) for p in sa.__version__.split(".")[:2])\n'
        "if SQLALCHEMY_VERSION >= (2, 0):"
    ),
    "derived flag": (
        "SA_VERSION = parse(sa.__version__)\n"
        'IS_SQLA2 = SA_VERSION >= Version("2.0")\n'
        "if not IS_SQLA2:"
    ),
    "packaging inline": (
        "from packaging.version import Version, parse\n"
        'if parse(sqlalchemy.__version__) < Version("2.0"):'
    ),
    "imported compat name": (
        "from app.compat import SQLALCHEMY_VERSION\nif SQLALCHEMY_VERSION < (2, 0):"
    ),
    "dunder imported": "from sqlalchemy import __version__ as sa_release\nif sa_release < '2':",
    "importlib.metadata": (
        'from importlib.metadata import version\nif version("SQLAlchemy").startswith("1."):'
    ),
    "elif": "if DEBUG:\n    pass\nelif sa.__version__ >= '2':",
}


@pytest.mark.parametrize("guard", GUARDS.values(), ids=GUARDS.keys())
@pytest.mark.parametrize("branch", ["if", "else"])
@pytest.mark.claim("readme-target-and-guards")
def test_no_fix_in_either_branch_of_a_version_test(guard: str, branch: str) -> None:
    body = OLD_FACTORY if branch == "if" else "None"
    other = "None" if branch == "if" else OLD_FACTORY
    code = f"{PRELUDE}{guard}\n    Factory = {body}\nelse:\n    Factory = {other}\n"
    findings = _findings(SessionmakerAsyncClass, code, dedent=False)
    assert len(findings) == 1
    assert findings[0].fix is None
    assert findings[0].message.endswith(GUARD_MESSAGE)


@pytest.mark.parametrize("branch", ["try", "except"])
@pytest.mark.claim("readme-target-and-guards")
def test_no_fix_in_either_branch_of_an_import_guard(branch: str) -> None:
    code = f"""\
        from sqlalchemy.orm import sessionmaker

        try:
            from sqlalchemy.ext.asyncio import AsyncSession
            Factory = {OLD_FACTORY if branch == "try" else "None"}
        except (ModuleNotFoundError, ImportError):
            from sqlalchemy.ext.asyncio import AsyncSession
            Factory = {OLD_FACTORY if branch == "except" else "None"}
        """
    [finding] = _findings(SessionmakerAsyncClass, code)
    assert finding.fix is None
    assert finding.message.endswith(GUARD_MESSAGE)


def test_a_fix_never_imports_a_name_only_a_guard_imports() -> None:
    # The reported case: `async_sessionmaker` came in under the guard; the fix would
    # have added a module-level import of it, which fails on 1.4.
    code = PRELUDE + textwrap.dedent(f"""\
        SQLALCHEMY_VERSION = tuple(int(p) for p in sa.__version__.split(".")[:2])
        if SQLALCHEMY_VERSION >= (2, 0):
            from sqlalchemy.ext.asyncio import async_sessionmaker

        Factory = {OLD_FACTORY}
        """)
    [finding] = _findings(SessionmakerAsyncClass, code)
    assert finding.fix is None
    assert finding.message.endswith(
        "(no automatic fix: `async_sessionmaker` is bound under a SQLAlchemy version guard)"
    )


def test_a_fix_never_drops_a_name_a_try_guard_provides() -> None:
    code = """\
        try:
            from sqlalchemy.orm import declarative_base
        except ImportError:
            from sqlalchemy.ext.declarative import declarative_base

        Base = declarative_base()
        """
    findings = _findings(LegacyDeclarativeBase, code)
    # The call outside the guard; the except branch's import is the fallback for
    # releases without `sqlalchemy.orm.declarative_base` (not reported: the `try`
    # body already imports it from there).
    assert [(f.start.line, f.fix) for f in findings] == [(6, None)]
    # The old base only exists under the guard: the module also runs where the
    # 2.0 spelling does not.
    assert findings[0].message.endswith(
        "(no automatic fix: `declarative_base` is bound under a SQLAlchemy version guard)"
    )


LOOKALIKES = {
    "python version": "import sys\nPY_VERSION = sys.version_info[:2]\nif PY_VERSION >= (3, 8):",
    "other package": "import pydantic\nif pydantic.VERSION.startswith('2'):",
    "config flag": "SQLALCHEMY_ECHO = True\nif SQLALCHEMY_ECHO:",
}


@pytest.mark.parametrize("guard", LOOKALIKES.values(), ids=LOOKALIKES.keys())
def test_tests_of_other_versions_are_no_guard(guard: str) -> None:
    code = f"{PRELUDE}{guard}\n    Factory = {OLD_FACTORY}\nelse:\n    Factory = {OLD_FACTORY}\n"
    findings = _findings(SessionmakerAsyncClass, code, dedent=False)
    assert len(findings) == 2
    assert all(finding.fix is not None for finding in findings)


def test_a_try_without_a_sqlalchemy_import_is_no_guard() -> None:
    code = PRELUDE + textwrap.dedent(f"""\
        try:
            import ujson as json
            Factory = {OLD_FACTORY}
        except ImportError:
            import json
        """)
    [finding] = _findings(SessionmakerAsyncClass, code)
    assert finding.fix is not None


def test_a_try_catching_other_errors_is_no_guard() -> None:
    code = PRELUDE + textwrap.dedent(f"""\
        try:
            from sqlalchemy.ext.asyncio import async_scoped_session
            Factory = {OLD_FACTORY}
        except ValueError:
            pass
        """)
    [finding] = _findings(SessionmakerAsyncClass, code)
    assert finding.fix is not None


def test_code_after_a_guard_is_fixed() -> None:
    code = PRELUDE + textwrap.dedent(f"""\
        if sa.__version__ < "2":
            LEGACY = True
        Factory = {OLD_FACTORY}
        """)
    [finding] = _findings(SessionmakerAsyncClass, code)
    assert finding.fix is not None


# -- the target release -------------------------------------------------------------


def _first_fixed_example(rule: type[Rule]) -> str:
    return next(e.code for e in rule.examples if isinstance(e, Bad) and e.fixed is not None)


ALC105_IMPORT = "from sqlalchemy.ext.declarative import declared_attr\n"
ALC110_AUTOCOMMIT = (
    "from sqlalchemy.orm import sessionmaker\n\nF = sessionmaker(autocommit=False)\n"
)

# (rule, code, the newest target without the fix, the oldest target with it, the API)
TARGETS = [
    (LegacyColumn, _first_fixed_example(LegacyColumn), "1.4.54", "2.0", "`mapped_column()`"),
    (
        LegacyDeclarativeBase,
        _first_fixed_example(LegacyDeclarativeBase),
        "1.4",
        "2.0",
        "`DeclarativeBase`",
    ),
    (LegacyDeclarativeBase, ALC105_IMPORT, "1.3", "1.4", "the declarative names"),
    (
        LegacySessionFlags,
        _first_fixed_example(LegacySessionFlags),
        "1.4",
        "2.0",
        "2.0 transactions without `future=True`",
    ),
    (
        SessionmakerAsyncClass,
        _first_fixed_example(SessionmakerAsyncClass),
        "1.4",
        "2.0",
        "`async_sessionmaker`",
    ),
    (LegacyQueryApi, _first_fixed_example(LegacyQueryApi), "1.4", "1.4.24", "`Session.scalars()`"),
    (LegacyQueryGet, _first_fixed_example(LegacyQueryGet), "1.3", "1.4", "`Session.get()`"),
    (ListSelect, _first_fixed_example(ListSelect), "1.3", "1.4", "positional arguments"),
]


@pytest.mark.parametrize(
    ("rule", "code", "too_old", "new_enough", "api"),
    TARGETS,
    ids=[f"{row[0].code}-{row[4]}" for row in TARGETS],
)
def test_a_fix_waits_for_a_target_that_has_its_api(
    rule: type[Rule], code: str, too_old: str, new_enough: str, api: str
) -> None:
    unknown = _findings(rule, code)
    assert unknown and all(finding.fix is not None for finding in unknown)
    newer = _findings(rule, code, _target(new_enough))
    assert [finding.fix is not None for finding in newer] == [True] * len(unknown)
    older = _findings(rule, code, _target(too_old))
    assert [finding.code for finding in older] == [finding.code for finding in unknown]
    for finding in older:
        assert finding.fix is None
        assert api in finding.message
        assert f"and the project targets SQLAlchemy {too_old} (target-sqlalchemy)" in (
            finding.message
        )


def test_fixes_every_release_has_are_offered_on_any_target() -> None:
    [finding] = _findings(LegacySessionFlags, ALC110_AUTOCOMMIT, _target("1.3"))
    assert finding.fix is not None


def test_the_message_names_the_declared_dependency() -> None:
    target = Target(
        release=parse_release("1.4") or pytest.fail(), label="SQLAlchemy>=1.4,<3 (pyproject.toml)"
    )
    [finding] = _findings(
        SessionmakerAsyncClass, _first_fixed_example(SessionmakerAsyncClass), target
    )
    assert finding.message.endswith(
        "(no automatic fix: the fix needs SQLAlchemy 2.0 for `async_sessionmaker`,"
        " and the project targets SQLAlchemy>=1.4,<3 (pyproject.toml))"
    )
