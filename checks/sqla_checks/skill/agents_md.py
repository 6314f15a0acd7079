"""The AGENTS.md section for agents that read AGENTS.md but not skills.

Rendered from the installed skill's SKILL.md: its frontmatter description (what the
skill does and when to use it; such agents never see frontmatter) opens the section,
its headings move one level down so the section nests under the project's own title,
and every relative link points into the copy installed at `.agents/skills/<name>/`
(which the command installs too).
The section sits between two markers; everything outside them is kept byte for byte.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from sqla_checks.skill import SKILL_NAME
from sqla_checks.skill.build import outside_fences, rewrite_links, skill_description

BEGIN = "<!-- sqla-skillpack:begin -->"
END = "<!-- sqla-skillpack:end -->"
CODEX_SIZE_LIMIT = 32 * 1024
"""Codex stops reading AGENTS.md files once they add up to this many bytes (its default
`project_doc_max_bytes`)."""

_EXTERNAL = ("http://", "https://", "mailto:")
_HEADING = re.compile(r"^(#{1,5}) ", re.M)


class SectionError(Exception):
    """An AGENTS.md whose markers cannot be matched up; exit code 2."""


def render_section(skill_md: str, version: str, skill_folder: PurePosixPath) -> str:
    """The marked section (no trailing newline) for a SKILL.md installed at `skill_folder`
    (relative to the folder holding AGENTS.md)."""
    parts = skill_md.split("---\n", 2)
    if len(parts) != 3 or parts[0]:
        raise ValueError("SKILL.md does not open with a frontmatter block")
    body = parts[2].strip("\n")
    description = skill_description(skill_md)

    def into_copy(target: str) -> str:
        if target.startswith(_EXTERNAL):
            return target
        if target.startswith("#"):
            return f"{skill_folder / 'SKILL.md'}{target}"
        return f"{skill_folder / target}"

    body = rewrite_links(body, into_copy)
    body = outside_fences(body, lambda prose: _HEADING.sub(r"#\1 ", prose))
    return "\n".join(
        [
            BEGIN,
            f"<!-- Written by `sqla-checks install-skill --agents-md` from the {SKILL_NAME}"
            f" skill {version}. Rerun it to update this section; edits between the markers"
            " are replaced. -->",
            "",
            f"The {SKILL_NAME} skill {description[:1].lower()}{description[1:]} It is"
            f" installed in [{skill_folder}/]({skill_folder / 'SKILL.md'}); the links below"
            " lead into it.",
            "",
            body,
            "",
            END,
        ]
    )


def merge(existing: str | None, section: str) -> str:
    """AGENTS.md with `section` in place of the old marked one, or appended to it."""
    if not existing:
        return section + "\n"
    begins, ends = existing.count(BEGIN), existing.count(END)
    if begins == 0 and ends == 0:
        separator = "\n" if existing.endswith("\n") else "\n\n"
        return existing + separator + section + "\n"
    start, stop = existing.find(BEGIN), existing.find(END)
    if begins != 1 or ends != 1 or stop < start:
        raise SectionError(
            f"has {begins} begin and {ends} end markers ({BEGIN} ... {END}); expected one"
            " of each, in that order: fix or remove them by hand, then rerun"
        )
    return existing[:start] + section + existing[stop + len(END) :]
