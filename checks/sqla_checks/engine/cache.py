"""A findings cache, so unchanged files are not parsed again.

An entry is keyed by the file's bytes, its path (rules may look at the path), the
rules run on it, whether fix edits were computed, the target SQLAlchemy release
(it decides which fixes are offered), the tool version and a fingerprint of the
checks package itself (so editing a rule during development invalidates old entries
without a version bump). What the file's check read of the other files (the
project index's answers, `evidence.project_reads`) is stored in the entry: the
questions and a digest of their answers, and the entry counts only while the run's
facts answer the same, so editing one module re-checks just the files that asked
about it. Entries live in `.sqla-checks-cache/` at the project
root, one small JSON file each, written atomically so parallel workers never see a
half-written entry. The cache is only an optimisation: an unreadable, corrupt or
unwritable entry is treated as a miss and never fails a run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import sqla_checks
from sqla_checks.contract.finding import Finding
from sqla_checks.evidence.module_summary import ModuleSummary, summary_from_json, summary_to_json
from sqla_checks.evidence.project_reads import ReadLog
from sqla_checks.evidence.sqlalchemy_api import Target

CACHE_DIRECTORY = ".sqla-checks-cache"
# The project index's module summaries, under the cache directory.
_SUMMARIES = "summaries"


@cache
def code_fingerprint() -> str:
    """A hash of the tool version and of every module of the checks package."""
    digest = hashlib.sha256(sqla_checks.__version__.encode())
    package = Path(sqla_checks.__file__).parent
    for module in sorted(package.rglob("*.py")):
        try:
            digest.update(str(module.relative_to(package)).encode())
            digest.update(module.read_bytes())
        except OSError:
            continue
    return digest.hexdigest()


@dataclass(frozen=True)
class CachedFindings:
    """A findings entry: the findings, and the project questions they depend on."""

    findings: list[Finding]
    questions: list[str]
    # The digest of the answers the questions had (`ReadLog.digest`).
    answers: str


@dataclass(frozen=True)
class FindingsCache:
    """Cache entries under `directory`; picklable, so worker processes can use it."""

    directory: Path
    fingerprint: str

    @classmethod
    def for_project(cls, root: Path) -> FindingsCache | None:
        """The cache of the project at `root`, or None when it cannot be created."""
        directory = root / CACHE_DIRECTORY
        try:
            directory.mkdir(exist_ok=True)
            ignore_file = directory / ".gitignore"
            if not ignore_file.exists():
                # The cache must never be committed, whatever the project's .gitignore.
                ignore_file.write_text("# Created by sqla-checks.\n*\n", encoding="utf-8")
        except OSError:
            return None
        return cls(directory=directory, fingerprint=code_fingerprint())

    def key(
        self,
        path: str,
        data: bytes,
        rule_codes: Sequence[str],
        with_edits: bool,
        target: Target | None,
    ) -> str:
        """The entry name for checking `data` at `path` with `rule_codes`.

        The other files of the run are not in the key: the entry records what it read
        of them (`CachedFindings.questions`).
        """
        digest = hashlib.sha256()
        target_key = None if target is None else [str(target.release), target.label]
        header = json.dumps([self.fingerprint, path, sorted(rule_codes), with_edits, target_key])
        digest.update(header.encode())
        digest.update(hashlib.sha256(data).digest())
        return digest.hexdigest()

    def _entry(self, key: str, folder: str = "") -> Path:
        # Summaries live in a folder of their own, apart from the findings entries.
        return self.directory / folder / key[:2] / f"{key}.json"

    def load(self, key: str) -> CachedFindings | None:
        """The entry for `key`, or None on a miss or a corrupt entry.

        An entry carries a digest of its content, so a damaged entry that still
        reads as JSON (a flipped byte inside a message) is a miss, never a wrong
        result; the run then stores a fresh entry over it. Whether the entry's
        project answers still hold is the caller's question.
        """
        try:
            payload: Any = json.loads(self._entry(key).read_bytes())
            if not isinstance(payload, dict) or payload.get("key") != key:
                return None
            findings, questions, answers = (
                payload["findings"],
                payload["questions"],
                payload["answers"],
            )
            if payload.get("digest") != _digest([findings, questions, answers]):
                return None
            if not (isinstance(answers, str) and all(isinstance(q, str) for q in questions)):
                return None
            loaded = [Finding.from_dict(item) for item in findings]
            return CachedFindings(loaded, list(questions), answers)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def store(self, key: str, findings: Sequence[Finding], reads: ReadLog) -> None:
        """Write an entry; failures are ignored (the next run simply misses)."""
        items = [finding.to_dict() for finding in findings]
        questions, answers = reads.questions(), reads.digest()
        payload = {
            "key": key,
            "digest": _digest([items, questions, answers]),
            "findings": items,
            "questions": questions,
            "answers": answers,
        }
        self._write(self._entry(key), payload)

    def summary_key(self, path: str, module: str, is_package: bool, data: bytes) -> str:
        """The entry name of the project-index summary of `data`, the module `module`."""
        digest = hashlib.sha256()
        header = json.dumps([self.fingerprint, "summary", path, module, is_package])
        digest.update(header.encode())
        digest.update(hashlib.sha256(data).digest())
        return digest.hexdigest()

    def load_summary(self, key: str) -> ModuleSummary | None:
        """The cached module summary for `key`, or None on a miss or a damaged entry."""
        try:
            payload: Any = json.loads(self._entry(key, _SUMMARIES).read_bytes())
            if not isinstance(payload, dict) or payload.get("key") != key:
                return None
            summary = payload["summary"]
            if payload.get("digest") != _digest(summary):
                return None
            return summary_from_json(summary)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def store_summary(self, key: str, summary: ModuleSummary) -> None:
        """Write a summary entry; failures are ignored."""
        items = summary_to_json(summary)
        payload = {"key": key, "digest": _digest(items), "summary": items}
        self._write(self._entry(key, _SUMMARIES), payload)

    def _write(self, entry: Path, payload: dict[str, Any]) -> None:
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    json.dump(payload, stream)
                os.replace(temporary, entry)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError:
            return


def _digest(findings: Any) -> str:
    canonical = json.dumps(findings, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
