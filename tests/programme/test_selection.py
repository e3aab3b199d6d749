"""Who decides: the league recommends, the region selects, the selection is published for a
public notice, objections are answered, and only then is it final and counted."""

from datetime import date, timedelta

from sqlalchemy import select

from app.common.models import AuditEvent
from app.common.time import add_working_days, local_today, utcnow
from app.extensions import db
from app.programme.models import Batch, BatchApplication, LimitException, Objection
from tests.helpers import bearer, login_en, token_for
from tests.programme.factories import make_application, make_batch, make_major, make_phase

API = "/api/v1"


def _actions(target_type: str) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.target_type == target_type)
            .order_by(AuditEvent.id)
        )
    )


def _post(client, token, url, body=None):
    return client.post(f"{API}{url}", json=body or {}, headers=bearer(token))


def test_working_days_skip_the_weekend():
    monday = date(2026, 11, 30)
    assert add_working_days(monday, 5) == date(2026, 12, 4)  # Friday
    assert add_working_days(date(2026, 12, 3), 5) == date(2026, 12, 9)  # Thu → next Wed
    assert add_working_days(date(2026, 12, 5), 1) == date(2026, 12, 7)  # Saturday → Monday


def test_league_recommends_then_only_the_region_selects(client, world):
    batch = make_batch()
    application = make_application(batch, make_major(world.school))  # Hohhot
    returned = make_application(batch, make_major(world.school))
    league = token_for(client, world.users["league_admin"])
    other_league = token_for(client, world.users["league_admin_other"])
    region = token_for(client, world.users["region_admin"])

    # Not yet recommended: the region cannot decide it.
    early = _post(
        client, region, f"/batch-applications/{application.id}/decision", {"decision": "select"}
    )
    assert early.status_code == 409
    # Another league's administrator does not even see it.
    hidden = _post(
        client,
        other_league,
        f"/batch-applications/{application.id}/recommend",
        {"decision": "recommend"},
    )
    assert hidden.status_code == 404
    # Returning needs a reason.
    bad = _post(
        client, league, f"/batch-applications/{returned.id}/recommend", {"decision": "return"}
    )
    assert bad.status_code == 422 and "reason" in bad.get_json()["error"]["fields"]
    back = _post(
        client,
        league,
        f"/batch-applications/{returned.id}/recommend",
        {"decision": "return", "reason": "合作协议缺失"},
    )
    assert back.get_json()["status"] == "returned"
    assert back.get_json()["recommendation_reason"] == "合作协议缺失"
    ok = _post(
        client, league, f"/batch-applications/{application.id}/recommend", {"decision": "recommend"}
    )
    assert ok.status_code == 200 and ok.get_json()["status"] == "recommended"
    again = _post(
        client,
        league,
        f"/batch-applications/{application.id}/recommend",
        {"decision": "return", "reason": "x"},
    )
    assert again.status_code == 409

    # The league administrator may not select, even its own league's application.
    denied = _post(
        client, league, f"/batch-applications/{application.id}/decision", {"decision": "select"}
    )
    assert denied.status_code == 403
    assert db.session.get(BatchApplication, application.id).status == "recommended"
    chosen = _post(
        client, region, f"/batch-applications/{application.id}/decision", {"decision": "select"}
    )
    assert chosen.get_json()["status"] == "selected"
    # A returned application never reaches the region.
    assert (
        _post(
            client, region, f"/batch-applications/{returned.id}/decision", {"decision": "select"}
        ).status_code
        == 409
    )
    assert _actions("BatchApplication") == [
        "batch_application.return",
        "batch_application.recommend",
        "batch_application.select",
    ]


def test_league_recommends_in_html_with_the_reason_next_to_the_field(client, world):
    batch = make_batch()
    application = make_application(batch, make_major(world.school))
    login_en(client, world.users["league_admin"])
    page = client.get(f"/programme/batches/{batch.id}").get_data(as_text=True)
    assert f"/programme/applications/{application.id}/recommend" in page
    assert f"/programme/applications/{application.id}/decide" not in page
    response = client.post(
        f"/programme/applications/{application.id}/recommend",
        data={"decision": "return", "reason": ""},
    )
    assert "Give the reason for returning." in response.get_data(as_text=True)
    assert db.session.get(BatchApplication, application.id).status == "submitted"
    response = client.post(
        f"/programme/applications/{application.id}/recommend",
        data={"decision": "recommend", "reason": "材料齐全"},
    )
    assert response.status_code == 302
    assert db.session.get(BatchApplication, application.id).status == "recommended"
    login_en(client, world.users["region_admin"])
    page = client.get(f"/programme/batches/{batch.id}").get_data(as_text=True)
    assert f"/programme/applications/{application.id}/decide" in page
    assert "材料齐全" in page


def _selected_batch(world, n: int = 2) -> tuple[Batch, list[BatchApplication]]:
    batch = make_batch(open_=False)
    rows = [make_application(batch, make_major(world.school), "selected") for _ in range(n)]
    return batch, rows


def test_notice_defaults_to_five_working_days_and_is_published_once(client, world):
    empty = make_batch(open_=False)
    make_application(empty, make_major(world.school), "recommended")
    batch, _rows = _selected_batch(world)
    region = token_for(client, world.users["region_admin"])
    league = token_for(client, world.users["league_admin"])
    assert _post(client, league, f"/batches/{batch.id}/notice").status_code == 403
    assert _post(client, region, f"/batches/{empty.id}/notice").status_code == 409
    bad = _post(client, region, f"/batches/{batch.id}/notice", {"days": 0})
    assert bad.status_code == 422 and "days" in bad.get_json()["error"]["fields"]
    response = _post(client, region, f"/batches/{batch.id}/notice")
    assert response.status_code == 200
    body = response.get_json()
    today = local_today()
    assert body["notice_starts_on"] == today.isoformat()
    assert body["notice_ends_on"] == add_working_days(today, 5).isoformat()
    assert body["selection_final"] is False
    assert _post(client, region, f"/batches/{batch.id}/notice", {"days": 3}).status_code == 409
    assert _actions("Batch").count("batch.notice") == 1
    # No further decision once the selection is published.
    late = make_application(batch, make_major(world.school), "recommended")
    refused = _post(
        client, region, f"/batch-applications/{late.id}/decision", {"decision": "select"}
    )
    assert refused.status_code == 409


def _publish(batch: Batch, *, days_ago: int = 0, length: int = 7) -> None:
    batch = db.session.get(Batch, batch.id)
    batch.notice_starts_on = local_today() - timedelta(days=days_ago)
    batch.notice_ends_on = batch.notice_starts_on + timedelta(days=length)
    batch.notice_published_at = utcnow()
    db.session.commit()


def test_public_notice_page_needs_no_login_and_objections_need_one(client, world):
    batch, rows = _selected_batch(world)
    _publish(batch)
    page = client.get(f"/programme/notices/{batch.id}").get_data(as_text=True)
    assert world.school.name in page and rows[0].school_major.major.name in page
    assert batch.notice_ends_on.isoformat() in page
    listing = client.get("/programme/notices").get_data(as_text=True)
    assert f"/programme/notices/{batch.id}" in listing
    unpublished = make_batch()
    assert client.get(f"/programme/notices/{unpublished.id}").status_code == 404
    anonymous = client.post(
        f"/programme/notices/{batch.id}/objections",
        data={"application_id": rows[0].id, "reason": "x"},
    )
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    login_en(client, world.users["teacher"])
    missing = client.post(
        f"/programme/notices/{batch.id}/objections", data={"application_id": rows[0].id}
    )
    assert missing.status_code == 422
    assert db.session.scalar(select(db.func.count(Objection.id))) == 0
    response = client.post(
        f"/programme/notices/{batch.id}/objections",
        data={"application_id": rows[0].id, "reason": "实训场地与申报不符"},
    )
    assert response.status_code == 302
    objection = db.session.scalars(select(Objection)).one()
    assert objection.status == "open" and objection.lodged_by_id == world.users["teacher"].id
    assert _actions("Objection") == ["objection.create"]


def test_objections_only_while_the_notice_runs(client, world):
    batch, rows = _selected_batch(world)
    _publish(batch, days_ago=20, length=5)
    token = token_for(client, world.users["enterprise"])
    late = _post(
        client, token, f"/batch-applications/{rows[0].id}/objections", {"reason": "迟到的异议"}
    )
    assert late.status_code == 409
    other, other_rows = _selected_batch(world, 1)
    _publish(other)
    ok = _post(
        client, token, f"/batch-applications/{other_rows[0].id}/objections", {"reason": "异议"}
    )
    assert ok.status_code == 201 and ok.get_json()["status"] == "open"


def _majors_actual(client, token) -> int:
    return client.get(f"{API}/dashboard", headers=bearer(token)).get_json()["targets"]["majors"][
        "actual"
    ]


def test_answers_decide_the_final_selection_and_the_dashboard_counts_it(client, world):
    make_phase(1)
    batch, (kept, challenged) = _selected_batch(world)
    region = token_for(client, world.users["region_admin"])
    assert _majors_actual(client, region) == 0  # selected, not yet published
    _publish(batch)
    teacher = token_for(client, world.users["teacher"])
    first = _post(
        client, teacher, f"/batch-applications/{challenged.id}/objections", {"reason": "虚报师资"}
    )
    second = _post(
        client, teacher, f"/batch-applications/{kept.id}/objections", {"reason": "没有理由"}
    )
    assert first.status_code == second.status_code == 201
    # The notice ends with objections unanswered: nothing is final yet.
    _publish(batch, days_ago=10, length=5)
    assert _majors_actual(client, region) == 0
    login_en(client, world.users["region_admin"])
    listing = client.get("/programme/objections?status=open").get_data(as_text=True)
    assert "2 objections found" in listing
    page = client.post(
        f"/programme/objections/{first.get_json()['id']}/answer", data={"outcome": "upheld"}
    ).get_data(as_text=True)
    assert "This field is required." in page
    league = token_for(client, world.users["league_admin"])
    assert (
        _post(
            client,
            league,
            f"/objections/{first.get_json()['id']}/answer",
            {"outcome": "dismissed", "answer": "x"},
        ).status_code
        == 403
    )
    upheld = client.post(
        f"/programme/objections/{first.get_json()['id']}/answer",
        data={"outcome": "upheld", "answer": "经核查师资不符"},
    )
    assert upheld.status_code == 302
    withdrawn = db.session.get(BatchApplication, challenged.id)
    assert withdrawn.status == "withdrawn" and withdrawn.reason == "经核查师资不符"
    assert _majors_actual(client, region) == 0  # one objection still open
    dismissed = _post(
        client,
        region,
        f"/objections/{second.get_json()['id']}/answer",
        {"outcome": "dismissed", "answer": "异议不成立"},
    )
    assert dismissed.get_json()["status"] == "dismissed"
    assert db.session.get(BatchApplication, kept.id).status == "selected"
    assert _majors_actual(client, region) == 1  # final: the kept major only
    answered_twice = _post(
        client,
        region,
        f"/objections/{second.get_json()['id']}/answer",
        {"outcome": "upheld", "answer": "x"},
    )
    assert answered_twice.status_code == 409
    page = client.get(f"/programme/notices/{batch.id}").get_data(as_text=True)
    assert "经核查师资不符" in page and "Final" in page
    assert _actions("Objection").count("objection.answer") == 2
    assert "batch_application.withdraw_selection" in _actions("BatchApplication")


def test_region_grants_an_exception_to_the_limit_with_a_reason(client, world):
    batch = make_batch()
    majors = [make_major(world.other_school) for _ in range(4)]  # limit 2
    school = world.other_school
    limit = batch.limit_for(school.kind)
    login_en(client, world.users["school_other"])
    for major in majors[: limit + 1]:
        client.post(f"/programme/batches/{batch.id}/apply", data={"school_major_id": major.id})
    count = select(db.func.count(BatchApplication.id)).where(BatchApplication.batch_id == batch.id)
    assert db.session.scalar(count) == limit
    login_en(client, world.users["league_admin"])
    assert client.get(f"/programme/batches/{batch.id}/exception").status_code == 403
    login_en(client, world.users["region_admin"])
    page = client.post(
        f"/programme/batches/{batch.id}/exception",
        data={"school_id": school.id, "extra": 1, "reason": ""},
    ).get_data(as_text=True)
    assert "This field is required." in page
    assert db.session.scalar(select(db.func.count(LimitException.id))) == 0
    response = client.post(
        f"/programme/batches/{batch.id}/exception",
        data={"school_id": school.id, "extra": 1, "reason": "地区产业急需，原则上可放宽"},
    )
    assert response.status_code == 302
    login_en(client, world.users["school_other"])
    client.post(f"/programme/batches/{batch.id}/apply", data={"school_major_id": majors[limit].id})
    assert db.session.scalar(count) == limit + 1
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "limit_exception.grant")
    ).one()
    assert event.after["reason"] == "地区产业急需，原则上可放宽" and event.after["extra"] == 1
