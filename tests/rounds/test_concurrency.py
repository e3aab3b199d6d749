"""No over-allocation: 50 simultaneous accepts completing matches on 5 seats confirm exactly 5.

Runs on a temporary SQLite file (threads, busy timeout, BEGIN IMMEDIATE) and, when
TEST_DATABASE_URL is PostgreSQL, on PostgreSQL with the session's app.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from app.common.time import utcnow
from app.cooperation.models import Placement, Practice
from app.extensions import db
from app.rounds.models import Match, MatchRound
from tests.helpers import bearer, build_world, token_for
from tests.rounds.factories import make_application, make_placement, make_teacher

THREADS, SEATS = 50, 5


@pytest.fixture()
def concurrent_app(app, tmp_path):
    """The session app on PostgreSQL; otherwise an app on a temporary SQLite file."""
    if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        yield app
        return
    from app import create_app
    from app.reference.services import load_reference

    other = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'concurrency.db'}",
            "SQLALCHEMY_ENGINE_OPTIONS": {
                "connect_args": {"timeout": 60, "check_same_thread": False},
                "pool_size": 20,
                "max_overflow": 40,
            },
        },
    )
    with other.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _autocommit_driver(dbapi_connection, _record):
            dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself

        @event.listens_for(engine, "begin")
        def _begin_immediate(connection):
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # writers queue on the busy timeout

        db.create_all()
        load_reference()
        db.session.commit()
        yield other
        db.session.remove()
        db.engine.dispose()


def _prepare():
    """One placement with 5 seats and 50 published matches already accepted by teachers."""
    world = build_world()
    placement = make_placement(world.host, seats=SEATS)
    admin = world.users["region_admin"]
    round_ = MatchRound(
        kind="placement",
        mode="optimal",
        weights={},
        deadline=utcnow() + timedelta(days=5),
        status="published",
        created_by_id=admin.id,
    )
    db.session.add(round_)
    db.session.flush()
    for _ in range(THREADS):
        application = make_application(make_teacher(world.school), [placement])
        db.session.add(
            Match(
                round_id=round_.id,
                application_id=application.id,
                placement_id=placement.id,
                score=80,
                breakdown=[],
                status="accepted_applicant",
                applicant_accepted_at=utcnow(),
            )
        )
    db.session.commit()
    ids = list(db.session.scalars(select(Match.id).order_by(Match.id)))
    return world, placement, ids


def test_fifty_simultaneous_accepts_on_five_seats(concurrent_app):
    with concurrent_app.app_context():
        world, placement, ids = _prepare()
        client = concurrent_app.test_client()
        headers = bearer(token_for(client, world.users["enterprise"]))
        barrier = threading.Barrier(THREADS)

        def accept(match_id: int):
            local = concurrent_app.test_client()
            barrier.wait()
            response = local.post(f"/api/v1/matches/{match_id}/accept", headers=headers)
            return response.status_code, response.get_json()

        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(accept, ids))
        db.session.expire_all()
        ok = [body for status, body in results if status == 200]
        refused = [body for status, body in results if status != 200]
        assert len(ok) == SEATS, results
        assert all(body["status"] == "confirmed" for body in ok)
        assert {s for s, _b in results} == {200, 409}
        assert {b["error"]["code"] for b in refused} == {"no_place_left"}
        assert "seats" in refused[0]["error"]["message"]
        assert db.session.get(Placement, placement.id).seats_taken == SEATS
        confirmed = select(func.count(Match.id)).where(Match.status == "confirmed")
        assert db.session.scalar(confirmed) == SEATS
        assert db.session.scalar(select(func.count(Practice.id))) == SEATS
