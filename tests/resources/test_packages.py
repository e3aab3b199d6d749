"""Resource packages: building an item with a partner, uploads checked by content, review."""

import io
import zipfile

from sqlalchemy import select

from app.extensions import db
from app.notifications.messages import render
from app.notifications.models import Notification
from app.resources.models import ResourceFile, ResourceItem, ResourceReview, ReviewPanelMember
from tests.helpers import bearer, login_en, make_user, token_for
from tests.resources import factories as fx

API = "/api/v1"


def _upload(client, item_id, data: bytes, name: str, token=None):
    payload = {"file": (io.BytesIO(data), name)}
    if token:
        return client.post(
            f"{API}/resources/{item_id}/files",
            data=payload,
            headers=bearer(token),
            content_type="multipart/form-data",
        )
    return client.post(
        f"/resources/{item_id}/files", data=payload, content_type="multipart/form-data"
    )


def _docx(main_part="word/document.xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<document/>")
    return buffer.getvalue()


def test_school_and_partner_build_and_take_an_item_through_review(client, world, uploads):
    major = fx.make_school_major(world.school)
    school_token = token_for(client, world.users["school"])
    response = client.post(
        f"{API}/resources",
        json={
            "school_major_id": major.id,
            "kind": "textbook",
            "title": "数控车削教材",
            "origin": "written",
            "authors": "张老师, 王工",
            "partner_enterprise_ids": [world.enterprise.id],
            "status": "approved",
        },
        headers=bearer(school_token),
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "draft" and body["needs_review"] is True
    assert body["partner_enterprise_ids"] == [world.enterprise.id]
    item_id = body["id"]

    # The partner enterprise uploads the first version, the school a second one.
    partner_token = token_for(client, world.users["enterprise"])
    first = _upload(client, item_id, fx.PDF, "教材.pdf", partner_token)
    assert first.status_code == 201, first.get_json()
    second = _upload(client, item_id, _docx(), "教材-修订.docx", school_token)
    assert second.status_code == 201, second.get_json()
    files = db.session.scalars(select(ResourceFile).order_by(ResourceFile.number)).all()
    assert [f.number for f in files] == [1, 2]
    stored = sorted(p.name for p in (uploads / "resources").iterdir())
    assert stored == sorted(f.stored_name for f in files)
    assert all("教材" not in name for name in stored)

    # Before approval another school's staff cannot see it or its files.
    other_token = token_for(client, world.users["school_other"])
    assert client.get(f"{API}/resources/{item_id}", headers=bearer(other_token)).status_code == 404
    url = f"{API}/resources/{item_id}/files/{files[0].id}"
    assert client.get(url, headers=bearer(other_token)).status_code == 404
    listed = client.get(f"{API}/resources", headers=bearer(other_token)).get_json()
    assert listed["total"] == 0

    submit = client.post(f"{API}/resources/{item_id}/submit", headers=bearer(school_token))
    assert submit.get_json()["status"] == "submitted"

    # A panel member appointed by the region administrator returns it, then approves.
    expert = make_user("teacher", school=world.other_school)
    db.session.add(ReviewPanelMember(user_id=expert.id))
    db.session.commit()
    expert_token = token_for(client, expert)
    no_comment = client.post(
        f"{API}/resources/{item_id}/review",
        json={"decision": "revise"},
        headers=bearer(expert_token),
    )
    assert no_comment.status_code == 422
    assert "comment" in no_comment.get_json()["error"]["fields"]
    revise = client.post(
        f"{API}/resources/{item_id}/review",
        json={"decision": "revise", "comment": "第三章案例需更新"},
        headers=bearer(expert_token),
    )
    assert revise.get_json()["status"] == "returned"
    assert _upload(client, item_id, fx.PDF, "教材v3.pdf", school_token).status_code == 201
    client.post(f"{API}/resources/{item_id}/submit", headers=bearer(school_token))
    approve = client.post(
        f"{API}/resources/{item_id}/review",
        json={"decision": "approve", "comment": "同意使用"},
        headers=bearer(expert_token),
    )
    assert approve.status_code == 200
    assert approve.get_json()["status"] == "approved"
    actions = [
        r.action for r in db.session.scalars(select(ResourceReview).order_by(ResourceReview.id))
    ]
    assert actions == ["submit", "start", "revise", "submit", "start", "approve"]
    assert {h["comment"] for h in approve.get_json()["history"]} >= {"第三章案例需更新", "同意使用"}
    notes = db.session.scalars(
        select(Notification).where(Notification.user_id == world.users["school"].id)
    ).all()
    assert [n.kind for n in notes] == ["resource_returned", "resource_approved"]
    assert "returned for revision" in render(notes[0].kind, notes[0].params)

    # Approved: visible beyond the school, and the old version is still downloadable.
    assert client.get(f"{API}/resources/{item_id}", headers=bearer(other_token)).status_code == 200
    download = client.get(url, headers=bearer(other_token))
    assert download.status_code == 200
    assert download.data == fx.PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_a_reviewer_cannot_review_own_school_and_an_unknown_role_cannot_review(client, world):
    item = fx.make_item(world.school, status="submitted")
    member = make_user("school", school=world.school)
    db.session.add(ReviewPanelMember(user_id=member.id))
    db.session.commit()
    own = client.post(
        f"{API}/resources/{item.id}/review",
        json={"decision": "approve"},
        headers=bearer(token_for(client, member)),
    )
    assert own.status_code == 403
    league = client.post(
        f"{API}/resources/{item.id}/review",
        json={"decision": "approve"},
        headers=bearer(token_for(client, world.users["league_admin"])),
    )
    assert league.status_code == 403
    assert db.session.get(ResourceItem, item.id).status == "submitted"


def test_uploads_are_checked_by_content_and_name(client, world, uploads):
    item = fx.make_item(world.school)
    token = token_for(client, world.users["school"])
    for data, name in (
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "manual.pdf"),
        (b"MZ\x90\x00" + b"\x00" * 100, "slides.pptx"),
        (fx.PDF, "notes.exe"),
        (fx.PDF, "photo.png"),
        (_docx("xl/workbook.xml"), "report.docx"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "video.mp4"),
    ):
        response = _upload(client, item.id, data, name, token)
        assert response.status_code == 422, name
        assert "file" in response.get_json()["error"]["fields"]
    assert db.session.scalar(select(ResourceFile.id)) is None
    assert not any((uploads / "resources").iterdir())
    ok = _upload(client, item.id, b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100, "课程.mp4", token)
    assert ok.status_code == 201
    assert ok.get_json()["type"] == "mp4"


def test_oversize_uploads_get_413(client, world, uploads):
    item = fx.make_item(world.school)
    token = token_for(client, world.users["school"])
    # Over the 1 MB document limit but within the request limit.
    big_pdf = fx.PDF + b"0" * (1024 * 1024 + 10)
    assert _upload(client, item.id, big_pdf, "big.pdf", token).status_code == 413
    # Over the whole request limit (video limit + 1 MB): refused before reading.
    huge = b"\x00\x00\x00\x18ftypmp42" + b"0" * (3 * 1024 * 1024 + 10)
    response = _upload(client, item.id, huge, "huge.mp4", token)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
    login_en(client, world.users["school"])
    assert _upload(client, item.id, big_pdf, "big.pdf").status_code == 413
    assert db.session.scalar(select(ResourceFile.id)) is None


def test_html_pages_show_the_package_and_history(client, world):
    item = fx.make_item(world.school, partners=[world.enterprise])
    fx.add_pdf(item, world.users["school"])
    login_en(client, world.users["school"])
    page = client.get("/resources/").get_data(as_text=True)
    assert item.title in page
    detail = client.get(f"/resources/{item.id}").get_data(as_text=True)
    assert "教材.pdf" in detail and "Submit for review" in detail
    assert world.enterprise.name in detail
    response = client.post(f"/resources/{item.id}/submit", follow_redirects=True)
    assert "Submitted for review." in response.get_data(as_text=True)
    assert db.session.get(ResourceItem, item.id).status == "submitted"
    edit = client.get(f"/resources/{item.id}/edit")
    assert edit.status_code == 200
    refused = client.post(f"/resources/{item.id}/edit", data={"kind": "textbook", "title": "改"})
    assert "Only drafts and items returned" in refused.get_data(as_text=True)
    assert db.session.get(ResourceItem, item.id).title != "改"


def test_new_item_form_validates_next_to_the_field(client, world):
    major = fx.make_school_major(world.school)
    login_en(client, world.users["school"])
    response = client.post(
        "/resources/new", data={"school_major_id": major.id, "kind": "video", "title": ""}
    )
    assert "This field is required." in response.get_data(as_text=True)
    assert db.session.scalar(select(ResourceItem.id)) is None
    other = fx.make_school_major(world.other_school)
    response = client.post(
        "/resources/new", data={"school_major_id": other.id, "kind": "video", "title": "视频"}
    )
    assert "Choose one of your school" in response.get_data(as_text=True)
    response = client.post(
        "/resources/new", data={"school_major_id": major.id, "kind": "video", "title": "视频"}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(ResourceItem.title)) == "视频"


def test_office_file_that_unpacks_to_far_more_than_its_size_is_refused(client, world, uploads):
    item = fx.make_item(world.school)
    token = token_for(client, world.users["school"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document>" + " " * 3_000_000 + "</document>")
    data = buffer.getvalue()
    assert len(data) < 50_000  # about 1000 times smaller than what it unpacks to
    response = _upload(client, item.id, data, "bomb.docx", token)
    assert response.status_code == 422
    assert "unpacks" in response.get_json()["error"]["fields"]["file"]
    assert db.session.scalar(select(ResourceFile.id)) is None
    assert _upload(client, item.id, _docx(), "ok.docx", token).status_code == 201
