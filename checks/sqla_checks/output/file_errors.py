"""ALC000 `unreadable-file`: a file that could not be checked, as an output entry.

Not a rule: nothing visits a tree for it and `--select`/`--ignore` cannot name it
(a file that was not checked cannot be waved through). It gives file errors a code
so the machine formats can list them beside the findings, as ruff lists its
syntax and I/O errors, and it is documented in references/rules.md with the rules.
"""

from __future__ import annotations

from sqla_checks.contract.rule import rule_url

CODE = "ALC000"
NAME = "unreadable-file"
URL = rule_url(CODE, NAME)
SUMMARY = "A file that could not be read, decoded or parsed, so no rule checked it."

DOCUMENTATION = f"""\
Always reported; cannot be selected, ignored or suppressed with `# noqa`.

## What it does

Reports a file that `sqla-checks` could not check: it is missing, unreadable, not a
regular file, not valid in its declared encoding, not valid Python, nested deeper
than Python allows, or over the size limit while a rule could match it. With
`--fix` it also reports a fix that was not written because the file changed after
it was read or the write failed (the original file is left intact).

## Why is this bad?

No rule looked at the file, so a clean report would be a false one. The run exits
with code 2, and `--exit-zero` does not change that. Every format prints one line
`path:line:col: error: reason` on stderr (the position only when it is known, and
it is the position the reason talks about); the machine formats (`json`, `sarif`,
`github`, `gitlab`, `junit`) also carry it as an entry with the code `{CODE}`, so a
CI dashboard shows it next to the findings.

## What to do

Fix what the reason names: save the file as UTF-8 (or declare its encoding), fix
the syntax error at the given line and column, or exclude generated files with
`exclude` in `[tool.sqla-checks]`.
"""


def render_documentation(level: int = 1) -> str:
    """ALC000's documentation as Markdown, its title at heading `level`."""
    top = "#" * level
    body = DOCUMENTATION.replace("\n## ", "\n" + "#" * (level + 1) + " ")
    return f"{top} {CODE} ({NAME})\n\n{body}"
