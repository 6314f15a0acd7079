"""Every node's position, from one lean code generation pass over a module.

libcst's `PositionProvider` splits every token it writes on newlines and builds two
`CodePosition`s and a `CodeRange` for every node, most of which are never read: a
run reads the positions of its findings, and a fix the spans of the nodes it edits.
Here the pass only counts characters and keeps offsets; a node's line and column are
computed when asked. One pass serves both of libcst's providers (the syntactic
ranges findings report, the whitespace-inclusive ranges fixes replace) plus what a
fix needs to regenerate a node in place: the indentation it is written with and the
statement line holding it. tests/contract/test_positions.py holds the answers equal
to libcst's providers, node for node.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping
from types import TracebackType

import libcst as cst
from libcst._nodes.internal import CodegenState  # the hooks the providers use
from libcst.metadata import CodePosition, CodeRange

# How libcst's providers count lines.
_NEWLINE = re.compile(r"\r\n?|\n")


# A node's record: start and end offsets (whitespace included), its indentation
# tokens, the statement line holding it, and the node. A plain tuple: the pass makes
# one per node, and a named tuple costs a call each.
_Span = tuple[int, int, tuple[str, ...], "cst.SimpleStatementLine | None", cst.CSTNode]


class NodePositions(Mapping[cst.CSTNode, CodeRange]):
    """Maps each node of a module to its syntactic range (`PositionProvider`'s).

    Nothing is computed up front. `range_of` with a hint (the top-level statement
    that holds the node) generates that statement alone and finds its code in the
    file's text, where it must occur exactly once; a file with one finding then pays
    for one statement, not for the whole module. Anything else (no hint, a wrong
    one, a statement whose code occurs twice, the mapping's own methods) generates
    the whole module once.
    """

    def __init__(self, module: cst.Module, text: str | None = None) -> None:
        """`text`: the file's text, which `module` was parsed from (None: unknown)."""
        self._module = module
        self._text = text
        self._whole: _Pass | None = None
        # Top-level statements generated alone: their pass, None where not placed.
        self._parts: dict[int, _Pass | None] = {}
        self._text_lines: list[int] | None = None

    def range_of(self, node: cst.CSTNode, statement: cst.BaseStatement | None) -> CodeRange:
        """`self[node]`, looking in `statement` alone first."""
        if self._whole is None and statement is not None and self._text is not None:
            key = id(statement)
            if key not in self._parts:
                self._parts[key] = self._placed(statement, self._text)
            part = self._parts[key]
            found = part.syntactic(node) if part is not None else None
            if found is not None:
                return found
        return self[node]

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        found = self.whole.syntactic(node)
        if found is None:
            raise KeyError(node)
        return found

    def __contains__(self, node: object) -> bool:
        return id(node) in self.whole.spans

    def __iter__(self) -> Iterator[cst.CSTNode]:
        return (span[4] for span in self.whole.spans.values())

    def __len__(self) -> int:
        return len(self.whole.spans)

    def inclusive(self, node: cst.CSTNode) -> CodeRange | None:
        """The range with the whitespace the node owns (what replacing it rewrites)."""
        return self.whole.inclusive(node)

    def indent(self, node: cst.CSTNode) -> tuple[str, ...] | None:
        """The indentation tokens the node's code is generated with."""
        span = self.whole.spans.get(id(node))
        return None if span is None else span[2]

    def statement_line(self, node: cst.CSTNode) -> cst.SimpleStatementLine | None:
        """The statement line holding the node (None for a line itself or a block)."""
        span = self.whole.spans.get(id(node))
        return None if span is None else span[3]

    @property
    def whole(self) -> _Pass:
        """The pass over the whole module."""
        if self._whole is None:
            state = self._state()
            self._module._codegen(state)
            self._whole = _Pass(state, 0, _line_starts("".join(state.tokens)))
        return self._whole

    def _placed(self, statement: cst.BaseStatement, text: str) -> _Pass | None:
        """The pass over `statement` alone, placed where its code occurs in `text`,
        or None unless it occurs exactly once."""
        state = self._state()
        statement._codegen(state)
        code = "".join(state.tokens)
        base = text.find(code)
        if base < 0 or text.find(code, base + 1) >= 0:
            return None
        if self._text_lines is None:
            self._text_lines = _line_starts(text)
        return _Pass(state, base, self._text_lines)

    def _state(self) -> _OffsetState:
        module = self._module
        return _OffsetState(
            default_indent=module.default_indent, default_newline=module.default_newline
        )


class _Pass:
    """The offsets one code generation pass recorded, `base` characters into a text
    whose lines start at `line_starts`."""

    def __init__(self, state: _OffsetState, base: int, line_starts: list[int]) -> None:
        self.spans = state.spans
        self._syntactic = state.syntactic
        self._base = base
        self._line_starts = line_starts

    def syntactic(self, node: cst.CSTNode) -> CodeRange | None:
        key = id(node)
        offsets = self._syntactic.get(key)
        if offsets is None:
            span = self.spans.get(key)
            if span is None:
                return None
            offsets = (span[0], span[1])
        return self._range(*offsets)

    def inclusive(self, node: cst.CSTNode) -> CodeRange | None:
        span = self.spans.get(id(node))
        return None if span is None else self._range(span[0], span[1])

    def _range(self, start: int, end: int) -> CodeRange:
        return CodeRange(self._position(start), self._position(end))

    def _position(self, offset: int) -> CodePosition:
        starts = self._line_starts
        offset += self._base
        line = bisect.bisect_right(starts, offset)
        return CodePosition(line, offset - starts[line - 1])


def _line_starts(text: str) -> list[int]:
    return [0, *(match.end() for match in _NEWLINE.finditer(text))]


class _OffsetState(CodegenState):
    """A code generation that records offsets where libcst's providers record ranges."""

    __slots__ = ("indent", "offset", "spans", "starts", "statement", "syntactic")

    def __init__(self, default_indent: str, default_newline: str) -> None:
        super().__init__(default_indent=default_indent, default_newline=default_newline)
        self.offset = 0
        self.indent: tuple[str, ...] = ()
        self.statement: cst.SimpleStatementLine | None = None
        self.starts: list[int] = []
        self.spans: dict[int, _Span] = {}
        self.syntactic: dict[int, tuple[int, int]] = {}

    def increase_indent(self, value: str) -> None:
        super().increase_indent(value)
        self.indent = (*self.indent, value)

    def decrease_indent(self) -> None:
        super().decrease_indent()
        self.indent = self.indent[:-1]

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent)
        for token in self.indent:
            self.offset += len(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.offset += len(value)

    def pop_trailing_newline(self) -> None:
        """Keep the token: the providers count it too, and only offsets are wanted."""

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.starts.append(self.offset)
        if type(node) is cst.SimpleStatementLine:
            self.statement = node

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self.starts.pop()
        if type(node) is cst.SimpleStatementLine:
            self.statement = None
        # The first occurrence of a node used twice wins, as in libcst.
        span = (start, self.offset, self.indent, self.statement, node)
        self.spans.setdefault(id(node), span)

    # libcst types the hook as the generator context manager its default returns.
    def record_syntactic_position(  # type: ignore[override]
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> _Syntactic:
        return _Syntactic(self, node, start_node, end_node)

    def offsets_of(self, node: cst.CSTNode) -> tuple[int, int]:
        """The node's offsets so far: its syntactic ones where recorded."""
        recorded = self.syntactic.get(id(node))
        if recorded is not None:
            return recorded
        span = self.spans[id(node)]
        return span[0], span[1]


class _Syntactic:
    """Records a node's syntactic offsets around the code written inside it (a class,
    not `contextlib.contextmanager`, whose generator costs three times as much)."""

    __slots__ = ("end_node", "node", "start", "start_node", "state")

    def __init__(
        self,
        state: _OffsetState,
        node: cst.CSTNode,
        start_node: cst.CSTNode | None,
        end_node: cst.CSTNode | None,
    ) -> None:
        self.state = state
        self.node = node
        self.start_node = start_node
        self.end_node = end_node

    def __enter__(self) -> None:
        self.start = self.state.offset

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        state = self.state
        start, end = self.start, state.offset
        # As libcst does: hoist a child's range, its syntactic one where recorded.
        if self.start_node is not None:
            start = state.offsets_of(self.start_node)[0]
        if self.end_node is not None:
            end = state.offsets_of(self.end_node)[1]
        state.syntactic[id(self.node)] = (start, end)
