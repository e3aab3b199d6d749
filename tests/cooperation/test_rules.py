"""Cooperation rules the suite must notice breaking: one application under way per teacher,
one log per practice and day, the race guards (tested with the state a lost race leaves),
who is notified, who decided, the practice's link to its application, services' own checks."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from app.common.errors import Conflict, Forbidden, InvalidState, ValidationFailed
from app.common.models import AuditEvent
from app.cooperation import services
from app.cooperation.models import Application, Offer, Placement, Practice
from app.extensions import db
from app.notifications.models import Notification
from tests.cooperation import factories as f
from tests.helpers import make_user

START, END = f.START, f.END


def _told(kind: str) -> list[int]:
    """Ids of the users notified with `kind`, in order."""
    stmt = select(Notification.user_id).where(Notification.kind == kind).order_by(Notification.id)
    return list(db.session.scalars(stmt))


def _event(action: str) -> AuditEvent:
    return db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
    )


def _submit(user, placements):
    data = {"placement_ids": [p.id for p in placements], "starts_on": START, "ends_on": END}
    return services.submit_application(user, data)


def test_a_teacher_may_apply_again_after_withdrawing(world):
    user = world.users["teacher"]
    f.make_teacher(world.school, user=user)
    placement = f.make_placement(world.host)
    first = _submit(user, [placement])
    with pytest.raises(Conflict):
        _submit(user, [placement])
    services.withdraw_application(user, first)
    second = _submit(user, [placement])
    db.session.commit()
    assert second.id != first.id and second.status == "submitted"
    assert first.status == "withdrawn"


def test_two_teachers_have_applications_under_way_at_once(world):
    placement = f.make_placement(world.host)
    first = f.make_teacher(world.school, user=world.users["teacher"])
    other_user = make_user("teacher")
    other = f.make_teacher(world.school, user=other_user)
    a = _submit(world.users["teacher"], [placement])
    b = _submit(other_user, [placement])
    db.session.commit()
    assert (a.teacher_id, b.teacher_id) == (first.id, other.id)
    members = [world.users["school"].id, world.users["school_staff"].id]  # the school's members
    assert _told("application_submitted") == members + members
    event = _event("application.submit")
    assert (event.actor_id, event.target_id) == (other_user.id, str(b.id))
    assert event.after["status"] == "submitted"
    assert [int(i) for i in event.after["placement_ids"]] == [placement.id]


def test_an_unconfirmed_teacher_may_not_apply(world):
    user = world.users["teacher"]
    f.make_teacher(world.school, user=user, confirmed=False)
    with pytest.raises(InvalidState):
        _submit(user, [f.make_placement(world.host)])
    with pytest.raises(InvalidState):
        _submit(world.users["school"], [f.make_placement(world.host)])


def test_two_practices_log_the_same_day_but_one_practice_logs_it_once(world):
    placement = f.make_placement(world.host)
    first = f.make_practice(f.make_teacher(world.school, user=world.users["teacher"]), placement)
    other_user = make_user("teacher")
    second = f.make_practice(f.make_teacher(world.school, user=other_user), placement)
    day = first.started_on + timedelta(days=1)
    services.log_practice_day(world.users["teacher"], first, {"on_date": day, "description": "车"})
    entry = services.log_practice_day(other_user, second, {"on_date": day, "description": "铣"})
    db.session.commit()
    assert (entry.practice_id, entry.on_date) == (second.id, day)
    with pytest.raises(ValidationFailed) as again:
        services.log_practice_day(other_user, second, {"on_date": day, "description": "x"})
    assert "on_date" in again.value.fields
    event = _event("practice.log_day")
    assert (event.actor_id, event.target_id) == (other_user.id, str(second.id))
    assert event.after == {"on_date": day.isoformat()}


def test_log_day_checks_the_teacher_the_state_and_the_dates(world):
    practice = f.make_practice(
        f.make_teacher(world.school, user=world.users["teacher"]), f.make_placement(world.host)
    )
    data = {"on_date": practice.started_on, "description": "车"}
    for name in ("school", "enterprise", "region_admin"):
        with pytest.raises(Forbidden):
            services.log_practice_day(world.users[name], practice, data)
    other = make_user("teacher")
    f.make_teacher(world.school, user=other)
    with pytest.raises(Forbidden):
        services.log_practice_day(other, practice, data)
    teacher = world.users["teacher"]
    before = {**data, "on_date": practice.started_on - timedelta(days=1)}
    with pytest.raises(ValidationFailed):
        services.log_practice_day(teacher, practice, before)
    future = {**data, "on_date": services.today() + timedelta(days=1)}
    with pytest.raises(ValidationFailed):
        services.log_practice_day(teacher, practice, future)
    assert services.log_practice_day(teacher, practice, data).on_date == practice.started_on
    today = services.log_practice_day(teacher, practice, {**data, "on_date": services.today()})
    assert today.on_date == services.today()
    practice.status = "completed"
    with pytest.raises(InvalidState):
        services.log_practice_day(teacher, practice, {**data, "on_date": services.today()})
    db.session.rollback()


def test_accept_refuses_an_application_a_concurrent_request_moved_on(world):
    """The state a lost race leaves: the loaded row says endorsed, the database says withdrawn."""
    placement = f.make_placement(world.host, seats=2)
    application = f.make_application(f.make_teacher(world.school), [placement])
    assert application.status == "endorsed"
    db.session.execute(
        update(Application)
        .where(Application.id == application.id)
        .values(status="withdrawn")
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(InvalidState):
        services.accept_application(world.users["enterprise"], application)
    assert application.status == "withdrawn"
    assert db.session.scalar(select(Practice.id)) is None
    db.session.rollback()
    assert db.session.get(Placement, placement.id).seats_taken == 0


def test_accept_refuses_a_placement_whose_last_seat_was_just_taken(world):
    """The loaded placement shows a free seat; the database has none left."""
    placement = f.make_placement(world.host, seats=1)
    application = f.make_application(f.make_teacher(world.school), [placement])
    assert placement.seats_taken == 0
    db.session.execute(
        update(Placement)
        .where(Placement.id == placement.id)
        .values(seats_taken=1)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(services.NoPlaceLeft):
        services.accept_application(world.users["enterprise"], application)
    db.session.rollback()
    assert db.session.get(Application, application.id).status == "endorsed"


def test_claims_take_one_place_of_their_own_row_only(world):
    full, free = f.make_placement(world.host, seats=1), f.make_placement(world.host, seats=2)
    services.claim_seat(full.id)
    with pytest.raises(services.NoPlaceLeft):
        services.claim_seat(full.id)
    assert (full.seats_taken, free.seats_taken) == (1, 0)
    services.claim_seat(free.id)
    assert free.seats_taken == 1
    offer, other = f.make_offer(world.host, slots=1), f.make_offer(world.host, slots=3)
    services.claim_slot(offer.id)
    with pytest.raises(services.NoPlaceLeft):
        services.claim_slot(offer.id)
    assert (offer.slots_taken, other.slots_taken) == (1, 0)
    db.session.commit()
    assert db.session.get(Offer, offer.id).slots_taken == 1


def test_accepting_starts_a_practice_linked_to_its_application(world):
    placement = f.make_placement(world.host, starts_on=date(2026, 4, 1))
    teacher = f.make_teacher(world.school, user=world.users["teacher"])
    application = f.make_application(teacher, [placement])
    enterprise = world.users["enterprise"]
    with pytest.raises(Forbidden):
        services.accept_application(world.users["enterprise_other"], application)
    practice = services.accept_application(enterprise, application)
    db.session.commit()
    assert practice.application_id == application.id
    assert (practice.teacher_id, practice.placement_id) == (teacher.id, placement.id)
    assert practice.match_id is None and practice.status == "ongoing"
    assert practice.started_on == date(2026, 4, 1)  # the later of the two starts
    assert application.status == "matched"
    assert db.session.get(Placement, placement.id).seats_taken == 1
    assert _told("application_accepted") == [
        world.users["teacher"].id,
        world.users["school"].id,
        world.users["school_staff"].id,
    ]
    event = _event("application.accept")
    assert event.actor_id == enterprise.id and event.target_id == str(application.id)
    assert event.after == {
        "status": "matched",
        "placement_id": placement.id,
        "practice_id": practice.id,
    }


def test_endorsing_notifies_the_teacher_and_the_chosen_enterprises(world):
    chosen = f.make_placement(world.host)
    elsewhere = f.make_placement(world.other_host)
    teacher = f.make_teacher(world.school, user=world.users["teacher"])
    application = f.make_application(teacher, [chosen, elsewhere], status="submitted")
    school = world.users["school"]
    for name in ("school_other", "enterprise", "league_admin", "teacher"):
        with pytest.raises(Forbidden):
            services.endorse_application(world.users[name], application)
    services.endorse_application(school, application)
    db.session.commit()
    assert application.endorsed_by_id == school.id and application.endorsed_at is not None
    assert _told("application_endorsed") == [
        world.users["teacher"].id,
        world.users["enterprise"].id,
        world.users["enterprise_staff"].id,
        world.users["enterprise_other"].id,
    ]
    event = _event("application.endorse")
    assert (event.actor_id, event.before, event.after) == (
        school.id,
        {"status": "submitted"},
        {"status": "endorsed"},
    )
    services.withdraw_application(world.users["teacher"], application)
    assert _told("application_withdrawn") == [
        world.users["enterprise"].id,
        world.users["enterprise_staff"].id,
        world.users["enterprise_other"].id,
    ]


def test_withdrawing_an_unendorsed_application_tells_no_enterprise(world):
    teacher = f.make_teacher(world.school, user=world.users["teacher"])
    application = f.make_application(teacher, [f.make_placement(world.host)], status="submitted")
    with pytest.raises(Forbidden):
        services.withdraw_application(world.users["school"], application)
    services.withdraw_application(world.users["teacher"], application)
    assert _told("application_withdrawn") == []
    assert _event("application.withdraw").actor_id == world.users["teacher"].id


def test_returning_needs_the_own_school_and_a_reason(world):
    teacher = f.make_teacher(world.school, user=world.users["teacher"])
    application = f.make_application(teacher, [f.make_placement(world.host)], status="submitted")
    with pytest.raises(Forbidden):
        services.return_application(world.users["school_other"], application, "缺材料")
    with pytest.raises(ValidationFailed):
        services.return_application(world.users["school"], application, "  ")
    services.return_application(world.users["school"], application, " 缺材料 ")
    assert (application.status, application.note) == ("returned", "缺材料")
    assert _told("application_returned") == [world.users["teacher"].id]
    assert _event("application.return").note == "缺材料"


def test_confirming_and_completing_record_who_and_tell_the_teacher(world):
    teacher = f.make_teacher(world.school, user=world.users["teacher"])
    practice = f.make_practice(teacher, f.make_placement(world.host), days=3)
    owner = world.users["enterprise"]
    for move in (services.confirm_practice_days, services.complete_practice):
        for name in ("enterprise_other", "school", "teacher"):
            with pytest.raises(Forbidden):
                move(world.users[name], practice)
    assert services.confirm_practice_days(owner, practice) == 3
    assert practice.days_confirmed == 3
    assert _told("practice_days_confirmed") == [world.users["teacher"].id]
    with pytest.raises(InvalidState):
        services.confirm_practice_days(owner, practice)
    services.complete_practice(owner, practice)
    db.session.commit()
    assert practice.status == "completed"
    assert practice.confirmed_by_id == owner.id and practice.confirmed_at is not None
    assert practice.ended_on == max(e.on_date for e in practice.entries)
    assert _told("practice_completed") == [world.users["teacher"].id]
    event = _event("practice.complete")
    assert event.actor_id == owner.id
    assert event.after == {"status": "completed", "days_confirmed": 3}


def test_update_teacher_profile_keeps_or_resets_the_confirmation(world):
    user = world.users["teacher"]
    teacher = f.make_teacher(world.school, user=user)
    data = {
        "school_id": world.school.id,
        "name": " 王老师 ",
        "title": "  ",
        "occupation_codes": [f.TURNER],
    }
    for name in ("school", "region_admin"):
        with pytest.raises(Forbidden):
            services.update_teacher_profile(world.users[name], teacher, data)
    services.update_teacher_profile(user, teacher, data)
    assert (teacher.name, teacher.title, teacher.confirmed) == ("王老师", None, True)
    services.update_teacher_profile(user, teacher, {**data, "school_id": world.other_school.id})
    db.session.commit()
    assert teacher.school_id == world.other_school.id
    assert teacher.confirmed is False and teacher.confirmed_by_id is None
    event = _event("teacher.update")
    assert event.actor_id == user.id
    assert (event.before["confirmed"], event.after["confirmed"]) == (True, False)
    assert event.after["school_id"] == world.other_school.id


def test_confirm_teacher_records_the_school_staff_member(world):
    teacher = f.make_teacher(world.school, user=world.users["teacher"], confirmed=False)
    with pytest.raises(Forbidden):
        services.confirm_teacher(world.users["school_other"], teacher)
    services.confirm_teacher(world.users["school"], teacher)
    assert teacher.confirmed_by_id == world.users["school"].id
    assert _told("teacher_confirmed") == [world.users["teacher"].id]
    with pytest.raises(InvalidState):
        services.confirm_teacher(world.users["school"], teacher)


def test_start_pairing_links_the_request_and_starts_at_the_later_date(world):
    major = f.make_school_major(world.school)
    request = f.make_pairing_request(major)
    offer = f.make_offer(world.host)
    request.starts_on = date(2026, 5, 1)
    pairing = services.start_pairing(request, offer)
    db.session.commit()
    assert (pairing.school_major_id, pairing.offer_id) == (major.id, offer.id)
    assert pairing.pairing_request_id == request.id and pairing.match_id is None
    assert pairing.status == "active" and pairing.started_on == date(2026, 5, 1)
    later = f.make_offer(world.host)
    later.starts_on = date(2026, 6, 1)
    assert services.start_pairing(request, later).started_on == date(2026, 6, 1)


def test_ending_a_pairing_and_changing_postings_are_the_partners_own(world):
    offer = f.make_offer(world.host)
    pairing = f.make_pairing(f.make_school_major(world.school), offer)
    for name in ("school_other", "enterprise_other", "teacher"):
        with pytest.raises(Forbidden):
            services.end_pairing(world.users[name], pairing)
    with pytest.raises(Forbidden):
        services.change_posting(world.users["enterprise_other"], offer, "close")
    with pytest.raises(Forbidden):
        services.change_posting(world.users["school"], offer, "close")
    request = f.make_pairing_request(f.make_school_major(world.school))
    with pytest.raises(Forbidden):
        services.withdraw_pairing_request(world.users["school_other"], request)
    services.end_pairing(world.users["school"], pairing)
    assert pairing.status == "ended"
    assert _told("pairing_ended") == [
        world.users["enterprise"].id,
        world.users["enterprise_staff"].id,
    ]
