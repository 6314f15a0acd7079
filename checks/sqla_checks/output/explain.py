"""Rule documentation in ruff's shape, for `--explain` and `references/rules.md`.

Each rule's text is written once, in its module; this renders it. The reference file
is generated, never edited by hand:

    python -m sqla_checks.output.explain --write-reference references/rules.md
    python -m sqla_checks.output.explain --check references/rules.md   # exit 1 when out of date
"""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Sequence
from pathlib import Path

from sqla_checks.contract.rule import Bad, Rule
from sqla_checks.engine.registry import all_rules
from sqla_checks.output import file_errors, precision

REFERENCE_PATH = Path("references/rules.md")

FAMILIES = {
    "ALC0": "ALC0xx: the checker itself (`# noqa` directives)",
    "ALC1": "ALC1xx: legacy 1.x API",
    "ALC2": "ALC2xx: async correctness",
    "ALC3": "ALC3xx: query correctness",
    "ALC4": "ALC4xx: security",
    "ALC5": "ALC5xx: migrations (Alembic)",
    "ALC6": "ALC6xx: API boundary (FastAPI / Pydantic)",
}


def fix_availability(rule: type[Rule]) -> str:
    """`always`, `sometimes` or `none`, judged from the rule's own bad examples."""
    bad = [example for example in rule.examples if isinstance(example, Bad)]
    fixed = sum(1 for example in bad if example.fixed is not None)
    if fixed == 0:
        return "none"
    return "always" if fixed == len(bad) else "sometimes"


_AVAILABILITY_SENTENCE = {
    "always": "Fix is always available.",
    "sometimes": "Fix is sometimes available.",
    "none": "No automatic fix.",
}


def heading(rule: type[Rule]) -> str:
    """`ALC101 (legacy-query-api)`; its GitHub anchor is the fragment of `Rule.url()`."""
    return f"{rule.code} ({rule.name})"


def _text(value: str) -> str:
    return inspect.cleandoc(value).strip()


def _code_block(code: str, info: str = "python") -> str:
    return f"```{info}\n{_text(code)}\n```"


def render_rule(rule: type[Rule], level: int = 1) -> str:
    """The Markdown documentation of `rule`, its title at heading `level`."""
    top = "#" * level
    sub = "#" * (level + 1)
    enabled = (
        "Enabled by default."
        if rule.default_enabled
        else f"Off by default: enable it with `--select {rule.code}`."
    )
    parts = [
        f"{top} {heading(rule)}",
        f"{_AVAILABILITY_SENTENCE[fix_availability(rule)]} {enabled}",
        f"{sub} What it does\n\n{_text(rule.__doc__ or rule.message)}",
        f"{sub} Why is this bad?\n\n{_text(rule.why)}",
        # `bad` tells the docs tests this block is flagged on purpose (GitHub still
        # highlights it as Python: only the first word of the info string counts).
        f"{sub} Example\n\n{_code_block(rule.example, 'python bad')}",
        f"{sub} Use instead\n\n{_code_block(rule.use_instead)}",
        f"{sub} Fix safety\n\n{_text(rule.fix_safety)}",
    ]
    if rule.blind_spots.strip():
        parts.append(f"{sub} Known blind spots\n\n{_text(rule.blind_spots)}")
    if rule.references:
        links = "\n".join(f"- <{reference}>" for reference in rule.references)
        parts.append(f"{sub} References\n\n{links}")
    return "\n\n".join(parts) + "\n"


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def render_reference(rules: Sequence[type[Rule]]) -> str:
    """`references/rules.md`: a table of contents, then one section per rule."""
    parts = [
        "# sqla-checks rules",
        "<!-- Generated from the rule modules in checks/sqla_checks/rules/ by"
        " `python -m sqla_checks.output.explain --write-reference references/rules.md`."
        " Do not edit by hand. -->",
        "Every rule of the `sqla-checks` lint pack: what it flags, why, what to write"
        " instead, and how far its fix goes. `sqla-checks --explain CODE` prints the"
        " same text for one rule; `sqla-checks --list-rules` lists them.",
        "## Contents",
        "### ALC000: files that could not be checked\n\n"
        "| Code | Name | What it flags | Fix | Default |\n"
        "| --- | --- | --- | --- | --- |\n"
        f"| [{file_errors.CODE}](#{file_errors.URL.rsplit('#', 1)[1]}) | `{file_errors.NAME}`"
        f" | {_cell(file_errors.SUMMARY)} | none | always |",
    ]
    for prefix, title in FAMILIES.items():
        family = [rule for rule in rules if rule.code.startswith(prefix)]
        if not family:
            continue
        rows = [
            "| Code | Name | What it flags | Fix | Default |",
            "| --- | --- | --- | --- | --- |",
        ]
        for rule in family:
            anchor = rule.url().rsplit("#", 1)[1]
            rows.append(
                f"| [{rule.code}](#{anchor}) | `{rule.name}` | {_cell(rule.summary())}"
                f" | {fix_availability(rule)} | {'on' if rule.default_enabled else 'off'} |"
            )
        parts.append(f"### {title}\n\n" + "\n".join(rows))
    anchor = precision.HEADING.lower().replace(" ", "-")
    parts.append(f"How often each rule is right on real code: [{precision.HEADING}](#{anchor}).")
    parts.append(file_errors.render_documentation(level=2).rstrip("\n"))
    parts.extend(render_rule(rule, level=2).rstrip("\n") for rule in rules)
    parts.append(precision.render(rules, precision.load(), level=2).rstrip("\n"))
    return "\n\n".join(parts) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Write or check the generated rule reference."""
    parser = argparse.ArgumentParser(
        prog="python -m sqla_checks.output.explain", description="Generate references/rules.md."
    )
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write-reference", metavar="PATH", type=Path)
    group.add_argument("--check", metavar="PATH", type=Path, help="exit 1 if PATH is stale")
    args = parser.parse_args(argv)
    expected = render_reference(all_rules())
    if args.write_reference is not None:
        path: Path = args.write_reference
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(expected, encoding="utf-8")
        print(f"wrote {path}")
        return 0
    current = args.check.read_text(encoding="utf-8") if args.check.exists() else ""
    if current != expected:
        print(
            f"{args.check}: out of date; run"
            f" `python -m sqla_checks.output.explain --write-reference {args.check}`",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
