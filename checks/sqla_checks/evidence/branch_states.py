"""What a name holds along the paths of `if`, `try`, `match` and loops.

The session binder records bindings in source order, so inside one branch a use sees
that branch's binding. Where paths meet (after an `if`, in an `except` handler, at the
top of a loop body) a name keeps its kind only if every path that reaches the point
agrees on it; otherwise it is unknown, and rules treat unknown as "not a session".
So `engine` bound by `create_async_engine()` in one arm and by `create_engine()` in
the other gets no `await engine.dispose()` where both can reach.

`BranchStates` is driven by the binder's visit methods: `enter` and `leave` around a
compound statement, `arm` when the traversal reaches one of its other arms (`else`,
`elif`, an `except` handler, `finally`, a `case`). The state is the `names` dict of a
binder scope, replaced as the traversal moves between arms.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Protocol

import libcst as cst

from sqla_checks.evidence.sqlalchemy_api import Kind

State = dict[str, Kind]
Compound = cst.If | cst.Try | cst.For | cst.While | cst.Match


class Holder(Protocol):
    """A scope whose `names` are the kinds known at the current point."""

    names: State


def merge(states: Sequence[State]) -> State:
    """The kinds every state agrees on."""
    first, *rest = states
    return {name: kind for name, kind in first.items() if all(s.get(name) is kind for s in rest)}


@dataclass
class _Frame:
    node: Compound
    scope: Holder | None
    before: State
    ends: list[State] = field(default_factory=list)  # ends of the arms left so far
    body_end: State | None = None  # a `try` body's end, once a handler starts
    closed: bool = False  # a `try`'s `finally` started: its end is the result


class BranchStates:
    """The stack of compound statements the traversal is inside."""

    def __init__(self) -> None:
        self._frames: list[_Frame] = []

    def enter(self, node: Compound, scope: Holder | None, rebound: AbstractSet[str]) -> None:
        """Start `node`; `rebound` are the names a loop body binds (unknown at its top)."""
        before = dict(scope.names) if scope is not None else {}
        self._frames.append(_Frame(node, scope, before))
        if scope is not None and rebound:
            # The second iteration starts where the first ended.
            scope.names = {n: k for n, k in scope.names.items() if n not in rebound}

    def arm(self, node: cst.CSTNode) -> None:
        """The traversal reached `node`; switch state if it starts an arm of the top frame."""
        if not self._frames:
            return
        frame = self._frames[-1]
        scope, compound = frame.scope, frame.node
        if scope is None:
            return
        if isinstance(compound, cst.If) and node is compound.orelse:
            frame.ends.append(scope.names)
            scope.names = dict(frame.before)
        elif isinstance(compound, cst.Match) and any(node is case for case in compound.cases):
            if node is not compound.cases[0]:
                frame.ends.append(scope.names)
            scope.names = dict(frame.before)
        elif isinstance(compound, (cst.For, cst.While)) and node is compound.orelse:
            # `else` runs after the last iteration, or at once for an empty loop.
            scope.names = merge([frame.before, scope.names])
        elif isinstance(compound, cst.Try):
            self._try_arm(frame, scope, node)

    @staticmethod
    def _try_arm(frame: _Frame, scope: Holder, node: cst.CSTNode) -> None:
        compound = frame.node
        assert isinstance(compound, cst.Try)
        if any(node is handler for handler in compound.handlers):
            if frame.body_end is None:
                frame.body_end = scope.names
            else:
                frame.ends.append(scope.names)
            # The exception may come before or after the body's bindings.
            scope.names = merge([frame.before, frame.body_end])
        elif node is compound.orelse:
            frame.ends.append(scope.names)
            assert frame.body_end is not None  # `else` needs a handler before it
            scope.names = dict(frame.body_end)
            frame.body_end = None  # the normal path now ends with the `else`
        elif node is compound.finalbody:
            scope.names = merge([frame.before, *_try_ends(frame, scope.names)])
            frame.closed = True

    def leave(self, node: Compound) -> None:
        """Finish `node`: the state after it is what all of its paths agree on."""
        frame = self._frames.pop()
        assert frame.node is node
        scope = frame.scope
        if scope is None:
            return
        if isinstance(node, cst.If):
            ends = [*frame.ends, scope.names] + ([] if node.orelse else [frame.before])
        elif isinstance(node, cst.Match):
            ends = [*frame.ends, scope.names, frame.before]  # no case may match
        elif isinstance(node, (cst.For, cst.While)):
            ends = [frame.before, scope.names]  # `break` may skip the rest
        elif frame.closed:
            return  # the `finally` already started from every path
        else:
            ends = _try_ends(frame, scope.names)
        scope.names = merge(ends)


def _try_ends(frame: _Frame, current: State) -> list[State]:
    """The states a `try` statement's arms end in, `current` being the last arm's."""
    ends = [*frame.ends, current]
    if frame.body_end is not None:
        ends.append(frame.body_end)  # no `else`: the body's end is the normal path
    return ends
