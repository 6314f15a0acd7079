"""Where each agent looks for skills: a folder in the project and one in the user's home.

Checked against each agent's own documentation (late 2026):

- Claude Code: `.claude/skills/` in the project, `~/.claude/skills/` for the user.
- Codex: `.agents/skills/` from the working directory up to the repository root, and
  `$HOME/.agents/skills/`. Copilot, Cursor and Gemini CLI read the same two folders
  (Gemini CLI as an alias of `.gemini/skills/`), which is why `agents` names them too.
- Cursor: `.cursor/skills/` (and `.agents/skills/`) in the project, `~/.cursor/skills/`.
- GitHub Copilot: `.github/skills/` in the repository, `~/.copilot/skills/` for the user.
  No `.github/copilot-instructions.md` pointer is written: every Copilot surface that
  reads instructions from the repository also reads skills from these folders or
  AGENTS.md, so a pointer would only be one more derived copy to keep current.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SkillFolders:
    """An agent's skills folders, relative to the project root and to the home folder."""

    project: str
    user: str


AGENT_SKILL_FOLDERS: dict[str, SkillFolders] = {
    "claude": SkillFolders(project=".claude/skills", user=".claude/skills"),
    "agents": SkillFolders(project=".agents/skills", user=".agents/skills"),
    "codex": SkillFolders(project=".agents/skills", user=".agents/skills"),
    "cursor": SkillFolders(project=".cursor/skills", user=".cursor/skills"),
    "copilot": SkillFolders(project=".github/skills", user=".copilot/skills"),
}

AGENTS_MD_AGENT = "agents"
"""The agent whose project folder the AGENTS.md section links into."""


def skills_folder(agent: str, *, project: Path | None) -> Path:
    """The skills folder of `agent` inside `project`, or in the home folder when it is None."""
    folders = AGENT_SKILL_FOLDERS[agent]
    if project is None:
        return Path.home() / folders.user
    return project / folders.project
