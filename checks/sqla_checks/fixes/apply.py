"""Applying rule fixes: their edits by node identity, then import bookkeeping.

Fixes are libcst transforms in the style of LibCST codemods: a rule says which nodes
become what (and which statements go in where) and which imports that needs; this
module picks the fixes of a round whose edits do not overlap, swaps the nodes in one
transform, and adds what is missing and drops what became unused as libcst's own
import visitors do (`import_updates`, or those visitors where it cannot tell).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

import libcst as cst

from sqla_checks.contract.rule import Fix, Import, InsertStatements, NodeEdit
from sqla_checks.fixes import import_updates

_Node = TypeVar("_Node", bound=cst.CSTNode)


class _Containment(cst.CSTVisitor):
    """For each edited node: the other edited nodes that contain it."""

    def __init__(self, targets: set[int]) -> None:
        super().__init__()
        self.targets = targets
        self.open: list[int] = []
        self.ancestors: dict[int, frozenset[int]] = {}

    def on_visit(self, node: cst.CSTNode) -> bool:
        key = id(node)
        if key in self.targets:
            self.ancestors[key] = frozenset(self.open)
            self.open.append(key)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if self.open and self.open[-1] == id(original_node):
            self.open.pop()


def compatible_fixes(module: cst.Module, fixes: Sequence[Fix]) -> list[Fix]:
    """The fixes, in order, that do not overlap one taken before them.

    Two fixes overlap when a node one replaces is, contains or lies inside a node the
    other replaces, or contains (or is) the anchor of the other's insertion.
    """
    if len(fixes) < 2:
        return list(fixes)
    targets = {id(_edited(edit)) for fix in fixes for edit in fix.edits}
    containment = _Containment(targets)
    module.visit(containment)
    ancestors = containment.ancestors
    replaced: set[int] = set()  # nodes replaced by a taken fix
    anchors: set[int] = set()  # anchors of a taken fix's insertions
    enclosing: set[int] = set()  # nodes containing any taken fix's edited node
    taken: list[Fix] = []
    for fix in fixes:
        if all(id(_edited(edit)) in ancestors for edit in fix.edits) and not any(
            _overlaps(edit, ancestors, replaced, anchors, enclosing) for edit in fix.edits
        ):
            taken.append(fix)
            for edit in fix.edits:
                key = id(_edited(edit))
                (replaced if isinstance(edit, NodeEdit) else anchors).add(key)
                enclosing |= ancestors[key]
    return taken


def _edited(edit: NodeEdit | InsertStatements) -> cst.CSTNode:
    return edit.node if isinstance(edit, NodeEdit) else edit.anchor


def _overlaps(
    edit: NodeEdit | InsertStatements,
    ancestors: dict[int, frozenset[int]],
    replaced: set[int],
    anchors: set[int],
    enclosing: set[int],
) -> bool:
    key = id(_edited(edit))
    if replaced & ancestors[key] or key in replaced:
        return True
    # A replacement must not swallow a taken node or insertion anchor.
    return isinstance(edit, NodeEdit) and (key in enclosing or key in anchors)


class _Replacer(cst.CSTTransformer):
    def __init__(self, fixes: Sequence[Fix]) -> None:
        super().__init__()
        self.replacements: dict[int, cst.CSTNode | cst.RemovalSentinel] = {}
        self.before: dict[int, list[cst.BaseStatement]] = {}
        self.after: dict[int, list[cst.BaseStatement]] = {}
        for fix in fixes:
            for edit in fix.edits:
                if isinstance(edit, NodeEdit):
                    self.replacements[id(edit.node)] = edit.replacement
                else:
                    side = self.before if edit.before else self.after
                    side.setdefault(id(edit.anchor), []).extend(edit.statements)

    def on_leave(  # type: ignore[override]  # libcst's generic signature is too narrow
        self, original_node: cst.CSTNode, updated_node: cst.CSTNode
    ) -> cst.CSTNode | cst.RemovalSentinel | cst.FlattenSentinel[cst.CSTNode]:
        key = id(original_node)
        replacement = self.replacements.get(key)
        if replacement is not None:
            return replacement
        if key in self.before or key in self.after:
            return cst.FlattenSentinel(
                [*self.before.get(key, ()), updated_node, *self.after.get(key, ())]
            )
        return updated_node


def replace_nodes(node: _Node, fixes: Sequence[Fix]) -> _Node | None:
    """`node` with the edits of `fixes` made inside it (by node identity), before any
    import bookkeeping; None when `node` itself is removed or becomes several."""
    replaced = node.visit(_Replacer(fixes))
    return replaced if isinstance(replaced, type(node)) else None


def apply_fixes(module: cst.Module, fixes: Sequence[Fix]) -> tuple[cst.Module, list[Fix]]:
    """Apply the compatible ones of `fixes` to `module`: the new module and those fixes."""
    applied = compatible_fixes(module, fixes)
    if not applied:
        return module, []
    new_module = replace_nodes(module, applied)
    assert new_module is not None  # a module's transform gives a module
    new_module = _fix_imports(new_module, applied)
    # A fix must never leave code that does not parse: check before anyone writes it.
    cst.parse_module(new_module.bytes)
    return new_module, applied


def render_fix(module: cst.Module, fix: Fix) -> str:
    """The source after applying `fix` alone."""
    fixed, _ = apply_fixes(module, [fix])
    return fixed.code


def _fix_imports(module: cst.Module, fixes: Sequence[Fix]) -> cst.Module:
    additions = {imp for fix in fixes for imp in fix.imports}
    removals = {imp for fix in fixes for imp in fix.unused_imports}
    if additions:
        module = add_imports(module, additions)
    if removals:
        module = remove_unused_imports(module, removals)
    return module


# libcst.codemod is imported only when `import_updates` cannot make the change itself:
# it pulls in libcst.matchers, about half a second of start-up that a run without
# fixes (a pre-commit hook, say) or with JSON output should not pay.


def add_imports(module: cst.Module, imports: Iterable[Import]) -> cst.Module:
    """`module` with each of `imports` added unless it is already there."""
    imports = list(imports)
    added = import_updates.add_imports(module, imports)
    if added is not None:
        return added
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import AddImportsVisitor

    context = CodemodContext()
    for imp in sorted(imports, key=lambda i: (i.module, i.name or "")):
        AddImportsVisitor.add_needed_import(context, imp.module, imp.name)
    return AddImportsVisitor(context).transform_module(module)


def remove_unused_imports(module: cst.Module, imports: Iterable[Import]) -> cst.Module:
    """`module` without those of `imports` that nothing uses any more."""
    imports = list(imports)
    removed = import_updates.remove_unused_imports(module, imports)
    if removed is not None:
        return removed
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import RemoveImportsVisitor

    context = CodemodContext()
    for imp in sorted(imports, key=lambda i: (i.module, i.name or "")):
        RemoveImportsVisitor.remove_unused_import(context, imp.module, imp.name)
    return RemoveImportsVisitor(context).transform_module(module)
