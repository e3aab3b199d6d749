"""Create the PostgreSQL test database named by a URL if missing; exit 1 when unreachable."""

import sys

import psycopg
from sqlalchemy.engine import make_url


def main(url: str) -> int:
    """Connect to the server's postgres database and create the target database if needed."""
    parts = make_url(url)
    kwargs = {
        "host": parts.host or "127.0.0.1",
        "port": parts.port or 5432,
        "user": parts.username or "postgres",
        "password": parts.password,
        "dbname": "postgres",
        "connect_timeout": 3,
        "autocommit": True,
    }
    try:
        with psycopg.connect(**kwargs) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (parts.database,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{parts.database}"')
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL not reachable: {exc}".strip(), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
