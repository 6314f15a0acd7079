"""`NodePositions` gives what libcst's position providers give, node for node: the
syntactic ranges of `PositionProvider`, the whitespace-inclusive ranges of
`WhitespaceInclusivePositionProvider`, and, from the same code generation, each
node's indentation and statement line (checked against libcst's own state)."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider, WhitespaceInclusivePositionProvider
from libcst.metadata.position_provider import WhitespaceInclusivePositionProvidingCodegenState

from sqla_checks.contract.positions import NodePositions

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# Layouts whose positions are easy to get wrong: continuation lines, CRLF, a lone CR,
# tabs, decorators and comments, nested brackets, a module without a final newline,
# an empty module.
TRICKY = (
    "x = (1,\n     2)\n",
    "def f():\r\n\treturn [a\r\n\t\tfor a in b]\r\n",
    "a = 1\rb = 2\r",
    "@decorator(  # why\n    arg)\nclass C:\n    '''doc\n    string'''\n    y: int = 1\n",
    "value = call(a)[b].c \\\n    + d",
    "if x:\n  if y:\n      z = 1; w = 2\n  v = 3\n",
    "",
)


def _sources() -> list[str]:
    files = sorted(EXAMPLES.rglob("*.py"))
    assert len(files) > 20  # the examples really were found
    return [*TRICKY, *(path.read_text(encoding="utf-8") for path in files)]


class _LibcstState(WhitespaceInclusivePositionProvidingCodegenState):
    """libcst's own generation state, noting each node's indentation and line."""

    indents: dict[int, tuple[str, ...]]
    lines: dict[int, cst.SimpleStatementLine | None]
    statement: cst.SimpleStatementLine | None

    def before_codegen(self, node: cst.CSTNode) -> None:
        super().before_codegen(node)
        self.indents[id(node)] = tuple(self.indent_tokens)
        self.lines[id(node)] = self.statement
        if isinstance(node, cst.SimpleStatementLine):
            self.statement = node

    def after_codegen(self, node: cst.CSTNode) -> None:
        super().after_codegen(node)
        if isinstance(node, cst.SimpleStatementLine):
            self.statement = None


@pytest.mark.parametrize("source", _sources())
def test_positions_are_libcsts(source: str) -> None:
    module = cst.parse_module(source)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    syntactic = dict(wrapper.resolve(PositionProvider))
    inclusive = wrapper.resolve(WhitespaceInclusivePositionProvider)
    state = _LibcstState(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        provider=WhitespaceInclusivePositionProvider(),
    )
    state.indents, state.lines, state.statement = {}, {}, None
    module._codegen(state)

    positions = NodePositions(module)
    assert dict(positions) == syntactic
    assert len(positions) == len(inclusive)
    for node, span in inclusive.items():
        assert node in positions
        assert positions.inclusive(node) == span
        assert positions.indent(node) == state.indents[id(node)]
        assert positions.statement_line(node) is state.lines[id(node)]


def test_a_node_of_another_module_has_no_position() -> None:
    positions = NodePositions(cst.parse_module("x = 1\n"))
    stranger = cst.parse_module("y = 2\n").body[0]
    assert stranger not in positions
    assert positions.inclusive(stranger) is None
    assert positions.indent(stranger) is None
    assert positions.statement_line(stranger) is None
    with pytest.raises(KeyError):
        positions[stranger]


@pytest.mark.parametrize("source", _sources())
def test_a_statement_generated_alone_gives_the_same_ranges(source: str) -> None:
    """`range_of` with the right hint, a wrong hint or none: always libcst's range."""
    module = cst.parse_module(source)
    expected = dict(MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider))
    hinted = NodePositions(module, source)
    wrong = NodePositions(module, source)
    for statement in module.body:
        other = module.body[0] if statement is not module.body[0] else module.body[-1]
        for node in _subtree(statement):
            assert hinted.range_of(node, statement) == expected[node]
            assert wrong.range_of(node, other) == expected[node]
    # The whole module was generated only when some statement could not be placed.
    assert (hinted._whole is None) == all(part is not None for part in hinted._parts.values())


def test_most_statements_of_real_files_are_placed_alone() -> None:
    placed = total = 0
    for source in _sources()[len(TRICKY) :]:
        module = cst.parse_module(source)
        positions = NodePositions(module, source)
        for statement in module.body:
            positions.range_of(statement, statement)
        placed += sum(part is not None for part in positions._parts.values())
        total += len(module.body)
    assert placed > 0.9 * total


def test_a_statement_whose_code_occurs_twice_is_placed_by_the_whole_module() -> None:
    source = "x = 1\ny = 2\nx = 1\n"
    module = cst.parse_module(source)
    positions = NodePositions(module, source)
    third = module.body[2]
    assert positions.range_of(third, third).start.line == 3
    assert positions._whole is not None


def test_without_the_text_or_a_hint_the_whole_module_is_generated() -> None:
    module = cst.parse_module("x = 1\ny = 2\n")
    second = module.body[1]
    assert NodePositions(module).range_of(second, second).start.line == 2
    positions = NodePositions(module, module.code)
    assert positions.range_of(second, None).start.line == 2
    assert positions._whole is not None


def _subtree(node: cst.CSTNode) -> list[cst.CSTNode]:
    found = [node]
    for child in node.children:
        found.extend(_subtree(child))
    return found
