"""The walks of `contract.tree_walk` make libcst's own calls, in libcst's order.

They replace `libcst.visit_batched` and `CSTNode.visit` for visitors that only read, so
on any module they must call the same `visit_*`/`leave_*` methods on the same nodes in
the same order (layout nodes aside, which no visitor of ours asks for: with a method
for one, they are walked too). Checked on the example projects' Python files, a sample
of libcst's sources (every node class is used there) and modules written to hold the
rarer syntax.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import libcst as cst
import pytest

from sqla_checks.contract import tree_walk
from sqla_checks.contract.batched_visitor import BatchedVisitor

REPO = Path(__file__).resolve().parents[2]
LIBCST = Path(cst.__file__).resolve().parent
LAYOUT = {
    cst.SimpleWhitespace,
    cst.ParenthesizedWhitespace,
    cst.TrailingWhitespace,
    cst.EmptyLine,
    cst.Comment,
    cst.Newline,
}
NODE_CLASSES = sorted(
    (
        value
        for value in vars(cst).values()
        if isinstance(value, type) and issubclass(value, cst.CSTNode)
    ),
    key=lambda kind: kind.__name__,
)
# Syntax the repository's files may not hold: the first f-string has no format spec
# (a field libcst announces only when set), the later ones do.
RARE = (
    'a = f"{x}"\nb = f"{x:>{width}}"\nc = f"{x!r:{w}.{p}}" f"{y=}"\n',
    "match p:\n    case [1, *rest] if rest:\n        pass\n    case {'k': v, **kw}:\n"
    "        pass\n    case Point(x=0) | None as q:\n        pass\n    case _:\n        pass\n",
    "async def f():\n    async with a as (b, c), d:\n        async for x in y:\n"
    "            await z\n    return [i async for i in g() if (n := i)]\n",
    "try:\n    pass\nexcept* (A, B) as e:\n    raise\nelse:\n    pass\nfinally:\n    del x\n",
    "type Alias[T] = list[T]\n\n@dec\n@other(1)\n"
    "def g[T: int, *Ts, **P](a, /, b=1, *c, d, **e) -> T:\n"
    "    global q\n    nonlocal r\n    yield from h\n    lambda k=1, *m: k\n",
    "from . import (a as b,\n    c)\nfrom ..x import *\nimport os.path as p, sys\n"
    "assert x, 'm'\nx[1:2, ::3] = y @ z ** -w if not v else ~u\n",
    "class C(Base, metaclass=M):\n    '''doc'''  # comment\n\n    x: int = 1; y = 2\n"
    "    while a:\n        break\n    else:\n        continue\n",
    "print(*args, sep='', **kw)\n{**a, 'b': [*c], d: {e for e in f}}\n(x for x in y)\n",
)


def _sources() -> list[tuple[str, str]]:
    repo_files = sorted((REPO / "examples").rglob("*.py"))
    libcst_files = sorted((LIBCST / "_nodes").glob("*.py"))
    assert len(repo_files) > 20 and len(libcst_files) > 5  # the files really were found
    named = [(f"rare-{number}", source) for number, source in enumerate(RARE)]
    for path in [*repo_files, *libcst_files]:
        source = path.read_text(encoding="utf-8")
        if source.strip():
            named.append((str(path.relative_to(path.parents[1])), source))
    return named


SOURCES = _sources()


def _recorder(
    kinds: list[type[cst.CSTNode]], base: type, returns: object = None
) -> Callable[[], object]:
    """A visitor class with a `visit_*` and a `leave_*` method for each of `kinds`,
    logging every call; `visit_*` methods return `returns`."""

    def method(prefix: str, kind: type[cst.CSTNode]) -> Callable[[object, cst.CSTNode], object]:
        def logged(self: object, node: cst.CSTNode) -> object:
            self.log.append((prefix, kind.__name__, id(node)))  # type: ignore[attr-defined]
            return returns if prefix == "visit" else None

        return logged

    namespace: dict[str, object] = {
        "__init__": lambda self: (base.__init__(self), setattr(self, "log", []))[0]
    }
    for kind in kinds:
        namespace[f"visit_{kind.__name__}"] = method("visit", kind)
        namespace[f"leave_{kind.__name__}"] = method("leave", kind)
    return type(f"Recorder{len(kinds)}", (base,), namespace)


BATCHED_STRUCTURE = _recorder([kind for kind in NODE_CLASSES if kind not in LAYOUT], BatchedVisitor)
BATCHED_ALL = _recorder(NODE_CLASSES, BatchedVisitor)


@pytest.mark.parametrize(("name", "source"), SOURCES, ids=[name for name, _ in SOURCES])
def test_batched_walk_calls_what_libcst_calls(name: str, source: str) -> None:
    module = cst.parse_module(source)
    # With a method for a layout class, layout is walked too (a few files suffice).
    rare = name.startswith("rare")
    for recorder in (BATCHED_STRUCTURE, BATCHED_ALL) if rare else (BATCHED_STRUCTURE,):
        expected, walked = recorder(), recorder()
        cst.visit_batched(module, [expected])  # type: ignore[list-item]
        tree_walk.visit_batched(module, [walked])  # type: ignore[list-item]
        assert walked.log == expected.log  # type: ignore[attr-defined]
        assert len(walked.log) > 2  # type: ignore[attr-defined]  # more than the Module


class _PrunedNames(cst.CSTVisitor):
    """Names outside functions: `visit_FunctionDef` returning False prunes a subtree."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[str, int]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.log.append(("def", id(node)))
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.log.append(("name", id(node)))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.log.append(("left", id(original_node)))

    def visit_Comment(self, node: cst.Comment) -> None:
        self.log.append(("comment", id(node)))


@pytest.mark.parametrize(("name", "source"), SOURCES[:40], ids=[name for name, _ in SOURCES[:40]])
def test_plain_walk_calls_what_visit_calls(name: str, source: str) -> None:
    module = cst.parse_module(source)
    expected, walked = _PrunedNames(), _PrunedNames()
    module.visit(expected)
    tree_walk.visit(module, walked)
    assert walked.log == expected.log


def test_plain_walk_refuses_a_visitor_with_its_own_dispatch() -> None:
    class Dispatching(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            return True

    with pytest.raises(TypeError, match="Dispatching overrides on_visit"):
        tree_walk.visit(cst.parse_module("x = 1\n"), Dispatching())


@pytest.mark.parametrize(("name", "source"), SOURCES, ids=[name for name, _ in SOURCES])
def test_children_are_libcsts_children(name: str, source: str) -> None:
    pending: list[cst.CSTNode] = [cst.parse_module(source)]
    seen = 0
    while pending:
        node = pending.pop()
        expected = node.children
        found = tree_walk.children(node)
        assert [id(child) for child in found] == [id(child) for child in expected], name
        pending.extend(expected)
        seen += 1
    assert seen > 1
