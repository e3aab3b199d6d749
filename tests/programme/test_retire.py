"""Edit and retire: research bases, indicators and part-time teachers. Records that others
refer to are deactivated (kept) rather than deleted; every change is audited."""

from datetime import date

from sqlalchemy import select

from app.common.models import AuditEvent
from app.extensions import db
from app.programme.models import (
    Indicator,
    Nomination,
    NominationScore,
    PartTimeTeacher,
    ResearchBase,
    TrainingRecord,
)
from tests.helpers import login_en
from tests.programme.factories import (
    make_indicator,
    make_part_timer,
    make_research_base,
    make_teacher,
)


def _events(action: str) -> list[AuditEvent]:
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def _train(teacher, base) -> TrainingRecord:
    record = TrainingRecord(
        teacher_id=teacher.id,
        research_base_id=base.id,
        course="课程",
        hours=8,
        completed_on=date(2024, 5, 1),
    )
    db.session.add(record)
    db.session.commit()
    return record


# --- research bases -----------------------------------------------------------------------


def test_region_admin_edits_a_research_base(client, world):
    base = make_research_base(name="旧名")
    make_research_base(name="已有基地")
    login_en(client, world.users["region_admin"])
    form = client.get(f"/programme/research-bases/{base.id}/edit").get_data(as_text=True)
    assert 'value="旧名"' in form
    data = {"name": "已有基地", "region_code": "150200", "active": "y"}
    page = client.post(f"/programme/research-bases/{base.id}/edit", data=data)
    assert "A research base with this name exists already." in page.get_data(as_text=True)
    data["name"] = "包头基地"
    response = client.post(f"/programme/research-bases/{base.id}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert (base.name, base.region_code, base.active) == ("包头基地", "150200", True)
    event = _events("research_base.update")[0]
    assert event.before["name"] == "旧名" and event.after["name"] == "包头基地"
    assert event.before["region_code"] == "150100" and event.after["region_code"] == "150200"


def test_unused_base_is_deleted_a_used_one_retired_and_no_longer_offered(client, world):
    unused = make_research_base(name="无人使用")
    used = make_research_base(name="有培训记录")
    teacher = make_teacher(world.school)
    record = _train(teacher, used)
    login_en(client, world.users["region_admin"])
    listing = client.get("/programme/research-bases").get_data(as_text=True)
    assert "data-confirm=" in listing
    assert listing.count(f"/programme/research-bases/{used.id}/retire") == 1

    page = client.post(
        f"/programme/research-bases/{unused.id}/retire", follow_redirects=True
    ).get_data(as_text=True)
    assert "Deleted." in page
    assert db.session.get(ResearchBase, unused.id) is None
    assert _events("research_base.delete")[0].before["name"] == "无人使用"

    page = client.post(
        f"/programme/research-bases/{used.id}/retire", follow_redirects=True
    ).get_data(as_text=True)
    assert "Retired" in page
    db.session.expire_all()
    assert db.session.get(ResearchBase, used.id).active is False
    assert db.session.get(TrainingRecord, record.id).research_base_id == used.id
    assert _events("research_base.retire")[0].after == {"active": False}
    detail = client.get(f"/programme/teachers/{teacher.id}").get_data(as_text=True)
    assert f'<option value="{used.id}">' not in detail  # not offered any more
    assert "有培训记录" in detail  # the record still names it
    refused = client.post(
        f"/programme/teachers/{teacher.id}/training",
        data={
            "course": "新课程",
            "hours": "8",
            "completed_on": "2024-09-01",
            "research_base_id": str(used.id),
        },
    ).get_data(as_text=True)
    assert "Not a valid choice" in refused
    assert db.session.scalar(select(db.func.count(TrainingRecord.id))) == 1
    again = client.post(f"/programme/research-bases/{used.id}/retire", follow_redirects=True)
    assert "already been retired" in again.get_data(as_text=True)


def test_a_retired_base_can_be_taken_back_into_use(client, world):
    base = make_research_base(name="恢复")
    base.active = False
    db.session.commit()
    login_en(client, world.users["region_admin"])
    client.post(
        f"/programme/research-bases/{base.id}/edit",
        data={"name": "恢复", "region_code": "150100", "active": "y"},
    )
    db.session.expire_all()
    assert base.active is True


# --- indicators ---------------------------------------------------------------------------


def test_region_admin_edits_an_indicator_weight(client, world):
    indicator = make_indicator("quality_classroom", 10, name="教学设计")
    make_indicator("quality_classroom", 10, name="学生评价")
    login_en(client, world.users["region_admin"])
    data = {"category": "quality_classroom", "name": "学生评价", "weight": "40", "active": "y"}
    page = client.post(f"/programme/indicators/{indicator.id}/edit", data=data)
    assert "This category already has an indicator with this name." in page.get_data(as_text=True)
    data["name"] = "教学设计"
    assert client.post(f"/programme/indicators/{indicator.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert indicator.weight == 40
    event = _events("indicator.update")[0]
    assert event.before["weight"] == 10 and event.after["weight"] == 40
    assert ">40<" in client.get("/programme/indicators").get_data(as_text=True)


def test_unused_indicator_is_deleted_a_used_one_taken_out_of_use(client, world):
    unused = make_indicator("boutique_course", 10)
    used = make_indicator("boutique_course", 20)
    kept = make_indicator("boutique_course", 30)
    nomination = Nomination(
        category="boutique_course", school_id=world.school.id, title="课程", status="scored"
    )
    nomination.scores = [NominationScore(indicator_id=used.id, score=70)]
    db.session.add(nomination)
    db.session.commit()
    login_en(client, world.users["region_admin"])
    assert "data-confirm=" in client.get("/programme/indicators").get_data(as_text=True)
    page = client.post(f"/programme/indicators/{unused.id}/retire", follow_redirects=True)
    assert "Deleted." in page.get_data(as_text=True)
    assert db.session.get(Indicator, unused.id) is None
    client.post(f"/programme/indicators/{used.id}/retire")
    db.session.expire_all()
    assert db.session.get(Indicator, used.id).active is False
    assert db.session.scalar(select(db.func.count(NominationScore.id))) == 1
    assert [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))][
        -2:
    ] == [
        "indicator.delete",
        "indicator.retire",
    ]
    form = client.get(f"/programme/nominations/{nomination.id}/score").get_data(as_text=True)
    assert f'name="indicator_{kept.id}"' in form and f'name="indicator_{used.id}"' not in form


# --- part-time teachers -------------------------------------------------------------------


def _form(row, **extra) -> dict:
    return {
        "name": row.name,
        "enterprise_id": str(row.enterprise_id),
        "school_id": str(row.school_id),
        "skill_title": row.skill_title,
        "occupation_code": "",
        "since": row.since.isoformat(),
        "active": "y",
        **extra,
    }


def test_school_edits_its_part_time_teacher(client, world):
    row = make_part_timer(world.school, world.enterprise, name="刘师傅")
    login_en(client, world.users["school"])
    form = client.get(f"/programme/part-time-teachers/{row.id}/edit").get_data(as_text=True)
    assert 'value="刘师傅"' in form
    response = client.post(
        f"/programme/part-time-teachers/{row.id}/edit",
        data=_form(row, skill_title="技能大师", occupation_code="6-18-01-01"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (row.skill_title, row.occupation_code) == ("技能大师", "6-18-01-01")
    event = _events("part_time_teacher.update")[0]
    assert event.before["skill_title"] == "高级技师" and event.after["skill_title"] == "技能大师"


def test_part_time_teacher_of_another_school_is_not_found(client, world):
    row = make_part_timer(world.school, world.enterprise)
    login_en(client, world.users["school_other"])
    assert client.get(f"/programme/part-time-teachers/{row.id}/edit").status_code == 404
    assert client.post(f"/programme/part-time-teachers/{row.id}/retire").status_code == 404
    db.session.expire_all()
    assert row.active is True


def test_school_cannot_move_a_part_timer_to_another_school(client, world):
    row = make_part_timer(world.school, world.enterprise)
    login_en(client, world.users["school"])
    page = client.post(
        f"/programme/part-time-teachers/{row.id}/edit",
        data=_form(row, school_id=str(world.other_school.id)),
    ).get_data(as_text=True)
    assert "Not a valid choice" in page
    db.session.expire_all()
    assert row.school_id == world.school.id


def test_retiring_a_part_timer_keeps_the_record(client, world):
    row = make_part_timer(world.school, world.enterprise, name="退休师傅")
    make_part_timer(world.school, world.enterprise, name="在岗师傅")
    login_en(client, world.users["league_admin"])
    listing = client.get("/programme/part-time-teachers").get_data(as_text=True)
    assert "data-confirm=" in listing
    page = client.post(
        f"/programme/part-time-teachers/{row.id}/retire", follow_redirects=True
    ).get_data(as_text=True)
    assert "Marked as no longer teaching." in page
    db.session.expire_all()
    assert db.session.get(PartTimeTeacher, row.id).active is False
    assert _events("part_time_teacher.retire")[0].after == {"active": False}
    active = client.get("/programme/part-time-teachers?active=yes").get_data(as_text=True)
    assert "在岗师傅" in active and "退休师傅" not in active
    gone = client.get("/programme/part-time-teachers?active=no").get_data(as_text=True)
    assert "退休师傅" in gone and "1 records" in gone
    again = client.post(f"/programme/part-time-teachers/{row.id}/retire", follow_redirects=True)
    assert "already been retired" in again.get_data(as_text=True)
    # taken back through the edit form
    client.post(f"/programme/part-time-teachers/{row.id}/edit", data=_form(row))
    db.session.expire_all()
    assert db.session.get(PartTimeTeacher, row.id).active is True
