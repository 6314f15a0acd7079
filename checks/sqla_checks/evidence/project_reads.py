"""Which project facts one file's check read, so its cached findings can outlive
changes elsewhere in the project.

A file's findings depend on its own text, its settings and the answers the run's
`ProjectFacts` gave to the questions its check asked, and on nothing else of the
other files: what a qualified name is (`ProjectIndex.lookup`, also behind
`canonical`), which module the file itself is, whether a module's classes hold a
session the index knows of (`has_sessions_in`), whether a module binds SQLAlchemy
objects of the project (`defines_sqlalchemy_in`), and where custom Query classes are
configured. `recording` wraps the facts for one file's check and writes every
question down with its answer; `answers_hold` asks the same questions of another
run's facts. Equal answers mean equal findings, whatever else changed, so the cache
keeps an entry exactly while they hold. A question that found nothing is written
down too: a module or a name appearing later changes its answer.

Every way the index or the facts answer a rule must go through these wrappers; a
new one needs its recording here (`tests/engine/test_project_reads.py` checks that
the index offers no question this module does not know).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from sqla_checks.evidence.project_facts import CustomQueryClass, ProjectFacts
from sqla_checks.evidence.project_index import Fact, ProjectIndex

# Questions, each spelled as a prefix and its argument.
_LOOKUP = "lookup:"
_MODULE = "module:"
_QUERIES = "queries:"
_SESSIONS_IN = "sessions-in:"
_SQLALCHEMY_IN = "sqlalchemy-in:"


@dataclass
class ReadLog:
    """The questions one file's check asked, each with its answer (as text)."""

    answers: dict[str, str] = field(default_factory=dict)

    def questions(self) -> list[str]:
        """The questions, sorted (a stable order for cache entries)."""
        return sorted(self.answers)

    def digest(self) -> str:
        """One digest of every answer, in the order of `questions()`."""
        return answers_digest(self.answers[question] for question in self.questions())


@dataclass(frozen=True)
class _RecordingIndex(ProjectIndex):
    log: ReadLog = field(default_factory=ReadLog, compare=False, repr=False)
    # The run's index, whose derived tables (`has_sessions_in`, `defines_sqlalchemy_in`)
    # are built once, not per file.
    source: ProjectIndex | None = field(default=None, compare=False, repr=False)

    def lookup(self, qualified: str) -> Fact | None:
        fact = super().lookup(qualified)
        self.log.answers[_LOOKUP + qualified] = _fact_text(fact)
        return fact

    def module_of(self, path: str) -> str | None:
        module = super().module_of(path)
        self.log.answers[_MODULE + path] = json.dumps(module)
        return module

    def has_sessions_in(self, module: str) -> bool:
        if self.source is not None:
            found = self.source.has_sessions_in(module)
        else:
            found = super().has_sessions_in(module)
        self.log.answers[_SESSIONS_IN + module] = json.dumps(found)
        return found

    def defines_sqlalchemy_in(self, module: str) -> bool:
        if self.source is not None:
            found = self.source.defines_sqlalchemy_in(module)
        else:
            found = super().defines_sqlalchemy_in(module)
        self.log.answers[_SQLALCHEMY_IN + module] = json.dumps(found)
        return found


@dataclass(frozen=True)
class _RecordingFacts(ProjectFacts):
    log: ReadLog = field(default_factory=ReadLog, compare=False, repr=False)

    def query_classes(self) -> tuple[CustomQueryClass, ...]:
        found = super().query_classes()
        self.log.answers[_QUERIES] = _queries_text(found)
        return found


def recording(project: ProjectFacts) -> tuple[ProjectFacts, ReadLog]:
    """`project` for one file's check, and the log its questions are written to."""
    log = ReadLog()
    index = project.index
    # The memo is shared: a lookup another file already made costs nothing here.
    recorded = _RecordingIndex(
        index.facts, index.modules_by_path, index.modules, _memo=index._memo, log=log, source=index
    )
    facts = _RecordingFacts(project.custom_query_classes, index=recorded, log=log)
    return facts, log


def answers_hold(questions: Iterable[str], digest: str, project: ProjectFacts) -> bool:
    """Whether `project` answers `questions` as when they gave `digest`."""
    return answers_digest(_answer(question, project) for question in questions) == digest


def answers_digest(answers: Iterable[str]) -> str:
    """A digest of answers in order."""
    hashed = hashlib.sha256()
    for answer in answers:
        hashed.update(answer.encode())
        hashed.update(b"\0")
    return hashed.hexdigest()


def _answer(question: str, project: ProjectFacts) -> str:
    if question.startswith(_LOOKUP):
        return _fact_text(project.index.lookup(question.removeprefix(_LOOKUP)))
    if question.startswith(_MODULE):
        return json.dumps(project.index.module_of(question.removeprefix(_MODULE)))
    if question.startswith(_SESSIONS_IN):
        return json.dumps(project.index.has_sessions_in(question.removeprefix(_SESSIONS_IN)))
    if question.startswith(_SQLALCHEMY_IN):
        module = question.removeprefix(_SQLALCHEMY_IN)
        return json.dumps(project.index.defines_sqlalchemy_in(module))
    if question == _QUERIES:
        return _queries_text(project.query_classes())
    return "unknown question"  # an entry written by another version: never equal


@lru_cache(maxsize=4096)
def _fact_text(fact: Fact | None) -> str:
    # Facts are frozen dataclasses (hashable), and the same few recur in every file.
    if fact is None:
        return "null"
    fields = asdict(fact)
    return json.dumps([type(fact).__name__, fields], sort_keys=True, default=_enum_name)


def _queries_text(found: tuple[CustomQueryClass, ...]) -> str:
    return json.dumps([asdict(query) for query in found])


def _enum_name(value: object) -> str:
    return str(getattr(value, "name", value))
