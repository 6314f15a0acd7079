"""What a database benchmark prints: the machine, the versions, the command, tables.

The output is Markdown that references/performance.md pastes verbatim, so the
environment lines are part of it: a number means little without the machine, the
library versions and the command that produced it.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


@dataclass
class Table:
    """A Markdown table; the first column holds the row labels."""

    columns: tuple[str, ...]
    # Alignment per column: "l" (text) or "r" (numbers).
    align: str
    rows: list[tuple[str, ...]] = field(default_factory=list)

    def add(self, *cells: str) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(f"{len(cells)} cells for {len(self.columns)} columns")
        self.rows.append(cells)

    def markdown(self) -> str:
        rule = ["---" if kind == "l" else "--:" for kind in self.align]
        lines = [_row(self.columns), _row(tuple(rule)), *(_row(row) for row in self.rows)]
        return "\n".join(lines) + "\n"


def _row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(cells) + " |"


@dataclass
class Report:
    """One benchmark's output."""

    title: str
    command: str
    settings: list[str]
    tables: list[tuple[str, Table]] = field(default_factory=list)
    environment: list[str] = field(default_factory=list)

    def add_table(self, caption: str, table: Table) -> None:
        self.tables.append((caption, table))

    def markdown(self) -> str:
        parts = [f"**{self.title}**\n"]
        bullets = [*self.environment, *(f"Settings: {line}" for line in self.settings)]
        bullets.append(f"Rerun: `{self.command}`")
        parts.append("".join(f"- {line}\n" for line in bullets))
        for caption, table in self.tables:
            if caption:
                parts.append(f"{caption}\n")
            parts.append(table.markdown())
        return "\n".join(parts)


def environment(server_version: str, server_origin: str) -> list[str]:
    """The machine and version lines every report starts with."""
    load = _load_average()
    versions = ", ".join(
        f"{name} {_package_version(name)}" for name in ("SQLAlchemy", "asyncpg", "psycopg")
    )
    return [
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {_cpu_model()}, "
        f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}"
        + (f"; load average (1 min) at start {load}" if load else ""),
        f"Python {platform.python_version()}, {versions}; "
        f"PostgreSQL {server_version} ({server_origin}, over loopback)",
    ]


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return ""


def ms(seconds: float) -> str:
    """Seconds as milliseconds, with precision that suits the size."""
    value = seconds * 1000
    return f"{value:,.2f}" if value < 10 else f"{value:,.1f}" if value < 1000 else f"{value:,.0f}"


def ratio(value: float, base: float) -> str:
    """value / base, or "-" when the base is zero."""
    return f"{value / base:.2f}" if base else "-"


def count(value: float) -> str:
    """A whole number with thousands separators."""
    return f"{value:,.0f}"
