"""Record every SQL statement any SQLAlchemy Engine sends, for the emitted-SQL check.

Python imports `sitecustomize` at start-up from the first folder of `sys.path` that
has one, so putting this folder on PYTHONPATH arms the recorder in a child process
without touching the program under test. It only acts when SQLA_EMITTED_SQL_LOG
names a file: one JSON string (the statement) is appended per line.

The listener goes on the `Engine` class, so it sees every engine the program
creates, including the sync engine inside each `AsyncEngine`.
"""

from __future__ import annotations

import json
import os
from typing import Any

_LOG = os.environ.get("SQLA_EMITTED_SQL_LOG")

if _LOG:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def _record(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps(statement) + "\n")

    event.listen(Engine, "before_cursor_execute", _record)
