"""Which fixes of a round land together: overlapping ones wait for the next round."""

from __future__ import annotations

import libcst as cst

from sqla_checks.contract.rule import Fix, InsertStatements, NodeEdit
from sqla_checks.fixes.apply import apply_fixes, compatible_fixes

SOURCE = """\
class A:
    x = f(g(1))
    y = 2


def h():
    return f(3)
"""


def _parts() -> tuple[cst.Module, cst.ClassDef, cst.Call, cst.Call, cst.Call]:
    module = cst.parse_module(SOURCE)
    klass = module.body[0]
    function = module.body[1]
    assert isinstance(klass, cst.ClassDef) and isinstance(function, cst.FunctionDef)
    first = klass.body.body[0]
    assert isinstance(first, cst.SimpleStatementLine)
    assign = first.body[0]
    assert isinstance(assign, cst.Assign) and isinstance(assign.value, cst.Call)
    outer = assign.value
    inner = outer.args[0].value
    assert isinstance(inner, cst.Call)
    returned = function.body.body[0]
    assert isinstance(returned, cst.SimpleStatementLine)
    statement = returned.body[0]
    assert isinstance(statement, cst.Return) and isinstance(statement.value, cst.Call)
    return module, klass, outer, inner, statement.value


def _rename(call: cst.Call, name: str) -> Fix:
    return Fix(call, call.with_changes(func=cst.Name(name)))


def test_a_fix_inside_another_waits_and_the_count_says_so() -> None:
    module, _, outer, inner, other = _parts()
    fixes = [_rename(inner, "inner"), _rename(outer, "outer"), _rename(other, "other")]
    new_module, applied = apply_fixes(module, fixes)
    assert applied == [fixes[0], fixes[2]]
    assert "x = f(inner(1))" in new_module.code and "return other(3)" in new_module.code


def test_insertions_at_one_anchor_land_together_in_fix_order() -> None:
    module, klass, outer, _, _ = _parts()
    anchor = klass.body.body[1]
    assert isinstance(anchor, cst.SimpleStatementLine)
    new = [cst.parse_statement(f"z{i} = {i}\n") for i in range(3)]
    fixes = [Fix(edits=(InsertStatements(anchor, (statement,)),)) for statement in new] + [
        Fix(edits=(NodeEdit(outer, cst.Name("v")), InsertStatements(anchor, (new[0],), True)))
    ]
    assert compatible_fixes(module, fixes) == fixes
    fixed, _ = apply_fixes(module, fixes)
    assert fixed.code.startswith(
        "class A:\n    x = v\n    z0 = 0\n    y = 2\n    z0 = 0\n    z1 = 1\n    z2 = 2\n"
    )


def test_a_replacement_around_an_anchor_overlaps_the_insertion() -> None:
    module, klass, _, _, _ = _parts()
    anchor = klass.body.body[1]
    assert isinstance(anchor, cst.SimpleStatementLine)
    insert = Fix(edits=(InsertStatements(anchor, (cst.parse_statement("z = 0\n"),)),))
    replace_class = Fix(klass, klass.with_changes(name=cst.Name("B")))
    replace_anchor = Fix(anchor, cst.parse_statement("y = 3\n"))
    assert compatible_fixes(module, [insert, replace_class, replace_anchor]) == [insert]
    assert compatible_fixes(module, [replace_class, insert]) == [replace_class]
