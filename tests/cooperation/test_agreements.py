"""Agreements of pairings, practices and training programmes: recorded by either side, the
signed scan checked by content, confirmed by every party → in force; new versions replace the
old with history; notices 30 days before the end (once); pairings without an agreement."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.common.time import local_today
from app.cooperation import services
from app.cooperation.models import Agreement
from app.extensions import db
from app.notifications.models import Notification
from tests.api.support import API, auth, error_of
from tests.cooperation import factories as f
from tests.helpers import login_en

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def uploads(app, tmp_path, monkeypatch):
    """Signed scans go to a temporary folder."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


def _body(pairing, **extra) -> dict:
    today = local_today()
    body = {
        "subject": "pairing",
        "subject_id": pairing.id,
        "title": "数控专业与车间结对协议",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=365)).isoformat(),
        "terms": "企业提供车间岗位；学校派出教师与学生。",
    }
    body.update(extra)
    return body


def _pairing(world):
    return f.make_pairing(f.make_school_major(world.school), f.make_offer(world.host))


def _upload(client, headers, agreement_id, data=PDF, name="协议.pdf"):
    return client.post(
        f"{API}/agreements/{agreement_id}/files",
        data={"file": (io.BytesIO(data), name)},
        headers=headers,
        content_type="multipart/form-data",
    )


def _kinds(user) -> list[str]:
    return list(
        db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id))
    )


def test_pairing_agreement_comes_into_force_when_both_confirm(client, world):
    pairing = _pairing(world)
    school = auth(client, world.users["school"])
    ent = auth(client, world.users["enterprise"])
    created = client.post(f"{API}/agreements", json=_body(pairing, state="active"), headers=school)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["state"] == "pending" and body["version"] == 1
    assert {p["party"] for p in body["parties"]} == {"school", "enterprise"}
    assert "agreement_created" in _kinds(world.users["enterprise"])
    agreement_id = body["id"]
    # no confirmation before the scan is there
    early = client.post(f"{API}/agreements/{agreement_id}/confirm", headers=school)
    assert error_of(early, 409)
    # the scan is checked by content: a text file named .pdf is refused
    fake = _upload(client, school, agreement_id, b"not a pdf at all", "协议.pdf")
    assert set(error_of(fake, 422)["fields"]) == {"file"}
    docx = _upload(client, school, agreement_id, PDF, "协议.docx")
    assert set(error_of(docx, 422)["fields"]) == {"file"}
    uploaded = _upload(client, ent, agreement_id)
    assert uploaded.status_code == 200, uploaded.get_json()
    assert uploaded.get_json()["file_name"] == "协议.pdf"
    first = client.post(f"{API}/agreements/{agreement_id}/confirm", headers=school)
    assert first.status_code == 200 and first.get_json()["state"] == "pending"
    twice = client.post(f"{API}/agreements/{agreement_id}/confirm", headers=school)
    assert error_of(twice, 409)
    second = client.post(f"{API}/agreements/{agreement_id}/confirm", headers=ent)
    assert second.status_code == 200
    assert second.get_json()["state"] == "active" and second.get_json()["activated_at"]
    assert "agreement_active" in _kinds(world.users["school"])
    listed = client.get(f"{API}/agreements?agreement_state=active", headers=ent).get_json()
    assert [a["id"] for a in listed["items"]] == [agreement_id]


def test_new_version_replaces_the_old_once_confirmed(client, world):
    pairing = _pairing(world)
    school, ent = world.users["school"], world.users["enterprise"]
    first = services.create_agreement(school, _data(pairing))
    db.session.commit()
    _sign(first, school, ent)
    second = services.create_agreement(ent, _data(pairing, title="补充协议"))
    db.session.commit()
    assert (second.version, second.previous_id, second.state) == (2, first.id, "pending")
    # a third while the second waits is refused
    with pytest.raises(services.Conflict):
        services.create_agreement(school, _data(pairing))
    db.session.rollback()
    assert db.session.get(Agreement, first.id).state == "active"
    _sign(second, school, ent)
    assert db.session.get(Agreement, first.id).state == "superseded"
    assert db.session.get(Agreement, second.id).state == "active"
    login_en(client, school)
    page = client.get(f"/cooperation/agreements/{second.id}").get_data(as_text=True)
    assert "Replaced by a newer version" in page and "补充协议" in page
    assert f"/cooperation/agreements/{first.id}" in page


def test_practice_agreement_needs_the_teacher_too(client, world):
    teacher = f.make_teacher(world.school, user=world.users["teacher"])
    practice = f.make_practice(teacher, f.make_placement(world.host), days=1)
    ent = world.users["enterprise"]
    agreement = services.create_agreement(
        ent, {**_data(None), "subject": "practice", "subject_id": practice.id}
    )
    db.session.commit()
    assert {p.party for p in agreement.parties} == {"school", "enterprise", "teacher"}
    services.upload_agreement_file(ent, agreement, io.BytesIO(PNG), "scan.png")
    services.confirm_agreement(ent, agreement)
    services.confirm_agreement(world.users["school"], agreement)
    db.session.commit()
    assert db.session.get(Agreement, agreement.id).state == "pending"
    headers = auth(client, world.users["teacher"])
    done = client.post(f"{API}/agreements/{agreement.id}/confirm", headers=headers)
    assert done.status_code == 200 and done.get_json()["state"] == "active"


def test_programme_agreement_between_enterprise_and_partner_school(client, world):
    from tests.resources.factories import make_programme

    programme = make_programme(world.enterprise)
    data = {**_data(None), "subject": "programme", "subject_id": programme.id}
    with pytest.raises(services.ValidationFailed):
        services.create_agreement(world.users["enterprise"], data)
    db.session.rollback()
    programme.partner_school_id = world.school.id
    db.session.commit()
    agreement = services.create_agreement(world.users["enterprise"], data)
    db.session.commit()
    assert (agreement.school_id, agreement.enterprise_id) == (world.school.id, world.enterprise.id)


def test_outsiders_cannot_record_see_or_confirm(client, world):
    pairing = _pairing(world)
    other = auth(client, world.users["school_other"])
    refused = client.post(f"{API}/agreements", json=_body(pairing), headers=other)
    assert refused.status_code == 403
    agreement = services.create_agreement(world.users["school"], _data(pairing))
    db.session.commit()
    for actor in ("school_other", "enterprise_other", "teacher", "league_admin_other"):
        headers = auth(client, world.users[actor])
        assert client.get(f"{API}/agreements/{agreement.id}", headers=headers).status_code == 404
    admin = auth(client, world.users["league_admin"])
    assert client.get(f"{API}/agreements/{agreement.id}", headers=admin).status_code == 200
    assert client.post(f"{API}/agreements/{agreement.id}/confirm", headers=admin).status_code == 403


def test_bad_agreement_bodies_name_the_field(client, world):
    pairing = _pairing(world)
    headers = auth(client, world.users["school"])
    cases = {
        "subject": {"subject": "wedding"},
        "ends_on": {"ends_on": "2000-01-01"},
        "title": {"title": ""},
        "terms": {"terms": "x" * 20001},
    }
    for field, change in cases.items():
        response = client.post(f"{API}/agreements", json=_body(pairing, **change), headers=headers)
        assert field in error_of(response, 422)["fields"], field
    assert db.session.scalar(select(func.count()).select_from(Agreement)) == 0


def test_notice_thirty_days_before_the_end_is_sent_once(app, world):
    pairing = _pairing(world)
    today = local_today()
    school, ent = world.users["school"], world.users["enterprise"]
    soon = services.create_agreement(
        school,
        _data(pairing, starts_on=today - timedelta(days=300), ends_on=today + timedelta(days=20)),
    )
    db.session.commit()
    _sign(soon, school, ent)
    assert services.remind_agreements_ending(today) == 1
    db.session.commit()
    assert services.remind_agreements_ending(today) == 0
    for user in (school, ent):
        assert _kinds(user).count("agreement_ending") == 1
    # one further away is not due yet
    assert services.remind_agreements_ending(today - timedelta(days=30)) == 0


def test_remind_command_sends_agreement_notices(app, world):
    pairing = _pairing(world)
    today = local_today()
    school, ent = world.users["school"], world.users["enterprise"]
    row = services.create_agreement(school, _data(pairing, ends_on=today + timedelta(days=5)))
    db.session.commit()
    _sign(row, school, ent)
    result = app.test_cli_runner().invoke(args=["rounds", "remind"])
    assert "reminded 1 agreement(s) ending soon" in result.output
    assert _kinds(ent).count("agreement_ending") == 1


def test_admin_list_flags_old_pairings_without_agreement_and_exports(client, world):
    today = local_today()
    old = _pairing(world)
    old.started_on = today - timedelta(days=45)
    fresh = f.make_pairing(
        f.make_school_major(world.school, level="technician"), f.make_offer(world.host)
    )
    fresh.started_on = today - timedelta(days=5)
    db.session.commit()
    login_en(client, world.users["league_admin"])
    page = client.get("/cooperation/agreements?view=unsigned").get_data(as_text=True)
    assert page.count('class="unsigned-row"') == 1
    assert old.started_on.isoformat() in page
    # signing it removes the flag
    school, ent = world.users["school"], world.users["enterprise"]
    row = services.create_agreement(school, _data(old))
    db.session.commit()
    _sign(row, school, ent)
    page = client.get("/cooperation/agreements?view=unsigned").get_data(as_text=True)
    assert 'class="unsigned-row"' not in page
    listed = client.get("/cooperation/agreements?state=active").get_data(as_text=True)
    assert row.title in listed
    export = client.get("/cooperation/agreements?format=csv")
    assert export.status_code == 200 and row.title in export.get_data(as_text=True)
    other = client.get("/cooperation/agreements?format=csv")
    assert other.headers["Content-Disposition"].startswith("attachment")


def test_pages_record_upload_confirm_and_download(client, world):
    pairing = _pairing(world)
    login_en(client, world.users["enterprise"])
    listing = client.get("/cooperation/pairings").get_data(as_text=True)
    assert f"subject_id={pairing.id}" in listing
    form = client.get(f"/cooperation/agreements/new?subject=pairing&subject_id={pairing.id}")
    assert form.status_code == 200
    bad = client.post("/cooperation/agreements/new", data={**_body(pairing), "title": ""})
    assert bad.status_code == 422 and "field-error" in bad.get_data(as_text=True)
    saved = client.post("/cooperation/agreements/new", data=_body(pairing))
    assert saved.status_code == 302
    agreement = db.session.scalar(select(Agreement))
    wrong = client.post(
        f"/cooperation/agreements/{agreement.id}/file",
        data={"file": (io.BytesIO(b"plain text"), "scan.png")},
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 422 and "does not match" in wrong.get_data(as_text=True)
    ok = client.post(
        f"/cooperation/agreements/{agreement.id}/file",
        data={"file": (io.BytesIO(PDF), "signed.pdf")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    download = client.get(f"/cooperation/agreements/{agreement.id}/file")
    assert download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert client.post(f"/cooperation/agreements/{agreement.id}/confirm").status_code == 302
    db.session.expire_all()
    parties = {p.party: p.confirmed_at for p in db.session.get(Agreement, agreement.id).parties}
    assert parties["enterprise"] is not None and parties["school"] is None


# --- helpers ------------------------------------------------------------------------------


def _data(pairing, **extra) -> dict:
    today = local_today()
    data = {
        "subject": "pairing",
        "subject_id": pairing.id if pairing else None,
        "title": "结对协议",
        "starts_on": today,
        "ends_on": today + timedelta(days=365),
        "terms": "双方共同培养",
    }
    data.update(extra)
    return data


def _sign(agreement, school, enterprise) -> None:
    services.upload_agreement_file(enterprise, agreement, io.BytesIO(PDF), "signed.pdf")
    services.confirm_agreement(school, agreement)
    services.confirm_agreement(enterprise, agreement)
    db.session.commit()
