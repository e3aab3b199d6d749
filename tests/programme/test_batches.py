"""Batches: limits per school kind (3 / 2), decisions with reasons, stages, API."""

from datetime import timedelta

from sqlalchemy import select

from app.common.models import AuditEvent
from app.common.time import utcnow
from app.extensions import db
from app.programme.models import Batch, BatchApplication
from tests.helpers import BAOTOU, bearer, login_en, make_school, make_user, token_for
from tests.programme.assessment_factories import make_assessment
from tests.programme.factories import make_application, make_batch, make_major, make_phase, today

API = "/api/v1"


def test_technician_college_may_apply_three_majors_then_api_says_batch_limit(client, world):
    batch = make_batch()
    majors = [make_major(world.school) for _ in range(4)]
    token = token_for(client, world.users["school"])
    for major in majors[:3]:
        response = client.post(
            f"{API}/batches/{batch.id}/applications",
            json={"school_major_id": major.id},
            headers=bearer(token),
        )
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["status"] == "submitted"
    response = client.post(
        f"{API}/batches/{batch.id}/applications",
        json={"school_major_id": majors[3].id},
        headers=bearer(token),
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "batch_limit"
    assert "at most 3 majors" in error["message"]
    assert "school_major_id" in error["fields"]
    count = db.session.scalar(
        select(db.func.count(BatchApplication.id)).where(BatchApplication.batch_id == batch.id)
    )
    assert count == 3


def test_other_school_may_apply_two_and_sees_a_clear_message(client, world):
    batch = make_batch()
    school = world.other_school  # technical_school
    majors = [make_major(school) for _ in range(3)]
    login_en(client, world.users["school_other"])
    for major in majors[:2]:
        response = client.post(
            f"/programme/batches/{batch.id}/apply", data={"school_major_id": major.id}
        )
        assert response.status_code == 302
    response = client.post(
        f"/programme/batches/{batch.id}/apply",
        data={"school_major_id": majors[2].id},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "at most 2 majors per batch" in page
    rows = db.session.scalars(
        select(BatchApplication).where(BatchApplication.school_id == school.id)
    ).all()
    assert sorted(r.slot for r in rows) == [1, 2]


def test_limits_are_data_on_the_batch(client, world):
    batch = make_batch(limit_technician_college=1)
    first, second = make_major(world.school), make_major(world.school)
    token = token_for(client, world.users["school"])
    ok = client.post(
        f"{API}/batches/{batch.id}/applications",
        json={"school_major_id": first.id},
        headers=bearer(token),
    )
    assert ok.status_code == 201
    refused = client.post(
        f"{API}/batches/{batch.id}/applications",
        json={"school_major_id": second.id},
        headers=bearer(token),
    )
    assert refused.get_json()["error"]["code"] == "batch_limit"
    assert "at most 1 majors" in refused.get_json()["error"]["message"]


def test_closed_batch_and_foreign_major_are_refused(client, world):
    closed = make_batch(open_=False)
    major = make_major(world.school)
    token = token_for(client, world.users["school"])
    response = client.post(
        f"{API}/batches/{closed.id}/applications",
        json={"school_major_id": major.id},
        headers=bearer(token),
    )
    assert response.status_code == 409
    other_major = make_major(world.other_school)
    response = client.post(
        f"{API}/batches/{make_batch().id}/applications",
        json={"school_major_id": other_major.id},
        headers=bearer(token),
    )
    assert response.status_code == 422


def test_withdrawn_application_frees_its_place(client, world):
    batch = make_batch()
    school = world.other_school
    a, b, c = (make_major(school) for _ in range(3))
    login_en(client, world.users["school_other"])
    for major in (a, b):
        client.post(f"/programme/batches/{batch.id}/apply", data={"school_major_id": major.id})
    first = db.session.scalar(
        select(BatchApplication).where(BatchApplication.school_major_id == a.id)
    )
    client.post(f"/programme/applications/{first.id}/withdraw")
    response = client.post(f"/programme/batches/{batch.id}/apply", data={"school_major_id": c.id})
    assert response.status_code == 302
    majors = set(
        db.session.scalars(
            select(BatchApplication.school_major_id).where(BatchApplication.batch_id == batch.id)
        )
    )
    assert majors == {b.id, c.id}


def test_decisions_need_a_reason_to_reject_and_stages_follow(client, world):
    batch = make_batch()
    selected = make_application(batch, make_major(world.school), "recommended")
    rejected = make_application(batch, make_major(world.school), "recommended")
    token = token_for(client, world.users["region_admin"])
    response = client.post(
        f"{API}/batch-applications/{rejected.id}/decision",
        json={"decision": "reject"},
        headers=bearer(token),
    )
    assert response.status_code == 422
    assert "reason" in response.get_json()["error"]["fields"]
    response = client.post(
        f"{API}/batch-applications/{rejected.id}/decision",
        json={"decision": "reject", "reason": "材料不全"},
        headers=bearer(token),
    )
    assert response.get_json()["status"] == "rejected"
    assert response.get_json()["reason"] == "材料不全"
    response = client.post(
        f"{API}/batch-applications/{selected.id}/decision",
        json={"decision": "select"},
        headers=bearer(token),
    )
    assert response.get_json()["status"] == "selected"
    again = client.post(
        f"{API}/batch-applications/{selected.id}/decision",
        json={"decision": "reject", "reason": "x"},
        headers=bearer(token),
    )
    assert again.status_code == 409
    early = client.post(f"{API}/batch-applications/{selected.id}/advance", headers=bearer(token))
    assert early.status_code == 409  # not final before the public notice has ended
    batch = db.session.get(Batch, batch.id)
    batch.notice_starts_on = today() - timedelta(days=12)
    batch.notice_ends_on = today() - timedelta(days=5)
    batch.notice_published_at = utcnow()
    db.session.commit()
    first = client.post(f"{API}/batch-applications/{selected.id}/advance", headers=bearer(token))
    assert first.get_json()["status"] == "under_construction"
    # "assessed" needs a passed assessment, "demonstration" its mean at the batch's threshold.
    unassessed = client.post(
        f"{API}/batch-applications/{selected.id}/advance", headers=bearer(token)
    )
    assert unassessed.status_code == 409
    make_assessment(
        db.session.get(BatchApplication, selected.id),
        [],
        "concluded",
        result="passed",
        mean_score=90.0,
        concluded_at=utcnow(),
    )
    db.session.get(Batch, batch.id).demonstration_threshold = 85
    db.session.commit()
    stages = ["under_construction"]
    for _ in range(2):
        response = client.post(
            f"{API}/batch-applications/{selected.id}/advance", headers=bearer(token)
        )
        stages.append(response.get_json()["status"])
    assert stages == ["under_construction", "assessed", "demonstration"]
    end = client.post(f"{API}/batch-applications/{selected.id}/advance", headers=bearer(token))
    assert end.status_code == 409
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_type == "BatchApplication")
    ).all()
    assert actions.count("batch_application.advance") == 3  # the refused move is not
    assert "batch_application.reject" in actions and "batch_application.select" in actions


def test_other_league_admin_may_not_decide(client, world):
    batch = make_batch()
    application = make_application(batch, make_major(world.school))  # Hohhot
    token = token_for(client, world.users["league_admin_other"])
    response = client.post(
        f"{API}/batch-applications/{application.id}/decision",
        json={"decision": "select"},
        headers=bearer(token),
    )
    assert response.status_code == 404
    assert db.session.get(BatchApplication, application.id).status == "submitted"


def test_html_decision_flow(client, world):
    batch = make_batch()
    application = make_application(batch, make_major(world.school), "recommended")
    login_en(client, world.users["league_admin"])
    forbidden = client.post(
        f"/programme/applications/{application.id}/decide", data={"decision": "select"}
    )
    assert forbidden.status_code == 403
    login_en(client, world.users["region_admin"])
    response = client.post(
        f"/programme/applications/{application.id}/decide",
        data={"decision": "reject", "reason": ""},
    )
    assert "Give the reason for rejecting." in response.get_data(as_text=True)
    response = client.post(
        f"/programme/applications/{application.id}/decide",
        data={"decision": "select", "reason": ""},
    )
    assert response.status_code == 302
    page = client.get(f"/programme/applications?batch={batch.id}").get_data(as_text=True)
    assert "Selected" in page and "Move to: Under construction" not in page


def test_create_batch_by_phase_number(client, world):
    phase = make_phase(2)
    token = token_for(client, world.users["region_admin"])
    response = client.post(
        f"{API}/batches",
        json={
            "name": "2025年第一批",
            "phase": 2,
            "opens_on": "2025-03-01",
            "closes_on": "2025-04-30",
        },
        headers=bearer(token),
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["phase_id"] == phase.id
    assert (body["limit_technician_college"], body["limit_other"]) == (3, 2)
    bad = client.post(
        f"{API}/batches",
        json={"name": "x", "phase": 2, "opens_on": "2025-05-01", "closes_on": "2025-04-30"},
        headers=bearer(token),
    )
    assert bad.status_code == 422
    assert "closes_on" in bad.get_json()["error"]["fields"]
    league = token_for(client, world.users["league_admin"])
    forbidden = client.post(
        f"{API}/batches",
        json={"name": "y", "phase": 2, "opens_on": "2025-03-01", "closes_on": "2025-04-30"},
        headers=bearer(league),
    )
    assert forbidden.status_code == 403
    listing = client.get(f"{API}/batches", headers=bearer(token)).get_json()
    assert [b["name"] for b in listing["items"]] == ["2025年第一批"]


def test_unapproved_school_cannot_apply(client, world):
    user = make_user("school")
    school = make_school(region_code=BAOTOU, status="pending", owner=user)
    batch = make_batch()
    major = make_major(school)
    token = token_for(client, user)
    response = client.post(
        f"{API}/batches/{batch.id}/applications",
        json={"school_major_id": major.id},
        headers=bearer(token),
    )
    assert response.status_code == 409
