"""Training programmes, skill certifications (with export) and supervision visits."""

import csv
import io

from sqlalchemy import select

from app.extensions import db
from app.resources.models import Certification, SupervisionAction, Trainee
from tests.helpers import bearer, login_en, make_host, token_for
from tests.resources import factories as fx

API = "/api/v1"


def test_apprenticeship_lasts_one_to_two_years_and_trainees_are_recorded(client, world):
    station = make_host(world.enterprise, kind="training_station", name="机床培训站")
    token = token_for(client, world.users["enterprise"])
    body = {
        "host_id": station.id,
        "kind": "apprenticeship",
        "title": "企业新型学徒制（数控车工）",
        "occupation_code": "6-18-01-01",
        "starts_on": "2030-03-01",
        "ends_on": "2030-12-31",
        "partner_school_id": world.school.id,
    }
    short = client.post(f"{API}/trainings", json=body, headers=bearer(token))
    assert short.status_code == 422
    assert "ends_on" in short.get_json()["error"]["fields"]
    long = client.post(
        f"{API}/trainings", json={**body, "ends_on": "2032-03-02"}, headers=bearer(token)
    )
    assert long.status_code == 422
    ok = client.post(
        f"{API}/trainings", json={**body, "ends_on": "2032-03-01"}, headers=bearer(token)
    )
    assert ok.status_code == 201, ok.get_json()
    programme_id = ok.get_json()["id"]
    workshop = client.post(
        f"{API}/trainings",
        json={**body, "host_id": world.host.id, "ends_on": "2031-03-01"},
        headers=bearer(token),
    )
    assert workshop.status_code == 422 and "host_id" in workshop.get_json()["error"]["fields"]
    other = token_for(client, world.users["enterprise_other"])
    assert client.post(f"{API}/trainings", json=body, headers=bearer(other)).status_code == 403
    added = client.post(
        f"{API}/trainings/{programme_id}/trainees",
        json={"name": "赵学员", "outcome": "in_training", "id_number": "150102199001011234"},
        headers=bearer(token),
    )
    assert added.status_code == 201
    assert added.get_json()["trainees"][0]["name"] == "赵学员"
    assert "150102199001011234" not in str([vars(t) for t in db.session.scalars(select(Trainee))])
    public = client.get(f"{API}/trainings").get_json()["items"][0]
    assert public["trainee_count"] == 1 and public["trainees"] is None
    # The partner school sees the trainees on the HTML page, the public does not.
    login_en(client, world.users["school"])
    assert "赵学员" in client.get(f"/resources/trainings/{programme_id}").get_data(as_text=True)
    anonymous = client.application.test_client()
    assert "赵学员" not in anonymous.get(f"/resources/trainings/{programme_id}").get_data(
        as_text=True
    )


def test_master_studio_page_shows_its_programmes_and_master(client, world):
    studio = make_host(
        world.enterprise, kind="master_studio", name="李大师工作室", master_name="李大师"
    )
    programme = fx.make_programme(world.enterprise, host=studio)
    page = client.get(f"/registry/enterprises/{world.enterprise.id}").get_data(as_text=True)
    assert programme.title in page and "李大师" in page


def test_certification_by_school_or_paired_enterprise_and_export(client, world):
    major = fx.make_school_major(world.school)
    body = {
        "school_major_id": major.id,
        "graduate_name": '=HYPERLINK("http://evil")',
        "occupation_code": "6-18-01-01",
        "level": "level_3",
        "outcome": "passed",
        "certified_on": "2030-06-30",
    }
    enterprise_token = token_for(client, world.users["enterprise"])
    refused = client.post(f"{API}/certifications", json=body, headers=bearer(enterprise_token))
    assert refused.status_code == 403
    fx.make_pairing(world.enterprise, major)
    by_enterprise = client.post(
        f"{API}/certifications", json=body, headers=bearer(enterprise_token)
    )
    assert by_enterprise.status_code == 201, by_enterprise.get_json()
    assert by_enterprise.get_json()["certifier_kind"] == "enterprise"
    school_token = token_for(client, world.users["school"])
    by_school = client.post(
        f"{API}/certifications",
        json={**body, "graduate_name": "钱同学", "outcome": "failed", "level": "level_6"},
        headers=bearer(school_token),
    )
    assert by_school.status_code == 422 and "level" in by_school.get_json()["error"]["fields"]
    by_school = client.post(
        f"{API}/certifications",
        json={**body, "graduate_name": "钱同学", "outcome": "failed"},
        headers=bearer(school_token),
    )
    assert by_school.get_json()["certifier_kind"] == "school"
    other_school = token_for(client, world.users["school_other"])
    assert (
        client.post(f"{API}/certifications", json=body, headers=bearer(other_school)).status_code
        == 403
    )
    assert (
        client.get(f"{API}/certifications", headers=bearer(other_school)).get_json()["total"] == 0
    )
    assert db.session.scalar(select(db.func.count(Certification.id))) == 2

    login_en(client, world.users["school"])
    export = client.get("/resources/certifications?format=csv")
    assert export.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "Graduate" and len(rows) == 3
    assert '\'=HYPERLINK("http://evil")' in [r[0] for r in rows]
    xlsx = client.get("/resources/certifications?format=xlsx")
    assert xlsx.data[:2] == b"PK"


def test_supervision_visit_answer_and_close(client, world):
    admin_token = token_for(client, world.users["league_admin"])
    body = {
        "school_id": world.school.id,
        "visited_on": "2030-05-10",
        "findings": "实训设备不足，工学一体化课程未全面实施。",
        "actions": [{"description": "补充实训设备", "due_on": "2030-07-01"}],
    }
    other_admin = token_for(client, world.users["league_admin_other"])
    assert (
        client.post(f"{API}/supervisions", json=body, headers=bearer(other_admin)).status_code
        == 403
    )
    bad = client.post(
        f"{API}/supervisions",
        json={**body, "actions": [{"description": "x"}]},
        headers=bearer(admin_token),
    )
    assert bad.status_code == 422
    created = client.post(f"{API}/supervisions", json=body, headers=bearer(admin_token))
    assert created.status_code == 201, created.get_json()
    action_id = created.get_json()["actions"][0]["id"]

    school_token = token_for(client, world.users["school"])
    listed = client.get(f"{API}/supervisions", headers=bearer(school_token)).get_json()
    assert listed["total"] == 1
    other_school = token_for(client, world.users["school_other"])
    assert client.get(f"{API}/supervisions", headers=bearer(other_school)).get_json()["total"] == 0
    answered = client.post(
        f"{API}/supervision-actions/{action_id}/answer",
        json={"answer": "已采购数控车床 5 台"},
        headers=bearer(school_token),
    )
    assert answered.get_json()["status"] == "answered"
    assert (
        client.post(
            f"{API}/supervision-actions/{action_id}/close", headers=bearer(other_admin)
        ).status_code
        == 404
    )
    closed = client.post(
        f"{API}/supervision-actions/{action_id}/close", headers=bearer(admin_token)
    )
    assert closed.get_json()["status"] == "closed"
    late = client.post(
        f"{API}/supervision-actions/{action_id}/answer",
        json={"answer": "补充"},
        headers=bearer(school_token),
    )
    assert late.status_code == 409
    assert db.session.get(SupervisionAction, action_id).answer == "已采购数控车床 5 台"


def test_supervision_html_flow(client, world):
    login_en(client, world.users["league_admin"])
    response = client.post(
        "/resources/supervision/new",
        data={
            "school_id": world.school.id,
            "visited_on": "2030-05-10",
            "findings": "需整改",
            "actions-0-text": "完善台账",
            "actions-0-due_on": "",
        },
    )
    assert "Give a due date." in response.get_data(as_text=True)
    response = client.post(
        "/resources/supervision/new",
        data={
            "school_id": world.school.id,
            "visited_on": "2030-05-10",
            "findings": "需整改",
            "actions-0-text": "完善台账",
            "actions-0-due_on": "2030-06-01",
        },
    )
    assert response.status_code == 302
    action = db.session.scalar(select(SupervisionAction))
    assert action.description == "完善台账" and action.status == "open"
    client.post("/auth/logout")
    login_en(client, world.users["school"])
    page = client.get(f"/resources/supervision/{action.visit_id}").get_data(as_text=True)
    assert "完善台账" in page and "Send answer" in page
    client.post(f"/resources/supervision/actions/{action.id}/answer", data={"answer": "已完善"})
    db.session.expire_all()
    assert db.session.get(SupervisionAction, action.id).status == "answered"
