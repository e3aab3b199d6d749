"""Cooperation API: majors, teachers, offers, placements, pairing requests, applications,
direct acceptance, pairings, practice and the ledger (database state checked)."""

from datetime import date, timedelta

from sqlalchemy import select

from app.common.models import AuditEvent
from app.common.time import local_today
from app.cooperation.models import Application, Placement, Practice
from app.extensions import db
from app.notifications.models import Notification
from app.registry.models import Teacher
from tests.api.support import API, auth, error_of
from tests.cooperation import factories as f
from tests.helpers import make_host, make_user


def _placement_body(world, **extra):
    body = {
        "host_id": world.host.id,
        "occupation_codes": [f.TURNER],
        "seats": 3,
        "starts_on": "2026-03-01",
        "ends_on": "2026-06-30",
        "requirements": "持有车工证",
    }
    body.update(extra)
    return body


# --- school majors ------------------------------------------------------------------------


def test_school_registers_a_major_and_lists_it(client, world):
    headers = auth(client, world.users["school"])
    major = f.first_major()
    body = {"major_id": major.id, "level": "technician", "cohort_size": 45}
    response = client.post(f"{API}/schools/{world.school.id}/majors", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["major_id"] == major.id and created["level"] == "technician"
    assert created["cohort_size"] == 45 and created["id"]
    listed = client.get(f"{API}/schools/{world.school.id}/majors").get_json()
    assert [m["id"] for m in listed["items"]] == [created["id"]]
    again = client.post(f"{API}/schools/{world.school.id}/majors", json=body, headers=headers)
    assert error_of(again, 409)["fields"] == {"major_id": again.get_json()["error"]["message"]}


def test_school_major_validation_names_fields(client, world):
    headers = auth(client, world.users["school"])
    response = client.post(
        f"{API}/schools/{world.school.id}/majors",
        json={"major_id": 999999, "level": "expert", "cohort_size": -1},
        headers=headers,
    )
    assert set(error_of(response, 422)["fields"]) == {"major_id", "level", "cohort_size"}


# --- teachers -----------------------------------------------------------------------------


def test_teacher_profile_then_school_confirms(client, world):
    teacher_user = world.users["teacher"]
    headers = auth(client, teacher_user)
    body = {
        "school_id": world.school.id,
        "name": "张老师",
        "occupation_codes": [f.TURNER],
        "title": "高级讲师",
    }
    response = client.post(f"{API}/teachers", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    profile = response.get_json()
    assert profile["status"] == "pending" and profile["name"] == "张老师"
    assert profile["occupation_codes"] == [f.TURNER] and profile["school_id"] == world.school.id
    assert error_of(client.post(f"{API}/teachers", json=body, headers=headers), 409)
    # the school's staff were told
    staff = world.users["school"]
    assert db.session.scalar(
        select(Notification).filter_by(user_id=staff.id, kind="teacher_registered")
    )
    school = auth(client, staff)
    pending = client.get(f"{API}/teachers", headers=school).get_json()
    assert [t["id"] for t in pending["items"]] == [profile["id"]]
    confirmed = client.post(f"{API}/teachers/{profile['id']}/confirm", headers=school)
    assert confirmed.status_code == 200 and confirmed.get_json()["status"] == "confirmed"
    assert db.session.get(Teacher, profile["id"]).confirmed_by_id == staff.id
    error_of(client.post(f"{API}/teachers/{profile['id']}/confirm", headers=school), 409)
    other = auth(client, world.users["school_other"])
    error_of(client.post(f"{API}/teachers/{profile['id']}/confirm", headers=other), 404)
    assert client.get(f"{API}/teachers/{profile['id']}", headers=headers).get_json()["status"] == (
        "confirmed"
    )


def test_teacher_profile_needs_an_approved_school_and_known_occupations(client, world):
    headers = auth(client, world.users["teacher"])
    response = client.post(
        f"{API}/teachers",
        json={"school_id": 999999, "name": "", "occupation_codes": ["9-99-99-99"]},
        headers=headers,
    )
    assert set(error_of(response, 422)["fields"]) == {"school_id", "name", "occupation_codes"}


# --- offers and placements ----------------------------------------------------------------


def test_enterprise_posts_an_offer_open_by_default(client, world):
    headers = auth(client, world.users["enterprise"])
    body = {
        "host_id": world.host.id,
        "mode": "enterprise_in_school",
        "occupation_codes": [f.TURNER],
        "slots": 2,
        "starts_on": "2026-09-01",
        "ends_on": "2027-06-30",
        "description": "引企驻校",
    }
    response = client.post(f"{API}/offers", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    offer = response.get_json()
    assert offer["status"] == "open"
    for key in (
        "host_id",
        "mode",
        "occupation_codes",
        "slots",
        "starts_on",
        "ends_on",
        "description",
    ):
        assert offer[key] == body[key], key
    listed = client.get(f"{API}/offers?mode=enterprise_in_school").get_json()
    assert [o["id"] for o in listed["items"]] == [offer["id"]]
    assert client.get(f"{API}/offers?mode=linkage").get_json()["total"] == 0


def test_draft_then_publish_then_close_placement(client, world):
    headers = auth(client, world.users["enterprise"])
    created = client.post(
        f"{API}/placements", json=_placement_body(world, status="draft"), headers=headers
    )
    placement = created.get_json()
    assert created.status_code == 201 and placement["status"] == "draft"
    assert client.get(f"{API}/placements").get_json()["total"] == 0
    error_of(client.get(f"{API}/placements/{placement['id']}"), 404)
    error_of(client.post(f"{API}/placements/{placement['id']}/close", headers=headers), 409)
    opened = client.post(f"{API}/placements/{placement['id']}/publish", headers=headers)
    assert opened.get_json()["status"] == "open"
    error_of(client.post(f"{API}/placements/{placement['id']}/publish", headers=headers), 409)
    closed = client.post(f"{API}/placements/{placement['id']}/close", headers=headers)
    assert closed.get_json()["status"] == "closed"
    assert db.session.get(Placement, placement["id"]).status == "closed"
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert [a for a in actions if a.startswith("placement.")] == [
        "placement.create",
        "placement.publish",
        "placement.close",
    ]


def test_posting_validation_names_each_field(client, world):
    headers = auth(client, world.users["enterprise"])
    bad = _placement_body(
        world,
        host_id=world.other_host.id,
        occupation_codes=["0-00-00-00"],
        seats=0,
        starts_on="2026-06-30",
        ends_on="2026-03-01",
    )
    fields = error_of(client.post(f"{API}/placements", json=bad, headers=headers), 422)["fields"]
    assert {"host_id", "occupation_codes", "seats"} <= set(fields)
    fields = error_of(
        client.post(
            f"{API}/placements",
            json=_placement_body(world, starts_on="2026-06-30", ends_on="2026-03-01"),
            headers=headers,
        ),
        422,
    )["fields"]
    assert set(fields) == {"ends_on"}
    fields = error_of(
        client.post(
            f"{API}/placements",
            json=_placement_body(world, starts_on="30/06/2026"),
            headers=headers,
        ),
        422,
    )["fields"]
    assert set(fields) == {"starts_on"}
    assert db.session.scalar(select(Placement.id)) is None


def test_placement_browse_filters(client, world):
    full = f.make_placement(world.host, seats=1)
    full.seats_taken = 1
    studio = make_host(world.enterprise, kind="master_studio", occupations=("6-18-01-02",))
    later = f.make_placement(
        studio, starts_on=date(2027, 1, 1), ends_on=date(2027, 3, 1), codes=("6-18-01-02",)
    )
    baotou = f.make_placement(world.other_host)
    f.make_placement(world.host, status="draft")
    db.session.commit()

    def ids(query: str = "") -> list[int]:
        return [p["id"] for p in client.get(f"{API}/placements{query}").get_json()["items"]]

    assert set(ids()) == {full.id, later.id, baotou.id}
    assert set(ids("?free_only=1")) == {later.id, baotou.id}
    assert ids("?region_code=150200") == [baotou.id]
    assert ids("?host_kind=master_studio") == [later.id]
    assert ids("?occupation_code=6-18-01-02") == [later.id]
    assert set(ids("?starts_on=2026-12-01")) == {later.id}
    assert set(ids("?ends_on=2026-12-31")) == {full.id, baotou.id}
    page = client.get(f"{API}/placements?per_page=2&page=2").get_json()
    assert page["total"] == 3 and page["pages"] == 2 and len(page["items"]) == 1
    error_of(client.get(f"{API}/placements?starts_on=yesterday"), 422)


# --- applications -------------------------------------------------------------------------


def _confirmed_teacher(world):
    return f.make_teacher(world.school, user=world.users["teacher"])


def test_teacher_applies_school_endorses_enterprise_accepts(client, world):
    teacher = _confirmed_teacher(world)
    first, second = f.make_placement(world.host, seats=2), f.make_placement(world.other_host)
    headers = auth(client, world.users["teacher"])
    body = {
        "placement_ids": [first.id, second.id],
        "starts_on": "2026-03-01",
        "ends_on": "2026-05-31",
    }
    response = client.post(f"{API}/applications", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    application = response.get_json()
    assert application["status"] == "submitted" and application["placement_ids"] == [
        first.id,
        second.id,
    ]
    assert application["starts_on"] == "2026-03-01" and application["ends_on"] == "2026-05-31"
    # a second application while the first is under way is refused
    error_of(client.post(f"{API}/applications", json=body, headers=headers), 409)

    enterprise = auth(client, world.users["enterprise"])
    # not endorsed yet: the host's side neither lists nor reads it
    assert client.get(f"{API}/applications", headers=enterprise).get_json()["items"] == []
    error_of(client.post(f"{API}/applications/{application['id']}/accept", headers=enterprise), 404)
    school = auth(client, world.users["school"])
    endorsed = client.post(f"{API}/applications/{application['id']}/endorse", headers=school)
    assert endorsed.get_json()["status"] == "endorsed"
    error_of(client.post(f"{API}/applications/{application['id']}/endorse", headers=school), 409)

    applicants = client.get(f"{API}/applications", headers=enterprise).get_json()
    assert [a["id"] for a in applicants["items"]] == [application["id"]]
    accepted = client.post(f"{API}/applications/{application['id']}/accept", headers=enterprise)
    assert accepted.status_code == 200, accepted.get_json()
    practice = accepted.get_json()
    assert practice["status"] == "ongoing" and practice["placement_id"] == first.id
    assert db.session.get(Application, application["id"]).status == "matched"
    assert db.session.get(Placement, first.id).seats_taken == 1
    assert practice["teacher_id"] == teacher.id
    kinds = {
        n.kind
        for n in db.session.scalars(
            select(Notification).filter_by(user_id=world.users["teacher"].id)
        )
    }
    assert {"application_endorsed", "application_accepted"} <= kinds
    # matched applications can neither be accepted again nor withdrawn
    error_of(client.post(f"{API}/applications/{application['id']}/accept", headers=enterprise), 409)
    error_of(client.post(f"{API}/applications/{application['id']}/withdraw", headers=headers), 409)


def test_accept_uses_the_first_ranked_placement_the_enterprise_owns(client, world):
    teacher = _confirmed_teacher(world)
    other_first = f.make_placement(world.other_host)
    mine_second, mine_third = f.make_placement(world.host), f.make_placement(world.host)
    application = f.make_application(teacher, [other_first, mine_second, mine_third])
    enterprise = auth(client, world.users["enterprise"])
    practice = client.post(
        f"{API}/applications/{application.id}/accept", headers=enterprise
    ).get_json()
    assert practice["placement_id"] == mine_second.id
    assert db.session.get(Placement, other_first.id).seats_taken == 0


def test_accept_refuses_when_no_seat_is_left(client, world):
    placement = f.make_placement(world.host, seats=1)
    winner = f.make_application(f.make_teacher(world.school), [placement])
    loser = f.make_application(f.make_teacher(world.school), [placement])
    enterprise = auth(client, world.users["enterprise"])
    assert (
        client.post(f"{API}/applications/{winner.id}/accept", headers=enterprise).status_code == 200
    )
    error = error_of(client.post(f"{API}/applications/{loser.id}/accept", headers=enterprise), 409)
    assert error["code"] == "no_place_left"
    assert db.session.get(Application, loser.id).status == "endorsed"
    assert db.session.scalar(select(Practice.id).where(Practice.application_id == loser.id)) is None


def test_application_validation(client, world):
    _confirmed_teacher(world)
    headers = auth(client, world.users["teacher"])
    placements = [f.make_placement(world.host) for _ in range(6)]
    closed = f.make_placement(world.host, status="closed")
    period = {"starts_on": "2026-03-01", "ends_on": "2026-05-31"}

    def fields(body):
        return error_of(client.post(f"{API}/applications", json=body, headers=headers), 422)[
            "fields"
        ]

    assert "placement_ids" in fields({"placement_ids": [p.id for p in placements], **period})
    assert "placement_ids" in fields({"placement_ids": [placements[0].id] * 2, **period})
    assert "placement_ids" in fields({"placement_ids": [999999], **period})
    assert "placement_ids" in fields({"placement_ids": [closed.id], **period})
    assert "placement_ids" in fields({"placement_ids": [], **period})
    assert "placement_ids" in fields({"placement_ids": ["x"], **period})
    assert set(
        fields(
            {
                "placement_ids": [placements[0].id],
                "starts_on": "2026-05-31",
                "ends_on": "2026-03-01",
            }
        )
    ) == {"ends_on"}
    assert db.session.scalar(select(Application.id)) is None


def test_unconfirmed_teacher_cannot_apply(client, world):
    f.make_teacher(world.school, user=world.users["teacher"], confirmed=False)
    headers = auth(client, world.users["teacher"])
    body = {
        "placement_ids": [f.make_placement(world.host).id],
        "starts_on": "2026-03-01",
        "ends_on": "2026-04-01",
    }
    error = error_of(client.post(f"{API}/applications", json=body, headers=headers), 409)
    assert "confirmed" in error["message"]


def test_school_returns_with_reason_and_teacher_withdraws(client, world):
    teacher = _confirmed_teacher(world)
    application = f.make_application(teacher, [f.make_placement(world.host)], status="submitted")
    school = auth(client, world.users["school"])
    fields = error_of(
        client.post(f"{API}/applications/{application.id}/return", json={}, headers=school), 422
    )["fields"]
    assert "reason" in fields
    returned = client.post(
        f"{API}/applications/{application.id}/return",
        json={"reason": "请补充实践计划"},
        headers=school,
    ).get_json()
    assert returned["status"] == "returned" and returned["note"] == "请补充实践计划"
    error_of(client.post(f"{API}/applications/{application.id}/endorse", headers=school), 409)
    note = db.session.scalar(select(Notification).filter_by(kind="application_returned"))
    assert note.user_id == world.users["teacher"].id and note.params["reason"] == "请补充实践计划"
    teacher_headers = auth(client, world.users["teacher"])
    withdrawn = client.post(
        f"{API}/applications/{application.id}/withdraw", headers=teacher_headers
    )
    assert withdrawn.get_json()["status"] == "withdrawn"
    error_of(
        client.post(f"{API}/applications/{application.id}/withdraw", headers=teacher_headers), 409
    )


def test_other_teachers_applications_are_hidden(client, world):
    application = f.make_application(f.make_teacher(world.school), [f.make_placement(world.host)])
    intruder = make_user("teacher")
    error_of(
        client.get(f"{API}/applications/{application.id}", headers=auth(client, intruder)), 404
    )
    error_of(
        client.post(
            f"{API}/applications/{application.id}/withdraw", headers=auth(client, intruder)
        ),
        404,
    )


# --- pairing requests and pairings --------------------------------------------------------


def test_pairing_request_and_withdrawal(client, world):
    major = f.make_school_major(world.school)
    school = auth(client, world.users["school"])
    body = {
        "school_major_id": major.id,
        "occupation_codes": [f.TURNER],
        "preferred_modes": ["linkage", "school_in_enterprise"],
        "preferred_region_codes": ["150100", "150200"],
        "starts_on": "2026-09-01",
        "ends_on": "2027-07-01",
        "wanted": 2,
    }
    response = client.post(f"{API}/pairing-requests", json=body, headers=school)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["status"] == "submitted"
    for key, value in body.items():
        assert created[key] == (sorted(value) if isinstance(value, list) else value), key
    listed = client.get(f"{API}/pairing-requests", headers=school).get_json()
    assert [r["id"] for r in listed["items"]] == [created["id"]]
    done = client.post(
        f"{API}/pairing-requests/{created['id']}/withdraw", headers=school
    ).get_json()
    assert done["status"] == "withdrawn"
    error_of(client.post(f"{API}/pairing-requests/{created['id']}/withdraw", headers=school), 409)
    bad = {
        **body,
        "preferred_modes": ["teleport"],
        "wanted": 0,
        "preferred_region_codes": ["999999"],
    }
    fields = error_of(client.post(f"{API}/pairing-requests", json=bad, headers=school), 422)[
        "fields"
    ]
    assert {"preferred_modes", "wanted", "preferred_region_codes"} <= set(fields)
    other = auth(client, world.users["school_other"])
    fields = error_of(client.post(f"{API}/pairing-requests", json=body, headers=other), 422)[
        "fields"
    ]
    assert "school_major_id" in fields


def test_pairings_list_and_end(client, world):
    pairing = f.make_pairing(f.make_school_major(world.school), f.make_offer(world.host))
    school = auth(client, world.users["school"])
    enterprise = auth(client, world.users["enterprise"])
    items = client.get(f"{API}/pairings", headers=school).get_json()["items"]
    assert [(p["id"], p["enterprise_name"]) for p in items] == [(pairing.id, world.enterprise.name)]
    assert client.get(f"{API}/pairings", headers=enterprise).get_json()["items"][0][
        "school_name"
    ] == (world.school.name)
    assert (
        client.get(f"{API}/pairings", headers=auth(client, world.users["school_other"])).get_json()[
            "total"
        ]
        == 0
    )
    ended = client.post(f"{API}/pairings/{pairing.id}/end", headers=enterprise).get_json()
    assert ended["status"] == "ended" and ended["ended_on"]
    assert client.get(f"{API}/pairings", headers=school).get_json()["total"] == 0
    assert client.get(f"{API}/pairings?state=ended", headers=school).get_json()["total"] == 1
    error_of(client.post(f"{API}/pairings/{pairing.id}/end", headers=school), 409)
    told = db.session.scalar(select(Notification).filter_by(kind="pairing_ended"))
    assert told.user_id == world.users["school"].id


# --- practice and the ledger --------------------------------------------------------------


def test_practice_days_logged_confirmed_completed(client, world):
    teacher = _confirmed_teacher(world)
    practice = f.make_practice(teacher, f.make_placement(world.host), days=0)
    practice.started_on = local_today() - timedelta(days=10)
    db.session.commit()
    headers = auth(client, world.users["teacher"])
    url = f"{API}/practices/{practice.id}/entries"
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    logged = client.post(
        url, json={"on_date": yesterday, "description": "车削零件"}, headers=headers
    )
    assert logged.status_code == 201, logged.get_json()
    assert logged.get_json()["entries"] == [
        {"on_date": yesterday, "description": "车削零件", "confirmed": False}
    ]
    for on_date in (
        yesterday,
        (local_today() + timedelta(days=1)).isoformat(),
        (local_today() - timedelta(days=30)).isoformat(),
    ):
        fields = error_of(
            client.post(url, json={"on_date": on_date, "description": "x"}, headers=headers), 422
        )["fields"]
        assert set(fields) == {"on_date"}, on_date
    enterprise = auth(client, world.users["enterprise"])
    confirmed = client.post(f"{API}/practices/{practice.id}/confirm", headers=enterprise).get_json()
    assert confirmed["days_confirmed"] == 1 and confirmed["entries"][0]["confirmed"] is True
    error_of(client.post(f"{API}/practices/{practice.id}/confirm", headers=enterprise), 409)
    client.post(
        url, json={"on_date": local_today().isoformat(), "description": "装配"}, headers=headers
    )
    completed = client.post(
        f"{API}/practices/{practice.id}/complete", headers=enterprise
    ).get_json()
    assert completed["status"] == "completed" and completed["days_confirmed"] == 2
    assert completed["ended_on"] == local_today().isoformat()
    error_of(
        client.post(url, json={"on_date": yesterday, "description": "x"}, headers=headers), 409
    )
    error_of(client.post(f"{API}/practices/{practice.id}/complete", headers=enterprise), 409)
    ledger = client.get(f"{API}/practice-ledger", headers=headers).get_json()
    assert ledger["days"] == 2 and ledger["required_days"] == 180 and ledger["shortfall"] == 178
    assert ledger["years"] == 5 and ledger["stints"][0]["days_in_window"] == 2


def test_ledger_counts_only_confirmed_days_in_the_window(app, client, world):
    teacher = _confirmed_teacher(world)
    recent = f.make_practice(teacher, f.make_placement(world.host), days=4, confirmed=True)
    old = f.make_practice(teacher, f.make_placement(world.host), days=3, confirmed=True)
    for entry in old.entries:
        entry.on_date = entry.on_date.replace(year=entry.on_date.year - 6)
    f.make_practice(teacher, f.make_placement(world.host), days=5, confirmed=False)
    db.session.commit()
    ledger = client.get(
        f"{API}/practice-ledger", headers=auth(client, world.users["teacher"])
    ).get_json()
    assert ledger["days"] == 4 and ledger["shortfall"] == 176
    assert {s["practice_id"]: s["days_in_window"] for s in ledger["stints"]}[recent.id] == 4
    app.config["PRACTICE_RULE_DAYS"] = 3
    try:
        again = client.get(
            f"{API}/practice-ledger", headers=auth(client, world.users["teacher"])
        ).get_json()
        assert again["shortfall"] == 0
    finally:
        app.config["PRACTICE_RULE_DAYS"] = 180


def test_compliance_lists_teachers_behind_the_rule_by_league(client, world):
    behind = f.make_teacher(world.school, name="落后教师")
    f.make_practice(behind, f.make_placement(world.host), days=2, confirmed=True)
    f.make_teacher(world.other_school, name="包头教师")
    f.make_teacher(world.school, confirmed=False, name="未确认")
    league = client.get(
        f"{API}/practice-compliance", headers=auth(client, world.users["league_admin"])
    ).get_json()
    assert [(r["name"], r["days"], r["shortfall"]) for r in league["items"]] == [
        ("落后教师", 2, 178)
    ]
    region = client.get(
        f"{API}/practice-compliance", headers=auth(client, world.users["region_admin"])
    ).get_json()
    assert {r["name"] for r in region["items"]} == {"落后教师", "包头教师"}
    only_baotou = client.get(
        f"{API}/practice-compliance?school_id={world.other_school.id}",
        headers=auth(client, world.users["region_admin"]),
    ).get_json()
    assert [r["name"] for r in only_baotou["items"]] == ["包头教师"]


def test_openapi_documents_the_cooperation_paths(client):
    paths = client.get(f"{API}/openapi.json").get_json()["paths"]
    for path, methods in {
        "/api/v1/offers": {"get", "post"},
        "/api/v1/placements": {"get", "post"},
        "/api/v1/schools/{id}/majors": {"get", "post"},
        "/api/v1/pairing-requests": {"get", "post"},
        "/api/v1/teachers": {"get", "post"},
        "/api/v1/teachers/{id}/confirm": {"post"},
        "/api/v1/applications": {"get", "post"},
        "/api/v1/applications/{id}/endorse": {"post"},
        "/api/v1/applications/{id}/accept": {"post"},
        "/api/v1/notifications": {"get"},
        "/api/v1/notifications/{id}/read": {"post"},
    }.items():
        assert methods <= set(paths[path]), path
    schemas = client.get(f"{API}/openapi.json").get_json()["components"]["schemas"]
    assert schemas["ApplicationCreate"]["properties"]["placement_ids"]["maxItems"] == 5
    assert set(schemas["OfferCreate"]["properties"]["mode"]["enum"]) == {
        "enterprise_in_school",
        "school_in_enterprise",
        "linkage",
        "enterprise_run",
    }
