"""Notifications: inbox with unread badge, mark read, API, messages in the reader's language,
email through SMTP when configured (fake SMTP class), and review results from the registry."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notifications import mail
from app.notifications.messages import MESSAGES, render
from app.notifications.models import Notification
from app.notifications.services import notify
from app.registry import services as registry_services
from tests.api.support import API, auth, error_of
from tests.helpers import login_en, make_enterprise, make_user


def _note(user, kind="teacher_confirmed", **params):
    rows = notify([user], kind, params or {"school": "呼和浩特技师学院"}, "/cooperation/profile")
    db.session.commit()
    return rows[0]


def test_inbox_shows_messages_and_unread_badge(client, world):
    user = world.users["teacher"]
    _note(user)
    _note(user, "application_returned", school="呼和浩特技师学院", reason="材料不全")
    login_en(client, user)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "呼和浩特技师学院 has confirmed your teacher profile." in page
    assert "呼和浩特技师学院 returned your application: 材料不全" in page
    assert 'id="nav-unread">2' in page
    done = client.post("/notifications/read-all")
    assert done.status_code == 302
    assert db.session.scalar(select(Notification.id).where(Notification.read_at.is_(None))) is None
    assert 'id="nav-unread"' not in client.get("/notifications/").get_data(as_text=True)


def test_mark_one_read_and_open_its_link(client, world):
    user = world.users["teacher"]
    row = _note(user)
    login_en(client, user)
    response = client.post(f"/notifications/{row.id}/read", data={"open": "1"})
    assert response.status_code == 302 and response.headers["Location"] == "/cooperation/profile"
    assert db.session.get(Notification, row.id).read_at is not None
    unread = client.get("/notifications/?unread=1").get_data(as_text=True)
    assert "No notifications." in unread


def test_others_notifications_are_not_reachable(client, world):
    row = _note(world.users["teacher"])
    login_en(client, world.users["school"])
    assert client.post(f"/notifications/{row.id}/read").status_code == 404
    assert db.session.get(Notification, row.id).read_at is None
    headers = auth(client, world.users["school"])
    error_of(client.post(f"{API}/notifications/{row.id}/read", headers=headers), 404)


def test_api_lists_and_marks_read_in_the_requested_language(client, world):
    user = world.users["teacher"]
    row = _note(user)
    headers = auth(client, user)
    body = client.get(f"{API}/notifications?lang=en", headers=headers).get_json()
    assert body["unread"] == 1 and body["total"] == 1
    item = body["items"][0]
    assert item["kind"] == "teacher_confirmed" and item["read"] is False
    assert item["message"] == "呼和浩特技师学院 has confirmed your teacher profile."
    read = client.post(f"{API}/notifications/{row.id}/read", headers=headers).get_json()
    assert read["read"] is True and read["read_at"]
    assert client.get(f"{API}/notifications?unread=1", headers=headers).get_json()["total"] == 0
    _note(user)
    assert client.post(f"{API}/notifications/read-all", headers=headers).get_json()["marked"] == 1


def test_every_kind_renders_without_missing_parameters():
    for kind in MESSAGES:
        text = render(kind, {})
        assert text and "%(" not in text, kind
    assert render("no_such_kind", {"x": 1}) == "You have a new notification."
    assert render("match_proposed", {"applicant": "张老师", "host": "数控车间"}).startswith(
        "A match has been proposed: 张老师 with 数控车间"
    )


def test_rounds_kinds_are_defined():
    for kind in (
        "match_proposed",
        "match_accepted",
        "match_declined",
        "match_confirmed",
        "round_deadline_soon",
    ):
        assert kind in MESSAGES


class FakeSMTP:
    """Records what would be sent."""

    sent: list = []
    fail = False

    def __init__(self, host, port, timeout=None):
        self.host, self.port = host, port
        if FakeSMTP.fail:
            raise OSError("connection refused")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, message):
        FakeSMTP.sent.append(message)


@pytest.fixture()
def smtp(app, monkeypatch):
    FakeSMTP.sent = []
    FakeSMTP.fail = False
    monkeypatch.setattr(mail, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.cn")
    return FakeSMTP


def test_email_is_sent_after_commit_when_configured(smtp, world):
    user = world.users["teacher"]
    notify([user], "teacher_confirmed", {"school": "呼和浩特技师学院"}, "/cooperation/profile")
    assert smtp.sent == []
    db.session.commit()
    assert len(smtp.sent) == 1
    message = smtp.sent[0]
    assert message["To"] == user.email
    assert "呼和浩特技师学院" in message["Subject"]
    assert "/cooperation/profile" in message.get_content()
    assert db.session.scalar(select(Notification.emailed_at)) is not None


def test_no_email_for_rolled_back_changes(smtp, world):
    notify([world.users["teacher"]], "teacher_confirmed", {"school": "x"})
    db.session.rollback()
    db.session.commit()
    assert smtp.sent == []


def test_a_failing_mail_server_does_not_break_the_change(smtp, world):
    smtp.fail = True
    notify([world.users["teacher"]], "teacher_confirmed", {"school": "x"})
    db.session.commit()
    row = db.session.scalar(select(Notification))
    assert row is not None and row.emailed_at is None


def test_mail_is_off_by_default(app, monkeypatch, world):
    FakeSMTP.sent = []
    monkeypatch.setattr(mail, "SMTP", FakeSMTP)
    assert not app.config.get("MAIL_SERVER")
    notify([world.users["teacher"]], "teacher_confirmed", {"school": "x"})
    db.session.commit()
    assert FakeSMTP.sent == []


def test_registry_review_notifies_the_organisation(world):
    owner = make_user("enterprise")
    enterprise = make_enterprise(status="pending", owner=owner)
    registry_services.review(world.users["league_admin"], enterprise, "reject", "信用代码不符")
    db.session.commit()
    row = db.session.scalar(select(Notification).where(Notification.user_id == owner.id))
    assert row.kind == "review_rejected" and row.params["reason"] == "信用代码不符"
    registry_services.review(world.users["league_admin"], enterprise, "approve", None)
    db.session.commit()
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == owner.id).order_by(Notification.id)
    ).all()
    assert kinds == ["review_rejected", "review_approved"]
