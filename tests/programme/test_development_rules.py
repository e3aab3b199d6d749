"""Teacher development and evaluations called directly: who may act (the services' own
checks behind the views), who scored and who updated, and what the audit records."""

import pytest
from sqlalchemy import select

from app.common.errors import Forbidden, InvalidState, ValidationFailed
from app.common.models import AuditEvent
from app.extensions import db
from app.programme import services
from app.programme.models import NominationScore, TeacherStatus
from tests.programme.factories import make_indicator, make_teacher


def _event(action: str) -> AuditEvent:
    return db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
    )


def _nomination(world):
    return services.nominate(
        world.users["school"],
        {"school_id": world.school.id, "category": "quality_classroom", "title": "数控课堂"},
    )


def test_teacher_status_records_who_updated_it_and_only_real_changes(world):
    teacher = make_teacher(world.school)  # Hohhot
    for name in ("league_admin_other", "school", "teacher"):
        with pytest.raises(Forbidden):
            services.set_teacher_status(world.users[name], teacher, "trained")
    admin = world.users["league_admin"]
    with pytest.raises(ValidationFailed) as bad:
        services.set_teacher_status(admin, teacher, "famous")
    assert "status" in bad.value.fields
    row = services.set_teacher_status(admin, teacher, "trained")
    db.session.commit()
    assert (row.status, row.updated_by_id) == ("trained", admin.id)
    event = _event("teacher_status.update")
    assert (event.actor_id, event.before, event.after) == (
        admin.id,
        {"status": "none"},
        {"status": "trained"},
    )
    region = world.users["region_admin"]
    services.set_teacher_status(region, teacher, "trained")
    db.session.commit()
    assert db.session.get(TeacherStatus, teacher.id).updated_by_id == region.id
    count = db.session.scalar(
        select(db.func.count(AuditEvent.id)).where(AuditEvent.action == "teacher_status.update")
    )
    assert count == 1  # setting the same status again records no change


def test_scores_record_the_scorer_and_the_weighted_total(world):
    heavy, light = make_indicator(weight=30), make_indicator(weight=10)
    make_indicator(category="boutique_course")  # another category: not asked for
    nomination = _nomination(world)
    for name in ("league_admin", "school"):
        with pytest.raises(Forbidden):
            services.score_nomination(world.users[name], nomination, {heavy.id: 80})
    admin = world.users["region_admin"]
    with pytest.raises(ValidationFailed) as missing:
        services.score_nomination(admin, nomination, {heavy.id: 80})
    assert set(missing.value.fields) == {f"indicator_{light.id}"}
    with pytest.raises(ValidationFailed):
        services.score_nomination(admin, nomination, {heavy.id: 101, light.id: 0})
    services.score_nomination(admin, nomination, {heavy.id: 80, light.id: 40})
    db.session.commit()
    rows = db.session.scalars(select(NominationScore).order_by(NominationScore.id)).all()
    assert [(r.indicator_id, r.score, r.scorer_id) for r in rows] == [
        (heavy.id, 80, admin.id),
        (light.id, 40, admin.id),
    ]
    assert (nomination.status, nomination.total_score) == ("scored", 70.0)
    event = _event("nomination.score")
    assert event.actor_id == admin.id and event.target_id == str(nomination.id)
    assert event.before == {"status": "submitted", "total_score": None}
    with pytest.raises(Forbidden):
        services.publish_nomination(world.users["league_admin"], nomination)
    services.publish_nomination(admin, nomination)
    assert nomination.status == "published" and nomination.published_at is not None
    with pytest.raises(InvalidState):
        services.score_nomination(admin, nomination, {heavy.id: 1, light.id: 1})
    with pytest.raises(InvalidState):
        services.publish_nomination(admin, nomination)


def test_a_category_without_indicators_cannot_be_scored(world):
    nomination = _nomination(world)
    with pytest.raises(InvalidState):
        services.score_nomination(world.users["region_admin"], nomination, {})


def test_only_the_own_school_nominates_and_records_hours(world):
    data = {"school_id": world.school.id, "category": "quality_classroom", "title": "x"}
    for name in ("school_other", "enterprise", "teacher"):
        with pytest.raises(Forbidden):
            services.nominate(world.users[name], data)
    teacher = make_teacher(world.school)
    hours = {"term": "2026-1", "ordinary_hours": 100, "integrated_hours": 20}
    for name in ("school_other", "enterprise", "league_admin_other"):
        with pytest.raises(Forbidden):
            services.set_teaching_hours(world.users[name], teacher, hours)


def test_targets_are_the_region_administrators_and_never_negative(world):
    with pytest.raises(Forbidden):
        services.set_targets(world.users["league_admin"], {"majors": 5})
    admin = world.users["region_admin"]
    with pytest.raises(ValidationFailed) as bad:
        services.set_targets(admin, {"majors": -1})
    assert "majors" in bad.value.fields
    changed = services.set_targets(admin, {"majors": 5, "schools": None})
    assert [(t.key, t.value) for t in changed] == [("majors", 5)]
    assert services.set_targets(admin, {"majors": 5}) == []
    event = _event("target.update")
    assert event.actor_id == admin.id and event.after == {"majors": 5}
