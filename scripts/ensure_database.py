"""Create the PostgreSQL test database named by a URL if missing; exit 1 when unreachable.

With ``--drop``, drop that database and every database named after it with an underscore and
a suffix (the per-worker and race-test databases of one test run) instead.
"""

import sys

import psycopg
from sqlalchemy.engine import make_url


def _connect(url: str) -> psycopg.Connection:
    """An autocommit connection to the server's postgres database; raises OperationalError."""
    parts = make_url(url)
    return psycopg.connect(
        host=parts.host or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        connect_timeout=3,
        autocommit=True,
    )


def main(url: str) -> int:
    """Connect to the server's postgres database and create the target database if needed."""
    name = make_url(url).database
    try:
        with _connect(url) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL not reachable: {exc}".strip(), file=sys.stderr)
        return 1
    return 0


def drop(url: str) -> int:
    """Drop the database of the URL and those named after it (its name, "_", a suffix)."""
    name = make_url(url).database
    pattern = name.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%") + "\\_%"
    try:
        with _connect(url) as conn:
            names = [
                row[0]
                for row in conn.execute(
                    "SELECT datname FROM pg_database WHERE datname = %s OR datname LIKE %s",
                    (name, pattern),
                )
            ]
            for each in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{each}" WITH (FORCE)')
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL not reachable: {exc}".strip(), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--drop":
        sys.exit(drop(sys.argv[2]))
    sys.exit(main(sys.argv[1]))
