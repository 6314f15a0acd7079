"""The `sqlalchemy-postgres` agent skill: how it is assembled and how it is installed.

`build` (run from a source checkout) derives the self-contained skill folders from the
repo's one copy of each text; `install` copies the skill shipped inside this package
into a project or a user's folder for a named agent.
"""

SKILL_NAME = "sqlalchemy-postgres"
