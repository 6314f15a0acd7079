"""Simple assignments, `name = value` and `name: T = value`, read the one same way.

Rules and evidence indexes ask which plain names a module (or a class body) binds,
and to what: a Flask-SQLAlchemy instance, a `Table`, a registry, an engine. Only
statements with one plain-name target count: `a = b = x`, `a, b = x`, `obj.attr = x`
and `items[0] = x` bind nothing a rule can follow by name.
"""

from __future__ import annotations

from typing import NamedTuple

import libcst as cst


class Assignment(NamedTuple):
    """`name = value` or `name: T = value`, with the statement it comes from."""

    node: cst.Assign | cst.AnnAssign
    name: str
    value: cst.BaseExpression

    @property
    def annotated(self) -> bool:
        """Whether it is written `name: T = value`."""
        return isinstance(self.node, cst.AnnAssign)


def assigned_name(small: cst.BaseSmallStatement) -> str | None:
    """The plain name `name = ...` (one target) or `name: T [= ...]` binds, if any.

    A bare annotation `name: T` counts: in a class body it declares the attribute.
    """
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = small.targets[0].target
        if isinstance(target, cst.Name):
            return target.value
    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
        return small.target.value
    return None


def simple_assignment(small: cst.BaseSmallStatement) -> Assignment | None:
    """`small` as an `Assignment` when it gives one plain name a value."""
    name = assigned_name(small)
    if name is None:
        return None
    assert isinstance(small, cst.Assign | cst.AnnAssign)
    if small.value is None:
        return None
    return Assignment(small, name, small.value)


def module_assignments(module: cst.Module) -> tuple[Assignment, ...]:
    """The module-level simple assignments of `module`, in source order.

    Only statements directly in the module body count, not those under `if`, `try`
    or `with` blocks.
    """
    found: list[Assignment] = []
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                assignment = simple_assignment(small)
                if assignment is not None:
                    found.append(assignment)
    return tuple(found)
