"""One slot, twenty simultaneous acceptances of twenty proposals: exactly one pairing, the
nineteen others get 409 no_place_left and their proposals stay pending. Runs on a temporary
SQLite file and, when TEST_DATABASE_URL is PostgreSQL, on PostgreSQL; one client per thread."""

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from app.auth.services import issue_token
from app.cooperation import services
from app.cooperation.models import Offer, Pairing, Proposal
from app.extensions import db
from app.reference.models import Major
from tests.cooperation import factories as f
from tests.cooperation.test_concurrency import _database_urls, _race_app
from tests.helpers import build_world, reset_database

ACCEPTS = 20


def _prepare(race_app) -> tuple[int, list[int], list[str]]:
    """An offer with one slot and ACCEPTS proposals of different majors to it."""
    with race_app.app_context():
        db.drop_all()
        db.create_all()
        reset_database()
        world = build_world()
        offer = f.make_offer(world.host, slots=1)
        majors = db.session.scalars(select(Major).order_by(Major.id).limit(ACCEPTS)).all()
        assert len(majors) == ACCEPTS
        proposals = []
        for major in majors:
            school_major = f.make_school_major(world.school, major=major)
            proposal = services.propose_major(
                world.users["school"], offer, {"school_major_id": school_major.id}
            )
            proposals.append(proposal)
        db.session.commit()
        owner = world.users["enterprise"]
        tokens = [issue_token(owner) for _ in range(ACCEPTS)]
        db.session.commit()
        return offer.id, [p.id for p in proposals], tokens


def _race(race_app, proposal_ids: list[int], tokens: list[str]) -> list:
    barrier = threading.Barrier(len(proposal_ids))
    results: list = [None] * len(proposal_ids)

    def accept(index: int) -> None:
        client = race_app.test_client()
        headers = {"Authorization": f"Bearer {tokens[index]}"}
        barrier.wait()
        response = client.post(f"/api/v1/proposals/{proposal_ids[index]}/accept", headers=headers)
        results[index] = (response.status_code, (response.get_json() or {}).get("error"))

    threads = [threading.Thread(target=accept, args=(i,)) for i in range(len(proposal_ids))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_twenty_simultaneous_acceptances_give_one_pairing(tmp_path, backend):
    urls = [u for u in _database_urls(tmp_path) if u.startswith(backend)]
    if not urls:
        pytest.skip("TEST_DATABASE_URL is not PostgreSQL")
    race_app = _race_app(urls[0])
    try:
        offer_id, proposal_ids, tokens = _prepare(race_app)
        results = _race(race_app, proposal_ids, tokens)
        statuses = Counter(status for status, _error in results)
        assert statuses == {200: 1, 409: ACCEPTS - 1}, results
        assert {e["code"] for s, e in results if s == 409} == {"no_place_left"}
        with race_app.app_context():
            assert db.session.get(Offer, offer_id).slots_taken == 1
            pairings = db.session.scalar(
                select(func.count()).select_from(Pairing).where(Pairing.offer_id == offer_id)
            )
            assert pairings == 1
            states = Counter(db.session.scalars(select(Proposal.status)))
            assert states == {"accepted": 1, "pending": ACCEPTS - 1}
    finally:
        with race_app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
