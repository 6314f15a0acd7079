"""Reading and editing the arguments of a call, keeping the author's layout.

Fixes that add or drop one argument must leave the rest of the call as written:
commas, one argument per line, trailing commas and comments stay where they were.
"""

from __future__ import annotations

import libcst as cst


def keyword_argument(call: cst.Call, name: str) -> cst.Arg | None:
    """The first `name=...` argument of `call`, if it has one."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def keyword_arg(name: str, value: cst.BaseExpression) -> cst.Arg:
    """A new `name=value` argument, spelled without spaces around `=`."""
    return cst.Arg(
        value=value,
        keyword=cst.Name(name),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""),
            whitespace_after=cst.SimpleWhitespace(""),
        ),
    )


def without_argument(call: cst.Call, removed: cst.Arg) -> cst.Call:
    """`call` minus one argument, keeping the commas and line breaks of the rest."""
    args = list(call.args)
    index = next(i for i, arg in enumerate(args) if arg is removed)
    del args[index]
    if not args:
        return call.with_changes(args=(), whitespace_before_args=cst.SimpleWhitespace(""))
    if index == len(args):
        args[-1] = _new_last_argument(args[-1], removed)
    return call.with_changes(args=args)


def _new_last_argument(last: cst.Arg, removed: cst.Arg) -> cst.Arg:
    """The argument before a removed last one, closing the call in its place."""
    closing = (
        removed.comma.whitespace_after
        if isinstance(removed.comma, cst.Comma)
        else removed.whitespace_after_arg
    )
    own = last.comma.whitespace_after if isinstance(last.comma, cst.Comma) else None
    if isinstance(own, cst.ParenthesizedWhitespace) and isinstance(
        closing, cst.ParenthesizedWhitespace
    ):
        # One argument per line: keep this argument's comma and its comment, and
        # close the call where the removed line closed it. The removed line's own
        # comment goes with it.
        assert isinstance(last.comma, cst.Comma)
        return last.with_changes(
            comma=last.comma.with_changes(
                whitespace_after=own.with_changes(last_line=closing.last_line)
            )
        )
    # One line: the removed argument's trailing comma (or none) and the whitespace
    # before `)` move here, so `f(a, b=1)` becomes `f(a)`, not `f(a, )`.
    return last.with_changes(comma=removed.comma, whitespace_after_arg=removed.whitespace_after_arg)


def with_keyword(call: cst.Call, name: str, value: cst.BaseExpression) -> cst.Call:
    """`call` with `name=value` appended, following the call's own layout."""
    new = keyword_arg(name, value)
    args = list(call.args)
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    if isinstance(last.comma, cst.Comma):
        # Trailing comma: the new argument goes on its own line, indented like the
        # others, and takes over the trailing comma and whatever closes the call.
        closing = last.comma.whitespace_after
        previous = args[-2].comma if len(args) > 1 else None
        between = (
            previous.whitespace_after
            if isinstance(previous, cst.Comma)
            else call.whitespace_before_args
        )
        if isinstance(closing, cst.ParenthesizedWhitespace) and isinstance(
            between, cst.ParenthesizedWhitespace
        ):
            args[-1] = last.with_changes(
                comma=last.comma.with_changes(
                    whitespace_after=closing.with_changes(last_line=between.last_line)
                )
            )
            new = new.with_changes(
                comma=last.comma.with_changes(
                    whitespace_before=cst.SimpleWhitespace(""),
                    whitespace_after=closing.with_changes(
                        first_line=cst.TrailingWhitespace(), empty_lines=()
                    ),
                )
            )
        else:
            args[-1] = last.with_changes(
                comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            )
            new = new.with_changes(comma=last.comma)
        return call.with_changes(args=[*args, new])
    # No trailing comma: one argument per line stays one per line.
    previous = args[-2].comma if len(args) > 1 else None
    separator: cst.BaseParenthesizableWhitespace = cst.SimpleWhitespace(" ")
    if isinstance(previous, cst.Comma) and isinstance(
        previous.whitespace_after, cst.ParenthesizedWhitespace
    ):
        separator = previous.whitespace_after
    args[-1] = last.with_changes(
        comma=cst.Comma(whitespace_after=separator),
        whitespace_after_arg=cst.SimpleWhitespace(""),
    )
    new = new.with_changes(whitespace_after_arg=last.whitespace_after_arg)
    return call.with_changes(args=[*args, new])
