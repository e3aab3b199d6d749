"""The cooperation pages walk each story: enterprise desk, school majors and teachers,
teacher applications and practice, administrators' compliance view."""

from datetime import timedelta

from sqlalchemy import select

from app.common.time import local_today
from app.cooperation.models import Application, PairingRequest, Placement, Practice, PracticeEntry
from app.extensions import db
from app.registry.models import SchoolMajor, Teacher
from tests.cooperation import factories as f
from tests.helpers import login_en


def _text(response) -> str:
    return response.get_data(as_text=True)


# --- public browsing ----------------------------------------------------------------------


def test_placement_browse_filters_and_paginates(app, client, world):
    for _ in range(3):
        f.make_placement(world.host)
    baotou = f.make_placement(world.other_host)
    full = f.make_placement(world.other_host, seats=1)
    full.seats_taken = 1
    f.make_placement(world.host, status="draft")
    db.session.commit()
    page = _text(client.get("/cooperation/placements?region_code=150200&lang=en"))
    assert page.count('class="placement-row"') == 2 and world.other_host.name in page
    page = _text(client.get("/cooperation/placements?region_code=150200&free_only=1"))
    assert page.count('class="placement-row"') == 1
    assert f"/cooperation/placements/{baotou.id}" in page
    app.config["PAGE_SIZE"] = 2
    try:
        page = _text(client.get("/cooperation/placements?page=3"))
        assert page.count('class="placement-row"') == 1
    finally:
        app.config["PAGE_SIZE"] = 20
    empty = _text(
        client.get("/cooperation/placements?occupation_code=6-17-03-02&region_code=150100")
    )
    assert 'class="placement-row"' not in empty and "empty-state" in empty


def test_offers_browse_shows_only_open_offers(client, world):
    f.make_offer(world.host, mode="enterprise_run")
    f.make_offer(world.host, status="draft")
    f.make_offer(world.other_host, status="closed")
    page = _text(client.get("/cooperation/offers"))
    assert page.count('class="offer-row"') == 1
    assert _text(client.get("/cooperation/offers?mode=linkage")).count('class="offer-row"') == 0


# --- enterprise ---------------------------------------------------------------------------


def test_enterprise_posts_a_placement_and_sees_field_errors(client, world):
    login_en(client, world.users["enterprise"])
    form = {
        "host_id": world.host.id,
        "occupation_codes": [f.TURNER],
        "seats": 2,
        "starts_on": "2026-06-30",
        "ends_on": "2026-03-01",
        "status": "draft",
    }
    response = client.post("/cooperation/placements/new", data=form)
    assert response.status_code == 200
    assert "The end may not be before the start." in _text(response)
    response = client.post(
        "/cooperation/placements/new", data={**form, "host_id": world.other_host.id}
    )
    assert "Not a valid choice" in _text(response)
    assert db.session.scalar(select(Placement.id)) is None
    response = client.post(
        "/cooperation/placements/new",
        data={**form, "ends_on": "2026-06-30", "starts_on": "2026-03-01"},
    )
    assert response.status_code == 302
    placement = db.session.scalar(select(Placement))
    assert placement.status == "draft" and placement.seats == 2
    desk = _text(client.get("/cooperation/desk"))
    assert world.host.name in desk and "Publish" in desk
    client.post(f"/cooperation/placements/{placement.id}/publish")
    assert db.session.get(Placement, placement.id).status == "open"
    client.post(f"/cooperation/placements/{placement.id}/publish")
    db.session.expire_all()
    assert db.session.get(Placement, placement.id).status == "open"


def test_enterprise_posts_an_offer(client, world):
    login_en(client, world.users["enterprise"])
    response = client.post(
        "/cooperation/offers/new",
        data={
            "host_id": world.host.id,
            "mode": "school_in_enterprise",
            "occupation_codes": [f.TURNER],
            "slots": 3,
            "starts_on": "2026-09-01",
            "ends_on": "2027-06-30",
            "description": "引校进企",
            "status": "open",
        },
    )
    assert response.status_code == 302
    assert "School into enterprise" in _text(client.get("/cooperation/desk"))
    assert _text(client.get("/cooperation/offers")).count('class="offer-row"') == 1


def test_desk_lists_applicants_and_accepts_one(client, world):
    placement = f.make_placement(world.host, seats=1)
    teacher = f.make_teacher(world.school, name="李老师")
    application = f.make_application(teacher, [placement])
    waiting = f.make_application(
        f.make_teacher(world.school, name="赵老师"), [placement], status="submitted"
    )
    login_en(client, world.users["enterprise"])
    desk = _text(client.get("/cooperation/desk"))
    assert "李老师" in desk and "赵老师" not in desk  # not endorsed yet: not shown to the host
    response = client.post(f"/cooperation/applications/{application.id}/accept")
    assert response.status_code == 302
    assert db.session.get(Application, application.id).status == "matched"
    practice = db.session.scalar(select(Practice))
    assert practice.teacher_id == teacher.id
    waiting.status = "endorsed"
    db.session.commit()
    client.post(f"/cooperation/applications/{waiting.id}/accept")
    follow = _text(client.get("/cooperation/desk"))
    assert "All seats of this placement are taken." in follow
    assert db.session.get(Application, waiting.id).status == "endorsed"


def test_enterprise_confirms_days_and_completes(client, world):
    teacher = f.make_teacher(world.school, user=world.users["teacher"])
    practice = f.make_practice(teacher, f.make_placement(world.host), days=3)
    login_en(client, world.users["enterprise"])
    client.post(f"/cooperation/practices/{practice.id}/confirm")
    assert db.session.get(Practice, practice.id).days_confirmed == 3
    client.post(f"/cooperation/practices/{practice.id}/complete")
    done = db.session.get(Practice, practice.id)
    assert done.status == "completed" and done.confirmed_at is not None
    certificate = _text(client.get(f"/cooperation/practices/{practice.id}/certificate"))
    assert "Certificate of enterprise practice" in certificate
    assert "with 3 days confirmed" in certificate and teacher.name in certificate


# --- school -------------------------------------------------------------------------------


def test_school_registers_majors_and_requests_a_pairing(client, world):
    login_en(client, world.users["school"])
    major = f.first_major()
    data = {"major_id": major.id, "level": "advanced", "cohort_size": 40}
    assert client.post("/cooperation/majors", data=data).status_code == 302
    again = client.post("/cooperation/majors", data=data)
    assert "This major is already registered at this level." in _text(again)
    row = db.session.scalar(select(SchoolMajor))
    page = _text(client.get("/cooperation/majors"))
    assert major.name in page and "Request a pairing" in page
    form = {
        "school_major_id": row.id,
        "occupation_codes": [f.TURNER],
        "preferred_modes": ["linkage"],
        "preferred_region_codes": ["150100"],
        "starts_on": "2026-09-01",
        "ends_on": "2027-07-01",
        "wanted": 0,
    }
    bad = client.post("/cooperation/pairing-requests/new", data=form)
    assert "Number must be between 1 and 20." in _text(bad)
    assert (
        client.post("/cooperation/pairing-requests/new", data={**form, "wanted": 2}).status_code
        == 302
    )
    request = db.session.scalar(select(PairingRequest))
    assert request.wanted == 2 and request.preferred_modes == ["linkage"]
    client.post(f"/cooperation/pairing-requests/{request.id}/withdraw")
    assert db.session.get(PairingRequest, request.id).status == "withdrawn"


def test_school_confirms_teachers_pending_first(client, world):
    f.make_teacher(world.school, name="甲老师")
    pending = f.make_teacher(world.school, name="乙老师", confirmed=False)
    f.make_teacher(world.other_school, name="丙老师", confirmed=False)
    login_en(client, world.users["school"])
    page = _text(client.get("/cooperation/teachers"))
    assert page.index("乙老师") < page.index("甲老师") and "丙老师" not in page
    client.post(f"/cooperation/teachers/{pending.id}/confirm")
    assert db.session.get(Teacher, pending.id).confirmed


def test_school_endorses_and_returns_applications(client, world):
    placement = f.make_placement(world.host)
    first = f.make_application(
        f.make_teacher(world.school, name="甲"), [placement], status="submitted"
    )
    second = f.make_application(
        f.make_teacher(world.school, name="乙"), [placement], status="submitted"
    )
    login_en(client, world.users["school"])
    assert (
        _text(client.get("/cooperation/school/applications")).count('class="application-row"') == 2
    )
    client.post(f"/cooperation/applications/{first.id}/endorse")
    assert db.session.get(Application, first.id).status == "endorsed"
    empty = client.post(f"/cooperation/applications/{second.id}/return", data={"reason": ""})
    assert "Give the reason." in _text(empty)
    client.post(f"/cooperation/applications/{second.id}/return", data={"reason": "缺少计划"})
    returned = db.session.get(Application, second.id)
    assert returned.status == "returned" and returned.note == "缺少计划"
    listed = _text(client.get("/cooperation/school/applications?status=returned"))
    assert listed.count('class="application-row"') == 1


def test_pairings_page_and_ending(client, world):
    pairing = f.make_pairing(f.make_school_major(world.school), f.make_offer(world.host))
    login_en(client, world.users["school"])
    page = _text(client.get("/cooperation/pairings"))
    assert world.enterprise.name in page and 'class="pairing-row"' in page
    client.post(f"/cooperation/pairings/{pairing.id}/end")
    assert 'class="pairing-row"' not in _text(client.get("/cooperation/pairings"))
    assert 'class="pairing-row"' in _text(client.get("/cooperation/pairings?status=ended"))


# --- teacher ------------------------------------------------------------------------------


def test_teacher_profile_apply_follow_withdraw(client, world):
    user = world.users["teacher"]
    login_en(client, user)
    response = client.post(
        "/cooperation/profile",
        data={
            "school_id": world.school.id,
            "name": "周老师",
            "title": "讲师",
            "occupation_codes": [f.TURNER],
        },
    )
    assert response.status_code == 302
    teacher = db.session.scalar(select(Teacher).filter_by(user_id=user.id))
    assert not teacher.confirmed
    assert client.get("/cooperation/applications/new").status_code == 302  # not confirmed yet
    teacher.confirmed_at = teacher.created_at
    db.session.commit()
    first, second = f.make_placement(world.host), f.make_placement(world.other_host)
    form_page = _text(client.get(f"/cooperation/applications/new?placement_id={first.id}"))
    assert f'value="{first.id}" selected' in form_page
    dup = client.post(
        "/cooperation/applications/new",
        data={
            "placement_ids": [str(first.id), str(first.id)],
            "starts_on": "2026-03-01",
            "ends_on": "2026-04-01",
        },
    )
    assert "Each placement may be chosen only once." in _text(dup)
    ok = client.post(
        "/cooperation/applications/new",
        data={
            "placement_ids": [str(second.id), "", str(first.id)],
            "starts_on": "2026-03-01",
            "ends_on": "2026-04-01",
        },
    )
    assert ok.status_code == 302
    application = db.session.scalar(select(Application))
    assert application.placement_ids == [second.id, first.id]
    mine = _text(client.get("/cooperation/applications"))
    assert mine.count('class="list-group-item application-row"') == 1 and "Submitted" in mine
    client.post(f"/cooperation/applications/{application.id}/withdraw")
    assert db.session.get(Application, application.id).status == "withdrawn"


def test_teacher_logs_days_with_errors_next_to_the_date(client, world):
    teacher = f.make_teacher(world.school, user=world.users["teacher"])
    practice = f.make_practice(teacher, f.make_placement(world.host), days=1)
    login_en(client, world.users["teacher"])
    logged = practice.entries[0].on_date.isoformat()
    response = client.post(
        f"/cooperation/practices/{practice.id}/days", data={"on_date": logged, "description": "x"}
    )
    assert response.status_code == 422 and "This day is already logged." in _text(response)
    future = (local_today() + timedelta(days=2)).isoformat()
    response = client.post(
        f"/cooperation/practices/{practice.id}/days", data={"on_date": future, "description": "x"}
    )
    assert "A day in the future cannot be logged." in _text(response)
    response = client.post(
        f"/cooperation/practices/{practice.id}/days",
        data={"on_date": local_today().isoformat(), "description": "钳工"},
    )
    assert response.status_code == 302
    assert (
        db.session.scalar(select(PracticeEntry).filter_by(on_date=local_today())).description
        == "钳工"
    )
    assert client.get(f"/cooperation/practices/{practice.id}/certificate").status_code == 404


def test_ledger_page_shows_days_and_shortfall(client, world):
    teacher = f.make_teacher(world.school, user=world.users["teacher"])
    f.make_practice(teacher, f.make_placement(world.host), days=6, confirmed=True)
    login_en(client, world.users["teacher"])
    page = _text(client.get("/cooperation/ledger"))
    assert '<div class="fs-3" id="ledger-days">6</div>' in page
    assert '<div class="fs-3" id="ledger-shortfall">174</div>' in page
    assert "174 more days are needed to meet the rule." in page


# --- administrators -----------------------------------------------------------------------


def test_compliance_page_scopes_and_filters(client, world):
    f.make_teacher(world.school, name="呼市教师")
    f.make_teacher(world.other_school, name="包头教师")
    ok = f.make_teacher(world.school, name="达标教师")
    f.make_practice(ok, f.make_placement(world.host), days=2, confirmed=True)
    login_en(client, world.users["league_admin"])
    page = _text(client.get("/cooperation/compliance"))
    assert "呼市教师" in page and "包头教师" not in page
    login_en(client, world.users["region_admin"])
    page = _text(client.get(f"/cooperation/compliance?school_id={world.other_school.id}"))
    assert "包头教师" in page and "呼市教师" not in page
    assert 'class="school-summary"' in page
