"""May a fix write `select` here, and how: the one answer for every fix that adds a name.

A fix that introduces a SQLAlchemy name must mean SQLAlchemy's object where it writes
it, and must not change what the name means anywhere else. `spelling` answers with
the expression to write and the imports it needs, or with the reason there is none:

- the bare name, when at that node only imports of that very object bind it;
- the bare name plus a new `from module import name`, when nothing in the module
  binds or reads the name (a module-level import then changes nothing else);
- else a spelling the module already has that is provably the object: `sa.select`
  through an import of its module, or an aliased import such as `select as sa_select`.
"""

from __future__ import annotations

import functools
import io
import re
import tokenize
from dataclasses import dataclass

import libcst as cst

from sqla_checks.contract.rule import Import
from sqla_checks.evidence.context import FileContext
from sqla_checks.evidence.imports import sqla_symbol

# Preferred module aliases, then any other name an import binds to the module.
_USUAL_ALIASES = ("sa", "sqlalchemy", "sqla")


@dataclass(frozen=True)
class Spelling:
    """How to write a SQLAlchemy name at the fix's position, and what to import for it."""

    expression: cst.BaseExpression
    imports: tuple[Import, ...] = ()


def spelling(
    context: FileContext, qualified: str, at: cst.CSTNode, *, module_alias_first: bool = False
) -> Spelling | str:
    """How to write `qualified` (`sqlalchemy.select`) where `at` is, or why it cannot be.

    `module_alias_first`: write `sa.select` rather than add an import when both are
    possible (the `select()` rewrite has always done so; the other fixes import).
    """
    module, _, name = qualified.rpartition(".")
    quick = _without_scopes(context.text, module, name, module_alias_first)
    if quick is not None:
        return quick
    if _only_module_imports_bind(context.text, module, name):
        # What the scopes would answer: at every node only those imports bind it.
        return Spelling(cst.Name(name))
    bindings = context.bindings
    visible = bindings.visible(name, at)
    if visible is None:
        return f"`{name}` cannot be resolved here"
    if visible and all(_is_object(b.imported, module, name) for b in visible):
        return Spelling(cst.Name(name))
    unknown_star = [m for m in bindings.star_imports if m != module]
    importable = not visible and not unknown_star and not bindings.read_unbound(name)
    if importable and not module_alias_first:
        return Spelling(cst.Name(name), (Import(module, name),))
    imported = bindings.imports_visible(at)
    modules = sorted(
        (local for local, target in imported.items() if target == module),
        key=lambda local: (_rank(local), local),
    )
    if modules:
        return Spelling(cst.Attribute(value=cst.Name(modules[0]), attr=cst.Name(name)))
    aliases = sorted(local for local, t in imported.items() if _is_object(t, module, name))
    if aliases:
        return Spelling(cst.Name(aliases[0]))
    if importable:
        return Spelling(cst.Name(name), (Import(module, name),))
    if visible:
        why = " and ".join(sorted({b.where for b in visible}))
        return f"`{name}` here is {why}, and no import spells SQLAlchemy's `{name}` otherwise"
    return (
        f"`{name}` may come from `from {unknown_star[0] or '.'} import *`"
        if unknown_star
        else f"the module reads an unbound `{name}`"
    ) + f", and no import spells SQLAlchemy's `{name}` otherwise"


def _without_scopes(text: str, module: str, name: str, module_alias_first: bool) -> Spelling | None:
    """`spelling`'s answer when the source text alone proves it, else None.

    Scope analysis walks the whole module (most of a fix's cost on a large file), but
    when the word `name` occurs nowhere in the text, nothing binds or reads it: a new
    import is safe. When the module alias comes first, the answer is `sa.<name>` if one
    top-level `import <module> as sa` is the only import of the module and `sa` is used
    only as `sa.<attribute>` elsewhere (so nothing rebinds it), and a new import if the
    module is imported nowhere. Anything else (a star import, any other mention) is
    left to the scopes.
    """
    answer = _textual_answer(text, module, name, module_alias_first)
    if answer is None:
        return None
    if answer == "":
        return Spelling(cst.Name(name), (Import(module, name),))
    # New nodes for every fix: a fix's nodes are its own.
    return Spelling(cst.Attribute(value=cst.Name(answer), attr=cst.Name(name)))


@functools.lru_cache(maxsize=32)
def _textual_answer(text: str, module: str, name: str, module_alias_first: bool) -> str | None:
    """`_without_scopes`'s answer as text: "" for a new import, the alias to write
    `alias.name` with, or None. Cached per text: a file's fixes ask the same."""
    if _word(name).search(text) or _STAR_IMPORT.search(text):
        return None
    if not module_alias_first:
        return ""
    if module != "sqlalchemy":
        return None
    mentions = len(_word("sqlalchemy").findall(text))
    from_imports = len(_FROM_SQLALCHEMY.findall(text))
    if mentions == from_imports:
        return ""  # only `from sqlalchemy... import ...`: no module alias exists
    aliases = _ALIAS_IMPORT.findall(text)
    if len(aliases) != 1 or mentions != from_imports + 1:
        return None
    (alias,) = aliases
    uses = len(_word(alias).findall(text))
    attribute_uses = len(re.findall(rf"(?<![\w.]){re.escape(alias)}\s*\.", text))
    if uses != attribute_uses + 1:
        return None
    return str(alias)


@functools.lru_cache(maxsize=8)
def _only_module_imports_bind(text: str, module: str, name: str) -> bool:
    """Whether, from the tokens alone, `name` is bound in the module only by top-level
    `from <module> import <name>` statements importing the object.

    Every other occurrence of the word must be code that cannot bind it: an attribute
    (`.name`, `import a.name`) or a call (`name(`) that is not `def name(`/`class
    name(`. Comments and strings are not code. Any other occurrence (a parameter, an
    assignment, `as name`, `global name`, a bare read) leaves the answer to the scopes.
    Cached per text: a file's fixes ask about the same few names.
    """
    try:
        tokens = [
            t
            for t in tokenize.generate_tokens(io.StringIO(text).readline)
            if t.type not in _NOT_CODE
        ]
    except (tokenize.TokenError, SyntaxError):
        return False
    imported = False
    statement_start = 0
    for index, token in enumerate(tokens):
        if token.type == tokenize.NEWLINE or token.string == ";":
            statement_start = index + 1
            continue
        if token.type != tokenize.NAME or token.string != name:
            continue
        before = tokens[index - 1].string if index else ""
        after = tokens[index + 1].string if index + 1 < len(tokens) else ""
        if before == ".":
            continue
        if after == "(" and before not in ("def", "class"):
            continue
        if _imports_object(tokens, statement_start, index, module, name):
            imported = True
            continue
        return False
    return imported


def _imports_object(
    tokens: list[tokenize.TokenInfo], start: int, index: int, module: str, name: str
) -> bool:
    """Whether the token at `index` is an imported name, no `as` either side, of a `from`
    statement at column 0 (so at module level) whose module holds the object."""
    first = tokens[start]
    if first.string != "from" or first.start[1] != 0:
        return False
    dotted = []
    position = start + 1
    while position < index and tokens[position].string != "import":
        dotted.append(tokens[position].string)
        position += 1
    aliased = tokens[index - 1].string == "as" or (
        index + 1 < len(tokens) and tokens[index + 1].string == "as"
    )
    if position >= index or aliased:
        return False
    return _is_object(f"{''.join(dotted)}.{name}", module, name)


_NOT_CODE = frozenset(
    {tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.STRING}
)


def _word(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w]){re.escape(name)}(?!\w)")


_STAR_IMPORT = re.compile(r"import\s*\(?\s*\*")
_FROM_SQLALCHEMY = re.compile(r"(?<![\w.])from\s+sqlalchemy(?!\w)")
# A top-level `import sqlalchemy as sa` line (column 0), an optional comment after it.
_ALIAS_IMPORT = re.compile(r"^import\s+sqlalchemy\s+as\s+(\w+)[ \t]*(?:#[^\n]*)?$", re.M)


def _rank(local: str) -> int:
    return _USUAL_ALIASES.index(local) if local in _USUAL_ALIASES else len(_USUAL_ALIASES)


def _is_object(imported: str | None, module: str, name: str) -> bool:
    """Whether an import's target is SQLAlchemy's `name` (`sqlalchemy.sql.select` is
    `sqlalchemy.select`); for names outside SQLAlchemy, the exact qualified name."""
    if imported is None:
        return False
    if module.split(".")[0] == "sqlalchemy":
        return sqla_symbol(imported) == name
    return imported == f"{module}.{name}"


def only_imports_bind(context: FileContext, name: str, at: cst.CSTNode) -> bool:
    """Whether at `at`, `name` is bound, and only by imports of one object (so the
    import map's meaning of it holds there: no parameter or class attribute hides it)."""
    visible = context.bindings.visible(name, at) or ()
    imported = {b.imported for b in visible}
    return len(imported) == 1 and None not in imported
