"""Input the parser must not be given: files too large, or nested too deeply.

libcst's native parser recurses once per nesting level and overflows the C stack
(the whole process dies with SIGSEGV) on nesting CPython itself refuses to compile,
such as 2,000 nested parentheses. Its syntax tree also costs about a gigabyte per
megabyte of source. Both are checked before parsing, so one hostile file becomes a
one-line error instead of killing the run:

- files above `MAX_PARSE_BYTES` are refused outright;
- a cheap scan measures bracket depth and the length of the longest logical line;
  only when either is unusual is CPython's own parser (which has a stack guard) asked
  whether the nesting is within the interpreter's limits. Ordinary files never pay
  for that second parse.
"""

from __future__ import annotations

import ast
import re

# Measured on a 2-core machine: 1 MiB of code took 27 s to parse and 1.1 GB of memory.
MAX_PARSE_BYTES = 1 << 20
# Beyond these, the file is checked against CPython's limits before libcst sees it.
SUSPICIOUS_DEPTH = 50
SUSPICIOUS_SPAN = 5_000

# CPython's own refusals of deep nesting (other syntax errors are left to libcst,
# which knows newer grammar than the running interpreter may).
_NESTING_MESSAGES = ("too many nested parentheses", "too complex", "too many levels")
_STRUCTURE = re.compile(r"\\\n|[()\[\]{}\n]")


def parse_refusal(text: str, size: int) -> str | None:
    """Why `text` (`size` bytes on disk) must not be parsed, or None when it may be."""
    if size > MAX_PARSE_BYTES:
        return f"file too large to check ({size:,} bytes; the limit is {MAX_PARSE_BYTES:,} bytes)"
    depth, span = _nesting_estimate(text)
    if depth <= SUSPICIOUS_DEPTH and span <= SUSPICIOUS_SPAN:
        return None
    return _cpython_refusal(text)


def _nesting_estimate(text: str) -> tuple[int, int]:
    """The deepest bracket nesting and the longest logical line, in characters.

    Brackets inside strings and comments are counted too: that can only overestimate,
    which costs the confirming parse, never a wrong refusal.
    """
    depth = deepest = longest = 0
    line_start = 0
    for match in _STRUCTURE.finditer(text):
        char = match.group()
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth = max(depth - 1, 0)
        elif char == "\n" and depth == 0:
            longest = max(longest, match.start() - line_start)
            line_start = match.end()
    return deepest, max(longest, len(text) - line_start)


def _cpython_refusal(text: str) -> str | None:
    try:
        ast.parse(text)
    except (RecursionError, MemoryError):
        return "nested too deeply to check (beyond what Python itself can compile)"
    except SyntaxError as exc:
        if any(message in (exc.msg or "") for message in _NESTING_MESSAGES):
            return f"nested too deeply to check ({exc.msg})"
    except ValueError:
        # NUL bytes: libcst reports those as a syntax error with a position.
        pass
    return None
