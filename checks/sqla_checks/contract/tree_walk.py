"""Visiting a libcst tree without rebuilding it: the same calls, a fraction of the cost.

`CSTNode.visit` serves transformers too, so for every node it builds a new node out of
the visited children (a dataclass constructed and validated), even for a visitor that
changes nothing. Checking a file spends most of its time there. The walk here reads the
children off the node instead and makes the same `visit_*`/`leave_*` calls, in the same
order, as `libcst.visit_batched` and `CSTNode.visit`.

The order of a node's children is the order its `_visit_and_replace_children` visits
its fields (decorators before a function's name, say, which is not the dataclass field
order). It is read once per node class from libcst itself: that method announces every
field to `on_visit_attribute` before visiting it (even an empty or `None` one), so a
visitor that records the announcements and descends nowhere learns the order from any
instance. This relies on libcst internals (1.5 to 1.9 at least, the pinned range);
tests/contract/test_tree_walk.py holds every walk equal to libcst's own on real code.

Whitespace, comments and empty lines are skipped when no visitor has a method for them
(none of ours do): they are a third of a tree's nodes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import libcst as cst
from libcst import MaybeSentinel
from libcst._batched_visitor import _get_visitor_methods

Method = Callable[[cst.CSTNode], object]

# Node classes made only of layout (and `_LAYOUT_NAMES`, the suffixes of their methods).
_LAYOUT: tuple[type[cst.CSTNode], ...] = (
    cst.SimpleWhitespace,
    cst.ParenthesizedWhitespace,
    cst.TrailingWhitespace,
    cst.EmptyLine,
    cst.Comment,
    cst.Newline,
)
_LAYOUT_NAMES = frozenset(kind.__name__ for kind in _LAYOUT)

# A module's fields, as the walk with `on_statement` spells them out.
_MODULE = (("header", "body", "footer"), ())

# The fields of each node class that may hold nodes, in visiting order.
_FIELDS: dict[type[cst.CSTNode], tuple[tuple[str, ...], tuple[str, ...]]] = {}


class _FieldRecorder(cst.CSTVisitor):
    """Records the fields a node announces, without descending into any child."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return False

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        self.fields.append(attribute)


def child_fields(node: cst.CSTNode) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The fields of `node`'s class that may hold child nodes, in libcst's visit order:
    those it always visits, then those it visits only when set."""
    kind = type(node)
    fields = _FIELDS.get(kind)
    if fields is None:
        recorder = _FieldRecorder()
        node._visit_and_replace_children(recorder)
        # A field visited only when set (an f-string's `format_spec`) is announced only
        # then; such fields come last in libcst's order, so unset ones are appended.
        rest = tuple(
            name
            for name in node.__dataclass_fields__
            if name not in recorder.fields and getattr(node, name) is None
        )
        fields = _FIELDS[kind] = (tuple(dict.fromkeys(recorder.fields)), rest)
    return fields


def _set_children(node: cst.CSTNode, fields: tuple[str, ...]) -> list[cst.CSTNode]:
    """The children in `node`'s fields visited only when set, checked in full.

    (An always-visited field holds a node, a sequence of nodes, None or
    `MaybeSentinel.DEFAULT`, which the walks test by type alone, the fast way.)
    """
    children: list[cst.CSTNode] = []
    for name in fields:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            children.append(value)
        elif isinstance(value, (tuple, list)):
            children.extend(child for child in value if isinstance(child, cst.CSTNode))
    return children


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """`node.children` (layout included, in the same order), read off the fields
    instead of collected by a visit."""
    always, when_set = _FIELDS.get(type(node)) or child_fields(node)
    found: list[cst.CSTNode] = []
    for name in always:
        value = getattr(node, name)
        of = type(value)
        if of is tuple or of is list:
            found.extend(value)
        elif value is not None and of is not MaybeSentinel:
            found.append(value)
    if when_set:
        found.extend(_set_children(node, when_set))
    return found


def visit_batched(
    node: cst.CSTNode,
    visitors: Sequence[cst.BatchableCSTVisitor],
    on_statement: Callable[[cst.BaseStatement | None], object] | None = None,
) -> None:
    """`libcst.visit_batched(node, visitors)`, without rebuilding the tree.

    `on_statement`, for a module: called with each top-level statement before the
    visitors see it, and with None after the last (before `leave_Module`).
    """
    methods = _get_visitor_methods(visitors)
    layout = _layout_unless_visited(name.partition("_")[2] for name in methods)
    calls: dict[type[cst.CSTNode], tuple[list[Method], list[Method]]] = {}

    def calls_of(kind: type[cst.CSTNode]) -> tuple[list[Method], list[Method]]:
        name = kind.__name__
        found = calls[kind] = (
            list(methods.get(f"visit_{name}", ())),
            list(methods.get(f"leave_{name}", ())),
        )
        return found

    def walk(node: cst.CSTNode) -> None:
        kind = type(node)
        visits, leaves = calls.get(kind) or calls_of(kind)
        for method in visits:
            method(node)
        always, when_set = _FIELDS.get(kind) or child_fields(node)
        for name in always:
            value = getattr(node, name)
            of = type(value)
            if of is tuple or of is list:
                for child in value:
                    if type(child) not in layout:
                        walk(child)
            elif value is not None and of is not MaybeSentinel and of not in layout:
                walk(value)
        if when_set:
            for child in _set_children(node, when_set):
                walk(child)
        for method in leaves:
            method(node)

    if on_statement is None or not isinstance(node, cst.Module) or child_fields(node) != _MODULE:
        walk(node)
        return
    visits, leaves = calls_of(cst.Module)
    for method in visits:
        method(node)
    for header in node.header:
        if type(header) not in layout:
            walk(header)
    for statement in node.body:
        on_statement(statement)
        walk(statement)
    on_statement(None)
    for footer in node.footer:
        if type(footer) not in layout:
            walk(footer)
    for method in leaves:
        method(node)


def visit(node: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """`node.visit(visitor)` for a visitor that only reads (a `visit_*` method may
    return False to skip a node's children), without rebuilding the tree."""
    kind_of_visitor = type(visitor)
    if (
        kind_of_visitor.on_visit is not cst.CSTVisitor.on_visit
        or kind_of_visitor.on_leave is not cst.CSTVisitor.on_leave
    ):
        raise TypeError(f"{kind_of_visitor.__name__} overrides on_visit/on_leave")
    real = {name: getattr(visitor, name) for name in _own_methods(kind_of_visitor)}
    layout = _layout_unless_visited(name.partition("_")[2] for name in real)
    calls: dict[type[cst.CSTNode], tuple[Method | None, Method | None]] = {}

    def walk(node: cst.CSTNode) -> None:
        kind = type(node)
        found = calls.get(kind)
        if found is None:
            found = calls[kind] = (
                real.get(f"visit_{kind.__name__}"),
                real.get(f"leave_{kind.__name__}"),
            )
        enter, leave = found
        # As `CSTVisitor.on_visit`: only an explicit False skips the children.
        if enter is None or enter(node) is not False:
            always, when_set = _FIELDS.get(kind) or child_fields(node)
            for name in always:
                value = getattr(node, name)
                of = type(value)
                if of is tuple or of is list:
                    for child in value:
                        if type(child) not in layout:
                            walk(child)
                elif value is not None and of is not MaybeSentinel and of not in layout:
                    walk(value)
            if when_set:
                for child in _set_children(node, when_set):
                    walk(child)
        if leave is not None:
            leave(node)

    walk(node)


# The `visit_*`/`leave_*` methods each visitor class defines (not libcst's stubs).
_METHOD_NAMES: dict[type[cst.CSTVisitor], tuple[str, ...]] = {}


def _own_methods(kind: type[cst.CSTVisitor]) -> tuple[str, ...]:
    names = _METHOD_NAMES.get(kind)
    if names is None:
        names = _METHOD_NAMES[kind] = tuple(
            name
            for name in dir(kind)
            if name.startswith(("visit_", "leave_"))
            and not getattr(getattr(kind, name), "_is_no_op", False)
        )
    return names


def _layout_unless_visited(visited: Iterable[str]) -> frozenset[type[cst.CSTNode]]:
    """The layout classes to skip: all, unless a visitor has a method for one."""
    return frozenset() if _LAYOUT_NAMES.intersection(visited) else frozenset(_LAYOUT)
