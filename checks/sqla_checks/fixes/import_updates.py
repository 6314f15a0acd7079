"""Adding and removing imports exactly as libcst's codemod visitors do, without them.

`AddImportsVisitor` and `RemoveImportsVisitor` need `libcst.codemod`, which imports
`libcst.matchers` (about half a second), and each runs transform passes over the
whole module. The same changes are a few node replacements at the top of the
module, so these functions make them directly, following libcst 1.9's visitors step
by step so that the module they return generates the same code. Each returns None
for a case it cannot prove it handles the same way (a `__future__` import, a name
that may still be in use), and the caller then runs libcst's visitor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import libcst as cst
from libcst.helpers import get_absolute_module_from_package_for_import

from sqla_checks.contract.rule import Import


def add_imports(module: cst.Module, imports: Iterable[Import]) -> cst.Module | None:
    """`module` with each of `imports` added as `AddImportsVisitor` adds it, or None."""
    wanted = set(imports)
    if any(imp.module == "__future__" for imp in wanted):
        return None
    module_imports = {imp.module for imp in wanted if imp.name is None}
    from_modules = sorted({imp.module for imp in wanted if imp.name is not None})
    mapping = {
        name: {imp.name for imp in wanted if imp.module == name and imp.name is not None}
        for name in from_modules
    }
    body = list(module.body)
    start, end = leading_imports(module)
    top = [_only_statement(line) for line in body[start:end]]
    # What the leading imports already provide (the visitor's gatherer).
    provided: dict[str, set[str]] = {}
    for statement in top:
        if isinstance(statement, cst.Import):
            module_imports -= {a.evaluated_name for a in statement.names if a.asname is None}
            continue
        name = get_absolute_module_from_package_for_import(None, statement)
        if name is None:
            continue
        if isinstance(statement.names, cst.ImportStar):
            provided[name] = {"*"}
            continue
        names = {a.evaluated_name for a in statement.names if a.asname is None}
        if names:
            seen = provided.setdefault(name, set())
            if "*" in seen:
                continue
            seen.update(names)
    for name, names in provided.items():
        if name not in mapping:
            continue
        if "*" in names:
            del mapping[name]
            continue
        mapping[name] -= names
        if not mapping[name]:
            del mapping[name]
    # The first leading `from M import ...` of a module still wanted takes its names.
    for index in range(start, end):
        statement = top[index - start]
        if not isinstance(statement, cst.ImportFrom) or isinstance(statement.names, cst.ImportStar):
            continue
        name = get_absolute_module_from_package_for_import(None, statement)
        if name is None or name not in mapping:
            continue
        added = [cst.ImportAlias(name=cst.Name(obj)) for obj in sorted(mapping.pop(name))]
        extended = statement.with_changes(names=[*added, *statement.names])
        body[index] = body[index].with_changes(body=[extended])
    if not module_imports and not mapping:
        return module.with_changes(body=body)
    config = module.config_for_parsing
    new_lines = [
        cst.parse_statement(f"import {name}", config=config) for name in sorted(module_imports)
    ]
    new_lines += [
        cst.parse_statement(f"from {name} import " + ", ".join(sorted(objs)), config=config)
        for name, objs in mapping.items()
    ]
    return module.with_changes(
        body=[*body[:start], *body[start:end], *new_lines, *_with_empty_line(body[end:])]
    )


def remove_unused_imports(
    module: cst.Module, imports: Iterable[Import], following: str = ""
) -> cst.Module | None:
    """`module` without those of `imports` nothing uses, as `RemoveImportsVisitor`
    removes them; None unless each is provably used or unused.

    A name written once in the whole module, in a module-level `from M import name`,
    is unused: a use, an `__all__` entry or a string annotation would write it again.
    `following` is the code after `module` when `module` is the head of a bigger one
    whose import statements it all holds.
    """
    code = module.code + following
    removals: dict[int, set[str]] = {}  # statement index -> names to drop from it
    for imp in imports:
        if imp.name is None or imp.module == "__future__":
            return None
        written = len(re.findall(rf"(?<!\w){re.escape(imp.name)}(?!\w)", code))
        if written == 0:
            continue  # no import of it anywhere: nothing to remove
        found = _sole_from_import(module.body, imp.name) if written == 1 else None
        if found is None:
            return None
        index, statement = found
        if get_absolute_module_from_package_for_import(None, statement) == imp.module:
            removals.setdefault(index, set()).add(imp.name)
        # else: its only spelling is an import of another module, which stays.
    if not removals:
        return module
    body: list[_Statement] = []
    for index, line in enumerate(module.body):
        if index not in removals:
            body.append(line)
            continue
        only = _only_statement(line)
        assert isinstance(only, cst.ImportFrom)
        kept = _without_names(only, removals[index])
        if kept is not None:
            body.append(line.with_changes(body=[kept]))
    return module.with_changes(body=body)


def _sole_from_import(
    body: Sequence[cst.BaseStatement], name: str
) -> tuple[int, cst.ImportFrom] | None:
    """The module-level `from ... import` line importing `name` without an alias."""
    for index, line in enumerate(body):
        if not _is_import_line(line):
            continue
        statement = _only_statement(line)
        if not isinstance(statement, cst.ImportFrom) or isinstance(statement.names, cst.ImportStar):
            continue
        for alias in statement.names:
            if alias.asname is None and alias.evaluated_name == name:
                return index, statement
    return None


def _without_names(statement: cst.ImportFrom, names: set[str]) -> cst.ImportFrom | None:
    """`RemoveImportsVisitor._process_importfrom_aliases` for unused `names`."""
    assert not isinstance(statement.names, cst.ImportStar)
    original = list(statement.names)
    kept: list[cst.ImportAlias] = []
    lpar = statement.lpar
    for alias in original:
        if alias.asname is not None or alias.evaluated_name not in names:
            kept.append(alias)
            continue
        # Comments after a dropped alias's comma move to what comes before it.
        comma = alias.comma
        if isinstance(comma, cst.Comma):
            if kept:
                previous = kept[-1]
                if isinstance(previous.comma, cst.Comma):
                    previous = previous.with_deep_changes(
                        previous.comma,
                        whitespace_after=_merge_whitespace_after(
                            previous.comma.whitespace_after, comma.whitespace_after
                        ),
                    )
                else:
                    previous = previous.with_changes(comma=comma)
                kept[-1] = previous
            elif isinstance(lpar, cst.LeftParen):
                lpar = lpar.with_changes(
                    whitespace_after=_merge_whitespace_after(
                        lpar.whitespace_after, comma.whitespace_after
                    )
                )
    if not kept:
        return None
    if kept[-1] is not original[-1]:
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    if lpar is statement.lpar:
        return statement.with_changes(names=kept)
    return statement.with_changes(names=kept, lpar=lpar)


def _merge_whitespace_after(
    left: cst.BaseParenthesizableWhitespace, right: cst.BaseParenthesizableWhitespace
) -> cst.BaseParenthesizableWhitespace:
    if not isinstance(right, cst.ParenthesizedWhitespace):
        return left
    if not isinstance(left, cst.ParenthesizedWhitespace):
        return right
    return left.with_changes(
        empty_lines=tuple(line for line in right.empty_lines if line.comment is not None)
    )


_Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement


def _with_empty_line(statements: list[_Statement]) -> list[_Statement]:
    """At least one blank line between the added imports and the next statement."""
    if not statements:
        return statements
    first = statements[0]
    leading = first.leading_lines
    if leading and leading[0].comment is None:
        return statements
    return [first.with_changes(leading_lines=(cst.EmptyLine(), *leading)), *statements[1:]]


def leading_imports(module: cst.Module) -> tuple[int, int]:
    """Where the visitors' leading run of import lines starts and ends in the body."""
    body = module.body
    start = 1 if _skip_first(module) else 0
    end = start
    while end < len(body) and _is_import_line(body[end]):
        end += 1
    return start, end


def _skip_first(module: cst.Module) -> bool:
    """Whether the first statement is a docstring or `__strict__` flag (kept first)."""
    if not module.body or not isinstance(module.body[0], cst.SimpleStatementLine):
        return False
    line = module.body[0].body
    if len(line) != 1:
        return False
    statement = line[0]
    if isinstance(statement, cst.Assign):
        return (
            len(statement.targets) == 1
            and isinstance(statement.targets[0].target, cst.Name)
            and statement.targets[0].target.value == "__strict__"
        )
    return isinstance(statement, cst.Expr) and isinstance(statement.value, cst.SimpleString)


def is_import_line(node: cst.CSTNode | cst.RemovalSentinel) -> bool:
    """A statement line holding one import: what the visitors count as leading imports."""
    return (
        isinstance(node, cst.SimpleStatementLine)
        and len(node.body) == 1
        and isinstance(node.body[0], cst.Import | cst.ImportFrom)
    )


_is_import_line = is_import_line


def _only_statement(line: cst.BaseStatement) -> cst.Import | cst.ImportFrom:
    assert isinstance(line, cst.SimpleStatementLine)
    statement = line.body[0]
    assert isinstance(statement, cst.Import | cst.ImportFrom)
    return statement
