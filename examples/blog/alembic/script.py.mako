"""${message}

Revision ID: ${up_revision}
Revises: ${", ".join(down_revision) if isinstance(down_revision, (tuple, list)) else (down_revision or "none (first revision)")}
Create Date: ${create_date}

Review before committing: autogenerate misses renames (it sees a drop and an
add), server-default changes and data migrations, and every downgrade must undo
its upgrade.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
${imports if imports else ""}
revision: str = ${repr(up_revision)}
down_revision: str | Sequence[str] | None = ${repr(down_revision)}
branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}
depends_on: str | Sequence[str] | None = ${repr(depends_on)}


def upgrade() -> None:
    """${message}."""
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    """Undo: ${message}."""
    ${downgrades if downgrades else "pass"}
