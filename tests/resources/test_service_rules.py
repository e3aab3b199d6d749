"""Resources services called directly as the wrong user (the second line behind views and
API), and who decided, who is notified and what the audit records."""

import pytest
from sqlalchemy import select

from app.common.errors import Forbidden, InvalidState
from app.common.models import AuditEvent
from app.extensions import db
from app.notifications.models import Notification
from app.resources import services
from tests.resources.factories import (
    make_booking,
    make_item,
    make_school_major,
    make_venue,
    make_visit,
    slot,
)


@pytest.fixture(autouse=True)
def _request(app):
    """The services link their notifications with url_for, as inside a request."""
    with app.test_request_context():
        yield


def _told(kind: str) -> list[int]:
    stmt = select(Notification.user_id).where(Notification.kind == kind).order_by(Notification.id)
    return list(db.session.scalars(stmt))


def _event(action: str) -> AuditEvent:
    return db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
    )


def test_only_the_booking_school_cancels(world):
    booking = make_booking(make_venue(world.enterprise), world.school)
    for name in ("school_other", "enterprise", "league_admin", "teacher"):
        with pytest.raises(Forbidden):
            services.cancel_booking(world.users[name], booking)
    assert booking.status == "pending"
    services.cancel_booking(world.users["school"], booking)
    assert booking.status == "cancelled"
    event = _event("booking.cancel")
    assert event.actor_id == world.users["school"].id
    assert (event.before, event.after) == ({"status": "pending"}, {"status": "cancelled"})
    with pytest.raises(InvalidState):
        services.cancel_booking(world.users["school"], booking)


def test_the_venue_owner_decides_and_the_school_is_told(world):
    booking = make_booking(make_venue(world.enterprise), world.school)
    for name in ("enterprise_other", "school"):
        with pytest.raises(Forbidden):
            services.decide_booking(world.users[name], booking, True)
    owner = world.users["enterprise"]
    services.decide_booking(owner, booking, False, "设备检修")
    db.session.commit()
    assert (booking.status, booking.decided_by_id, booking.reason) == (
        "declined",
        owner.id,
        "设备检修",
    )
    assert booking.decided_at is not None
    assert _told("booking_declined") == [world.users["school"].id, world.users["school_staff"].id]
    assert _event("booking.decide").after == {"status": "declined"}
    with pytest.raises(InvalidState):
        services.decide_booking(owner, booking, True)


def test_only_school_staff_book(world):
    venue = make_venue(world.enterprise)
    start, end = slot()
    data = {"starts_at": start, "ends_at": end, "purpose": "实训", "headcount": 5}
    for name in ("enterprise", "league_admin", "teacher", "school_new"):
        with pytest.raises(Forbidden):
            services.book(world.users[name], venue, data)
    booking = services.book(world.users["school"], venue, data)
    assert (booking.school_id, booking.booked_by_id) == (world.school.id, world.users["school"].id)


def test_only_the_panel_reviews_and_the_school_is_told(world):
    item = make_item(world.school, status="submitted")
    for name in ("school", "enterprise", "league_admin_other"):
        with pytest.raises(Forbidden):
            services.start_review(world.users[name], item)
        with pytest.raises(Forbidden):
            services.review_item(world.users[name], item, "approve", None)
        with pytest.raises(Forbidden):
            services.comment_item(world.users[name], item, "好")
    reviewer = world.users["region_admin"]
    services.review_item(reviewer, item, "revise", "补充评价标准")
    db.session.commit()
    assert item.status == "returned" and item.decided_at is not None
    assert _told("resource_returned") == [world.users["school"].id, world.users["school_staff"].id]


def test_supervision_stays_in_the_league_and_records_who(world):
    school = world.school  # Hohhot
    with pytest.raises(Forbidden):
        services.record_visit(world.users["league_admin_other"], school, slot()[0].date(), "x", [])
    visit = make_visit(school)
    action = visit.actions[0]
    with pytest.raises(Forbidden):
        services.answer_action(world.users["school_other"], action, "已整改")
    services.answer_action(world.users["school"], action, "已整改")
    assert (action.status, action.answered_by_id) == ("answered", world.users["school"].id)
    for name in ("league_admin_other", "school"):
        with pytest.raises(Forbidden):
            services.close_action(world.users[name], action)
    admin = world.users["league_admin"]
    services.close_action(admin, action)
    assert (action.status, action.closed_by_id) == ("closed", admin.id)
    assert _event("supervision.close").actor_id == admin.id
    with pytest.raises(InvalidState):
        services.answer_action(world.users["school"], action, "再答")


def test_only_the_school_or_a_paired_enterprise_certifies(world):
    major = make_school_major(world.school)
    data = {}
    for name in ("enterprise", "school_other", "league_admin"):
        with pytest.raises(Forbidden):
            services.certify(world.users[name], major, data)
