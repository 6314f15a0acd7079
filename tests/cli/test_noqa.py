"""`# noqa` on the command line: mistyped directives warn and silence nothing, ALC001
reports unused ones, `--add-noqa` adopts the tool, `# sqla-checks: noqa` exempts a file."""

from __future__ import annotations

import pytest

from tests.cli.conftest import ASYNC_IMPORT, SYNC_URL, Project

ENGINE = 'engine = create_async_engine("postgresql+psycopg2://app@db/blog")'


def _with_comment(comment: str) -> str:
    return f"{ASYNC_IMPORT}\n{ENGINE}  {comment}\n"


@pytest.mark.claim("readme-noqa-mistyped-warns")
@pytest.mark.parametrize(
    "comment",
    [
        "# noqa: async-engine-sync-driver",  # a rule name, not a code
        "# noqa: legacy-query-get",
        "# noqa : ALC999",  # a well-formed code no rule has
        "# noqa:",
        "# noqa: alc204",  # codes are uppercase, as in ruff
        "#noqaALC204",
        "# noqa: ALC204x",
    ],
)
def test_mistyped_noqa_silences_nothing_and_warns(project: Project, comment: str) -> None:
    project.write("app.py", _with_comment(comment))
    outcome = project.run("--no-cache")
    assert outcome.code == 1
    assert "app.py:3:30: ALC204" in outcome.out
    [warning] = [line for line in outcome.err.splitlines() if "warning" in line]
    assert warning.startswith("app.py:3: warning: ")
    assert "suppresses nothing" in warning or "unknown rule code ALC999" in warning


def test_noqa_in_a_string_silences_nothing(project: Project) -> None:
    project.write("app.py", f'{ASYNC_IMPORT}\nnote = "# noqa"; {ENGINE}\n')
    assert project.run("--no-cache").code == 1


def test_warnings_repeat_on_a_cached_run(project: Project) -> None:
    project.write("app.py", _with_comment("# noqa: legacy-query-get"))
    first, second = project.run(), project.run()
    assert "app.py:3: warning:" in first.err
    assert "app.py:3: warning:" in second.err


def test_unused_noqa_is_off_by_default(project: Project) -> None:
    project.write("app.py", f"{ASYNC_IMPORT}\nretries = 3  # noqa: ALC204\n")
    assert project.run().code == 0
    outcome = project.run("--extend-select", "ALC001")
    assert outcome.code == 1
    assert "app.py:3:14: ALC001 [*] Unused `noqa` directive (unused: `ALC204`)" in outcome.out


def test_used_noqa_and_unselected_codes_are_not_reported(project: Project) -> None:
    # ALC204 silences the finding; ALC101 did not run, so it is not judged.
    project.write("app.py", _with_comment("# noqa: ALC204, ALC101, E501"))
    assert project.run("--extend-select", "ALC001").code == 0


@pytest.mark.claim("readme-unused-noqa")
def test_unused_noqa_fix_keeps_other_codes_and_comments(project: Project) -> None:
    path = project.write(
        "app.py",
        f"{ASYNC_IMPORT}\nretries = 3  # noqa: ALC204, E501  # tuned\nsize = 5  # noqa: ALC204\n",
    )
    assert project.run("--extend-select", "ALC001", "--fix").code == 0
    assert path.read_text() == f"{ASYNC_IMPORT}\nretries = 3  # noqa: E501  # tuned\nsize = 5\n"


@pytest.mark.claim("readme-add-noqa")
def test_add_noqa_adds_merges_and_counts(project: Project) -> None:
    path = project.write(
        "app.py",
        f"{ASYNC_IMPORT}\n{ENGINE}\n{ENGINE}  # driver chosen later\n{ENGINE}  # noqa: E501\n",
    )
    outcome = project.run("--add-noqa")
    assert outcome.code == 0
    assert "Added 3 noqa directives." in outcome.err
    assert path.read_text().splitlines()[2:] == [
        f"{ENGINE}  # noqa: ALC204",
        f"{ENGINE}  # driver chosen later  # noqa: ALC204",
        f"{ENGINE}  # noqa: ALC204, E501",
    ]
    assert project.run().code == 0
    # As in ruff, a run that adds nothing says nothing.
    again = project.run("--add-noqa")
    assert (again.code, again.err) == (0, "")


def test_add_noqa_leaves_malformed_directives_to_the_user(project: Project) -> None:
    path = project.write("app.py", _with_comment("# noqa: legacy-query-get"))
    before = path.read_bytes()
    outcome = project.run("--add-noqa")
    assert outcome.code == 0
    assert "app.py:3: warning: not adding `# noqa`" in outcome.err
    assert path.read_bytes() == before


def test_add_noqa_keeps_crlf_line_endings(project: Project) -> None:
    path = project.write("app.py", SYNC_URL.replace("\n", "\r\n").encode())
    assert project.run("--add-noqa").code == 0
    assert path.read_bytes().splitlines()[2].endswith(b"  # noqa: ALC204")
    assert path.read_bytes().count(b"\r\n") == 3


def test_add_noqa_ignores_fix_with_a_warning(project: Project) -> None:
    path = project.write("app.py", SYNC_URL)
    outcome = project.run("--add-noqa", "--fix")
    assert outcome.code == 0
    assert "warning: --fix and --diff are ignored with --add-noqa" in outcome.err
    assert path.read_text() == SYNC_URL.replace('blog")\n', 'blog")  # noqa: ALC204\n')


@pytest.mark.claim("readme-file-noqa")
@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("# sqla-checks: noqa\n", 0),
        ("# sqla-checks: noqa: ALC204\n", 0),
        ("#sqla-checks:NOQA:ALC101,ALC204\n", 0),
        ("# sqla-checks: noqa: ALC101\n", 1),
        ("# ruff: noqa\n", 1),  # another tool's exemption
    ],
)
def test_file_level_exemption(project: Project, header: str, code: int) -> None:
    project.write("app.py", header + SYNC_URL)
    assert project.run().code == code


@pytest.mark.parametrize(
    "comment",
    ["x = 1  # sqla-checks: noqa", "# sqla-checks: noqa: async-engine-sync-driver"],
)
def test_misplaced_or_malformed_file_exemption_warns(project: Project, comment: str) -> None:
    project.write("app.py", SYNC_URL + comment + "\n")
    outcome = project.run()
    assert outcome.code == 1
    assert "app.py:4: warning: " in outcome.err
