"""The rule contract: one class per rule, holding its docs, examples and fix.

A rule is a libcst batchable visitor. The runner instantiates the selected rules for
one file, visits the tree once for all of them, and collects what they report. The
same class attributes feed `--explain`, `references/rules.md` and the rule's tests
(its `examples`), so a rule is written down exactly once.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

import libcst as cst

from sqla_checks.contract.batched_visitor import BatchedVisitor

if TYPE_CHECKING:
    from sqla_checks.evidence.context import FileContext
    from sqla_checks.evidence.sqlalchemy_api import Feature

Applicability = Literal["safe", "unsafe"]


@dataclass(frozen=True)
class Import:
    """An import a fix needs: `from module import name` (or `import module`)."""

    module: str
    name: str | None = None


@dataclass(frozen=True)
class NodeEdit:
    """Replace `node` (a node of the checked tree) by `replacement`, or remove it."""

    node: cst.CSTNode
    replacement: cst.CSTNode | cst.RemovalSentinel


@dataclass(frozen=True)
class InsertStatements:
    """Insert `statements` right after the statement `anchor` (before it with `before`).

    An insertion leaves `anchor` itself alone, so edits inside it do not overlap it,
    and several insertions at one anchor land together, in the order of their fixes.
    """

    anchor: cst.BaseStatement
    statements: tuple[cst.BaseStatement, ...]
    before: bool = False


FixEdit = NodeEdit | InsertStatements


@dataclass(frozen=True)
class Fix:
    """A set of edits plus the imports they need; how safe applying them is.

    `Fix(node, replacement)` is the one-edit shorthand for
    `Fix(edits=(NodeEdit(node, replacement),))`. A fix lands whole or not at all: when
    one of its edits overlaps an edit of a fix applied earlier in the same round, the
    whole fix waits for the next round.
    """

    node: cst.CSTNode | None = None
    replacement: cst.CSTNode | cst.RemovalSentinel | None = None
    applicability: Applicability = "safe"
    imports: tuple[Import, ...] = ()
    # Imports the fix made unnecessary; removed only when nothing else uses them.
    unused_imports: tuple[Import, ...] = ()
    description: str = ""
    edits: tuple[FixEdit, ...] = ()

    def __post_init__(self) -> None:
        if self.node is not None:
            if self.replacement is None or self.edits:
                raise ValueError("Fix takes either node and replacement, or edits")
            object.__setattr__(self, "edits", (NodeEdit(self.node, self.replacement),))
        elif not self.edits:
            raise ValueError("Fix needs node and replacement, or edits")


@dataclass(frozen=True)
class Report:
    """What a rule reported on one node, before positions are known."""

    node: cst.CSTNode
    message: str
    fix: Fix | None
    # The top-level statement the visit was in (where to look for the node's position
    # first); None when unknown.
    statement: cst.BaseStatement | None = None


@dataclass(frozen=True)
class Bad:
    """An example the rule must flag: at `line`/`column` (1-based), fixed to `fixed`.

    `fixed` is the whole source after `--fix` (with `--unsafe-fixes` when the fix is
    unsafe); None means the rule offers no fix for this example.
    """

    code: str
    line: int
    column: int
    fixed: str | None = None
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", _dedent(self.code))
        if self.fixed is not None:
            object.__setattr__(self, "fixed", _dedent(self.fixed))


@dataclass(frozen=True)
class Good:
    """An example the rule must not flag (look-alikes included)."""

    code: str
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", _dedent(self.code))


RULES_REFERENCE_URL = (
    "https://github.com/sqla-skillpack/sqla-skillpack/blob/main/references/rules.md"
)


def rule_url(code: str, name: str) -> str:
    """Where the documentation of the rule `code` (`name`) lives in references/rules.md."""
    return f"{RULES_REFERENCE_URL}#{code.lower()}-{name}"


def _dedent(code: str) -> str:
    return textwrap.dedent(code).lstrip("\n")


class Rule(BatchedVisitor):
    """Base class of every rule. Subclasses set the class attributes below.

    The docstring of a subclass is its "What it does" paragraph.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    message: ClassVar[str]
    why: ClassVar[str]
    # Markdown code (no fences) shown as "Example" and "Use instead" in the docs.
    example: ClassVar[str]
    use_instead: ClassVar[str]
    fix_safety: ClassVar[str] = "No automatic fix: the finding says what to change."
    blind_spots: ClassVar[str] = ""
    references: ClassVar[Sequence[str]] = ()
    examples: ClassVar[Sequence[Bad | Good]] = ()
    # Substrings of the source text, one of which must be present for the rule to run
    # at all; the cheap prefilter that keeps unrelated files from being parsed.
    triggers: ClassVar[Sequence[str]] = ()
    # Off unless selected explicitly (policy rules).
    default_enabled: ClassVar[bool] = True

    def __init__(self, context: FileContext) -> None:
        super().__init__()
        self.context = context
        self.reports: list[Report] = []

    @classmethod
    def applies_to_text(cls, text: str) -> bool:
        """The prefilter: can this rule match anything in `text`?"""
        return any(trigger in text for trigger in cls.triggers)

    @classmethod
    def applies_to_path(cls, path: str) -> bool:
        """Whether the rule looks at this file at all (migration rules narrow it)."""
        return True

    def report(
        self,
        node: cst.CSTNode,
        message: str | None = None,
        fix: Fix | None = None,
        needs: Sequence[Feature] = (),
    ) -> None:
        """Record a finding on `node` (positions are computed later, only if needed).

        `needs` are the APIs the fix writes that not every SQLAlchemy release has. The
        context withholds a fix the project's target release or a version guard rules
        out; the finding stays, and its message says why there is no fix.
        """
        text = message or self.message
        if fix is not None:
            withheld = self.context.fix_withheld(node, fix, needs)
            if withheld is not None:
                text, fix = f"{text} (no automatic fix: {withheld})", None
        self.reports.append(Report(node, text, fix, self.context.statement))

    @classmethod
    def url(cls) -> str:
        """Where the rule's documentation lives."""
        return rule_url(cls.code, cls.name)

    @classmethod
    def summary(cls) -> str:
        """The first line of the rule's docstring."""
        return (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
