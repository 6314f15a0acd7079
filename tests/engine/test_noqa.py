"""How `# noqa` comments are read: ruff's grammar, comments only, per-line targets."""

from __future__ import annotations

import pytest

from sqla_checks.engine.add_noqa import add_noqa
from sqla_checks.engine.noqa import FileNoqa, read_noqa
from sqla_checks.engine.registry import all_rules
from sqla_checks.engine.runner import RunOptions, check_source

KNOWN = {rule.code for rule in all_rules()}


def _read(line: str) -> FileNoqa:
    return read_noqa(f"x = 1  {line}\n", KNOWN)


@pytest.mark.parametrize(
    ("comment", "codes"),
    [
        ("# noqa", None),
        ("# NOQA", None),
        ("#noqa", None),
        ("# noqa because the driver is chosen at runtime", None),
        ("# noqa: ALC101", ("ALC101",)),
        ("# noqa:ALC101,ALC104", ("ALC101", "ALC104")),
        ("# noqa: ALC101 ALC104", ("ALC101", "ALC104")),
        ("# noqa: ALC101,  ALC104  E501", ("ALC101", "ALC104", "E501")),
        ("# NoQA: ALC101", ("ALC101",)),
        ("# noqa : ALC101", ("ALC101",)),
        ("# noqa: ALC101 the pool is configured elsewhere", ("ALC101",)),
        ("# noqa: ALC101  # a second comment", ("ALC101",)),
        ("# type: ignore[attr-defined]  # noqa: ALC101", ("ALC101",)),
    ],
)
def test_well_formed_directives(comment: str, codes: tuple[str, ...] | None) -> None:
    found = _read(comment)
    assert found.warnings == []
    directive = found.directives[1]
    assert (None if directive.codes is None else tuple(c.code for c in directive.codes)) == codes


@pytest.mark.parametrize(
    ("comment", "problem"),
    [
        ("# noqa: legacy-query-get", "expected a list of rule codes"),
        ("# noqa:", "expected a list of rule codes"),
        ("# noqa: alc101", "expected a list of rule codes"),
        ("# noqa:  # reason", "expected a list of rule codes"),
        ("#noqaALC101", "expected `:`"),
        ("# noqa; ALC101", "expected `:`"),
        ("# noqa: ALC101x", "uppercase letters then digits"),
    ],
)
def test_malformed_directives_warn_and_are_not_directives(comment: str, problem: str) -> None:
    found = _read(comment)
    assert found.directives == {}
    assert found.malformed == {1}
    [(line, message)] = found.warnings
    assert line == 1
    assert "suppresses nothing" in message and problem in message


def test_joined_or_missing_codes_warn_but_count() -> None:
    found = _read("# noqa: ALC101ALC104,,ALC204")
    assert [c.code for c in found.directives[1].codes or ()] == ["ALC101", "ALC104", "ALC204"]
    assert [message for _, message in found.warnings] == [
        "expected a comma or a space between codes",
        "expected a rule code between commas",
    ]


def test_unknown_own_code_warns_other_tools_codes_do_not() -> None:
    found = _read("# noqa: ALC999, F401, B018")
    assert found.warnings == [(1, "unknown rule code ALC999 in `# noqa`")]


def test_noqa_inside_a_string_is_not_a_comment() -> None:
    found = read_noqa('a = "# noqa"\nb = """\n# noqa: ALC101\n"""\n', KNOWN)
    assert found.directives == {}
    assert found.warnings == []


def test_file_exemption_all_and_codes() -> None:
    found = read_noqa("# sqla-checks: noqa\nx = 1\n", KNOWN)
    assert found.exempt_all and found.directives == {}
    found = read_noqa("#sqla-checks:noqa: ALC101, ALC204\nx = 1\n", KNOWN)
    assert not found.exempt_all and found.exempt_codes == {"ALC101", "ALC204"}


def test_file_exemption_after_code_is_ignored_with_a_warning() -> None:
    found = read_noqa("x = 1  # sqla-checks: noqa\n", KNOWN)
    assert not found.exempt_all
    assert found.warnings == [(1, "`# sqla-checks: noqa` must be on a line of its own; ignored")]


def test_malformed_file_exemption_warns() -> None:
    found = read_noqa("# sqla-checks: noqa: legacy-query-api\n", KNOWN)
    assert not found.exempt_all and not found.exempt_codes
    assert "malformed `# sqla-checks: noqa` directive" in found.warnings[0][1]


def test_findings_in_multiline_strings_and_continuations_belong_on_the_last_line() -> None:
    text = 'a = f(\n    """x\n    y""", 1)\nb = 1 + \\\n    2\nc = 3\n'
    found = read_noqa(text, KNOWN, spans=True)
    assert [found.noqa_line(line) for line in range(1, 7)] == [1, 3, 3, 5, 5, 6]


ENGINE = (
    "from sqlalchemy.ext.asyncio import create_async_engine\n"
    'engine = create_async_engine("postgresql://app@db/app"{rest}\n'
)


def _alc204(text: str) -> list[int]:
    rule = [r for r in all_rules() if r.code == "ALC204"]
    return [f.start.line for f in check_source("app.py", text.encode(), rule).findings]


def test_a_directive_on_the_last_line_of_a_multiline_call_does_not_count() -> None:
    # As in ruff: the finding starts on line 2, so only line 2's comment silences it.
    assert _alc204(ENGINE.format(rest=",\n    echo=True,\n)  # noqa: ALC204")) == [2]
    assert _alc204(ENGINE.format(rest=",  # noqa: ALC204\n    echo=True,\n)")) == []


def test_add_noqa_puts_the_comment_after_a_multiline_string() -> None:
    text = (
        "from sqlalchemy.ext.asyncio import create_async_engine\n"
        'engine = create_async_engine("""postgresql://app@db/app\n'
        '""")  # the URL\n'
    )
    rule = [r for r in all_rules() if r.code == "ALC204"]
    findings = check_source("app.py", text.encode(), rule).findings
    outcome = add_noqa(text, findings, KNOWN)
    assert outcome.added == 1
    assert outcome.text.splitlines()[2] == '""")  # the URL  # noqa: ALC204'
    assert check_source("app.py", outcome.text.encode(), rule).findings == []


def test_each_fix_round_reads_the_directives_of_its_own_text() -> None:
    # Round one fixes `first` and adds an import line above everything; round two
    # fixes the nested chain in `second`'s argument. The suppressed chain in `third`
    # is one line lower by then: directives read from the original text would no longer
    # cover it, and round two would rewrite code the comment keeps.
    source = (
        "from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column\n"
        "\n"
        "\n"
        "class Base(DeclarativeBase):\n"
        "    pass\n"
        "\n"
        "\n"
        "class User(Base):\n"
        '    __tablename__ = "users"\n'
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        "\n"
        "\n"
        "def first(s: Session) -> list[User]:\n"
        "    return s.query(User).all()\n"
        "\n"
        "\n"
        "def second(s: Session) -> list[User]:\n"
        "    return s.query(User).filter(User.id.in_(s.query(User.id).all())).all()\n"
        "\n"
        "\n"
        "def third(s: Session) -> list[User]:\n"
        "    return s.query(User).all()  # noqa: ALC101\n"
    )
    rules = [rule for rule in all_rules() if rule.code == "ALC101"]
    result = check_source("m.py", source.encode(), rules, RunOptions(fix=True))
    assert result.fixed_source is not None
    fixed = result.fixed_source.decode()
    assert "    return s.query(User).all()  # noqa: ALC101\n" in fixed
    assert fixed.count("s.query(") == 1
    assert result.findings == []


def test_directives_of_other_tools_and_file_codes_silence_what_they_name() -> None:
    """Without a directive that names a reported code (or a blanket one), findings are
    kept or dropped without their lines; with one, by line. Both ways agree."""
    line = 'engine = create_async_engine("postgresql://app@db/app"){comment}\n'
    head = "from sqlalchemy.ext.asyncio import create_async_engine\n"
    rules = [r for r in all_rules() if r.code in ("ALC204", "ALC001")]

    def codes(text: str) -> list[tuple[str, int]]:
        findings = check_source("app.py", text.encode(), rules).findings
        return [(f.code, f.start.line) for f in findings]

    other = line.format(comment="  # noqa: E501")
    assert codes(head + other) == [("ALC204", 2)]
    assert codes("# sqla-checks: noqa: ALC204\n" + head + other) == []
    assert codes(head + line.format(comment="  # noqa") + other) == [("ALC204", 3)]
    assert codes(head + line.format(comment="  # noqa: ALC204") + other) == [("ALC204", 3)]
    unused = head + line.format(comment="") + "x = 1  # noqa: ALC204, E501\n"
    assert codes(unused) == [("ALC204", 2), ("ALC001", 3)]
