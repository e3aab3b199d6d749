"""A school registers, is reviewed by its league, and appears in the directory."""

from sqlalchemy import func, select

from app.extensions import db
from app.registry.models import School
from tests.helpers import BAOTOU, HOHHOT, login_en, make_user
from tests.registry.payloads import school_form

SCHOOL_MISMATCH = "91350203M0001QAY9B"


def test_school_registration_and_review(client, app):
    owner = make_user("school")
    login_en(client, owner)
    assert client.get("/registry/mine").headers["Location"].endswith("/registry/schools/new")
    # a malformed optional credit code is refused
    response = client.post("/registry/schools/new", data=school_form(uscc="12345"))
    assert "exactly 18 characters" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(School)) == 0
    # a bad kind is refused by the form
    response = client.post("/registry/schools/new", data=school_form(kind="university"))
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(School)) == 0

    response = client.post(
        "/registry/schools/new", data=school_form(status="approved"), follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "新城技工学校" in page and "Pending review" in page
    school = db.session.scalar(select(School))
    assert school.status == "pending"
    assert school.uscc is None
    db.session.expire_all()
    assert db.session.get(type(owner), owner.id).school_id == school.id
    assert client.get("/registry/schools/new").status_code == 302

    anonymous = app.test_client()
    assert anonymous.get(f"/registry/schools/{school.id}").status_code == 404

    other = app.test_client()
    login_en(other, make_user("league_admin", region_code=BAOTOU))
    assert other.get(f"/registry/schools/{school.id}/review").status_code == 403

    admin = app.test_client()
    login_en(admin, make_user("league_admin", region_code=HOHHOT))
    queue = admin.get("/registry/review?tab=schools").get_data(as_text=True)
    assert "新城技工学校" in queue
    response = admin.post(
        f"/registry/schools/{school.id}/review", data={"decision": "reject", "reason": "地址不全"}
    )
    assert response.status_code == 302
    page = client.get("/registry/mine").get_data(as_text=True)
    assert "地址不全" in page and "Rejected" in page

    # the owner fixes the profile and adds a code whose check character is wrong
    response = client.post(
        f"/registry/schools/{school.id}/edit",
        data=school_form(address="新城区学府路2号院", uscc=SCHOOL_MISMATCH),
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "check character does not match" in page
    db.session.expire_all()
    school = db.session.get(School, school.id)
    assert school.status == "pending" and school.review_reason is None
    assert school.address == "新城区学府路2号院"

    response = admin.post(f"/registry/schools/{school.id}/review", data={"decision": "approve"})
    assert "Confirm the credit code before approving." in response.get_data(as_text=True)
    admin.post(
        f"/registry/schools/{school.id}/review", data={"decision": "approve", "confirm_uscc": "y"}
    )
    db.session.expire_all()
    assert db.session.get(School, school.id).status == "approved"
    assert "新城技工学校" in anonymous.get("/registry/schools").get_data(as_text=True)
    assert anonymous.get(f"/registry/schools/{school.id}").status_code == 200


def test_league_admin_edits_a_school_of_its_league_without_resubmitting(client, app):
    owner = make_user("school")
    login_en(client, owner)
    client.post("/registry/schools/new", data=school_form())
    school = db.session.scalar(select(School))
    admin = app.test_client()
    login_en(admin, make_user("region_admin"))
    admin.post(f"/registry/schools/{school.id}/review", data={"decision": "approve"})
    league = app.test_client()
    login_en(league, make_user("league_admin", region_code=HOHHOT))
    response = league.post(
        f"/registry/schools/{school.id}/edit", data=school_form(contact_phone="13800001111")
    )
    assert response.status_code == 302
    db.session.expire_all()
    school = db.session.get(School, school.id)
    assert school.contact_phone == "13800001111"
    assert school.status == "approved"
    # moving it to another league is not the league admin's to do
    response = league.post(
        f"/registry/schools/{school.id}/edit", data=school_form(region_code=BAOTOU)
    )
    assert response.status_code == 200
    assert "your own league" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(School, school.id).region_code == HOHHOT
