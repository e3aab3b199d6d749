"""The batch limit holds under a race: 8 schools' staff applying 8 different majors of one
technician college to one batch at the same moment give exactly 3 applications; the 5 others
get 422 `batch_limit`. Runs on a temporary SQLite file and, when TEST_DATABASE_URL is
PostgreSQL, on PostgreSQL; each thread has its own test client."""

import os
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from app import create_app
from app.auth.services import issue_token
from app.extensions import db
from app.programme.models import BatchApplication
from tests.helpers import build_world, reset_database
from tests.programme.factories import make_batch, make_major

THREADS = 8
LIMIT = 3


def _url(tmp_path, backend: str) -> str | None:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'batch-race.db'}"
    test_url = os.environ.get("TEST_DATABASE_URL", "")
    return test_url + "_batch_race" if test_url.startswith("postgresql") else None


def _race_app(url: str):
    if url.startswith("postgresql"):
        from scripts.ensure_database import main as ensure_database

        if ensure_database(url) != 0:
            pytest.skip(f"cannot create {url}")
        options = {"pool_size": THREADS + 5, "max_overflow": 0}
    else:
        options = {"connect_args": {"timeout": 30}}
    return create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": options}
    )


def _prepare(race_app) -> tuple[int, int, list[int], list[str]]:
    """An open batch, a technician college with THREADS majors, a token per thread."""
    with race_app.app_context():
        db.drop_all()
        db.create_all()
        reset_database()
        world = build_world()
        assert world.school.kind == "technician_college"
        batch = make_batch()
        majors = [make_major(world.school).id for _ in range(THREADS)]
        tokens = [issue_token(world.users["school"]) for _ in range(THREADS)]
        db.session.commit()
        return batch.id, world.school.id, majors, tokens


def _race(race_app, batch_id: int, majors: list[int], tokens: list[str]) -> list:
    barrier = threading.Barrier(len(majors))
    results: list = [None] * len(majors)

    def apply(index: int) -> None:
        client = race_app.test_client()
        headers = {"Authorization": f"Bearer {tokens[index]}"}
        barrier.wait()
        response = client.post(
            f"/api/v1/batches/{batch_id}/applications",
            json={"school_major_id": majors[index]},
            headers=headers,
        )
        results[index] = (response.status_code, (response.get_json() or {}).get("error"))

    threads = [threading.Thread(target=apply, args=(i,)) for i in range(len(majors))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_simultaneous_applications_of_one_college_stop_at_three(tmp_path, backend):
    url = _url(tmp_path, backend)
    if url is None:
        pytest.skip("TEST_DATABASE_URL is not PostgreSQL")
    race_app = _race_app(url)
    try:
        batch_id, school_id, majors, tokens = _prepare(race_app)
        results = _race(race_app, batch_id, majors, tokens)
        statuses = Counter(status for status, _error in results)
        assert statuses == {201: LIMIT, 422: THREADS - LIMIT}, results
        refusals = [error for status, error in results if status == 422]
        assert {e["code"] for e in refusals} == {"batch_limit"}
        assert all("at most 3 majors" in e["message"] for e in refusals)
        with race_app.app_context():
            rows = db.session.scalars(
                select(BatchApplication).where(BatchApplication.batch_id == batch_id)
            ).all()
            assert len(rows) == LIMIT
            assert {r.school_id for r in rows} == {school_id}
            assert sorted(r.slot for r in rows) == [1, 2, 3]
            assert len({r.school_major_id for r in rows}) == LIMIT
            created = db.session.scalar(
                select(func.count()).select_from(
                    select(BatchApplication.id)
                    .where(BatchApplication.batch_id == batch_id)
                    .subquery()
                )
            )
            assert created == LIMIT
    finally:
        with race_app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
