"""Index comments by (post_id, created_at, id), built without blocking writes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 18:01:37.730613+00:00

Why: a post's comments are read with `WHERE post_id = ... ORDER BY created_at, id`
(CommentRepository.list_for_post, and the selectinload of Post.comments on the
post page). ix_comments_post_id finds the rows but leaves them to be sorted; the
new index returns them in order, and with post_id leading it also serves the
count and the ON DELETE CASCADE from posts, so it replaces ix_comments_post_id.

Reviewed after autogenerate:
- Order: autogenerate dropped the old index before creating the new one. Here the
  new one is built first, so lookups by post_id always have an index to use.
- CONCURRENTLY: a plain CREATE INDEX holds a SHARE lock on comments for the whole
  build, which blocks INSERT, UPDATE and DELETE; a plain DROP INDEX takes ACCESS
  EXCLUSIVE, which blocks reads too. The CONCURRENTLY forms take SHARE UPDATE
  EXCLUSIVE, which lets reads and writes through: the build scans the table
  twice and waits for older transactions to end instead
  [claim: pg-index-lock-levels].
- CONCURRENTLY cannot run inside a transaction block
  [claim: pg-concurrently-outside-transactions], so both statements run in
  autocommit_block(): Alembic commits the transaction open so far, runs them in
  autocommit mode, then begins a new transaction for the alembic_version update.
  env.py sets transaction_per_migration=True, so that commit ends this migration's
  transaction only, never a half-applied batch of earlier ones.
- IF NOT EXISTS / IF EXISTS: the statements are not atomic with the version
  update, so a run interrupted between them can be repeated.
- A concurrent build that fails or is cancelled leaves an INVALID index behind
  (pg_index.indisvalid = false): never used by queries, still updated by every
  write, and taken as done by IF NOT EXISTS
  [claim: pg-failed-concurrent-build-leaves-invalid-index]. So each build first
  drops an index of its name that is INVALID (_drop_index_left_invalid), and a
  rerun after a failed build rebuilds it. Offline (--sql) there is no catalog to
  ask: the SQL carries a comment saying what to check.
- Timeouts: none for the concurrent statements. The locks they wait for block no
  query of the app, and a lock_timeout or statement_timeout that fires mid-build
  leaves the INVALID index above. This migration has no transactional DDL; one
  that has (ALTER TABLE ...) starts with `op.execute("SET LOCAL lock_timeout =
  '5s'")`: its ACCESS EXCLUSIVE request queues behind any long transaction, and
  every later query on the table queues behind it; failing fast and retrying is
  better than stalling the app. SET LOCAL ends with the migration's transaction.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _drop_index_left_invalid(name: str) -> None:
    """Drop index `name` of comments if a failed concurrent build left it INVALID."""
    if context.is_offline_mode():
        op.execute(f"-- before the next statement, DROP INDEX CONCURRENTLY {name} if it is INVALID")
        return
    invalid = op.get_bind().scalar(
        sa.text("SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass(:name)"),
        {"name": name},
    )
    if invalid:
        op.drop_index(name, table_name="comments", postgresql_concurrently=True, if_exists=True)


def upgrade() -> None:
    """Build the composite index concurrently, then drop the one it replaces."""
    with op.get_context().autocommit_block():
        _drop_index_left_invalid(op.f("ix_comments_post_id_created_at_id"))
        op.create_index(
            op.f("ix_comments_post_id_created_at_id"),
            "comments",
            ["post_id", "created_at", "id"],
            postgresql_concurrently=True,
            if_not_exists=True,
        )
        op.drop_index(
            op.f("ix_comments_post_id"),
            table_name="comments",
            postgresql_concurrently=True,
            if_exists=True,
        )


def downgrade() -> None:
    """Rebuild the post_id index concurrently, then drop the composite one."""
    with op.get_context().autocommit_block():
        _drop_index_left_invalid(op.f("ix_comments_post_id"))
        op.create_index(
            op.f("ix_comments_post_id"),
            "comments",
            ["post_id"],
            postgresql_concurrently=True,
            if_not_exists=True,
        )
        op.drop_index(
            op.f("ix_comments_post_id_created_at_id"),
            table_name="comments",
            postgresql_concurrently=True,
            if_exists=True,
        )
