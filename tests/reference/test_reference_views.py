"""Region administrators edit majors and occupations; nobody else may."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.reference.models import Major, Occupation
from tests.helpers import HOHHOT, login_en, make_user


@pytest.fixture()
def admin(client):
    login_en(client, make_user("region_admin"))
    return client


def test_majors_list_labels_candidates_and_searches(admin):
    page = admin.get("/reference/majors?q=数控").get_data(as_text=True)
    assert "数控加工（数控车工）" in page
    assert "机床切削加工（车工）" not in page
    assert "Candidate list, not the official catalogue" in page
    assert "Official" not in page and "official catalogue" in page


def test_majors_pagination(admin, app):
    app.config["PAGE_SIZE"] = 10
    try:
        first = admin.get("/reference/majors").get_data(as_text=True)
        last = admin.get("/reference/majors?page=3").get_data(as_text=True)
    finally:
        app.config["PAGE_SIZE"] = 20
    total = db.session.scalar(select(db.func.count()).select_from(Major))
    assert total > 20
    assert "Page 1 of" in first
    assert first.count("/reference/majors/") == 10 + first.count("/reference/majors/new")
    assert "Page 3 of" in last


def test_region_admin_edits_a_major(admin):
    major = db.session.scalar(select(Major).where(Major.name == "数控加工（数控车工）"))
    url = f"/reference/majors/{major.id}/edit"
    page = admin.get(url).get_data(as_text=True)
    assert "数控加工（数控车工）" in page
    assert "Candidate list, not the official catalogue" in page
    # a name that another major has is refused next to the field
    response = admin.post(
        url,
        data={
            "name": "机床切削加工（车工）",
            "category_code": "01",
            "category_name": "机械类",
            "occupation_code": "6-18-01-01",
            "active": "y",
        },
    )
    assert "A major with this name exists already." in response.get_data(as_text=True)
    response = admin.post(
        url,
        data={
            "name": "数控加工（数控车削）",
            "category_code": "01",
            "category_name": "机械类",
            "occupation_code": "6-18-01-02",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    major = db.session.get(Major, major.id)
    assert major.name == "数控加工（数控车削）"
    assert major.occupation_code == "6-18-01-02"
    assert major.active is False
    assert major.source == "candidate"  # editing does not make it official


def test_region_admin_adds_a_major(admin):
    response = admin.post(
        "/reference/majors/new",
        data={
            "name": "无人机应用技术",
            "category_code": "02",
            "category_name": "电工电子类",
            "occupation_code": "",
            "active": "y",
        },
    )
    assert response.status_code == 302
    major = db.session.scalar(select(Major).where(Major.name == "无人机应用技术"))
    assert major.source == "admin" and major.occupation_code is None and major.active
    response = admin.post(
        "/reference/majors/new",
        data={"name": "坏类别", "category_code": "ab", "category_name": "x", "active": "y"},
    )
    assert response.status_code == 200
    assert db.session.scalar(select(Major).where(Major.name == "坏类别")) is None


def test_region_admin_edits_and_adds_occupations(admin):
    page = admin.get("/reference/occupations?q=车工").get_data(as_text=True)
    assert "6-18-01-01" in page
    response = admin.post(
        "/reference/occupations/6-18-01-01/edit", data={"name": "车工（数控）", "active": "y"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Occupation, "6-18-01-01").name == "车工（数控）"

    response = admin.post("/reference/occupations/new", data={"code": "6-18", "name": "坏码"})
    assert "Use the form D-MM-SS-NN" in response.get_data(as_text=True)
    response = admin.post(
        "/reference/occupations/new", data={"code": "6-18-01-01", "name": "重复", "active": "y"}
    )
    assert "exists already" in response.get_data(as_text=True)
    response = admin.post(
        "/reference/occupations/new",
        data={"code": "6-31-01-09", "name": "无人机装调检修工", "active": "y"},
    )
    assert response.status_code == 302
    assert db.session.get(Occupation, "6-31-01-09").name == "无人机装调检修工"
    assert admin.get("/reference/occupations/9-99-99-99/edit").status_code == 404


@pytest.mark.parametrize("role", ["enterprise", "school", "teacher", "league_admin"])
def test_non_admins_are_refused(client, role):
    login_en(client, make_user(role, region_code=HOHHOT))
    major = db.session.scalar(select(Major))
    name = major.name
    for url in ("/reference/majors", "/reference/majors/new", "/reference/occupations"):
        assert client.get(url).status_code == 403
    response = client.post(
        f"/reference/majors/{major.id}/edit",
        data={"name": "篡改", "category_code": "01", "category_name": "x", "active": "y"},
    )
    assert response.status_code == 403
    response = client.post(
        "/reference/occupations/6-18-01-01/edit", data={"name": "篡改", "active": "y"}
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Major, major.id).name == name
    assert db.session.get(Occupation, "6-18-01-01").name == "车工"
