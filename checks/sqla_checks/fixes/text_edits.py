"""The text edits of each fix, for `--format json` and `sarif`, without applying it.

A fix's node edits become text edits directly: the span libcst's code generator
writes for the replaced node (its whitespace-inclusive range) gets the code of the
replacement, generated with the indentation of the blocks around the node, which is
exactly what the same code generator writes when `--fix` swaps the node. Import
additions are computed once per distinct set of imports for the whole file. An
import a fix may make unused stays when scope analysis finds a use of it outside the
fix's nodes, the common case.

Where that reasoning does not hold (a node whose code depends on its neighbours, such
as an import statement's default semicolon; an import the fix really removes; a fix
touching the import statements), the edits are the lines that changed between the
file and its text after the fix alone. That text is spliced together: each edited
node's new code in place (a node whose code depends on its neighbours is regenerated
with its whole statement line), and, for a fix that adds or drops imports, the
module's head (its leading imports and the statement after them, when no import
statement follows) run through the same import functions as `--fix`. Only a case
that reasoning cannot cover (an edit straddling the head, an import statement
further down) applies the fix alone to the whole module.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import itertools
import re
from collections.abc import Mapping, Sequence

import libcst as cst
from libcst._nodes.internal import CodegenState  # no public API renders in context
from libcst.metadata import CodeRange, MetadataWrapper, Scope

from sqla_checks.contract.finding import Edit, Position
from sqla_checks.contract.positions import NodePositions
from sqla_checks.contract.rule import Fix, Import, InsertStatements, NodeEdit
from sqla_checks.fixes import import_updates
from sqla_checks.fixes.apply import add_imports, render_fix, replace_nodes

# libcst's line breaks (str.splitlines also splits on form feeds and more).
_LINE = re.compile(r".*?(?:\r\n|\r|\n)|.+\Z", re.DOTALL)
_IMPORT_WORD = re.compile(r"\bimport\b")


class FixEdits:
    """Computes the edits of the fixes of one module (the file as it was read)."""

    def __init__(
        self,
        module: cst.Module,
        text: str,
        positions: NodePositions,
        scopes: Mapping[cst.CSTNode, Scope | None] | None = None,
    ) -> None:
        """`positions`: the module's; `scopes`: libcst's scope analysis of `module`,
        if the rules already made it."""
        self.module = module
        self.text = text
        self.positions = positions
        self._wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self._given_scopes = scopes
        self._import_edits: dict[frozenset[Import], tuple[Edit, ...]] = {}
        self._module_statements = {id(statement) for statement in module.body}

    def edits(self, fix: Fix) -> tuple[Edit, ...]:
        """The edits turning the original text into the text after `fix` alone."""
        edits = self._direct(fix)
        if edits is not None:
            return edits
        fixed = self._spliced(fix)
        if fixed is None:
            fixed = render_fix(self.module, fix)
        return line_edits(self.text, fixed)

    def _spliced(self, fix: Fix) -> str | None:
        """The text after `fix` alone, without a pass over the whole module; None
        where the parts cannot be shown to give what `render_fix` gives.

        A transform and a code generation of the module are those of each statement
        in turn, so the edits below the head are text splices, and the head (all
        import statements) gets the same node edits and import updates as the module.
        """
        body = self.module.body
        changes_imports = bool(fix.imports or fix.unused_imports)
        size = self._head_size if changes_imports else 0
        if size is None:
            return None
        if size == len(body):
            cut = len(self.text)
        else:
            cut = self._offset(_position(self._span(body[size]).start)) if size else 0
        in_head = False
        splices: list[Edit] = []
        for edit in fix.edits:
            span = self.positions.inclusive(_edited(edit))
            if span is None:
                return None
            if self._offset(_position(span.end)) <= cut:
                in_head = True
            elif self._offset(_position(span.start)) < cut:
                return None
            else:
                splice = self._splice(edit, fix)
                if splice is None:
                    return None
                splices.append(splice)
        rest = self._splice_text(cut, splices)
        if rest is None or not changes_imports:
            return rest
        if _IMPORT_WORD.search("".join(splice.content for splice in splices)):
            return None  # the head must keep holding every import statement
        head = self.module
        if size < len(body):
            head = head.with_changes(body=body[:size], footer=(), has_trailing_newline=True)
            if head.code != self.text[:cut]:
                return None
        if in_head:
            edited = replace_nodes(head, [fix])
            # libcst adds imports after the leading ones and edits the statement after
            # them: both must lie in the head.
            if edited is None or import_updates.leading_imports(edited)[1] >= len(edited.body):
                return None
            head = edited
        if fix.imports:
            head = add_imports(head, set(fix.imports))
        if fix.unused_imports:
            removed = import_updates.remove_unused_imports(head, set(fix.unused_imports), rest)
            if removed is None:
                return None
            head = removed
        return head.code + rest

    def _splice(self, edit: NodeEdit | InsertStatements, fix: Fix) -> Edit | None:
        """`edit` as a text edit: the node's new code, else its statement line's."""
        direct = self._node_edit(edit)
        if direct is not None or isinstance(edit, InsertStatements):
            return direct
        line = self.positions.statement_line(edit.node)
        indent = self.positions.indent(edit.node)
        span = self.positions.inclusive(line) if line is not None else None
        if line is None or indent is None or span is None:
            return None
        if self._render(line, indent) != self._slice(span):
            return None
        new_line = replace_nodes(line, [fix])
        if new_line is None:
            return None
        return Edit(_position(span.start), _position(span.end), self._render(new_line, indent))

    def _splice_text(self, cut: int, splices: list[Edit]) -> str | None:
        """The text from offset `cut` on with `splices` made; None if two touch."""
        parts: list[str] = []
        done = cut
        for index, splice in enumerate(sorted(splices, key=_key)):
            start = self._offset(splice.start)
            if index and start <= done:
                return None  # touching edits: which comes first is libcst's to say
            parts += [self.text[done:start], splice.content]
            done = self._offset(splice.end)
        parts.append(self.text[done:])
        return "".join(parts)

    def _span(self, node: cst.CSTNode) -> CodeRange:
        span = self.positions.inclusive(node)
        if span is None:
            raise KeyError(node)
        return span

    def _offset(self, position: Position) -> int:
        return self._line_starts[position.line - 1] + position.column - 1

    @functools.cached_property
    def _line_starts(self) -> list[int]:
        return [0, *itertools.accumulate(len(line) for line in self._lines)]

    def _direct(self, fix: Fix) -> tuple[Edit, ...] | None:
        node_edits: list[Edit] = []
        for edit in fix.edits:
            text_edit = self._node_edit(edit)
            if text_edit is None:
                return None
            node_edits.append(text_edit)
        imports: tuple[Edit, ...] = ()
        if fix.imports:
            if any(self._near_imports(edit) for edit in fix.edits):
                return None
            imports = self._additions(frozenset(fix.imports))
        if fix.unused_imports and not self._all_still_used(fix):
            return None
        edits = sorted([*node_edits, *imports], key=_key)
        for before, after in itertools.pairwise(edits):
            # Touching edits are ambiguous about their order: leave them to libcst.
            if _key(after) <= (before.end.line, before.end.column):
                return None
        return tuple(edits)

    def _node_edit(self, edit: NodeEdit | InsertStatements) -> Edit | None:
        node = _edited(edit)
        span = self.positions.inclusive(node)
        indent = self.positions.indent(node)
        if span is None or indent is None:
            return None
        if isinstance(edit, InsertStatements):
            point = span.start if edit.before else span.end
            content = "".join(self._render(statement, indent) for statement in edit.statements)
            return Edit(_position(point), _position(point), content)
        if isinstance(edit.replacement, cst.RemovalSentinel):
            return None  # removal changes the neighbours' separators
        if _context_dependent(type(node)) or _context_dependent(type(edit.replacement)):
            return None
        # The original, generated alone, must give back its own text: then the same
        # generation of the replacement is what libcst writes in its place.
        if self._render(node, indent) != self._slice(span):
            return None
        content = self._render(edit.replacement, indent)
        return Edit(_position(span.start), _position(span.end), content)

    def _render(self, node: cst.CSTNode, indent: tuple[str, ...]) -> str:
        state = CodegenState(
            default_indent=self.module.default_indent,
            default_newline=self.module.default_newline,
            indent_tokens=list(indent),
        )
        node._codegen(state)
        return "".join(state.tokens)

    def _slice(self, span: CodeRange) -> str:
        lines = self._lines
        if span.start.line == span.end.line:
            return lines[span.start.line - 1][span.start.column : span.end.column]
        parts = [lines[span.start.line - 1][span.start.column :]]
        parts += lines[span.start.line : span.end.line - 1]
        if span.end.line <= len(lines):
            parts.append(lines[span.end.line - 1][: span.end.column])
        return "".join(parts)

    @functools.cached_property
    def _lines(self) -> list[str]:
        return _LINE.findall(self.text)

    def _near_imports(self, edit: NodeEdit | InsertStatements) -> bool:
        """Whether `edit` can change where or how libcst adds an import.

        libcst adds imports after the module's leading run of import statements (or
        extends one of them), so edits below that run, in statements that are not
        imports and do not become imports, change nothing of that.
        """
        node = _edited(edit)
        if isinstance(node, cst.Import | cst.ImportFrom):
            return True
        if id(node) not in self._module_statements:
            return False
        if isinstance(edit, InsertStatements) or _is_import_line(edit.replacement):
            return True
        return _is_import_line(node) or self.module.body.index(node) < self._import_block_end

    @functools.cached_property
    def _import_block_end(self) -> int:
        """Where libcst's AddImportsVisitor inserts: after the leading imports."""
        body = self.module.body
        # libcst skips a docstring or `__strict__` line; skipping any first statement
        # can only move the end further down, which keeps this on the safe side.
        start = 1 if body and not _is_import_line(body[0]) else 0
        end = start
        while end < len(body) and _is_import_line(body[end]):
            end += 1
        return end

    def _additions(self, imports: frozenset[Import]) -> tuple[Edit, ...]:
        if imports not in self._import_edits:
            head = self._import_head
            added = add_imports(head, imports)
            self._import_edits[imports] = line_edits(head.code, added.code)
        return self._import_edits[imports]

    @functools.cached_property
    def _import_head(self) -> cst.Module:
        """The part of the module libcst's AddImportsVisitor reads and changes.

        It changes the leading imports and the statement after them (a blank line),
        and skips an import already made anywhere. Without the word `import` below
        that statement, the module cut there gives the same edits on the same lines,
        at a fraction of the cost of a codemod pass over the whole file.
        """
        size = self._head_size
        if size is None:
            return self.module
        return self.module.with_changes(body=self.module.body[:size])

    @functools.cached_property
    def _head_size(self) -> int | None:
        """How many statements `_import_head` keeps (the leading imports and one more);
        None if there is no statement after the imports or an import may follow."""
        end = self._import_block_end + 1
        if end > len(self.module.body):
            return None
        if end == len(self.module.body):
            return end
        rest = self._span(self.module.body[end]).start
        lines = self._lines
        below = lines[rest.line - 1][rest.column :] + "".join(lines[rest.line :])
        if _IMPORT_WORD.search(below):
            return None
        return end

    def _all_still_used(self, fix: Fix) -> bool:
        """Whether every import `fix` may make unused is used outside its nodes."""
        spans = [self._span(_edited(edit)) for edit in fix.edits if isinstance(edit, NodeEdit)]
        for references in self._references(fix.unused_imports):
            if not any(
                access in self.positions
                and not any(_inside(self.positions[access], span) for span in spans)
                for access in references
            ):
                return False
        return True

    def _references(self, imports: Sequence[Import]) -> list[list[cst.CSTNode]]:
        """For each binding of `imports` in the module: the nodes that use it."""
        found: list[list[cst.CSTNode]] = []
        for scope in self._scopes:
            for assignment in scope.assignments:
                node = getattr(assignment, "node", None)
                if isinstance(node, cst.Import | cst.ImportFrom) and any(
                    _binds(node, assignment.name, imp) for imp in imports
                ):
                    found.append([access.node for access in assignment.references])
        return found

    @functools.cached_property
    def _scopes(self) -> list[Scope]:
        from libcst.metadata import ScopeProvider

        given = self._given_scopes
        scopes = (self._wrapper.resolve(ScopeProvider) if given is None else given).values()
        return list({id(scope): scope for scope in scopes if scope is not None}.values())


def _is_import_line(node: cst.CSTNode | cst.RemovalSentinel) -> bool:
    return (
        isinstance(node, cst.SimpleStatementLine)
        and len(node.body) == 1
        and isinstance(node.body[0], cst.Import | cst.ImportFrom)
    )


def _binds(node: cst.Import | cst.ImportFrom, name: str, imp: Import) -> bool:
    """Whether the import statement `node` binds `name` as `imp` (no alias)."""
    from libcst.helpers import get_full_name_for_node

    if isinstance(node, cst.Import):
        return imp.name is None and name == imp.module
    if node.relative or imp.name is None or name != imp.name:
        return False
    return node.module is not None and get_full_name_for_node(node.module) == imp.module


def _edited(edit: NodeEdit | InsertStatements) -> cst.CSTNode:
    return edit.node if isinstance(edit, NodeEdit) else edit.anchor


@functools.cache
def _context_dependent(node_type: type[object]) -> bool:
    """Whether the parent passes this node's code generator arguments (a default comma)."""
    generate = getattr(node_type, "_codegen_impl", None)
    return generate is None or len(inspect.signature(generate).parameters) > 2


def _inside(inner: CodeRange, outer: CodeRange) -> bool:
    return (outer.start.line, outer.start.column) <= (inner.start.line, inner.start.column) and (
        inner.end.line,
        inner.end.column,
    ) <= (outer.end.line, outer.end.column)


def _position(point: cst.metadata.CodePosition) -> Position:
    return Position(point.line, point.column + 1)


def _key(edit: Edit) -> tuple[int, int]:
    return (edit.start.line, edit.start.column)


def line_edits(old: str, new: str) -> tuple[Edit, ...]:
    """Line-level edits turning `old` into `new`, in ruff's row/column form."""
    old_lines = _LINE.findall(old)
    new_lines = _LINE.findall(new)
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    edits: list[Edit] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        edits.append(
            Edit(
                start=Position(i1 + 1, 1),
                end=Position(i2 + 1, 1),
                content="".join(new_lines[j1:j2]),
            )
        )
    return tuple(edits)
