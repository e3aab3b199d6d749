"""Teacher development: training records, research bases, integrated-teacher status counting
toward the teachers target (dashboard page and API), the 1.4× workload view, and enterprise
talent registered as part-time integrated teachers."""

import csv
import io
import re
from datetime import date

from sqlalchemy import select

from app.common.models import AuditEvent
from app.extensions import db
from app.programme.models import (
    Indicator,
    PartTimeTeacher,
    ResearchBase,
    TeacherStatus,
    TeachingHours,
    TrainingRecord,
)
from app.programme.services import seed_plan
from tests.helpers import bearer, login_en, make_enterprise, token_for
from tests.programme.factories import make_part_timer, make_research_base, make_teacher


def _events(action: str) -> list[AuditEvent]:
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def _training(client, teacher, **data):
    form = {"course": "工学一体化课程开发", "hours": "40", "completed_on": "2024-06-30"}
    return client.post(
        f"/programme/teachers/{teacher.id}/training", data={**form, **data}, follow_redirects=True
    )


# --- training records and research bases -------------------------------------------------


def test_admin_records_training_with_base_hours_and_certificate(client, world):
    teacher = make_teacher(world.school, name="王老师")
    base = make_research_base(name="呼和浩特研修基地")
    login_en(client, world.users["league_admin"])
    page = _training(
        client, teacher, research_base_id=str(base.id), certificate_no="GX-2024-001"
    ).get_data(as_text=True)
    assert "Training recorded." in page
    assert "工学一体化课程开发" in page and "呼和浩特研修基地" in page and "GX-2024-001" in page
    _training(client, teacher, course="学习任务设计", hours="24", research_base_id="0")
    records = db.session.scalars(
        select(TrainingRecord).where(TrainingRecord.teacher_id == teacher.id)
    ).all()
    assert sorted((r.course, r.hours, r.research_base_id, r.certificate_no) for r in records) == [
        ("学习任务设计", 24, None, None),
        ("工学一体化课程开发", 40, base.id, "GX-2024-001"),
    ]
    assert [e.after["hours"] for e in _events("training.create")] == [40, 24]
    listing = client.get("/programme/teachers?q=王老师").get_data(as_text=True)
    row = re.search(r"<tr><td><a [^>]*>王老师</a>.*?</tr>", listing, re.S).group(0)
    assert "<td>64</td>" in row  # 40 + 24 training hours
    exported = _csv(client.get("/programme/teachers?format=csv&q=王老师"))
    assert exported[1][1] == "王老师" and exported[1][-1] == "64"


def test_training_form_errors_are_shown_and_nothing_is_saved(client, world):
    teacher = make_teacher(world.school)
    login_en(client, world.users["region_admin"])
    page = _training(client, teacher, hours="0", course="").get_data(as_text=True)
    assert "Number must be between 1 and 5000." in page
    assert "This field is required." in page
    assert db.session.scalar(select(db.func.count(TrainingRecord.id))) == 0


def test_other_league_admin_and_school_staff_cannot_record_training(client, world):
    teacher = make_teacher(world.school)
    login_en(client, world.users["league_admin_other"])
    assert _training(client, teacher).status_code == 404
    client.post("/auth/logout")
    login_en(client, world.users["school"])
    assert client.post(f"/programme/teachers/{teacher.id}/training").status_code == 403
    assert db.session.scalar(select(db.func.count(TrainingRecord.id))) == 0


def test_the_plan_seed_invents_no_research_base_or_indicator(client, world):
    seed_plan()
    db.session.commit()
    assert db.session.scalar(select(db.func.count(ResearchBase.id))) == 0
    assert db.session.scalar(select(db.func.count(Indicator.id))) == 0


def test_demo_examples_are_labelled_as_examples(client, world):
    from app.demo.programme import seed_examples

    created = seed_examples()
    db.session.commit()
    assert created == {"research_bases": 2, "indicators": 9}
    assert seed_examples() == {"research_bases": 0, "indicators": 0}
    names = db.session.scalars(select(ResearchBase.name)).all()
    names += db.session.scalars(select(Indicator.name)).all()
    assert names and all(n.startswith("示例") for n in names)
    login_en(client, world.users["league_admin"])
    page = client.get("/programme/research-bases").get_data(as_text=True)
    assert "2 records" in page
    assert "包头市" in page  # the league's name, not its code


def test_region_admin_creates_a_research_base_with_field_errors_first(client, world):
    login_en(client, world.users["region_admin"])
    page = client.post(
        "/programme/research-bases/new", data={"name": "", "region_code": "150100"}
    ).get_data(as_text=True)
    assert "This field is required." in page
    response = client.post(
        "/programme/research-bases/new",
        data={"name": "鄂尔多斯研修基地", "region_code": "150600", "active": "y"},
    )
    assert response.status_code == 302
    event = _events("research_base.create")[0]
    assert event.after["name"] == "鄂尔多斯研修基地" and event.after["active"] is True


# --- integrated-teacher status and the teachers target -----------------------------------


def _set_status(client, teacher, status: str):
    return client.post(
        f"/programme/teachers/{teacher.id}/status", data={"status": status}, follow_redirects=True
    )


def _teachers_figure(client) -> tuple[str, str, str]:
    page = client.get("/programme/").get_data(as_text=True)
    row = re.search(r'<tr data-key="teachers">(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r"<td>(?:<a [^>]*>)?([^<]*)", row)
    return tuple(cells[:3])


def test_trained_and_certified_teachers_count_toward_the_target(client, world):
    seed_plan()
    db.session.commit()
    a = make_teacher(world.school, name="甲")
    b = make_teacher(world.school, name="乙")
    c = make_teacher(world.other_school, name="丙")
    make_teacher(world.school, name="丁")
    login_en(client, world.users["region_admin"])
    assert _teachers_figure(client) == ("0", "200", "0.0%")
    assert "Status saved." in _set_status(client, a, "trained").get_data(as_text=True)
    _set_status(client, b, "certified")
    _set_status(client, c, "trained")
    assert {s.teacher_id: s.status for s in db.session.scalars(select(TeacherStatus))} == {
        a.id: "trained",
        b.id: "certified",
        c.id: "trained",
    }
    assert _teachers_figure(client) == ("3", "200", "1.5%")
    token = token_for(client, world.users["region_admin"])
    body = client.get("/api/v1/dashboard", headers=bearer(token)).get_json()
    assert body["targets"]["teachers"] == {"target": 200, "actual": 3, "percent": 1.5}
    leagues = {r["region_code"]: r["teachers"] for r in body["by_league"]}
    assert leagues["150100"] == 2 and leagues["150200"] == 1
    # back to "none": no longer counted; the change is audited with before and after
    _set_status(client, a, "none")
    body = client.get("/api/v1/dashboard", headers=bearer(token)).get_json()
    assert body["targets"]["teachers"]["actual"] == 2
    changes = [(e.before["status"], e.after["status"]) for e in _events("teacher_status.update")]
    assert changes == [
        ("none", "trained"),
        ("none", "certified"),
        ("none", "trained"),
        ("trained", "none"),
    ]
    # the figure links to exactly the qualified teachers
    listing = client.get("/programme/teachers?status=qualified").get_data(as_text=True)
    assert "2 records" in listing and ">乙<" in listing and ">丙<" in listing
    assert ">甲<" not in listing and ">丁<" not in listing


def test_league_admin_counts_only_its_league(client, world):
    make_teacher(world.school, status="trained")
    make_teacher(world.other_school, status="certified")
    make_teacher(world.other_school, status="trained")
    token = token_for(client, world.users["league_admin_other"])
    body = client.get("/api/v1/dashboard", headers=bearer(token)).get_json()
    assert body["targets"]["teachers"]["actual"] == 2
    token = token_for(client, world.users["league_admin"])
    body = client.get("/api/v1/dashboard", headers=bearer(token)).get_json()
    assert body["targets"]["teachers"]["actual"] == 1


def test_unknown_status_is_refused_next_to_the_field(client, world):
    teacher = make_teacher(world.school)
    login_en(client, world.users["region_admin"])
    page = _set_status(client, teacher, "expert").get_data(as_text=True)
    assert "Not a valid choice" in page
    assert db.session.get(TeacherStatus, teacher.id) is None


# --- workload: integrated-major hours count 1.4× ------------------------------------------


def _hours(client, teacher, term: str, ordinary: int, integrated: int):
    return client.post(
        f"/programme/teachers/{teacher.id}/hours",
        data={"term": term, "ordinary_hours": ordinary, "integrated_hours": integrated},
        follow_redirects=True,
    )


def test_workload_counts_integrated_hours_one_point_four_times(client, world):
    zhang = make_teacher(world.school, name="张老师")
    li = make_teacher(world.school, name="李老师")
    login_en(client, world.users["school"])
    assert "Teaching hours saved." in _hours(client, zhang, "2024-2025-1", 100, 50).get_data(
        as_text=True
    )
    _hours(client, li, "2024-2025-1", 0, 33)
    _hours(client, zhang, "2024-2025-2", 120, 0)
    page = client.get("/programme/workload?term=2024-2025-1").get_data(as_text=True)
    assert "Integrated-major hours count 1.4 times." in page
    assert "2 records" in page
    assert re.search(r"张老师.*?<td>100</td><td>50</td><td>170\.0</td>", page, re.S)
    assert re.search(r"李老师.*?<td>0</td><td>33</td><td>46\.2</td>", page, re.S)
    rows = _csv(client.get("/programme/workload?format=csv"))
    weighted = {(r[0], r[1]): r[-1] for r in rows[1:]}
    assert weighted == {
        ("2024-2025-1", "张老师"): "170.0",
        ("2024-2025-1", "李老师"): "46.2",
        ("2024-2025-2", "张老师"): "120.0",
    }
    detail = client.get(f"/programme/teachers/{zhang.id}").get_data(as_text=True)
    assert "<td>170.0</td>" in detail and "<td>120.0</td>" in detail


def test_hours_of_a_term_are_replaced_not_added(client, world):
    teacher = make_teacher(world.school)
    login_en(client, world.users["league_admin"])
    _hours(client, teacher, "2024-2025-1", 100, 50)
    _hours(client, teacher, "2024-2025-1", 80, 10)
    rows = db.session.scalars(select(TeachingHours)).all()
    assert [(r.term, r.ordinary_hours, r.integrated_hours) for r in rows] == [
        ("2024-2025-1", 80, 10)
    ]
    page = client.get("/programme/workload").get_data(as_text=True)
    assert "<td>94.0</td>" in page  # 80 + 10 × 1.4
    events = _events("teaching_hours.save")
    assert events[-1].before["ordinary_hours"] == 100 and events[-1].after["ordinary_hours"] == 80
    _hours(client, teacher, "2024-2025-1", 80, 10)  # unchanged: nothing new in the log
    assert len(_events("teaching_hours.save")) == 2


def test_factor_is_configurable(app, client, world):
    teacher = make_teacher(world.school, name="赵老师")
    db.session.add(
        TeachingHours(
            teacher_id=teacher.id, term="2024-2025-1", ordinary_hours=10, integrated_hours=10
        )
    )
    db.session.commit()
    login_en(client, world.users["school"])
    app.config["INTEGRATED_HOURS_FACTOR"] = 2
    try:
        page = client.get("/programme/workload").get_data(as_text=True)
    finally:
        app.config.pop("INTEGRATED_HOURS_FACTOR")
    assert "<td>30.0</td>" in page


def test_bad_term_and_other_school_are_refused(client, world):
    teacher = make_teacher(world.school)
    login_en(client, world.users["school"])
    page = _hours(client, teacher, "2024", 10, 10).get_data(as_text=True)
    assert "Write the term as 2024-2025-1." in page
    client.post("/auth/logout")
    login_en(client, world.users["school_other"])
    assert _hours(client, teacher, "2024-2025-1", 10, 10).status_code == 404
    assert db.session.scalar(select(db.func.count(TeachingHours.id))) == 0
    assert "0 records" in client.get("/programme/workload").get_data(as_text=True)


# --- part-time integrated teachers from enterprises ---------------------------------------


def _part_time_form(world, **extra) -> dict:
    return {
        "name": "刘师傅",
        "enterprise_id": str(world.enterprise.id),
        "school_id": str(world.school.id),
        "skill_title": "高级技师",
        "occupation_code": "6-18-01-01",
        "since": "2024-03-01",
        "active": "y",
        **extra,
    }


def test_school_registers_enterprise_talent_as_part_time_teacher(client, world):
    login_en(client, world.users["school"])
    form = client.get("/programme/part-time-teachers/new").get_data(as_text=True)
    assert world.enterprise.name in form and world.pending_enterprise.name not in form
    assert world.other_school.name not in form  # only the staff's own school
    response = client.post(
        "/programme/part-time-teachers/new", data=_part_time_form(world), follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Part-time teacher saved." in page
    assert "刘师傅" in page and world.enterprise.name in page and "高级技师" in page
    row = db.session.scalar(select(PartTimeTeacher))
    assert (row.name, row.enterprise_id, row.school_id, row.occupation_code, row.active) == (
        "刘师傅",
        world.enterprise.id,
        world.school.id,
        "6-18-01-01",
        True,
    )
    assert _events("part_time_teacher.create")[0].after["skill_title"] == "高级技师"
    exported = _csv(client.get("/programme/part-time-teachers?format=csv"))
    assert exported[1][:4] == ["刘师傅", world.enterprise.name, world.school.name, "高级技师"]


def test_part_time_registration_refuses_other_schools_and_pending_enterprises(client, world):
    login_en(client, world.users["school"])
    page = client.post(
        "/programme/part-time-teachers/new",
        data=_part_time_form(
            world,
            school_id=str(world.other_school.id),
            enterprise_id=str(world.pending_enterprise.id),
            skill_title="",
        ),
    ).get_data(as_text=True)
    assert page.count("Not a valid choice") == 2
    assert "This field is required." in page
    assert db.session.scalar(select(db.func.count(PartTimeTeacher.id))) == 0


def test_part_time_teachers_are_scoped(client, world):
    make_part_timer(world.school, world.enterprise, name="呼市师傅")
    make_part_timer(world.other_school, world.other_enterprise, name="包头师傅")
    login_en(client, world.users["school_other"])
    page = client.get("/programme/part-time-teachers").get_data(as_text=True)
    assert "包头师傅" in page and "呼市师傅" not in page
    client.post("/auth/logout")
    login_en(client, world.users["region_admin"])
    page = client.get("/programme/part-time-teachers?q=师傅").get_data(as_text=True)
    assert "2 records" in page


def test_pending_enterprise_is_refused_by_the_service_too(client, world):
    from app.common.errors import ValidationFailed
    from app.programme.services import register_part_timer

    data = {**_part_time_form(world), "enterprise_id": world.pending_enterprise.id}
    data["school_id"] = world.school.id
    data["since"] = date(2024, 3, 1)
    try:
        register_part_timer(world.users["school"], data)
    except ValidationFailed as exc:
        assert "enterprise_id" in exc.fields
    else:  # pragma: no cover
        raise AssertionError("a pending enterprise was accepted")
    db.session.rollback()
    other = make_enterprise(status="approved")
    row = register_part_timer(
        world.users["school"], {**data, "enterprise_id": other.id, "occupation_code": ""}
    )
    assert row.enterprise_id == other.id and row.occupation_code is None
