"""Printing helpers imported by the programs that the fix-equivalence tests run.

The programs run in a subprocess with this directory on `PYTHONPATH`. Everything
here prints in a fixed, sorted order, so that a program before and after `--fix`
prints the same text exactly when it declared the same schema, mapped the same
attributes and sent the same SQL. Nothing in this module is ever rewritten by a fix:
only the program text is.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import MetaData, event, inspect, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import RelationshipProperty
from sqlalchemy.schema import CreateTable

DATABASE_URL = os.environ["DATABASE_URL"]


def print_ddl(metadata: MetaData) -> None:
    """The CREATE TABLE statements of `metadata`, in the order create_all uses."""
    for table in metadata.sorted_tables:
        print(str(CreateTable(table).compile(dialect=postgresql.dialect())).strip())


def print_database_schema(conn: Connection, metadata: MetaData) -> None:
    """What PostgreSQL reports for the tables of `metadata` once they exist."""
    inspector = inspect(conn)
    for name in sorted(metadata.tables):
        print(f"table {name}")
        for column in inspector.get_columns(name):
            print(
                f"  column {column['name']} {column['type']!r}"
                f" nullable={column['nullable']} default={column['default']!r}"
                f" autoincrement={column.get('autoincrement')!r}"
                f" identity={column.get('identity')!r} computed={column.get('computed')!r}"
            )
        pk = inspector.get_pk_constraint(name)
        print(f"  primary key {pk['constrained_columns']}")
        for fk in sorted(inspector.get_foreign_keys(name), key=lambda fk: fk["name"] or ""):
            print(
                f"  foreign key {fk['name']} {fk['constrained_columns']} ->"
                f" {fk['referred_table']}{fk['referred_columns']} {fk['options']}"
            )
        for index in sorted(inspector.get_indexes(name), key=lambda ix: ix["name"] or ""):
            print(f"  index {index['name']} {index['column_names']} unique={index['unique']}")
        for unique in sorted(inspector.get_unique_constraints(name), key=lambda u: u["name"]):
            print(f"  unique {unique['name']} {unique['column_names']}")
        for check in sorted(inspector.get_check_constraints(name), key=lambda c: c["name"]):
            print(f"  check {check['name']} {check['sqltext']}")


def create_and_describe(engine: Engine, metadata: MetaData) -> None:
    """Print the DDL, create the tables, then print what the database holds."""
    print_ddl(metadata)
    metadata.create_all(engine)
    with engine.connect() as conn:
        print_database_schema(conn, metadata)


def print_mappers(*classes: type) -> None:
    """The mapped attributes of each class: columns, relationships and their shape."""
    for cls in classes:
        mapper: Any = inspect(cls)
        print(f"mapper {cls.__name__} -> {mapper.local_table.name}")
        print(f"  attributes {sorted(mapper.attrs.keys())}")
        for prop in sorted(mapper.column_attrs, key=lambda p: p.key):
            columns = [f"{c.table.name}.{c.name}" for c in prop.columns]
            print(f"  column {prop.key} {columns} deferred={prop.deferred} doc={prop.doc!r}")
        for rel in sorted(mapper.relationships, key=lambda r: r.key):
            print_relationship(rel)


def print_relationship(rel: RelationshipProperty[Any]) -> None:
    secondary = rel.secondary.name if rel.secondary is not None else None
    order_by = [str(c) for c in rel.order_by] if rel.order_by else rel.order_by
    print(
        f"  relationship {rel.key} -> {rel.mapper.class_.__name__}"
        f" direction={rel.direction.name} uselist={rel.uselist} lazy={rel.lazy!r}"
        f" back_populates={rel.back_populates!r} secondary={secondary!r}"
    )
    print(f"    cascade={sorted(rel.cascade)} order_by={order_by}")
    print(f"    primaryjoin={rel.primaryjoin} secondaryjoin={rel.secondaryjoin}")
    print(
        f"    local={sorted(str(c) for c in rel.local_columns)}"
        f" remote={sorted(str(c) for c in rel.remote_side)}"
        f" sync={sorted((str(a), str(b)) for a, b in rel.synchronize_pairs)}"
    )
    print(
        f"    passive_deletes={rel.passive_deletes} passive_updates={rel.passive_updates}"
        f" viewonly={rel.viewonly} post_update={rel.post_update}"
        f" single_parent={rel.single_parent} sync_backref={rel.sync_backref}"
    )


@contextmanager
def printed_sql(engine: Engine) -> Iterator[None]:
    """Print every statement (with its parameters) sent to `engine` in the block."""
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        sent.append(f"{' '.join(statement.split())} {_batch_rows(parameters)!r}")

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", record)
        for line in sent:
            print(f"  SQL {line}")


def _batch_rows(parameters: Any) -> Any:
    """The parameters of a statement, the rows of a batch in sorted order.

    The ORM collects association-table rows through hash-ordered sets (of objects,
    hashed by address), so their order in a batched INSERT or DELETE changes from
    run to run of the very same program; sorted, they compare.
    """
    if isinstance(parameters, list | tuple) and parameters and isinstance(parameters[0], dict):
        return sorted(parameters, key=repr)
    if (
        isinstance(parameters, dict)
        and parameters
        and all(re.search(r"__\d+$", key) for key in parameters)
    ):
        rows: dict[str, dict[str, Any]] = {}
        for key, value in parameters.items():
            name, _, number = key.rpartition("__")
            rows.setdefault(number, {})[name] = value
        return sorted(rows.values(), key=repr)
    return parameters


def print_table(conn: Connection, name: str) -> None:
    """All rows of a table, in a stable order."""
    rows = conn.execute(text(f'SELECT * FROM "{name}"')).all()
    print(f"rows {name}: {sorted((tuple(row) for row in rows), key=repr)}")


def show(value: Any) -> str:
    """A mapped object as `Class(column=value, ...)`, its columns in sorted order."""
    state: Any = inspect(value, raiseerr=False)
    if state is None or not hasattr(state, "mapper"):
        return repr(value)
    keys = sorted(prop.key for prop in state.mapper.column_attrs)
    fields = ", ".join(f"{key}={getattr(value, key)!r}" for key in keys)
    return f"{type(value).__name__}({fields})"
