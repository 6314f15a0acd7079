"""A fix never writes a SQLAlchemy name where something else binds it (issue 10).

Each case is written with the placeholder `NAME`. Spelled with the SQLAlchemy name
(`select`, `func`, `text`, `mapped_column`, `Mapped`) the binding shadows it at the
fix's position: no fix, and the message says why, or another spelling that is provably
SQLAlchemy's. Spelled `other`, nothing is shadowed and the fix happens: the Good case.
"""

from __future__ import annotations

import libcst as cst
import pytest

from sqla_checks.contract.rule import Rule
from sqla_checks.engine.registry import all_rules
from sqla_checks.evidence.bindings import Bindings
from sqla_checks.rules.alc101_legacy_query import LegacyQueryApi as LegacyQuery
from sqla_checks.rules.alc104_legacy_column import LegacyColumn
from sqla_checks.rules.alc109_plain_sql_string import PlainSqlString
from tests.rules.lint import fixed_code, lint

MODELS = """\
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
"""

# Where the fix writes the name, for the names a function body gets.
CALLS = {
    "select": (LegacyQuery, "session.query(User).all()", "select(User)"),
    "func": (LegacyQuery, "session.query(User).count()", "func.count()"),
    "text": (PlainSqlString, 'session.execute("SELECT 1")', 'text("SELECT 1")'),
}

# (id, template): `CALL` is the expression the rule fixes.
IN_FUNCTIONS = [
    ("parameter", "def pick(session: Session, NAME=None):\n    return CALL\n"),
    ("local", "def pick(session: Session):\n    NAME = None\n    return CALL\n"),
    (
        "local-after-use",
        "def pick(session: Session):\n    result = CALL\n    NAME = None\n    return result\n",
    ),
    ("global", "NAME = None\n\n\ndef pick(session: Session):\n    return CALL\n"),
    (
        "def-at-module-level",
        "def NAME():\n    pass\n\n\ndef pick(session: Session):\n    return CALL\n",
    ),
    (
        "global-statement",
        "def setup():\n    global NAME\n    NAME = None\n\n\n"
        "def pick(session: Session):\n    return CALL\n",
    ),
    (
        "nonlocal",
        "def outer(session: Session):\n    NAME = None\n\n    def pick():\n"
        "        nonlocal NAME\n        NAME = 1\n        return CALL\n\n    return pick()\n",
    ),
    ("enclosing-function", "def outer(session: Session, NAME=None):\n    return lambda: CALL\n"),
    (
        "comprehension-variable",
        "def pick(session: Session):\n    return [CALL for NAME in range(1)]\n",
    ),
    (
        "class-attribute",
        "session = Session()\n\n\nclass Repository:\n    NAME = None\n    rows = CALL\n",
    ),
    (
        "star-import",
        "from helpers import *\nNAME = None\n\n\ndef pick(session: Session):\n    return CALL\n",
    ),
    (
        "import-of-another-object",
        "from helpers import NAME\n\n\ndef pick(session: Session):\n    return CALL\n",
    ),
]


def _source(template: str, name: str, call: str) -> str:
    return MODELS + "\n\n" + template.replace("CALL", call).replace("NAME", name)


def _only_finding(rule: type[Rule], source: str) -> tuple[bool, str]:
    findings = lint(rule, source, dedent=False).findings
    assert len(findings) == 1, findings
    return findings[0].fix is not None, findings[0].message


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize(("case", "template"), IN_FUNCTIONS, ids=[c for c, _ in IN_FUNCTIONS])
def test_a_shadowed_name_gets_no_fix_and_the_message_says_why(
    name: str, case: str, template: str
) -> None:
    rule, call, written = CALLS[name]
    if case == "star-import":
        template = template.replace("NAME = None\n", "")
    shadowed = _source(template, name, call)
    fixable, message = _only_finding(rule, shadowed)
    assert not fixable, shadowed
    # (`session.query(User).count()` also writes `select`, which a star import may bind.)
    reason = "no automatic fix: `" + ("" if case == "star-import" else name)
    assert reason in message, message
    assert fixed_code(rule, shadowed, unsafe=True, dedent=False) is None

    # Good: the same code binding another name is fixed, and writes the bare name.
    free = _source(template, "other", call)
    if case == "star-import":
        free = free.replace("from helpers import *\n", "")
    fixable, _ = _only_finding(rule, free)
    assert fixable, free
    fixed = fixed_code(rule, free, unsafe=True, dedent=False)
    assert fixed is not None and written in fixed


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize(
    ("imports", "spelled"),
    [
        ("import sqlalchemy as sa", "sa.NAME"),
        ("import sqlalchemy", "sqlalchemy.NAME"),
        ("from sqlalchemy import NAME as sa_NAME", "sa_NAME"),
    ],
    ids=["module-alias", "module", "aliased-import"],
)
def test_a_shadowed_name_is_spelled_through_an_import_that_is_provably_sqlalchemys(
    name: str, imports: str, spelled: str
) -> None:
    rule, call, written = CALLS[name]
    template = "def pick(session: Session, NAME=None):\n    return CALL\n"
    source = imports.replace("NAME", name) + "\n" + _source(template, name, call)
    fixed = fixed_code(rule, source, unsafe=True, dedent=False)
    assert fixed is not None
    expected = written.replace(name, spelled.replace("NAME", name), 1)
    assert expected in fixed, fixed


def test_an_alias_that_is_itself_shadowed_is_not_used() -> None:
    source = "import sqlalchemy as sa\n" + _source(
        "def pick(session: Session, select=None, sa=None):\n    return CALL\n",
        "select",
        "session.query(User).all()",
    )
    fixable, message = _only_finding(LegacyQuery, source)
    assert not fixable
    assert "`select` here is a parameter in `pick`" in message


def test_the_issue_example_is_not_rewritten_to_call_the_parameter() -> None:
    source = (
        MODELS + "\n\ndef pick(session: Session, select):\n    return session.query(User).all()\n"
    )
    assert fixed_code(LegacyQuery, source, unsafe=True, dedent=False) is None


def test_a_class_attribute_does_not_shadow_inside_a_method() -> None:
    # Python does not look names up in the class body from a method: the fix happens.
    source = _source(
        "class Repository:\n    select = None\n\n"
        "    def pick(self, session: Session):\n        return CALL\n",
        "select",
        "session.query(User).all()",
    )
    fixed = fixed_code(LegacyQuery, source, dedent=False)
    assert fixed is not None and "session.scalars(select(User))" in fixed


# -- the class-body names of ALC104: mapped_column and Mapped ----------------------

COLUMN_MODEL = """\
from sqlalchemy import Column, Integer
from sqlalchemy.orm import DeclarativeBase, Mapped
{before}

class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "user_account"
{in_class}    id: Mapped[int] = Column(Integer, primary_key=True)
"""

IN_CLASSES = [
    ("class-attribute", "", "    NAME = None\n"),
    ("global", "NAME = None\n", ""),
    ("def-at-module-level", "\ndef NAME(*args, **kwargs):\n    pass\n", ""),
    ("class-at-module-level", "\nclass NAME:\n    pass\n", ""),
    ("global-statement", "\ndef setup():\n    global NAME\n    NAME = None\n", ""),
    ("import-of-another-object", "from helpers import NAME\n", ""),
]


@pytest.mark.parametrize(
    ("case", "before", "in_class"), IN_CLASSES, ids=[c for c, *_ in IN_CLASSES]
)
def test_mapped_column_shadowed_in_the_model_gets_no_fix(
    case: str, before: str, in_class: str
) -> None:
    shadowed = COLUMN_MODEL.format(
        before=before.replace("NAME", "mapped_column"),
        in_class=in_class.replace("NAME", "mapped_column"),
    )
    fixable, message = _only_finding(LegacyColumn, shadowed)
    assert not fixable, shadowed
    assert "no automatic fix: `mapped_column` here is" in message

    free = COLUMN_MODEL.format(
        before=before.replace("NAME", "other"), in_class=in_class.replace("NAME", "other")
    )
    fixed = fixed_code(LegacyColumn, free, unsafe=True, dedent=False)
    assert fixed is not None and "from sqlalchemy.orm import mapped_column" in fixed
    assert "id: Mapped[int] = mapped_column(Integer, primary_key=True)" in fixed


def test_mapped_column_under_a_star_import_gets_no_fix() -> None:
    shadowed = COLUMN_MODEL.format(before="from helpers import *\n", in_class="")
    fixable, message = _only_finding(LegacyColumn, shadowed)
    assert not fixable
    assert "`mapped_column` may come from `from helpers import *`" in message


def test_mapped_column_shadowed_is_spelled_through_the_orm_module() -> None:
    source = COLUMN_MODEL.format(
        before="from sqlalchemy import orm\n", in_class="    mapped_column = None\n"
    )
    fixed = fixed_code(LegacyColumn, source, unsafe=True, dedent=False)
    assert fixed is not None
    assert "id: Mapped[int] = orm.mapped_column(Integer, primary_key=True)" in fixed


@pytest.mark.parametrize(
    ("case", "before", "in_class"),
    [
        ("class-attribute", "", "    Mapped = dict\n"),
        ("global", "Mapped = dict\n", ""),
        ("def-at-module-level", "\ndef Mapped():\n    pass\n", ""),
    ],
    ids=["class-attribute", "global", "def-at-module-level"],
)
def test_a_mapped_annotation_that_is_not_sqlalchemys_gets_no_fix(
    case: str, before: str, in_class: str
) -> None:
    shadowed = COLUMN_MODEL.format(before=before, in_class=in_class)
    findings = lint(LegacyColumn, shadowed, dedent=False).findings
    assert [f.fix for f in findings] == [None]

    free = COLUMN_MODEL.format(
        before=before.replace("Mapped", "Other"), in_class=in_class.replace("Mapped", "Other")
    )
    fixed = fixed_code(LegacyColumn, free, dedent=False)
    assert fixed is not None and "= mapped_column(Integer, primary_key=True)" in fixed


# The user's own `mapped_column`, defined in the module after the import.
WRAPPER = """\
from sqlalchemy import Column, Integer
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def mapped_column(*args, **kwargs):
    return Column(*args, **kwargs)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = Column(Integer, primary_key=True)
    name = mapped_column(Integer)
"""


def test_a_module_level_def_mapped_column_is_not_sqlalchemys() -> None:
    source = WRAPPER
    findings = lint(LegacyColumn, source, dedent=False).findings
    # The Column is still flagged, but no fix writes the user's `mapped_column`.
    assert [(f.start.line, f.fix) for f in findings] == [(15, None)]
    assert fixed_code(LegacyColumn, source, unsafe=True, dedent=False) is None


def test_only_files_with_a_fix_that_writes_a_name_build_the_scopes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[object] = []
    original = Bindings.__init__

    def counting(self: Bindings, module: cst.Module) -> None:
        built.append(module)
        original(self, module)

    monkeypatch.setattr(Bindings, "__init__", counting)
    rules = all_rules()
    lint(rules, MODELS + "\n\ndef pick(session: Session):\n    return session.get(User, 1)\n")
    assert built == []
    # The text alone proves that nothing binds or reads `select`: no scopes either.
    lint(rules, MODELS + "\n\ndef pick(session: Session):\n    return session.query(User).all()\n")
    assert built == []
    shadowed = "\n\ndef pick(session: Session, select):\n    return session.query(User).all()\n"
    lint(rules, MODELS + shadowed)
    assert len(built) == 1
