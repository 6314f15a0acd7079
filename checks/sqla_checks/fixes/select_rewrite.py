"""Rewriting a legacy `Query` chain that ends in a runner as a 2.x `select()` statement.

`session.query(User).filter(...).first()` becomes
`session.scalars(select(User).where(...).limit(1)).first()`: each builder step gets
its 2.x name, and the runner is spelled the way that returns the same objects or rows.
The rewrite is exact only when every step has an exact counterpart; the reasons it is
(or is not) are written next to the code that decides them. A rewrite that is correct
but rests on naming conventions, or changes row keys, is "unsafe".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from sqla_checks.contract.rule import Applicability, Import
from sqla_checks.evidence.context import FileContext
from sqla_checks.evidence.query_chains import QueryChain, QueryStep
from sqla_checks.evidence.query_entities import Selected
from sqla_checks.evidence.sqlalchemy_api import QUERY_BUILDERS, QUERY_JOINS, Kind
from sqla_checks.fixes.name_binding import spelling


@dataclass(frozen=True)
class Rewrite:
    """The 2.x expression replacing a chain, how safe that is, and what it imports."""

    replacement: cst.BaseExpression
    applicability: Applicability
    imports: tuple[Import, ...]


def _call(value: cst.BaseExpression, method: str, *args: cst.BaseExpression) -> cst.Call:
    return cst.Call(
        func=cst.Attribute(value=value, attr=cst.Name(method)),
        args=[cst.Arg(a) for a in args],
    )


_EMPTY = cst.Module(body=[])


def dot_keeping_comments(dot: cst.BaseExpression | cst.Dot) -> cst.Dot:
    """`dot` if its whitespace holds a comment, else a plain `.`.

    In a multi-line chain the dot before the last call holds the comment of the line
    above it (`.order_by(x)  # noqa: E501`); a rewrite that drops that dot drops the
    comment. Without a comment the chain's layout is left to the rewrite.
    """
    if isinstance(dot, cst.Dot) and "#" in _EMPTY.code_for_node(dot):
        return dot
    return cst.Dot()


def _end_call(end: QueryStep, value: cst.BaseExpression, name: str | None = None) -> cst.Call:
    """The chain's last call, now on `value` (renamed to `name`), keeping its comments."""
    func = end.call.func
    assert isinstance(func, cst.Attribute)
    attr = func.attr if name is None else func.attr.with_changes(value=name)
    return end.call.with_changes(
        func=func.with_changes(value=value, attr=attr, dot=dot_keeping_comments(func.dot))
    )


def _statement(select_name: cst.BaseExpression, chain: QueryChain) -> cst.BaseExpression:
    """`select(<entities>)` followed by the 2.x spelling of each builder step."""
    statement: cst.BaseExpression = chain.query.with_changes(func=select_name)
    for step in chain.builders:
        func = step.call.func
        assert isinstance(func, cst.Attribute)
        new_func = func.with_changes(
            value=statement, attr=func.attr.with_changes(value=QUERY_BUILDERS[step.name])
        )
        statement = step.call.with_changes(func=new_func)
    return statement


def _untranslatable_builder(chain: QueryChain, selected: Sequence[Selected]) -> str | None:
    """Why a builder step has no exact 2.x spelling here, or None."""
    joined = False
    for step in chain.builders:
        if step.name in QUERY_JOINS:
            joined = True
        if step.name == "filter_by" and (joined or len(selected) != 1 or not selected[0].entity):
            # Query.filter_by targets the last joined entity; 2.1's Select.filter_by
            # searches every FROM entity and raises on ambiguity. They agree only
            # while the statement has a single entity and no join yet.
            return (
                "`filter_by()` after a join or with several entities: "
                "use `where(Model.attr == value)`"
            )
        if step.name == "distinct" and step.call.args:
            return (
                "`distinct(*columns)` (DISTINCT ON) is deprecated in 2.1: "
                "use `select(...).ext(distinct_on(...))`"
            )
        if any(arg.star == "**" for arg in step.call.args) and step.name != "filter_by":
            return f"`{step.name}(**...)` cannot be checked statically"
    return None


def _run(
    owner: cst.BaseExpression, method: str, statement: cst.BaseExpression, awaited: bool
) -> cst.BaseExpression:
    call = _call(owner, method, statement)
    if awaited:
        return cst.Await(expression=call, lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return call


def rewrite_runner(
    context: FileContext, chain: QueryChain, kind: Kind, selected: Sequence[Selected]
) -> Rewrite | str:
    """The 2.x expression for a chain ending in a runner, or why there is none."""
    assert chain.end is not None
    end = chain.end
    if end.call.args:
        return f"`{end.name}()` with arguments"
    reason = _untranslatable_builder(chain, selected)
    if reason is not None:
        return reason
    awaited = kind is Kind.ASYNC_SESSION
    if awaited and not context.in_async_function:
        return "an AsyncSession outside `async def`"
    select_name = spelling(context, "sqlalchemy.select", chain.query, module_alias_first=True)
    if isinstance(select_name, str):
        return select_name
    imports = list(select_name.imports)
    statement = _statement(select_name.expression, chain)
    owner = chain.owner
    has_entity = any(s.entity for s in selected)
    single = len(selected) == 1
    # Legacy Query returns bare objects for a single entity and Rows otherwise
    # (`is_single_entity`), and de-duplicates rows whenever an entity is selected
    # (`filtered`, Query._iter in 2.1.9): `.unique()` keeps that behaviour, and is
    # also what 2.x requires for joined eager loading of collections.
    scalars = single and selected[0].entity
    uniquing = has_entity
    proven = all(s.proven for s in selected)
    rows_keys_stable = True
    # 2.x uniques ORM entities by identity but hashes column values, and raises for
    # unhashable ones (JSON, ARRAY) where Query fell back to `id()` (`_not_hashable`,
    # orm/loading.py in 2.1.9). Column types are not known here, so `.unique()` on
    # rows mixing entities and columns is unsafe.
    unique_may_raise = False

    result: cst.BaseExpression
    if end.name == "count":
        func_name = spelling(context, "sqlalchemy.func", chain.query, module_alias_first=True)
        if isinstance(func_name, str):
            return func_name
        imports.extend(func_name.imports)
        # Query.count() runs SELECT count(*) FROM (<query>) AS anon_1 with eager
        # loading off; an ORM subquery never eager-loads either.
        count_call = cst.Call(
            func=cst.Attribute(value=func_name.expression, attr=cst.Name("count")), args=[]
        )
        end_func = end.call.func
        assert isinstance(end_func, cst.Attribute)
        # `.subquery()` takes the place (and the comments) of `.count()`.
        subquery = cst.Call(
            func=cst.Attribute(
                value=statement, attr=cst.Name("subquery"), dot=dot_keeping_comments(end_func.dot)
            ),
            args=[],
        )
        counted = _call(
            cst.Call(func=select_name.expression, args=[cst.Arg(count_call)]),
            "select_from",
            subquery,
        )
        result = _run(owner, "scalar", counted, awaited)
        result = result.with_changes(lpar=end.call.lpar, rpar=end.call.rpar)
    elif end.name == "scalar":
        if not single:
            return "`scalar()` of several columns"
        # Query.scalar() is one() -> first element, None when there is no row, and
        # MultipleResultsFound for several rows: that is ScalarResult.one_or_none().
        result = _run(owner, "scalars", statement, awaited)
        if uniquing:
            result = _call(result, "unique")
        result = _end_call(end, result, "one_or_none")
    else:
        if end.name == "first":
            # Query.first() applies LIMIT 1 itself (`self.limit(1)`); keep it.
            statement = _call(statement, "limit", cst.Integer("1"))
        result = _run(owner, "scalars" if scalars else "execute", statement, awaited)
        if uniquing:
            result = _call(result, "unique")
            unique_may_raise = not all(s.entity for s in selected)
        result = _end_call(end, result)
        if not scalars:
            keys = [s.key for s in selected]
            # Legacy Rows name columns by attribute key and leave expressions
            # unnamed; 2.x names those (`count`) and renames duplicates (`id_1`).
            rows_keys_stable = None not in keys and len(set(keys)) == len(keys)
    safe = proven and rows_keys_stable and not awaited and not unique_may_raise
    return Rewrite(result, "safe" if safe else "unsafe", tuple(imports))
