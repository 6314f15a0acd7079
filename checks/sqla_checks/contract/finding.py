"""What a check run produces: findings with positions, and file errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqla_checks.contract.rule import Applicability


@dataclass(frozen=True)
class Position:
    """1-based line and column, as ruff and editors count them."""

    line: int
    column: int


@dataclass(frozen=True)
class Edit:
    """Replace the text between `start` and `end` by `content`."""

    start: Position
    end: Position
    content: str


@dataclass(frozen=True)
class FixInfo:
    """A fix as reported (its edits are computed against the file as it was read)."""

    applicability: Applicability
    description: str
    edits: tuple[Edit, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One rule violation at one place in one file."""

    path: str
    code: str
    name: str
    message: str
    start: Position
    end: Position
    url: str
    fix: FixInfo | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order of output: by file, then position, then code."""
        return (self.path, self.start.line, self.start.column, self.code)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, used by the cache."""
        return {
            "path": self.path,
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "start": [self.start.line, self.start.column],
            "end": [self.end.line, self.end.column],
            "url": self.url,
            "fix": None
            if self.fix is None
            else {
                "applicability": self.fix.applicability,
                "description": self.fix.description,
                "edits": [
                    [e.start.line, e.start.column, e.end.line, e.end.column, e.content]
                    for e in self.fix.edits
                ],
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        """Inverse of `to_dict`."""
        fix = data["fix"]
        return cls(
            path=data["path"],
            code=data["code"],
            name=data["name"],
            message=data["message"],
            start=Position(*data["start"]),
            end=Position(*data["end"]),
            url=data["url"],
            fix=None
            if fix is None
            else FixInfo(
                applicability=fix["applicability"],
                description=fix["description"],
                edits=tuple(
                    Edit(Position(a, b), Position(c, d), content)
                    for a, b, c, d, content in fix["edits"]
                ),
            ),
        )


@dataclass(frozen=True)
class FileError:
    """A file that could not be read, decoded or parsed."""

    path: str
    reason: str
    line: int | None = None
    column: int | None = None


@dataclass
class FileResult:
    """Everything one file produced."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    error: FileError | None = None
    # New source after fixes (None when nothing was fixed).
    fixed_source: bytes | None = None
    fixes_applied: int = 0
    # (line, problem) of malformed or unknown noqa directives, printed as warnings.
    warnings: list[tuple[int, str]] = field(default_factory=list)
    # How many findings of each code the fixes removed (for --show-fixes).
    fixed_codes: dict[str, int] = field(default_factory=dict)
