"""ALC001: a `# noqa` code that silences nothing (ruff's RUF100 for sqla-checks)."""

from __future__ import annotations

from typing import ClassVar

from sqla_checks.contract.rule import Bad, Good, Rule


class UnusedNoqa(Rule):
    """Flags `# noqa` codes that silence no finding on their line, and unknown `ALC` codes."""

    # The check itself runs after every other rule, in engine/unused_noqa.py: it
    # needs their findings. This class holds its documentation and examples.

    code = "ALC001"
    name = "unused-noqa"
    message = "Unused `noqa` directive"
    why = """
A `# noqa: ALC204` that no longer silences anything is a trap: the code it once
excused is gone, and the next real ALC204 finding on that line will be hidden
without anyone deciding so. An `ALC` code that names no rule (a typo, or a
made-up code such as `ALC999`) never silenced anything. Like ruff's RUF100, this rule
lists both so they can be removed.

A code is reported only when its rule was selected for the file (with
`--select ALC001,ALC204`, a `# noqa: ALC101` is left alone, since ALC101 did
not run). A blanket `# noqa` and the codes of other tools (`# noqa: F401`) are
never reported: sqla-checks cannot tell what they silence for ruff or flake8.
A line that lists `ALC001` in its own directive is not checked.

Off by default, as RUF100 is in ruff: turn it on with `--extend-select ALC001`
or `extend-select = ["ALC001"]` (`select = ["ALL"]` does not include it).
"""
    example = """from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine("postgresql+asyncpg://app@db/app")  # noqa: ALC999"""
    use_instead = """from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine("postgresql+asyncpg://app@db/app")"""
    fix_safety = """
Safe: a comment changes no behaviour. The fix removes the unused codes and keeps
the others (`# noqa: ALC204, E501` becomes `# noqa: E501`); when no code is left it
removes the directive, keeping any other comment on the line.
"""
    blind_spots = """
File-level exemptions (`# sqla-checks: noqa: ALC101`) are not checked, and
duplicated codes in one directive are not reported.
"""
    references = (
        "https://docs.astral.sh/ruff/rules/unused-noqa/",
        "https://docs.astral.sh/ruff/linter/#error-suppression",
    )
    triggers = ("noqa",)
    default_enabled: ClassVar[bool] = False
    examples = (
        Bad(
            """
            retries = 3  # noqa: ALC999
            """,
            line=1,
            column=14,
            fixed="""
            retries = 3
            """,
        ),
        Bad(
            """
            retries = 3  # noqa: ALC999, E501  # tuned for the pool
            """,
            line=1,
            column=14,
            fixed="""
            retries = 3  # noqa: E501  # tuned for the pool
            """,
            note="other tools' codes and other comments stay",
        ),
        Bad(
            """
            retries = 3  # type: ignore  # NOQA: ALC999
            """,
            line=1,
            column=14,
            fixed="""
            retries = 3  # type: ignore
            """,
        ),
        Good("retries = 3  # noqa: E501", note="another tool's code"),
        Good("retries = 3  # noqa", note="a blanket noqa may serve another tool"),
        Good('marker = "# noqa: ALC999"', note="text in a string is not a comment"),
        Good("retries = 3  # noqa: ALC001, ALC999", note="the line opts out of ALC001"),
    )

    @classmethod
    def applies_to_text(cls, text: str) -> bool:
        """Any spelling of `noqa` (`# NOQA` too) may hold a directive; only one naming
        an `ALC` code can be reported, and only our own directives (any spelling of
        `alc`, or the `sqla-checks` file marker) get a warning when malformed."""
        lowered = text.lower()
        return "noqa" in lowered and ("alc" in lowered or "sqla-checks" in lowered)
