"""The answers' race guards, tested deterministically on SQLite: the service is called with the
loaded match as it was before a concurrent request changed the row (the state a lost race
leaves), so removing a guard fails the fast suite, not only the threaded tests."""

import pytest
from sqlalchemy import select, update

from app.common.errors import InvalidState
from app.common.time import utcnow
from app.cooperation.models import Placement, Practice
from app.extensions import db
from app.notifications.models import Notification
from app.rounds import jobs, services
from app.rounds.models import Match, MatchRound
from tests.rounds.factories import make_round, placement_setup


def _proposed(world) -> tuple[Match, object]:
    """One published proposal of the world's teacher for a one-seat placement."""
    admin = world.users["region_admin"]
    placement, _teachers, _apps = placement_setup(world, teachers=1, seats=1)
    round_ = make_round(admin)
    jobs.run_now(round_.id, admin.id)
    db.session.expire_all()
    services.publish_round(admin, db.session.get(MatchRound, round_.id))
    db.session.commit()
    match = db.session.scalar(select(Match).where(Match.round_id == round_.id))
    assert match.status == "proposed"
    return match, placement


def _behind_its_back(match: Match, **values) -> None:
    """Change the row in the database without the loaded object noticing."""
    db.session.execute(
        update(Match)
        .where(Match.id == match.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def test_an_answer_given_meanwhile_by_the_same_side_is_not_given_twice(world):
    match, _placement = _proposed(world)
    _behind_its_back(match, applicant_accepted_at=utcnow())
    assert match.applicant_accepted_at is None  # what the losing request still sees
    with pytest.raises(InvalidState):
        services.accept_match(world.users["teacher"], match)
    db.session.rollback()


def test_accepting_a_match_declined_meanwhile_is_refused(world):
    match, placement = _proposed(world)
    _behind_its_back(match, status="declined")
    with pytest.raises(InvalidState):
        services.accept_match(world.users["enterprise"], match)
    db.session.rollback()
    assert db.session.get(Placement, placement.id).seats_taken == 0


def test_declining_a_match_answered_meanwhile_is_refused(world):
    match, _placement = _proposed(world)
    _behind_its_back(match, status="confirmed")
    assert match.status == "proposed"
    with pytest.raises(InvalidState):
        services.decline_match(world.users["enterprise"], match, "名额已满")
    assert db.session.scalar(select(Notification.id).filter_by(kind="match_declined")) is None
    db.session.rollback()


def test_confirming_a_match_that_expired_meanwhile_claims_nothing(world):
    match, placement = _proposed(world)
    services.accept_match(world.users["teacher"], match)
    db.session.commit()
    _behind_its_back(match, status="expired")
    with pytest.raises(InvalidState):
        services._confirm(world.users["enterprise"], match, "host")
    db.session.rollback()
    assert db.session.get(Placement, placement.id).seats_taken == 0
    assert db.session.scalar(select(Practice.id)) is None


def test_both_answers_confirm_the_match_claim_the_seat_and_tell_both_sides(world):
    match, placement = _proposed(world)
    services.accept_match(world.users["teacher"], match)
    db.session.commit()
    told = set(db.session.scalars(select(Notification.user_id).filter_by(kind="match_accepted")))
    assert told == {world.users["enterprise"].id, world.users["enterprise_staff"].id}
    services.accept_match(world.users["enterprise"], match)
    db.session.commit()
    assert match.status == "confirmed"
    assert db.session.get(Placement, placement.id).seats_taken == 1
    practice = db.session.scalar(select(Practice).where(Practice.match_id == match.id))
    assert practice.application_id == match.application_id
    confirmed = set(
        db.session.scalars(select(Notification.user_id).filter_by(kind="match_confirmed"))
    )
    assert confirmed == {world.users[k].id for k in ("teacher", "enterprise", "enterprise_staff")}
