"""Size limits shared by the table definitions and the request schemas.

The database enforces them (VARCHAR(n), CHECK constraints) so no writer can break
them; the schemas repeat them so clients get a 422 that names the field instead of
a database error.
"""

EMAIL_MAX = 320
DISPLAY_NAME_MAX = 100
TITLE_MAX = 200
POST_BODY_MAX = 20_000
COMMENT_BODY_MAX = 2_000
TAG_NAME_MAX = 50
TAGS_PER_POST_MAX = 10
PAGE_LIMIT_MAX = 100
# Ids and offsets are BIGINT: a larger number would fail in the driver, not the schema.
ID_MAX = 2**63 - 1
