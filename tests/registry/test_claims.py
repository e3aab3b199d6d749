"""Claims: taking over an organisation without members, and an imported teacher record."""

from sqlalchemy import select

from app.common.models import AuditEvent
from app.extensions import db
from app.registry.models import Claim, Teacher
from tests.helpers import (
    BAOTOU,
    login_en,
    make_enterprise,
    make_school,
    make_user,
)


def _claim(client, user, name, uscc):
    login_en(client, user)
    return client.post("/registry/claim", data={"name": name, "uscc": uscc})


def test_claim_of_an_imported_enterprise_goes_to_its_league_and_approval_makes_owner(
    app, client, world
):
    orphan = make_enterprise(name="导入企业")
    claimant = make_user("enterprise")
    response = _claim(client, claimant, " 导入企业 ", orphan.uscc.lower())
    assert response.status_code == 302
    claim = db.session.scalar(select(Claim))
    assert claim.enterprise_id == orphan.id and claim.status == "pending"
    other = app.test_client()
    login_en(other, world.users["league_admin_other"])
    assert "导入企业" not in other.get("/registry/claims").get_data(as_text=True)
    assert (
        other.post(f"/registry/claims/{claim.id}/decide", data={"decision": "approve"}).status_code
        == 404
    )
    admin = app.test_client()
    login_en(admin, world.users["league_admin"])
    assert "导入企业" in admin.get("/registry/claims").get_data(as_text=True)
    admin.post(f"/registry/claims/{claim.id}/decide", data={"decision": "approve"})
    db.session.refresh(claimant)
    db.session.refresh(claim)
    assert claim.status == "approved"
    assert claimant.enterprise_id == orphan.id and claimant.membership_role == "owner"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "claim.approve"))


def test_claim_needs_matching_name_and_code_and_no_members(client, world):
    claimant = make_user("enterprise")
    wrong_name = _claim(client, claimant, "别的名字", world.pending_enterprise.uscc)
    assert "No organisation with this name and credit code" in wrong_name.get_data(as_text=True)
    taken = _claim(client, claimant, world.enterprise.name, world.enterprise.uscc)
    assert "already has members" in taken.get_data(as_text=True)
    bad = _claim(client, claimant, "x", "123")
    assert "exactly 18 characters" in bad.get_data(as_text=True)
    assert db.session.scalars(select(Claim)).all() == []


def test_rejection_needs_a_reason_and_changes_nothing(client, world):
    school = make_school(region_code=BAOTOU, name="导入学校")
    school.uscc = "91350200776049653A"
    db.session.commit()
    claimant = make_user("school")
    _claim(client, claimant, "导入学校", "91350200776049653A")
    claim = db.session.scalar(select(Claim))
    login_en(client, world.users["league_admin_other"])
    client.post(f"/registry/claims/{claim.id}/decide", data={"decision": "reject"})
    db.session.refresh(claim)
    assert claim.status == "pending"
    client.post(
        f"/registry/claims/{claim.id}/decide", data={"decision": "reject", "reason": "材料不符"}
    )
    db.session.refresh(claim)
    db.session.refresh(claimant)
    assert claim.status == "rejected" and claimant.school_id is None


def test_approval_fails_when_the_organisation_got_members_meanwhile(client, world):
    orphan = make_enterprise(name="孤儿企业")
    claimant = make_user("enterprise")
    _claim(client, claimant, "孤儿企业", orphan.uscc)
    make_user("enterprise", enterprise=orphan)
    claim = db.session.scalar(select(Claim))
    login_en(client, world.users["region_admin"])
    client.post(f"/registry/claims/{claim.id}/decide", data={"decision": "approve"})
    db.session.refresh(claim)
    db.session.refresh(claimant)
    assert claim.status == "pending" and claimant.enterprise_id is None


def _profile(client, school, name):
    return client.post(
        "/cooperation/profile",
        data={"school_id": school.id, "name": name, "occupation_codes": ["6-18-01-01"]},
    )


def test_teacher_is_offered_the_imported_record_never_a_duplicate(app, client, world):
    imported = [
        Teacher(school_id=world.school.id, name="李明", title=t) for t in ("讲师", "高级讲师")
    ]
    db.session.add_all(imported)
    db.session.commit()
    teacher_user = make_user("teacher")
    login_en(client, teacher_user)
    offered = _profile(client, world.school, "李 明")
    assert offered.status_code == 200
    assert "already has a record of a teacher named" in offered.get_data(as_text=True)
    assert db.session.scalar(select(Teacher).where(Teacher.user_id == teacher_user.id)) is None
    claimed = client.post(
        "/cooperation/profile",
        data={
            "school_id": world.school.id,
            "name": "李明",
            "occupation_codes": ["6-18-01-01"],
            "claim_record": "y",
        },
    )
    assert claimed.status_code == 302
    claim = db.session.scalar(select(Claim))
    assert claim.kind == "teacher" and claim.status == "pending"
    staff = app.test_client()
    login_en(staff, world.users["school_staff"])
    page = staff.get("/cooperation/teachers").get_data(as_text=True)
    assert "高级讲师" in page and teacher_user.email in page
    staff.post(
        f"/registry/claims/{claim.id}/teacher",
        data={"decision": "approve", "teacher_id": imported[1].id},
    )
    db.session.refresh(imported[1])
    db.session.refresh(imported[0])
    assert imported[1].user_id == teacher_user.id and imported[1].confirmed
    assert imported[0].user_id is None
    assert len(db.session.scalars(select(Teacher)).all()) == 2


def test_another_school_cannot_decide_a_teacher_claim(client, world):
    db.session.add(Teacher(school_id=world.school.id, name="王芳"))
    claimant = make_user("teacher")
    claim = Claim(user_id=claimant.id, kind="teacher", school_id=world.school.id, name="王芳")
    db.session.add(claim)
    db.session.commit()
    login_en(client, world.users["school_other"])
    response = client.post(
        f"/registry/claims/{claim.id}/teacher", data={"decision": "reject", "reason": "x"}
    )
    assert response.status_code == 404
    db.session.refresh(claim)
    assert claim.status == "pending"
