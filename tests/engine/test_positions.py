"""The runner's positions are libcst's own: `_positions` runs `PositionProvider` without
`MetadataWrapper.resolve` (which adds a traversal that computes nothing), so it must
give exactly what `resolve` gives, node for node, on any module."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from sqla_checks.engine.runner import _positions

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# Layouts whose positions are easy to get wrong: continuation lines, CRLF, tabs,
# decorators and comments, nested brackets, a module without a final newline.
TRICKY = (
    "x = (1,\n     2)\n",
    "def f():\r\n\treturn [a\r\n\t\tfor a in b]\r\n",
    "@decorator(  # why\n    arg)\nclass C:\n    '''doc\n    string'''\n    y: int = 1\n",
    "value = call(a)[b].c \\\n    + d",
)


def _sources() -> list[str]:
    files = sorted(EXAMPLES.rglob("*.py"))
    assert len(files) > 20  # the examples really were found
    return [*TRICKY, *(path.read_text(encoding="utf-8") for path in files)]


@pytest.mark.parametrize("source", _sources())
def test_positions_are_the_ones_resolve_gives(source: str) -> None:
    module = cst.parse_module(source)
    expected = dict(MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider))
    assert _positions(module) == expected
