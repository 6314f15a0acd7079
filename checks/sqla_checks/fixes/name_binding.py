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
