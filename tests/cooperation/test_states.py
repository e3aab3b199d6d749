"""States and their transitions: the services refuse illegal moves (InvalidState) and the
database refuses unknown states, over-filled places and reversed periods."""

from datetime import date

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from app.common.errors import InvalidState
from app.cooperation import services
from app.cooperation.models import Application, Offer, Pairing, Placement, Practice, PracticeEntry
from app.extensions import db
from tests.cooperation import factories as f


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (Placement, {"status": "archived"}),
        (Placement, {"seats_taken": 99}),
        (Placement, {"ends_on": date(2020, 1, 1)}),
        (Offer, {"status": "paused"}),
        (Offer, {"slots_taken": 99}),
        (Offer, {"mode": "remote"}),
    ],
)
def test_database_refuses_bad_postings(world, model, values):
    row = f.make_placement(world.host) if model is Placement else f.make_offer(world.host)
    with pytest.raises(IntegrityError):
        db.session.execute(update(model).where(model.id == row.id).values(**values))
        db.session.flush()
    db.session.rollback()


def test_database_refuses_unknown_request_pairing_and_practice_states(world):
    teacher = f.make_teacher(world.school)
    application = f.make_application(teacher, [f.make_placement(world.host)])
    pairing = f.make_pairing(f.make_school_major(world.school), f.make_offer(world.host))
    practice = f.make_practice(teacher, f.make_placement(world.host), days=1)
    for model, ident, status in (
        (Application, application.id, "approved"),
        (Pairing, pairing.id, "paused"),
        (Practice, practice.id, "abandoned"),
    ):
        with pytest.raises(IntegrityError):
            db.session.execute(update(model).where(model.id == ident).values(status=status))
            db.session.flush()
        db.session.rollback()
    with pytest.raises(IntegrityError):
        db.session.add(PracticeEntry(practice_id=practice.id, on_date=practice.entries[0].on_date))
        db.session.flush()
    db.session.rollback()


def test_posting_transitions(world):
    owner = world.users["enterprise"]
    placement = f.make_placement(world.host, status="draft")
    with pytest.raises(InvalidState):
        services.change_posting(owner, placement, "close")
    services.change_posting(owner, placement, "publish")
    services.change_posting(owner, placement, "close")
    for action in ("publish", "close"):
        with pytest.raises(InvalidState):
            services.change_posting(owner, placement, action)
    assert placement.status == "closed"


def test_application_transitions(world):
    teacher = f.make_teacher(world.school, user=world.users["teacher"])
    school = world.users["school"]
    application = f.make_application(teacher, [f.make_placement(world.host)], status="withdrawn")
    for move in (services.endorse_application, services.withdraw_application):
        actor = school if move is services.endorse_application else world.users["teacher"]
        with pytest.raises(InvalidState):
            move(actor, application)
    with pytest.raises(InvalidState):
        services.return_application(school, application, "x")
    with pytest.raises(InvalidState):
        services.accept_application(world.users["enterprise"], application)
    db.session.rollback()


def test_accepting_a_closed_placement_is_refused(world):
    placement = f.make_placement(world.host)
    application = f.make_application(f.make_teacher(world.school), [placement])
    placement.status = "closed"
    db.session.commit()
    with pytest.raises(InvalidState):
        services.accept_application(world.users["enterprise"], application)
    db.session.rollback()
    assert db.session.get(Placement, placement.id).seats_taken == 0


def test_pairing_and_practice_transitions(world):
    pairing = f.make_pairing(
        f.make_school_major(world.school), f.make_offer(world.host), status="ended"
    )
    with pytest.raises(InvalidState):
        services.end_pairing(world.users["school"], pairing)
    practice = f.make_practice(f.make_teacher(world.school), f.make_placement(world.host), days=0)
    with pytest.raises(InvalidState):
        services.complete_practice(world.users["enterprise"], practice)
    db.session.rollback()
