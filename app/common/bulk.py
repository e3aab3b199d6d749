"""Writing many rows at once: COPY on PostgreSQL, multi-row executemany in chunks elsewhere.

Used where a service writes tens of thousands of rows (a round's preview, the notifications of
a published round); the rows never become ORM objects. Runs on the session's connection, so it
is part of the session's transaction.
"""

from collections.abc import Iterable
from itertools import islice
from typing import Any

import orjson
from sqlalchemy import JSON, Table

from app.extensions import db

#: Rows per statement (COPY or executemany).
CHUNK = 5000


def insert_rows(table: Table, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
    """Insert rows (tuples in the order of `columns`; JSON columns as Python values) into the
    table within the session's transaction; returns how many were written."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        return _copy(connection, table, columns, rows)
    stmt = table.insert()
    count, batch = 0, []
    for row in rows:
        batch.append(dict(zip(columns, row, strict=True)))
        if len(batch) >= CHUNK:
            connection.execute(stmt, batch)
            count, batch = count + len(batch), []
    if batch:
        connection.execute(stmt, batch)
        count += len(batch)
    return count


def _copy(connection, table: Table, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
    """COPY … FROM STDIN, one statement per chunk; JSON values as JSON text.

    Rows are taken from the iterable between statements, never during one, so a generator
    that queries the database on the same connection does not block the copy.
    """
    is_json = [isinstance(table.c[c].type, JSON) for c in columns]
    names = ", ".join(f'"{c}"' for c in columns)
    raw = connection.connection.driver_connection
    count = 0
    source = iter(rows)
    while chunk := list(islice(source, CHUNK)):
        with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as cp:
            for row in chunk:
                cp.write_row(_serialised(row, is_json))
        count += len(chunk)
    return count


def _dumps(value: Any) -> str:
    """JSON text of a value (orjson: the same JSON as json.dumps, non-ASCII left as is)."""
    return orjson.dumps(value).decode()


def _serialised(row: tuple, is_json: list[bool]) -> tuple[Any, ...]:
    if not any(is_json):
        return row
    return tuple(
        None if v is None else _dumps(v) if j else v for v, j in zip(row, is_json, strict=True)
    )
