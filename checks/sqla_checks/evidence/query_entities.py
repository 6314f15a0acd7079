"""What a `query(...)` call selects: ORM entities or columns, and how sure we are.

The difference decides the 2.x spelling (`session.scalars()` for one entity, rows
otherwise) and whether a rewrite is provably exact: a class defined in this module,
one of its `Column`/`mapped_column` attributes or a SQL function is known; a CapWords
name imported from elsewhere is only probably an entity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import libcst as cst

from sqla_checks.evidence.context import FileContext
from sqla_checks.evidence.sqlalchemy_api import COLUMN_CONSTRUCTORS


@dataclass(frozen=True)
class Selected:
    """One argument of `query(...)`: an ORM entity or a column, and how we know."""

    entity: bool
    proven: bool  # known from this module (else: from the CapWords naming convention)
    key: str | None  # the name the legacy Row gives it, when statically known


def module_classes(context: FileContext) -> dict[str, cst.ClassDef]:
    """The classes defined at the top level of the module, by name."""
    return {s.name.value: s for s in context.module.body if isinstance(s, cst.ClassDef)}


def is_cap_words(name: str) -> bool:
    """Whether `name` is spelled like a class (`User`, `BlogPost`; not `URL`)."""
    return name[:1].isupper() and any(c.islower() for c in name)


def classify(
    context: FileContext, node: cst.BaseExpression, classes: dict[str, cst.ClassDef]
) -> Selected | None:
    """Entity or column, from evidence; None when the argument cannot be classified."""
    if isinstance(node, cst.Name):
        if node.value in classes:
            return Selected(entity=True, proven=True, key=node.value)
        if context.sqla_name(node) is not None:
            return None
        if is_cap_words(node.value):
            return Selected(entity=True, proven=False, key=node.value)
        return None
    if isinstance(node, cst.Attribute):
        attr = node.attr.value
        if is_cap_words(attr):
            # `models.User`: a class reached through a module (relative imports included).
            head = node.value
            if (
                isinstance(head, cst.Name)
                and head.value not in {"self", "cls"}
                and context.sqla_name(head) is None
            ):
                return Selected(entity=True, proven=False, key=attr)
            return None
        owner = classify(context, node.value, classes)
        if owner is None or not owner.entity or attr.startswith("_"):
            return None
        if owner.proven and isinstance(node.value, cst.Name):
            mapped = _mapped_attribute(context, classes[node.value.value], attr)
            if mapped == "column":
                return Selected(entity=False, proven=True, key=attr)
            if mapped == "relationship":
                return None  # selecting a relationship selects the related entity
        return Selected(entity=False, proven=False, key=attr)
    if isinstance(node, cst.Call):
        name = context.sqla_name(node.func)
        if name in {"aliased", "with_polymorphic"}:
            return Selected(entity=True, proven=True, key=None)
        if name in COLUMN_CONSTRUCTORS:
            return Selected(entity=False, proven=True, key=None)
        func = node.func
        if isinstance(func, cst.Attribute):
            if context.sqla_name(func.value) == "func":
                return Selected(entity=False, proven=True, key=None)
            if func.attr.value == "label" and len(node.args) == 1:
                inner = classify(context, func.value, classes)
                label = node.args[0].value
                if (
                    inner is not None
                    and not inner.entity
                    and isinstance(label, cst.SimpleString)
                    and isinstance(label.evaluated_value, str)
                ):
                    return Selected(entity=False, proven=inner.proven, key=label.evaluated_value)
        return None
    return None


def _mapped_attribute(
    context: FileContext, klass: cst.ClassDef, attr: str
) -> Literal["column", "relationship"] | None:
    """How `attr` is declared in the body of `klass`, if it is declared there."""
    for statement in klass.body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            value: cst.BaseExpression | None
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                target, value = small.target.value, small.value
                annotation = small.annotation.annotation
            elif (
                isinstance(small, cst.Assign)
                and len(small.targets) == 1
                and isinstance(small.targets[0].target, cst.Name)
            ):
                target, value, annotation = small.targets[0].target.value, small.value, None
            else:
                continue
            if target != attr:
                continue
            if isinstance(value, cst.Call):
                name = context.sqla_name(value.func)
                if name in {"Column", "mapped_column", "column_property", "deferred"}:
                    return "column"
                if name in {"relationship", "dynamic_loader"}:
                    return "relationship"
                return None
            if value is None and annotation is not None:
                # `name: Mapped[str]` alone is a column; a relationship needs a call.
                head = annotation.value if isinstance(annotation, cst.Subscript) else None
                if head is not None and context.sqla_name(head) == "Mapped":
                    return "column"
            return None
    return None
