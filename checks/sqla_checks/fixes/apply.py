"""Applying rule fixes: node replacement by identity, then import bookkeeping.

Fixes are libcst transforms in the style of LibCST codemods: a rule says which node
becomes what and which imports that needs; this module swaps the nodes and lets
libcst's own import visitors add what is missing and drop what became unused.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from sqla_checks.contract.rule import Fix


class _Replacer(cst.CSTTransformer):
    def __init__(self, fixes: Sequence[Fix]) -> None:
        super().__init__()
        self.replacements = {id(fix.node): fix for fix in fixes}
        self.applied: list[Fix] = []

    def on_leave(  # type: ignore[override]  # libcst's generic signature is too narrow
        self, original_node: cst.CSTNode, updated_node: cst.CSTNode
    ) -> cst.CSTNode | cst.RemovalSentinel:
        fix = self.replacements.get(id(original_node))
        if fix is None:
            return updated_node
        # An inner fix already applied inside this node is dropped by the outer
        # replacement (built from the original); the next round re-finds it.
        self.applied.append(fix)
        return fix.replacement


def apply_fixes(module: cst.Module, fixes: Sequence[Fix]) -> tuple[cst.Module, int]:
    """Apply `fixes` to `module`; return the new module and how many were applied."""
    replacer = _Replacer(fixes)
    new_module = module.visit(replacer)
    if not replacer.applied:
        return module, 0
    new_module = _fix_imports(new_module, replacer.applied)
    # A fix must never leave code that does not parse: check before anyone writes it.
    cst.parse_module(new_module.bytes)
    return new_module, len(replacer.applied)


def render_fix(module: cst.Module, fix: Fix) -> str:
    """The source after applying `fix` alone (for reporting its edits)."""
    fixed, _ = apply_fixes(module, [fix])
    return fixed.code


def _fix_imports(module: cst.Module, fixes: Sequence[Fix]) -> cst.Module:
    additions = {imp for fix in fixes for imp in fix.imports}
    removals = {imp for fix in fixes for imp in fix.unused_imports}
    if not additions and not removals:
        return module
    # Imported here: libcst.codemod pulls in libcst.matchers, about half a second of
    # start-up that a run without fixes (a pre-commit hook, say) should not pay.
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

    context = CodemodContext()
    for imp in sorted(additions, key=lambda i: (i.module, i.name or "")):
        AddImportsVisitor.add_needed_import(context, imp.module, imp.name)
    if additions:
        module = AddImportsVisitor(context).transform_module(module)
    if removals:
        context = CodemodContext()
        for imp in sorted(removals, key=lambda i: (i.module, i.name or "")):
            RemoveImportsVisitor.remove_unused_import(context, imp.module, imp.name)
        module = RemoveImportsVisitor(context).transform_module(module)
    return module
