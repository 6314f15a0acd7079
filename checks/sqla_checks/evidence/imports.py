"""What each local name means, from the module's own import statements.

libcst gives no types, so rules recognise `sa.Column`, `Column` or `orm.relationship`
by the imports that bound those names. All imports in the file count, wherever they
are (imports inside functions are common in scripts); a name bound twice keeps one
meaning, which is good enough for lint purposes. In a `try` statement it is the
body's: `try: from sqlalchemy.ext.asyncio import async_sessionmaker` followed by
`except ImportError: from sqlalchemy.orm import sessionmaker as async_sessionmaker`
means SQLAlchemy's `async_sessionmaker` wherever it exists, and the fallback only on
releases that lack it (fixes stay withheld there: `version_guards`).

Relative imports (`from .models import User`) count when the module's own name is
known, which it is through the project index. With a project index
(`evidence.project_index`), a name imported from a project module
that re-exports a SQLAlchemy object resolves to that object (`from app.db import
Column` -> `sqlalchemy.Column`), and so do the module's own top-level aliases
(`Column = db.Column` after `db = SQLAlchemy()`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import libcst as cst

from sqla_checks.contract import tree_walk

if TYPE_CHECKING:
    from sqla_checks.evidence.project_index import Fact, ProjectIndex


def dotted_name(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


class ImportMap:
    """Local name -> fully qualified name, built from every import in a module."""

    def __init__(
        self,
        index: ProjectIndex | None = None,
        module_name: str | None = None,
        is_package: bool = False,
    ) -> None:
        self._names: dict[str, str] = {}
        self._index = index
        self._module_name = module_name
        # The package relative imports start from (`from .models import User`).
        self._package = module_name if is_package else (module_name or "").rpartition(".")[0]
        # Top-level names the module binds itself (resolved through the index).
        self._own: set[str] = set()
        # Modules `import a.b` names without an alias: it binds only `a`, yet `a.b.x`
        # reads the module `a.b`.
        self._dotted_modules: set[str] = set()

    @classmethod
    def of_module(
        cls,
        module: cst.Module,
        index: ProjectIndex | None = None,
        module_name: str | None = None,
        is_package: bool = False,
    ) -> ImportMap:
        """Collect the imports of `module` (a walk over statements, not expressions).

        `index` and `module_name` (the module's dotted name in the index; `is_package`
        for an `__init__.py`) let names resolve through other modules of the project,
        relative imports included.
        """
        imports = cls(index, module_name, is_package)
        pending: list[cst.CSTNode] = [module]
        while pending:
            node = pending.pop()
            if isinstance(node, cst.Import | cst.ImportFrom):
                imports._add(node)
            elif isinstance(node, cst.SimpleStatementLine | cst.Module | cst.IndentedBlock):
                pending.extend(node.body)
            elif isinstance(node, cst.Try | cst.TryStar):
                # The last pushed is walked first: the `try` body's imports win over
                # the `except ImportError:` fallback's (see the module docstring).
                pending.extend(
                    reversed([c for c in tree_walk.children(node) if not _is_expression(c)])
                )
            elif isinstance(node, cst.BaseCompoundStatement):
                pending.extend(
                    child for child in tree_walk.children(node) if not _is_expression(child)
                )
            elif isinstance(node, cst.BaseSuite | cst.Else | cst.ExceptHandler | cst.Finally):
                pending.extend(tree_walk.children(node))
        for name in _defined_at_top_level(module):
            # The module's own `def mapped_column` (or class, or assignment) is not the
            # imported object, whichever comes first: not provably the import's.
            imports._names.pop(name, None)
            imports._own.add(name)
        return imports

    def _add(self, node: cst.Import | cst.ImportFrom) -> None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = dotted_name(alias.name)
                if full is None:
                    continue
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self._names.setdefault(alias.asname.name.value, full)
                else:
                    # `import a.b` binds `a`, and `a.b.x` resolves through it.
                    top = full.split(".")[0]
                    self._names.setdefault(top, top)
                    if full != top:
                        self._dotted_modules.add(full)
            return
        if isinstance(node.names, cst.ImportStar):
            return
        base = self._from_module(node)
        if base is None:
            return
        for alias in node.names:
            if not isinstance(alias.name, cst.Name):
                continue
            local = alias.name.value
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self._names.setdefault(local, f"{base}.{alias.name.value}")

    def _from_module(self, node: cst.ImportFrom) -> str | None:
        """The absolute module `from ... import` reads; a relative one only when the
        module's own name is known (`from .models` in `app.views` is `app.models`)."""
        module = dotted_name(node.module) if node.module is not None else None
        if not node.relative:
            return module
        if not self._module_name:
            return None
        parts = self._package.split(".") if self._package else []
        up = len(node.relative) - 1
        if up > len(parts):
            return None
        base = [*parts[: len(parts) - up], *([module] if module else [])]
        return ".".join(base) or None

    def resolve(self, node: cst.BaseExpression) -> str | None:
        """The qualified name `node` refers to through an import, or None.

        Through the project index, a project name that stands for a SQLAlchemy object
        gives that object's name; the module's own names give only such objects.
        """
        qualified = self._qualified(node)
        if qualified is None or self._index is None:
            return qualified
        canonical = self._index.canonical(qualified)
        if self._is_own(node) and not canonical.startswith("sqlalchemy."):
            return None
        return canonical

    def fact_of(self, node: cst.BaseExpression) -> Fact | None:
        """What the project index knows `node` to be (a base, a `db`, a factory)."""
        if self._index is None:
            return None
        qualified = self._qualified(node)
        return self._index.lookup(qualified) if qualified is not None else None

    def parameter_fact(self, function: str, parameter: str) -> Fact | None:
        """What the project index knows a parameter of this module's top-level
        `function` to be from the calls of it (`project_index`: `f.<locals>.db`)."""
        if self._index is None or not self._module_name or function not in self._own:
            return None
        return self._index.lookup(f"{self._module_name}.{function}.<locals>.{parameter}")

    def _qualified(self, node: cst.BaseExpression) -> str | None:
        dotted = dotted_name(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        target = self._names.get(head)
        if target is None:
            if head in self._own and self._module_name and self._index is not None:
                return f"{self._module_name}.{dotted}"
            return None
        return f"{target}.{rest}" if rest else target

    def _is_own(self, node: cst.BaseExpression) -> bool:
        dotted = dotted_name(node)
        return dotted is not None and dotted.partition(".")[0] not in self._names

    def imports_project_facts(self) -> bool:
        """Whether a name comes from a project module that the index knows as SQLAlchemy's
        (a re-export, a `db` object, a base, a session factory or dependency), or names a
        project module that binds such objects (`from airflow import settings`, then
        `settings.Session()`), or a class of this module holds a session the index knows
        of (inherited from a base)."""
        index = self._index
        if index is None:
            return False
        from sqla_checks.evidence.project_index import ProjectClass, ProjectModule

        for qualified in self._names.values():
            fact = index.lookup(qualified)
            if isinstance(fact, ProjectModule):
                if index.defines_sqlalchemy_in(fact.name):
                    return True
            elif fact is not None and not isinstance(fact, ProjectClass):
                return True
        if any(index.defines_sqlalchemy_in(module) for module in sorted(self._dotted_modules)):
            return True
        module = self._module_name
        return module is not None and index.has_sessions_in(module)

    def imports_from(self, package: str) -> bool:
        """Whether any name in the module comes from `package` (or a submodule)."""
        prefix = package + "."
        return any(q == package or q.startswith(prefix) for q in self._names.values())


def _defined_at_top_level(module: cst.Module) -> set[str]:
    """Names that top-level `def`, `class` and plain assignments bind.

    A top-level `try` body counts too: its binding is the one that holds wherever it
    runs (`try: _Column = mapped_column` / `except ImportError: from sqlalchemy
    import Column as _Column` is `mapped_column` on every release that has it).
    """
    return _defined_in(module.body)


def _defined_in(body: Sequence[cst.BaseStatement | cst.BaseSmallStatement]) -> set[str]:
    names: set[str] = set()
    for statement in body:
        if isinstance(statement, cst.Try | cst.TryStar) and isinstance(
            statement.body, cst.IndentedBlock
        ):
            names |= _defined_in(statement.body.body)
        elif isinstance(statement, cst.FunctionDef | cst.ClassDef):
            names.add(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                targets: list[cst.BaseExpression] = []
                if isinstance(small, cst.Assign):
                    targets = [target.target for target in small.targets]
                elif isinstance(small, cst.AnnAssign) and small.value is not None:
                    targets = [small.target]
                names.update(t.value for t in targets if isinstance(t, cst.Name))
    return names


def _is_expression(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.BaseExpression)


def sqla_symbol(qualified: str | None) -> str | None:
    """The public name of a SQLAlchemy object, whatever module it was imported from.

    `sqlalchemy.Column`, `sqlalchemy.schema.Column` and `sqlalchemy.sql.schema.Column`
    all give `Column`; anything outside the `sqlalchemy` package gives None.
    """
    if qualified is None or not (qualified == "sqlalchemy" or qualified.startswith("sqlalchemy.")):
        return None
    parts = qualified.split(".")
    if "func" in parts[1:-1]:
        # `sa.func.select` is a SQL function named "select", not `sqlalchemy.select`.
        return None
    return parts[-1]
