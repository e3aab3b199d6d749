"""Match rounds through the services: run, preview, publish, answers, follow-ups, deadlines."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.common.errors import Forbidden, InvalidState, ValidationFailed
from app.common.time import utcnow
from app.cooperation.models import Pairing, Placement, Practice
from app.cooperation.services import NoPlaceLeft
from app.extensions import db
from app.notifications.models import Notification
from app.rounds import jobs, services
from app.rounds.models import Match, MatchRound
from tests.helpers import BAOTOU, HOHHOT, make_host, make_user
from tests.rounds.factories import (
    make_application,
    make_offer,
    make_pairing_request,
    make_placement,
    make_round,
    make_school_major,
    make_teacher,
    pass_deadline,
    placement_setup,
)


def _run(round_, user):
    jobs.run_now(round_.id, user.id)
    db.session.expire_all()
    return db.session.get(MatchRound, round_.id)


def _matches(round_, **filters) -> list[Match]:
    stmt = select(Match).where(Match.round_id == round_.id).filter_by(**filters)
    return list(db.session.scalars(stmt.order_by(Match.id)))


def test_placement_round_end_to_end(world):
    admin = world.users["region_admin"]
    placement, teachers, apps = placement_setup(world, teachers=3, seats=2)
    round_ = _run(make_round(admin), admin)
    preview = _matches(round_)
    assert round_.status == "previewed"
    assert len(preview) == 2 and {m.status for m in preview} == {"preview"}
    assert all(m.placement_id == placement.id for m in preview)
    first = preview[0]
    assert sum(c["points"] for c in first.breakdown) == first.score
    assert any("职业完全相同" in c["explanation"] for c in first.breakdown)
    metrics = round_.metrics
    assert metrics["optimal"]["matched"] == 2 and metrics["stable"]["matched"] == 2
    assert metrics["demand"] == 3 and metrics["optimal"]["share"] == pytest.approx(2 / 3, 1e-3)
    assert metrics["stable"]["blocking_pairs"] == 0
    unmatched = round_.analysis["unmatched"]
    assert len(unmatched) == 1 and unmatched[0]["reason"] == "capacity_taken"
    assert round_.analysis["bottleneck_hosts"][0]["placement_id"] == placement.id

    services.publish_round(admin, round_)
    db.session.commit()
    assert {m.status for m in _matches(round_)} == {"proposed"}
    kinds = set(db.session.scalars(select(Notification.kind)))
    assert "match_proposed" in kinds

    match = _matches(round_)[0]
    teacher_user = match.application.teacher.user
    services.accept_match(teacher_user, match)
    db.session.commit()
    assert match.status == "accepted_applicant"
    with pytest.raises(InvalidState):
        services.accept_match(teacher_user, match)
    db.session.rollback()
    services.accept_match(world.users["enterprise"], match)
    db.session.commit()
    assert match.status == "confirmed"
    assert db.session.get(Placement, placement.id).seats_taken == 1
    practice = db.session.scalar(select(Practice).where(Practice.match_id == match.id))
    assert practice is not None and match.application.status == "matched"


def test_only_the_two_sides_answer(world):
    admin = world.users["region_admin"]
    placement_setup(world, teachers=1)
    round_ = _run(make_round(admin), admin)
    services.publish_round(admin, round_)
    db.session.commit()
    match = _matches(round_)[0]
    for outsider in ("enterprise_other", "school", "region_admin"):
        with pytest.raises(Forbidden):
            services.accept_match(world.users[outsider], match)
    with pytest.raises(ValidationFailed) as exc:
        services.decline_match(world.users["teacher"], match, "  ")
    assert "reason" in exc.value.fields


def test_decline_then_follow_up_round(world):
    """Declined pairs are never proposed again; held places wait until declined or expired."""
    admin = world.users["region_admin"]
    placement, teachers, apps = placement_setup(world, teachers=3, seats=1)
    other = make_placement(world.host, seats=1)
    late = make_teacher(world.school)
    late_app = make_application(late, [other, placement])
    round_ = _run(make_round(admin), admin)
    services.publish_round(admin, round_)
    db.session.commit()
    held = {m.placement_id: m for m in _matches(round_)}
    assert set(held) == {placement.id, other.id}

    follow = _run(make_round(admin), admin)
    assert _matches(follow) == []  # every place is held by an unanswered proposal

    declined = held[placement.id]
    services.decline_match(world.users["enterprise"], declined, "没有合适的师傅带教")
    db.session.commit()
    assert declined.status == "declined"
    again = _run(make_round(admin), admin)
    proposed = _matches(again)
    assert len(proposed) == 1 and proposed[0].placement_id == placement.id
    assert proposed[0].application_id != declined.application_id
    assert late_app.id not in {m.application_id for m in proposed}  # still held at `other`
    causes = {u["application_id"]: u["causes"] for u in again.analysis["unmatched"]}
    assert "declined_before" in causes[declined.application_id]


def test_expired_places_are_offered_again(world):
    admin = world.users["region_admin"]
    placement, teachers, apps = placement_setup(world, teachers=2, seats=1)
    round_ = _run(make_round(admin), admin)
    services.publish_round(admin, round_)
    db.session.commit()
    pass_deadline(round_)
    assert services.expire_overdue() == 1
    db.session.commit()
    expired = _matches(round_)[0]
    assert expired.status == "expired"
    assert "match_expired" in set(db.session.scalars(select(Notification.kind)))
    with pytest.raises(InvalidState):
        services.accept_match(world.users["enterprise"], expired)
    db.session.rollback()
    follow = _run(make_round(admin), admin)
    proposed = _matches(follow)
    assert len(proposed) == 1 and proposed[0].application_id != expired.application_id


def test_failed_run_leaves_nothing(world, monkeypatch):
    admin = world.users["region_admin"]
    placement_setup(world, teachers=2)
    round_ = make_round(admin)

    def broken(problem, mode):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(services, "solve", broken)
    with pytest.raises(services.RoundFailed):
        jobs.run_now(round_.id, admin.id)
    db.session.expire_all()
    round_ = db.session.get(MatchRound, round_.id)
    assert round_.status == "failed" and "solver exploded" in round_.error
    assert db.session.scalar(select(func.count(Match.id))) == 0


def test_failed_rerun_keeps_nothing_new(world, monkeypatch):
    admin = world.users["region_admin"]
    placement_setup(world, teachers=2)
    round_ = _run(make_round(admin), admin)
    before = [(m.id, m.application_id) for m in _matches(round_)]
    monkeypatch.setattr(services, "bottlenecks", lambda *a, **k: 1 / 0)
    with pytest.raises(services.RoundFailed):
        jobs.run_now(round_.id, admin.id)
    db.session.expire_all()
    assert [(m.id, m.application_id) for m in _matches(round_)] == before
    assert db.session.get(MatchRound, round_.id).status == "failed"


def test_run_and_publish_twice_create_no_duplicates(world):
    admin = world.users["region_admin"]
    placement_setup(world, teachers=3, seats=2)
    round_ = _run(make_round(admin), admin)
    first = [(m.application_id, m.placement_id) for m in _matches(round_)]
    round_ = _run(round_, admin)
    assert [(m.application_id, m.placement_id) for m in _matches(round_)] == first
    services.publish_round(admin, round_)
    db.session.commit()
    with pytest.raises(InvalidState):
        services.publish_round(admin, round_)
    db.session.rollback()
    assert len(_matches(round_)) == 2
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.kind == "match_proposed")
        )
        == 6
    )  # two matches × (teacher + the enterprise's two members)


def test_lock_and_exclude_survive_reruns(world):
    admin = world.users["region_admin"]
    placement, teachers, apps = placement_setup(world, teachers=3, seats=1)
    round_ = _run(make_round(admin), admin)
    chosen = _matches(round_)[0]
    services.exclude_match(admin, chosen, "该教师已在其他企业实践")
    db.session.commit()
    round_ = _run(round_, admin)
    live = [m for m in _matches(round_) if not m.excluded]
    assert len(live) == 1 and live[0].application_id != chosen.application_id
    services.lock_match(admin, live[0], "校企双方已口头确认")
    db.session.commit()
    round_ = _run(round_, admin)
    again = [m for m in _matches(round_) if not m.excluded]
    assert [m.id for m in again] == [live[0].id] and again[0].locked
    assert round_.metrics["locked"] == 1
    with pytest.raises(ValidationFailed):
        services.lock_match(admin, again[0], "")
    db.session.rollback()
    services.publish_round(admin, round_)
    db.session.commit()
    statuses = {m.id: m.status for m in _matches(round_)}
    assert statuses == {chosen.id: "preview", live[0].id: "proposed"}


def test_published_round_is_read_only(world):
    admin = world.users["region_admin"]
    placement_setup(world, teachers=1)
    round_ = _run(make_round(admin), admin)
    services.publish_round(admin, round_)
    db.session.commit()
    match = _matches(round_)[0]
    for call in (
        lambda: services.lock_match(admin, match, "x"),
        lambda: services.exclude_match(admin, match, "x"),
        lambda: services.run_round(admin, round_),
    ):
        with pytest.raises(InvalidState):
            call()


def test_league_admin_scope(world):
    league = world.users["league_admin"]
    with pytest.raises(Forbidden):
        make_round(league, region_code=None)
    db.session.rollback()
    with pytest.raises(Forbidden):
        make_round(league, region_code=BAOTOU)
    db.session.rollback()
    round_ = make_round(league, region_code=HOHHOT)
    baotou_host = make_host(world.other_enterprise)
    far = make_placement(baotou_host)
    placement, teachers, apps = placement_setup(world, teachers=1)
    make_application(make_teacher(world.school), [far])
    round_ = _run(round_, league)
    assert [m.placement_id for m in _matches(round_)] == [placement.id]
    with pytest.raises(Forbidden):
        services.run_round(world.users["league_admin_other"], round_)


def test_weights_are_validated(world):
    admin = world.users["region_admin"]
    deadline = utcnow() + timedelta(days=3)
    for weights in (
        {"occupation": -1},
        {"colour": 3},
        {c: 0 for c in ("occupation", "distance", "mode", "period", "capacity", "choice")},
        [1],
    ):
        with pytest.raises(ValidationFailed) as exc:
            services.create_round(admin, "placement", None, "optimal", weights, deadline)
        assert "weights" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        services.create_round(admin, "placement", None, "optimal", {}, utcnow())
    assert "deadline" in exc.value.fields


def test_pairing_round_with_several_partners(world):
    admin = world.users["region_admin"]
    major = make_school_major(world.school)
    request = make_pairing_request(major, wanted=2, modes=("linkage",))
    offers = [make_offer(world.host, mode="linkage"), make_offer(make_host(world.enterprise))]
    far = make_offer(world.other_host, occupations=("6-17-03-02",))
    for mode in ("stable", "optimal"):
        round_ = _run(make_round(admin, kind="pairing", mode=mode), admin)
        rows = _matches(round_)
        assert {m.offer_id for m in rows} == {o.id for o in offers}, mode
        assert all(m.pairing_request_id == request.id for m in rows)
        assert round_.metrics["stable"]["blocking_pairs"] == 0
        assert any(c["criterion"] == "mode" for c in rows[0].breakdown)
    services.publish_round(admin, round_)
    db.session.commit()
    for match in _matches(round_):
        services.accept_match(world.users["school"], match)
        services.accept_match(world.users["enterprise"], match)
        db.session.commit()
        assert match.status == "confirmed"
    assert db.session.scalar(select(func.count(Pairing.id))) == 2
    assert all(o.slots_taken == 1 for o in offers)
    assert request.status == "matched"
    assert far.slots_taken == 0
    follow = _run(make_round(admin, kind="pairing"), admin)
    assert _matches(follow) == []


def test_preferred_leagues_limit_pairing_candidates(world):
    admin = world.users["region_admin"]
    request = make_pairing_request(make_school_major(world.school), regions=(BAOTOU,))
    make_offer(world.host)
    round_ = _run(make_round(admin, kind="pairing"), admin)
    assert _matches(round_) == []
    unmatched = round_.analysis["unmatched"]
    assert unmatched[0]["pairing_request_id"] == request.id
    assert unmatched[0]["causes"] == ["other_league"]


def test_no_place_left_is_a_clear_refusal(world):
    admin = world.users["region_admin"]
    placement, teachers, apps = placement_setup(world, teachers=1)
    round_ = _run(make_round(admin), admin)
    services.publish_round(admin, round_)
    db.session.commit()
    placement.seats_taken = 1  # taken meanwhile by a direct acceptance
    db.session.commit()
    match = _matches(round_)[0]
    services.accept_match(world.users["teacher"], match)
    db.session.commit()
    with pytest.raises(NoPlaceLeft):
        services.accept_match(world.users["enterprise"], match)
    db.session.rollback()
    assert db.session.get(Match, match.id).status == "accepted_applicant"


def test_reminders_are_sent_once(world):
    admin = world.users["region_admin"]
    placement_setup(world, teachers=1)
    round_ = _run(make_round(admin, days=2), admin)
    services.publish_round(admin, round_)
    db.session.commit()
    assert services.remind_deadlines() == 1
    db.session.commit()
    assert services.remind_deadlines() == 0
    reminders = db.session.scalars(
        select(Notification).where(Notification.kind == "round_deadline_soon")
    ).all()
    # the teacher and both members of the enterprise, once each
    assert sorted(r.user_id for r in reminders) == sorted(
        [world.users[k].id for k in ("teacher", "enterprise", "enterprise_staff")]
    )
    assert reminders[0].params["match_id"] == _matches(round_)[0].id


def test_unconfirmed_teachers_and_closed_placements_are_left_out(world):
    admin = world.users["region_admin"]
    open_one = make_placement(world.host)
    closed = make_placement(world.host, status="closed")
    make_application(make_teacher(world.school, confirmed=False), [open_one])
    app = make_application(make_teacher(world.school), [closed])
    round_ = _run(make_round(admin), admin)
    assert _matches(round_) == []
    unmatched = round_.analysis["unmatched"]
    assert [(u["application_id"], u["reason"], u["causes"]) for u in unmatched] == [
        (app.id, "no_candidates", ["not_open"])
    ]
    assert make_user("teacher")  # accounts without profiles do not break a run


def test_unmatched_reason_says_places_were_taken_only_when_they_were():
    """'Places went to others' only when every eligible host is full; otherwise places_left."""
    from collections import Counter

    from app.rounds.services import _unmatched_reason

    capacity = {"p1": 1, "p2": 2}
    assert _unmatched_reason([], capacity, Counter()) == "no_candidates"
    assert _unmatched_reason(["p1", "p2"], capacity, Counter({"p1": 1, "p2": 2})) == (
        "capacity_taken"
    )
    assert _unmatched_reason(["p1", "p2"], capacity, Counter({"p1": 1, "p2": 1})) == ("places_left")
    assert _unmatched_reason(["p1"], {"p1": 0}, Counter()) == "capacity_taken"  # no free place
