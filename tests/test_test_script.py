"""`make test` (scripts/test.sh): both passes always run, and each run has databases of its own.

The script is run with stand-in `ruff` and `python` commands that record how they were called,
so these tests check its control flow without running the suite inside the suite.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FAKE_PYTHON = """#!/usr/bin/env bash
echo "$TEST_DATABASE_URL|$*" >> "$CALLS"
if [[ "$1" == "-m" && "$TEST_DATABASE_URL" == sqlite* ]]; then exit "$SQLITE_STATUS"; fi
if [[ "$1" == "-m" ]]; then exit "$PG_STATUS"; fi
exit 0
"""


def _run(tmp_path, sqlite_status: int, pg_status: int) -> tuple[int, list[str]]:
    if sys.platform == "win32":  # pragma: no cover
        pytest.skip("bash script")
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    (fake / "python").write_text(FAKE_PYTHON)
    (fake / "ruff").write_text("#!/usr/bin/env bash\nexit 0\n")
    for tool in fake.iterdir():
        tool.chmod(0o755)
    calls = tmp_path / "calls.txt"
    calls.write_text("")
    env = {
        **os.environ,
        "GONGXUE_TEST_BIN": str(fake),
        "CALLS": str(calls),
        "SQLITE_STATUS": str(sqlite_status),
        "PG_STATUS": str(pg_status),
        "TEST_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:5432/gongxue_test",
    }
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "test.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, calls.read_text().splitlines()


def _pytest_urls(calls: list[str]) -> list[str]:
    return [line.split("|")[0] for line in calls if "|-m pytest" in line]


def test_postgresql_pass_runs_after_a_failed_sqlite_pass_and_the_run_fails(tmp_path):
    status, calls = _run(tmp_path, sqlite_status=1, pg_status=0)
    urls = _pytest_urls(calls)
    assert urls[0] == "sqlite://" and urls[1].startswith("postgresql")
    assert status == 1


def test_a_failed_postgresql_pass_fails_the_run(tmp_path):
    status, _ = _run(tmp_path, sqlite_status=0, pg_status=1)
    assert status == 1


def test_both_passes_passing_pass_the_run(tmp_path):
    status, calls = _run(tmp_path, sqlite_status=0, pg_status=0)
    assert status == 0 and len(_pytest_urls(calls)) == 2


def test_each_run_has_its_own_postgresql_databases_and_drops_them(tmp_path):
    _, first = _run(tmp_path, 0, 0)
    _, second = _run(tmp_path, 0, 0)
    one, two = _pytest_urls(first)[1], _pytest_urls(second)[1]
    base = "postgresql+psycopg://postgres@127.0.0.1:5432/gongxue_test_"
    assert one.startswith(base) and two.startswith(base) and one != two
    assert first[-1].endswith(f"scripts/ensure_database.py --drop {one}")


@pytest.mark.postgres
def test_drop_removes_the_run_databases_and_nothing_else():
    import uuid

    import psycopg
    from sqlalchemy.engine import make_url

    from scripts.ensure_database import drop, main

    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    server = url.rsplit("/", 1)[0]
    run = f"{server}/gongxue_droptest_{uuid.uuid4().hex[:8]}"
    neighbour = run + "x"  # another run whose id merely starts the same way is its own name
    for each in (run, run + "_gw0", run + "_race", neighbour):
        assert main(each) == 0
    assert drop(run) == 0
    parts = make_url(run)
    with psycopg.connect(
        host=parts.host, port=parts.port, user=parts.username, dbname="postgres", autocommit=True
    ) as conn:
        left = {
            r[0]
            for r in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE 'gongxue_droptest_%'"
            )
        }
        assert make_url(neighbour).database in left
        assert not {make_url(run).database, make_url(run).database + "_gw0"} & left
        conn.execute(f'DROP DATABASE "{make_url(neighbour).database}"')
