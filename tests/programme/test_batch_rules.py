"""Batch rules the suite must notice breaking: limits come from the settings, the per-school
count is per batch, one application per major and batch, who decided, services' own checks."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.common.errors import Conflict, Forbidden, InvalidState, ValidationFailed
from app.common.models import AuditEvent
from app.common.time import local_today
from app.extensions import db
from app.programme import services
from app.programme.models import Batch, BatchApplication, Phase
from tests.helpers import bearer, login_en, token_for
from tests.programme.factories import make_application, make_batch, make_major, make_phase

API = "/api/v1"


def _apply(client, token, batch, major):
    return client.post(
        f"{API}/batches/{batch.id}/applications",
        json={"school_major_id": major.id},
        headers=bearer(token),
    )


def _events(action: str) -> list[AuditEvent]:
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


@pytest.fixture()
def limits(app, monkeypatch):
    """Batch-limit settings changed to 1 (technician college) and 4 (other schools)."""
    monkeypatch.setitem(app.config, "BATCH_LIMIT_TECHNICIAN_COLLEGE", 1)
    monkeypatch.setitem(app.config, "BATCH_LIMIT_OTHER_SCHOOL", 4)


def test_api_batch_without_limits_takes_them_from_the_settings(client, world, limits):
    make_phase(1)
    admin = token_for(client, world.users["region_admin"])
    opens = local_today() - timedelta(days=1)
    response = client.post(
        f"{API}/batches",
        json={
            "name": "设置批次",
            "phase": 1,
            "opens_on": opens.isoformat(),
            "closes_on": (opens + timedelta(days=30)).isoformat(),
        },
        headers=bearer(admin),
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["limit_technician_college"], body["limit_other"]) == (1, 4)
    batch = db.session.get(Batch, body["id"])
    school = token_for(client, world.users["school"])  # a technician college
    first, second = make_major(world.school), make_major(world.school)
    assert _apply(client, school, batch, first).status_code == 201
    refused = _apply(client, school, batch, second)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "batch_limit"
    assert refused.get_json()["error"]["message"].startswith(
        "A technician college may apply at most 1 majors"
    )
    other = token_for(client, world.users["school_other"])
    for _ in range(3):  # three is over the old default of 2
        assert _apply(client, other, batch, make_major(world.other_school)).status_code == 201


def test_batch_page_offers_the_settings_and_saves_them(client, world, limits):
    phase = make_phase(1)
    login_en(client, world.users["region_admin"])
    page = client.get("/programme/batches/new").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="limit_technician_college"[^>]*value="1"', page)
    assert re.search(r'<input[^>]*name="limit_other"[^>]*value="4"', page)
    response = client.post(
        "/programme/batches/new",
        data={
            "name": "页面批次",
            "phase": phase.id,
            "opens_on": "2026-03-01",
            "closes_on": "2026-04-30",
            "limit_technician_college": "",
            "limit_other": "",
        },
    )
    assert response.status_code == 302
    batch = db.session.scalar(select(Batch).where(Batch.name == "页面批次"))
    assert (batch.limit_technician_college, batch.limit_other) == (1, 4)


def test_a_school_that_used_its_places_applies_again_in_the_next_batch(client, world):
    first, second = make_batch(), make_batch()
    token = token_for(client, world.users["school"])
    majors = [make_major(world.school) for _ in range(4)]
    for major in majors[:3]:
        assert _apply(client, token, first, major).status_code == 201
    assert _apply(client, token, first, majors[3]).status_code == 422
    response = _apply(client, token, second, majors[0])
    assert response.status_code == 201, response.get_json()
    row = db.session.get(BatchApplication, response.get_json()["id"])
    assert (row.batch_id, row.slot) == (second.id, 1)


def test_the_same_major_applies_once_per_batch(client, world):
    batch = make_batch()
    major = make_major(world.school)
    token = token_for(client, world.users["school"])
    assert _apply(client, token, batch, major).status_code == 201
    again = _apply(client, token, batch, major)
    assert again.status_code == 409
    assert "school_major_id" in again.get_json()["error"]["fields"]
    with pytest.raises(Conflict):
        services.apply_major(world.users["school"], batch, major, local_today())
    db.session.rollback()
    count = db.session.scalar(
        select(db.func.count(BatchApplication.id)).where(BatchApplication.batch_id == batch.id)
    )
    assert count == 1


def test_a_withdrawn_major_may_apply_again(client, world):
    batch = make_batch()
    major = make_major(world.school)
    actor = world.users["school"]
    application = services.apply_major(actor, batch, major, local_today())
    application_id = application.id
    services.withdraw_application(actor, application)
    again = services.apply_major(actor, batch, major, local_today())
    db.session.commit()
    assert (again.school_major_id, again.status, again.slot) == (major.id, "submitted", 1)
    event = _events("batch_application.withdraw")[0]
    assert (event.actor_id, event.target_type, event.target_id) == (
        actor.id,
        "BatchApplication",
        str(application_id),
    )
    assert event.before == {"status": "submitted", "school_major_id": major.id}


def test_apply_major_checks_the_actor_and_the_date(world):
    batch = make_batch()
    major = make_major(world.school)
    for name in ("school_other", "league_admin", "region_admin", "teacher"):
        with pytest.raises(Forbidden):
            services.apply_major(world.users[name], batch, major, local_today())
    with pytest.raises(InvalidState):
        services.apply_major(world.users["school"], batch, major, batch.closes_on + timedelta(1))
    with pytest.raises(InvalidState):
        services.apply_major(world.users["school"], batch, major, batch.opens_on - timedelta(1))
    application = services.apply_major(world.users["school"], batch, major, batch.closes_on)
    assert application.slot == 1
    event = _events("batch_application.create")[0]
    assert (event.actor_id, event.target_id) == (world.users["school"].id, str(application.id))
    assert event.after == {"batch_id": batch.id, "school_major_id": major.id, "status": "submitted"}


def test_withdraw_needs_the_own_school_and_an_undecided_application(world):
    batch = make_batch()
    application = make_application(batch, make_major(world.school))
    for name in ("school_other", "league_admin", "region_admin"):
        with pytest.raises(Forbidden):
            services.withdraw_application(world.users[name], application)
    application.status = "selected"
    with pytest.raises(InvalidState):
        services.withdraw_application(world.users["school"], application)
    db.session.rollback()


def test_decision_records_who_recommended_and_who_decided(world):
    batch = make_batch()
    application = make_application(batch, make_major(world.school))
    league = world.users["league_admin"]
    for name in ("league_admin_other", "school"):
        with pytest.raises(Forbidden):
            services.recommend(world.users[name], application, "recommend", None)
    services.recommend(league, application, "recommend", None)
    assert (application.status, application.recommended_by_id) == ("recommended", league.id)
    for name in ("league_admin", "league_admin_other", "school"):
        with pytest.raises(Forbidden):
            services.decide(world.users[name], application, "select", None)
    admin = world.users["region_admin"]
    with pytest.raises(ValidationFailed) as bad:
        services.decide(admin, application, "maybe", None)
    assert "decision" in bad.value.fields
    with pytest.raises(ValidationFailed) as no_reason:
        services.decide(admin, application, "reject", "  ")
    assert set(no_reason.value.fields) == {"reason"}
    assert application.status == "recommended"
    services.decide(admin, application, "reject", "  材料不全 ")
    assert application.status == "rejected"
    assert application.reason == "材料不全"
    assert application.decided_by_id == admin.id
    assert application.decided_at is not None
    event = _events("batch_application.reject")[0]
    assert event.actor_id == admin.id
    assert event.before == {"status": "recommended", "reason": None}
    assert event.after == {"status": "rejected", "reason": "材料不全"}
    selected = make_application(batch, make_major(world.school), status="recommended")
    services.decide(admin, selected, "select", None)
    assert (selected.status, selected.reason, selected.decided_by_id) == (
        "selected",
        None,
        admin.id,
    )
    with pytest.raises(Forbidden):
        services.advance_stage(world.users["league_admin_other"], application, local_today())
    with pytest.raises(InvalidState):
        services.advance_stage(league, application, local_today())


def test_save_phase_creates_changes_and_checks_the_actor(world):
    admin = world.users["region_admin"]
    data = {
        "number": 7,
        "name": "第七阶段",
        "starts_on": date(2027, 1, 1),
        "ends_on": date(2027, 12, 31),
        "description": None,
    }
    for name in ("league_admin", "school", "enterprise"):
        with pytest.raises(Forbidden):
            services.save_phase(world.users[name], data)
    with pytest.raises(ValidationFailed) as bad:
        services.save_phase(admin, {**data, "ends_on": date(2026, 12, 31)})
    assert "ends_on" in bad.value.fields
    phase = services.save_phase(admin, data)
    db.session.commit()
    assert db.session.scalar(select(Phase.name).where(Phase.number == 7)) == "第七阶段"
    services.save_phase(admin, {**data, "name": "第七阶段（调整）"}, phase)
    db.session.commit()
    created, updated = _events("phase.create"), _events("phase.update")
    assert [e.actor_id for e in created + updated] == [admin.id, admin.id]
    assert created[0].target_id == str(phase.id)
    assert updated[0].before["name"] == "第七阶段"
    assert updated[0].after["name"] == "第七阶段（调整）"
    with pytest.raises(Conflict) as taken:
        services.save_phase(admin, {**data, "name": "重复"})
    assert "number" in taken.value.fields
    db.session.rollback()


def test_save_batch_checks_the_actor_and_keeps_limits_on_edit(world):
    admin = world.users["region_admin"]
    phase = make_phase(1)
    data = {
        "phase_id": phase.id,
        "name": "服务批次",
        "opens_on": date(2027, 3, 1),
        "closes_on": date(2027, 4, 30),
        "limit_technician_college": 5,
        "limit_other": 0,
    }
    with pytest.raises(Forbidden):
        services.save_batch(world.users["league_admin"], data)
    with pytest.raises(ValidationFailed) as bad:
        services.save_batch(admin, {**data, "phase_id": phase.id + 100})
    assert "phase" in bad.value.fields
    batch = services.save_batch(admin, data)
    db.session.commit()
    assert (batch.limit_technician_college, batch.limit_other) == (5, 0)
    created = _events("batch.create")[0]
    assert (created.actor_id, created.target_type, created.target_id) == (
        admin.id,
        "Batch",
        str(batch.id),
    )
    assert created.after["name"] == "服务批次" and created.after["limit_other"] == 0
    with pytest.raises(Conflict) as taken:
        services.save_batch(admin, {**data, "opens_on": date(2027, 5, 1), "closes_on": None})
    assert "name" in taken.value.fields
    db.session.rollback()
    batch = db.session.scalar(select(Batch).where(Batch.name == "服务批次"))
    services.save_batch(admin, {**data, "name": "改名", "limit_technician_college": None}, batch)
    assert batch.limit_technician_college == 5
    assert _events("batch.update")[0].before["name"] == "服务批次"


def test_a_slot_taken_meanwhile_is_not_taken_twice(world):
    """The state a lost race leaves: another request holds slot 1 of this school and batch."""
    batch = make_batch()
    first, second = make_major(world.school), make_major(world.school)
    make_application(batch, first)
    assert services._take_slot(batch, world.school.id, second.id).slot == 2
    db.session.rollback()
    clash = BatchApplication(
        batch_id=batch.id, school_id=world.school.id, school_major_id=second.id, slot=1
    )
    db.session.add(clash)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_every_attempt_lost_to_concurrent_requests_reports_the_limit(world, monkeypatch):
    batch = make_batch()
    major = make_major(world.school)
    attempts = []

    def lost(batch_, school_id, major_id):
        attempts.append((batch_.id, school_id, major_id))
        return None

    monkeypatch.setattr(services, "_take_slot", lost)
    with pytest.raises(services.BatchLimitReached) as refused:
        services.apply_major(world.users["school"], batch, major, local_today())
    assert str(refused.value).startswith("A technician college may apply at most 3 majors")
    assert attempts == [(batch.id, world.school.id, major.id)] * services.APPLY_ATTEMPTS
    assert _events("batch_application.create") == []


def test_each_school_counts_only_its_own_applications_in_a_batch(world):
    batch = make_batch()
    college = [
        services.apply_major(world.users["school"], batch, make_major(world.school), local_today())
        for _ in range(3)
    ]
    other = [
        services.apply_major(
            world.users["school_other"], batch, make_major(world.other_school), local_today()
        )
        for _ in range(2)
    ]
    assert [a.slot for a in college] == [1, 2, 3]
    assert [a.slot for a in other] == [1, 2]
