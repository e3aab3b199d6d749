"""No over-allocation, ever: 50 simultaneous direct accepts on a placement with 5 seats give
exactly 5 practices; the 45 others get 409 no_place_left. Runs on a temporary SQLite file and,
when TEST_DATABASE_URL is PostgreSQL, on PostgreSQL; each thread has its own test client."""

import os
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from app import create_app
from app.auth.services import issue_token
from app.cooperation.models import Application, Placement, Practice
from app.extensions import db
from tests.cooperation import factories as f
from tests.helpers import build_world, reset_database

ACCEPTS = 50
SEATS = 5


def _database_urls(tmp_path) -> list[str]:
    urls = [f"sqlite:///{tmp_path / 'race.db'}"]
    test_url = os.environ.get("TEST_DATABASE_URL", "")
    if test_url.startswith("postgresql"):
        urls.append(test_url + "_race")
    return urls


def _race_app(url: str):
    if url.startswith("postgresql"):
        from scripts.ensure_database import main as ensure_database

        if ensure_database(url) != 0:
            pytest.skip(f"cannot create {url}")
        options = {"pool_size": ACCEPTS + 5, "max_overflow": 0}
    else:
        options = {"connect_args": {"timeout": 30}}
    return create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": options}
    )


def _prepare(race_app) -> tuple[int, list[int], list[str]]:
    """One placement with SEATS seats and ACCEPTS endorsed applications choosing it."""
    with race_app.app_context():
        db.drop_all()
        db.create_all()
        reset_database()
        world = build_world()
        placement = f.make_placement(world.host, seats=SEATS)
        applications = [
            f.make_application(f.make_teacher(world.school), [placement]).id for _ in range(ACCEPTS)
        ]
        owner = world.users["enterprise"]
        tokens = [issue_token(owner) for _ in range(ACCEPTS)]
        db.session.commit()
        return placement.id, applications, tokens


def _race(race_app, application_ids: list[int], tokens: list[str]) -> list:
    barrier = threading.Barrier(len(application_ids))
    results: list = [None] * len(application_ids)

    def accept(index: int) -> None:
        client = race_app.test_client()
        headers = {"Authorization": f"Bearer {tokens[index]}"}
        barrier.wait()
        response = client.post(
            f"/api/v1/applications/{application_ids[index]}/accept", headers=headers
        )
        results[index] = (response.status_code, (response.get_json() or {}).get("error"))

    threads = [threading.Thread(target=accept, args=(i,)) for i in range(len(application_ids))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_fifty_simultaneous_accepts_fill_exactly_five_seats(tmp_path, backend):
    urls = [u for u in _database_urls(tmp_path) if u.startswith(backend)]
    if not urls:
        pytest.skip("TEST_DATABASE_URL is not PostgreSQL")
    race_app = _race_app(urls[0])
    try:
        placement_id, application_ids, tokens = _prepare(race_app)
        results = _race(race_app, application_ids, tokens)
        statuses = Counter(status for status, _error in results)
        assert statuses == {200: SEATS, 409: ACCEPTS - SEATS}, results
        refusals = [error for status, error in results if status == 409]
        assert {e["code"] for e in refusals} == {"no_place_left"}
        assert all(e["message"] for e in refusals)
        with race_app.app_context():
            assert db.session.get(Placement, placement_id).seats_taken == SEATS
            practices = db.session.scalar(
                select(func.count())
                .select_from(Practice)
                .where(Practice.placement_id == placement_id)
            )
            assert practices == SEATS
            matched = db.session.scalar(
                select(func.count()).select_from(Application).where(Application.status == "matched")
            )
            assert matched == SEATS
    finally:
        with race_app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
