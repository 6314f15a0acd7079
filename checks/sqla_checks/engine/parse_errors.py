"""One position per parse error: the one its message talks about.

libcst's native parser reports `raw_line`/`raw_column` at the start of the line (or
the next one) while its message names another place ("error at 3:0", 0-based), and
its wording lists grammar tokens. CPython's own compiler says where and what in
the terms a Python user knows ("'(' was never closed" at 2:1), so a file that
Python rejects is described by Python. libcst's report stays for a file that
Python accepts and libcst does not (syntax newer than libcst), with the position
taken from its message.
"""

from __future__ import annotations

import ast
import re
import warnings

import libcst as cst

from sqla_checks.contract.finding import FileError

_LIBCST_POSITION = re.compile(r"^(?:parser error: )?error at (\d+):(\d+): ")


def parse_error(path: str, text: str, exc: cst.ParserSyntaxError) -> FileError:
    """A FileError whose printed position is the one its reason refers to."""
    python_error = _python_syntax_error(path, text)
    if python_error is not None and python_error.lineno is not None:
        return FileError(
            path=path,
            reason=f"cannot parse file: {python_error.msg}",
            line=python_error.lineno,
            # CPython's offset is 1-based already; None when it does not know.
            column=python_error.offset,
        )
    match = _LIBCST_POSITION.match(exc.message)
    if match is None:
        return FileError(
            path=path,
            reason=f"cannot parse file: {exc.message}",
            line=exc.editor_line,
            column=exc.editor_column,
        )
    return FileError(
        path=path,
        reason=f"cannot parse file: {exc.message[match.end() :]}",
        line=int(match.group(1)),
        column=int(match.group(2)) + 1,
    )


def _python_syntax_error(path: str, text: str) -> SyntaxError | None:
    # Only reached for files libcst rejected, so the extra compile costs nothing on
    # the common path. Warnings (invalid escapes) would be printed: silence them.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(text, path, "exec", dont_inherit=True, flags=ast.PyCF_ONLY_AST)
        except SyntaxError as error:
            return error
        except (ValueError, RecursionError, MemoryError):
            return None
    return None
