"""ALC105: `declarative_base()` and imports from `sqlalchemy.ext.declarative`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from sqla_checks.contract.rule import Bad, Fix, Good, Import, Rule
from sqla_checks.evidence.imports import dotted_name
from sqla_checks.evidence.sqlalchemy_api import DECLARATIVE_BASE, ORM_DECLARATIVE_NAMES
from sqla_checks.evidence.version_guards import fallback_names
from sqla_checks.fixes.name_binding import spelling

if TYPE_CHECKING:
    from sqla_checks.evidence.context import FileContext

_EXT_DECLARATIVE = "sqlalchemy.ext.declarative"
# Names that moved from `sqlalchemy.ext.declarative` to `sqlalchemy.orm` in 1.4/2.0.
# ConcreteBase, AbstractConcreteBase and DeferredReflection still live in the
# extension and are not flagged.
_MOVED = {
    "declarative_base",
    "declared_attr",
    "as_declarative",
    "has_inherited_table",
    "synonym_for",
    "DeclarativeMeta",
}
# declarative_base() keywords the class form expresses as class attributes.
_CLASS_ATTRIBUTES = ("metadata", "type_annotation_map")


class LegacyDeclarativeBase(Rule):
    """Flags `declarative_base()` and imports of moved names from `sqlalchemy.ext.declarative`."""

    code = "ALC105"
    name = "legacy-declarative-base"
    message = "Subclass `DeclarativeBase` instead of calling `declarative_base()`"
    why = """
`declarative_base()` builds the base class at runtime, so type checkers see `Any` and
cannot check models; SQLAlchemy 2.0 replaced it with `class Base(DeclarativeBase)`,
which type checkers understand and which accepts `metadata` and
`type_annotation_map` as plain class attributes. The function still exists in 2.0
and 2.1 (`sqlalchemy.orm.declarative_base`, documented as superseded by
`DeclarativeBase`). The declarative API moved into `sqlalchemy.orm` in 1.4; in 2.0 and
2.1 `sqlalchemy.ext.declarative` keeps `declarative_base`, `as_declarative`,
`has_inherited_table` and `synonym_for` only as wrappers that emit
`MovedIn20Warning`, and `declared_attr` and `DeclarativeMeta` only as re-exports
[claim: alc105-ext-declarative-warns].
"""
    example = """
from sqlalchemy.ext.declarative import declarative_base

Base = declarative_base()
"""
    use_instead = """
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
"""
    fix_safety = """
Imports: safe. `from sqlalchemy.ext.declarative import declared_attr` (and the other
moved names) becomes `from sqlalchemy.orm import ...`; the extension's names are the
same objects, or wrappers that warn and then call the `sqlalchemy.orm` function.

`Base = declarative_base(...)` at module level becomes a class statement. The fix is
unsafe: mapping, constructor, `Base.metadata` and `Base.registry` stay the same, and
annotations are checked the same way under both bases (in 2.0 and 2.1 both reject
non-`Mapped` annotations on `mapped_column()`/`relationship()` unless
`__allow_unmapped__` is set [claim: alc105-bases-check-annotations-alike]), but the
class's metaclass changes from
`DeclarativeMeta` to `DeclarativeAttributeIntercept`, so code anywhere that tests
`isinstance(cls, DeclarativeMeta)` (a common JSON-encoder recipe) stops matching
[claim: alc105-metaclass-changes].
`metadata=` and `type_annotation_map=` become class attributes and `name=` is dropped
when it equals the variable name. `cls=` becomes an extra base class only when it is
a class of this module with no bases and no `__init__`/`__init_subclass__`: the old
base always installed SQLAlchemy's keyword constructor, while `DeclarativeBase`
keeps a mixin's own `__init__` [claim: alc105-mixin-constructor]. Any other argument
(`mapper=`, `class_registry=`,
`constructor=`, `metaclass=`) is reported without a fix.

Target release: `DeclarativeBase` is new in 2.0 and the moved names reached
`sqlalchemy.orm` in 1.4; with an older target (`target-sqlalchemy`, else the lowest
release the declared dependency admits) the finding says so and has no fix. Like every
fix, it is not offered under a SQLAlchemy version guard (`if sqlalchemy.__version__
...`, `try: import ... except ImportError`), nor when a guard binds `DeclarativeBase`
or the `declarative_base` it would replace.
"""
    blind_spots = """
The class is written with `DeclarativeBase` only where that name means
SQLAlchemy's (or through an import such as `orm.DeclarativeBase`); where the module
binds it otherwise, no fix.

An import from the extension in an `except ImportError:` handler is not reported
for a name the `try` body imports too: it is the fallback for releases where the
body's (modern) import fails.

`declarative_base` re-exported by a project module counts as SQLAlchemy's (the
project index follows the import); a project function of that name does not.
`registry().generate_base()` and `@as_declarative()` are not flagged. Only
`Name = declarative_base(...)` statements at module level are fixed; a base created
inside a function or with an annotated assignment is reported only.
`import sqlalchemy.ext.declarative` (a module import) is not flagged, but calls
through it are.
"""
    references = (
        "https://docs.sqlalchemy.org/en/20/orm/mapping_api.html#sqlalchemy.orm.DeclarativeBase",
        "https://docs.sqlalchemy.org/en/20/orm/mapping_api.html#sqlalchemy.orm.declarative_base",
        "https://docs.sqlalchemy.org/en/20/orm/declarative_styles.html",
        "https://docs.sqlalchemy.org/en/20/orm/extensions/declarative/api.html",
    )
    triggers = ("declarative_base", "sqlalchemy.ext.declarative")
    examples = (
        Bad(
            """
            from sqlalchemy.orm import declarative_base

            Base = declarative_base()
            """,
            line=3,
            column=8,
            fixed="""
            from sqlalchemy.orm import DeclarativeBase

            class Base(DeclarativeBase):
                pass
            """,
            note="unsafe: the metaclass changes",
        ),
        Bad(
            """
            import sqlalchemy as sa
            from sqlalchemy import orm

            nc = {"pk": "pk_%(table_name)s"}
            Base = orm.declarative_base(metadata=sa.MetaData(naming_convention=nc), name="Base")
            """,
            line=5,
            column=8,
            fixed="""
            import sqlalchemy as sa
            from sqlalchemy import orm
            from sqlalchemy.orm import DeclarativeBase

            nc = {"pk": "pk_%(table_name)s"}
            class Base(DeclarativeBase):
                metadata = sa.MetaData(naming_convention=nc)
            """,
        ),
        Bad(
            """
            from sqlalchemy.ext.declarative import declared_attr
            """,
            line=1,
            column=1,
            fixed="""
            from sqlalchemy.orm import declared_attr
            """,
        ),
        Bad(
            """
            from sqlalchemy.orm import declarative_base


            class Model:
                def __init__(self, **kw):
                    self.__dict__.update(kw)


            Base = declarative_base(cls=Model)
            """,
            line=9,
            column=8,
            note="no fix: DeclarativeBase would keep Model.__init__ as the constructor",
        ),
        Bad(
            """
            from sqlalchemy.orm import declarative_base


            def make_base():
                return declarative_base()
            """,
            line=5,
            column=12,
            note="no fix outside a module-level assignment",
        ),
        Good(
            """
            from sqlalchemy.orm import DeclarativeBase


            class Base(DeclarativeBase):
                pass
            """
        ),
        Good(
            """
            from sqlalchemy.ext.declarative import ConcreteBase, DeferredReflection
            """,
            note="these still live in the extension",
        ),
        Good(
            """
            from myproject.db import declarative_base

            Base = declarative_base()
            """,
            note="not SQLAlchemy's",
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        # id(call) -> the module-level statement `Name = declarative_base(...)` it is in.
        self._assignments: dict[int, cst.SimpleStatementLine] = {}
        # Fallback imports of `except ImportError:` handlers -> the names the `try`
        # body binds already (the body's binding is the modern one).
        self._fallbacks: dict[cst.ImportFrom, frozenset[str]] = {}

    def visit_Try(self, node: cst.Try) -> None:
        self._fallbacks.update(fallback_names(node))

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        if self.context.functions or self.context.classes or len(node.body) != 1:
            return
        assign = node.body[0]
        if (
            isinstance(assign, cst.Assign)
            and len(assign.targets) == 1
            and isinstance(assign.targets[0].target, cst.Name)
            and isinstance(assign.value, cst.Call)
        ):
            self._assignments[id(assign.value)] = node

    def visit_Call(self, node: cst.Call) -> None:
        if self.context.sqla_name(node.func) != "declarative_base":
            return
        statement = self._assignments.get(id(node))
        fix = self._class_fix(statement, node) if statement is not None else None
        self.report(node, fix=fix, needs=(DECLARATIVE_BASE,))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None or dotted_name(node.module) != _EXT_DECLARATIVE:
            return
        if isinstance(node.names, cst.ImportStar):
            self.report(
                node, message="Import from `sqlalchemy.orm`, not `sqlalchemy.ext.declarative`"
            )
            return
        already = self._fallbacks.get(node, frozenset())
        moved = [
            alias
            for alias in node.names
            if isinstance(alias.name, cst.Name)
            and alias.name.value in _MOVED
            and _local_name(alias) not in already
        ]
        if not moved:
            return
        names = ", ".join(
            f"`{alias.name.value}`" for alias in moved if isinstance(alias.name, cst.Name)
        )
        message = (
            f"Import {names} from `sqlalchemy.orm`: `sqlalchemy.ext.declarative` is deprecated"
        )
        fix = _import_fix(node, moved)
        self.report(node, message=message, fix=fix, needs=(ORM_DECLARATIVE_NAMES,))

    # -- the fixes --------------------------------------------------------------------
    def _class_fix(self, statement: cst.SimpleStatementLine, call: cst.Call) -> Fix | None:
        assign = statement.body[0]
        assert isinstance(assign, cst.Assign)
        target = assign.targets[0].target
        assert isinstance(target, cst.Name)
        base = spelling(self.context, "sqlalchemy.orm.DeclarativeBase", statement)
        if isinstance(base, str):
            return None
        body: list[cst.BaseStatement] = []
        bases: list[cst.Arg] = []
        for arg in call.args:
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword in _CLASS_ATTRIBUTES:
                body.append(
                    cst.SimpleStatementLine(
                        [cst.Assign([cst.AssignTarget(cst.Name(str(keyword)))], arg.value)]
                    )
                )
            elif keyword == "name" and _string(arg.value) == target.value:
                continue
            elif keyword == "cls" and self._plain_mixin(arg.value):
                bases.append(cst.Arg(arg.value))
            else:
                return None
        bases.append(cst.Arg(base.expression))
        replacement = cst.ClassDef(
            name=target,
            bases=bases,
            body=cst.IndentedBlock(
                body=body or [cst.SimpleStatementLine([cst.Pass()])],
                header=statement.trailing_whitespace,
            ),
            leading_lines=statement.leading_lines,
        )
        return Fix(
            statement,
            replacement,
            applicability="unsafe",
            imports=base.imports,
            unused_imports=(
                Import("sqlalchemy.orm", "declarative_base"),
                Import(_EXT_DECLARATIVE, "declarative_base"),
            ),
            description="Subclass DeclarativeBase",
        )

    def _plain_mixin(self, value: cst.BaseExpression) -> bool:
        """A class of this module without bases, `__init__` or `__init_subclass__`."""
        if not isinstance(value, cst.Name):
            return False
        for statement in self.context.module.body:
            if isinstance(statement, cst.ClassDef) and statement.name.value == value.value:
                if statement.bases or statement.keywords:
                    return False
                inner = statement.body.body if isinstance(statement.body, cst.IndentedBlock) else ()
                return not any(
                    isinstance(s, cst.FunctionDef)
                    and s.name.value in {"__init__", "__init_subclass__"}
                    for s in inner
                ) and all(isinstance(s, cst.FunctionDef | cst.SimpleStatementLine) for s in inner)
        return False


def _local_name(alias: cst.ImportAlias) -> str | None:
    bound = alias.asname.name if alias.asname is not None else alias.name
    return bound.value if isinstance(bound, cst.Name) else None


def _import_fix(node: cst.ImportFrom, moved: list[cst.ImportAlias]) -> Fix | None:
    assert not isinstance(node.names, cst.ImportStar)
    orm = cst.parse_expression("sqlalchemy.orm")
    assert isinstance(orm, cst.Attribute)
    if len(moved) == len(node.names):
        return Fix(node, node.with_changes(module=orm), description="Import from sqlalchemy.orm")
    if any(alias.asname is not None for alias in moved):
        return None
    moved_ids = {id(alias) for alias in moved}
    kept = [alias for alias in node.names if id(alias) not in moved_ids]
    kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return Fix(
        node,
        node.with_changes(names=kept),
        imports=tuple(
            Import("sqlalchemy.orm", alias.name.value)
            for alias in moved
            if isinstance(alias.name, cst.Name)
        ),
        description="Import from sqlalchemy.orm",
    )


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None
