"""Facts about the whole run that a file cannot see in its own text.

Where a custom `Query` class is configured, and the project index
(`evidence.project_index`: what the top-level names of the project's modules are).

A session factory made
with `sessionmaker(query_cls=SoftDeleteQuery)`, Flask-SQLAlchemy's
`SQLAlchemy(query_class=...)`, `db.Model.query_class = ...` or a model's class-level
`query_class = ...` give every `session.query(...)` / `Model.query` of the project
methods of their own (a soft-delete filter, a tenant criterion), which a `select()`
statement never runs. Query fixes must not be applied anywhere in such a project.

The engine collects the facts from the texts of every file of the run before checking
(`collect_project_facts`) and hands them to each file's `FileContext`; a file checked
alone is its own project (`facts_of_file`). Only files whose bytes mention
`query_cls` or `query_class` are searched further, so the scan costs about one read
of the files. The engine builds the index (`engine.project_scan`) in the same pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqla_checks.evidence.project_index import ProjectIndex

_MARKERS = (b"query_cls", b"query_class")
# Values that configure no custom class: the defaults, and pass-through parameters.
_DEFAULT_CLASSES = {"None", "Query", "BaseQuery", "query_cls", "query_class"}


@dataclass(frozen=True)
class CustomQueryClass:
    """Where a custom Query class is configured, spelled as in the source."""

    path: str
    line: int
    spelling: str  # `query_cls=SoftDeleteQuery`

    def describe(self) -> str:
        """`query_cls=SoftDeleteQuery` in app/db.py:12."""
        return f"`{self.spelling}` in {self.path}:{self.line}"


@dataclass(frozen=True)
class ProjectFacts:
    """What the engine knows about the files of the run as a whole."""

    custom_query_classes: tuple[CustomQueryClass, ...] = ()
    index: ProjectIndex = field(default_factory=ProjectIndex)

    def query_classes(self) -> tuple[CustomQueryClass, ...]:
        """The custom Query classes of the run, as a rule asks for them (the cache
        records the question: `evidence.project_reads`)."""
        return self.custom_query_classes


def collect_project_facts(sources: Iterable[tuple[str, bytes]]) -> ProjectFacts:
    """The facts of a run (no index), from `(path, bytes)` of each of its files."""
    found: list[CustomQueryClass] = []
    for path, data in sources:
        found.extend(custom_query_classes(path, data))
    return ProjectFacts(custom_query_classes=tuple(found))


def facts_of_file(path: str, data: bytes) -> ProjectFacts:
    """The facts of a run made of this one file."""
    return collect_project_facts([(path, data)])


# `query_cls=X` (Session, sessionmaker), `query_class=X` (Flask-SQLAlchemy's
# `SQLAlchemy()`, a model's class attribute) and `owner.query_class = X`. Read from
# the text, not a tree: cheap, and `ast.parse` is not safe to call from several
# threads of one interpreter in Python 3.11 (its recursion counter is shared).
_SETTING = re.compile(
    r"(?P<owner>(?<![\w.])[A-Za-z_][\w.]*\.)?(?<![\w])(?P<name>query_cls|query_class)"
    r"\s*=(?!=)\s*(?P<value>[A-Za-z_][\w.]*)?"
)


# A dynamic relationship's `query_class=` is the class of that collection only.
_DYNAMIC_RELATIONSHIP = re.compile(r"\b(?:relationship|dynamic_loader|backref)\(")


def custom_query_classes(path: str, data: bytes) -> list[CustomQueryClass]:
    if not any(marker in data for marker in _MARKERS):
        return []
    text = data.decode("utf-8", errors="replace")
    found: list[CustomQueryClass] = []
    for match in _SETTING.finditer(text):
        owner, name, value = match.group("owner"), match.group("name"), match.group("value")
        line_start = text.rfind("\n", 0, match.start()) + 1
        before = text[line_start : match.start()]
        if before.lstrip().startswith("#") or _DYNAMIC_RELATIONSHIP.search(before):
            continue
        if owner is not None and owner.split(".", 1)[0] in {"self", "cls"}:
            continue  # a library's own attribute (`self.query_class = query_class`)
        spelled = value or "..."
        if spelled.rsplit(".", 1)[-1] in _DEFAULT_CLASSES or spelled.startswith("self."):
            continue
        line = text.count("\n", 0, match.start()) + 1
        found.append(CustomQueryClass(path, line, f"{name}={spelled}"))
    return found
