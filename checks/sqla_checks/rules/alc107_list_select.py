"""ALC107: `select([...])` and `case([...])`, the 1.x list forms."""

from __future__ import annotations

import libcst as cst

from sqla_checks.contract.rule import Bad, Fix, Good, Rule
from sqla_checks.evidence.sqlalchemy_api import POSITIONAL_SELECT

_FUNCTIONS = {"select", "case"}


class ListSelect(Rule):
    """Flags `select()` and `case()` called with a list instead of positional arguments."""

    code = "ALC107"
    name = "list-select"
    message = "Pass the elements of `select()`/`case()` positionally: the list form raises in 2.x"
    why = """
SQLAlchemy 1.x took the columns of `select()` and the WHEN pairs of `case()` as one
list. 1.4 accepted both spellings (the list with a 2.0 deprecation warning); 2.0
removed the list form. In 2.0 and 2.1, `select([a, b])` raises
`ArgumentError: Column expression, FROM clause, or other columns clause element
expected, got [...]`, and `case([(cond, value)])` raises `ArgumentError` saying the
"whens" argument is now passed as a series of positional elements
[claim: alc107-list-forms-raise]. The old
`select()` keywords (`whereclause`, `from_obj`, `order_by`...) are gone too: they
became the `.where()`, `.select_from()`, `.order_by()` methods
[claim: alc107-select-keywords-removed].
"""
    example = """
from sqlalchemy import case, column, select, table

user = table("user_account", column("id"), column("name"), column("active"), column("score"))
stmt = select([user.c.id, user.c.name]).where(user.c.active)
label = case([(user.c.score > 90, "gold"), (user.c.score > 50, "silver")], else_="plain")
"""
    use_instead = """
from sqlalchemy import case, column, select, table

user = table("user_account", column("id"), column("name"), column("active"), column("score"))
stmt = select(user.c.id, user.c.name).where(user.c.active)
label = case((user.c.score > 90, "gold"), (user.c.score > 50, "silver"), else_="plain")
"""
    fix_safety = """
Safe: the list's elements become the positional arguments, in the same order, with
`else_=`/`value=` kept as keywords; a list comprehension is unpacked with `*`. That
is what 1.4 did with the list internally, so the statement is the same. The fix is
not offered when `select()` has further arguments (the 1.x `whereclause` and
keywords need rewriting into method calls by hand) or when `case()` gets `value`
positionally.

Target release: the positional forms are new in SQLAlchemy 1.4; with an older target
(`target-sqlalchemy`, else the lowest release the declared dependency admits) the
finding says so and has no fix. Like every fix, it is not offered under a SQLAlchemy
version guard (`if sqlalchemy.__version__ ...`, `try: import ... except ImportError`).
"""
    blind_spots = """
Only a list written in the call (a list display or a list comprehension) is
recognised; `select(columns)` with `columns` a list variable is not, because the
variable could hold a single column. `Select.with_only_columns([...])`, which also
raises with a list in 2.x [claim: alc107-with-only-columns-list], is not checked.
"""
    references = (
        "https://docs.sqlalchemy.org/en/20/changelog/migration_20.html",
        "https://docs.sqlalchemy.org/en/20/core/selectable.html#sqlalchemy.sql.expression.select",
        "https://docs.sqlalchemy.org/en/20/core/sqlelement.html#sqlalchemy.sql.expression.case",
    )
    # The list usually opens on the call's line; a call split over lines is caught too.
    triggers = ("select([", "case([", "select(\n", "case(\n", "select(\r\n", "case(\r\n")
    examples = (
        Bad(
            """
            from sqlalchemy import select

            stmt = select([User.id, User.name]).where(User.active)
            """,
            line=3,
            column=15,
            fixed="""
            from sqlalchemy import select

            stmt = select(User.id, User.name).where(User.active)
            """,
        ),
        Bad(
            """
            import sqlalchemy as sa

            label = sa.case([(User.score > 90, "gold"), (User.score > 50, "silver")], else_="plain")
            """,
            line=3,
            column=17,
            fixed="""
            import sqlalchemy as sa

            label = sa.case((User.score > 90, "gold"), (User.score > 50, "silver"), else_="plain")
            """,
        ),
        Bad(
            """
            from sqlalchemy.sql import select

            stmt = select([
                user.c.id,
                user.c.name,
            ])
            """,
            line=3,
            column=15,
            fixed="""
            from sqlalchemy.sql import select

            stmt = select(
                user.c.id,
                user.c.name,
            )
            """,
        ),
        Bad(
            """
            from sqlalchemy import select

            stmt = select([c for c in user.c if c.name != "password"])
            """,
            line=3,
            column=15,
            fixed="""
            from sqlalchemy import select

            stmt = select(*[c for c in user.c if c.name != "password"])
            """,
        ),
        Bad(
            """
            from sqlalchemy import select

            stmt = select([user.c.id], user.c.active == True)
            """,
            line=3,
            column=15,
            note="no fix: the 1.x whereclause argument needs .where() by hand",
        ),
        Good(
            """
            from sqlalchemy import case, select

            columns = [User.id, User.name]
            stmt = select(*columns)
            label = case({"a": "Admin", "u": "User"}, value=User.kind)
            """,
            note="the 2.x forms; case() with a dict and value= is still valid",
        ),
        Good(
            """
            import select

            readable, writable, failed = select.select([sock], [], [], 1.0)
            """,
            note="the standard library's select module",
        ),
        Good(
            """
            from sqlmodel import select

            stmt = select([Hero])
            """,
            note="not SQLAlchemy's select",
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        # Cheap syntactic checks first: most calls have no list as first argument.
        if not node.args:
            return
        first = node.args[0]
        if not isinstance(first.value, cst.List | cst.ListComp):
            return
        if first.keyword is not None or first.star or first.value.lpar:
            return
        name = self._sqla_function(node.func)
        if name is None:
            return
        rest = node.args[1:]
        fixable = all(arg.keyword is not None and not arg.star for arg in rest)
        if name == "select":
            fixable = not rest
        fix = None
        if fixable:
            args = _unpacked(first)
            if rest and args and not isinstance(args[-1].comma, cst.Comma):
                args[-1] = args[-1].with_changes(comma=first.comma)
            whitespace = node.whitespace_before_args
            if isinstance(first.value, cst.List):
                whitespace = first.value.lbracket.whitespace_after
            replacement = node.with_changes(args=[*args, *rest], whitespace_before_args=whitespace)
            fix = Fix(node, replacement, description=f"Pass the {name}() elements positionally")
        message = f"Pass the elements of `{name}()` positionally: the list form raises in 2.x"
        self.report(first.value, message=message, fix=fix, needs=(POSITIONAL_SELECT,))

    def _sqla_function(self, func: cst.BaseExpression) -> str | None:
        name = self.context.sqla_name(func)
        if name not in _FUNCTIONS:
            return None
        qualified = self.context.qualified_name(func) or ""
        # `sa.func.select(...)` would be a SQL function named "select".
        return None if ".func." in qualified else name


def _unpacked(arg: cst.Arg) -> list[cst.Arg]:
    """The arguments a list argument becomes: its elements, or `*comprehension`."""
    value = arg.value
    if isinstance(value, cst.ListComp):
        return [cst.Arg(value=value, star="*", comma=arg.comma)]
    assert isinstance(value, cst.List)
    args: list[cst.Arg] = []
    for element in value.elements:
        if isinstance(element, cst.StarredElement):
            args.append(
                cst.Arg(
                    value=element.value,
                    star="*",
                    comma=element.comma,
                    whitespace_after_star=element.whitespace_before_value,
                )
            )
        else:
            args.append(cst.Arg(value=element.value, comma=element.comma))
    if args:
        args[-1] = args[-1].with_changes(whitespace_after_arg=value.rbracket.whitespace_before)
    return args
