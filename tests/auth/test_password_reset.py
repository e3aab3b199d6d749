"""Password reset by emailed link: no enumeration, single use, one hour, everything revoked."""

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import PasswordReset
from app.common.models import AuditEvent
from app.common.time import utcnow
from app.extensions import db
from tests.auth.mail import capture, links
from tests.helpers import bearer, login, make_user, token_for

PATH = "/auth/password/reset/"
NEW = "Frisch-Passwort-7"


def test_reset_answers_the_same_for_known_and_unknown_emails(client, caplog):
    capture(caplog)
    user = make_user("teacher")
    known = client.post("/api/v1/auth/password-reset", json={"email": user.email})
    unknown = client.post("/api/v1/auth/password-reset", json={"email": "nobody@example.cn"})
    assert known.status_code == unknown.status_code == 202
    assert known.get_data() == unknown.get_data() == b""
    assert len(links(caplog, PATH)) == 1
    assert len(db.session.scalars(select(PasswordReset)).all()) == 1
    page_known = client.post("/auth/password/forgot", data={"email": user.email})
    page_unknown = client.post("/auth/password/forgot", data={"email": "nobody@example.cn"})
    assert page_known.status_code == page_unknown.status_code == 302
    assert page_known.headers["Location"] == page_unknown.headers["Location"]


def test_reset_kills_every_session_and_token_and_works_once(app, client, caplog):
    capture(caplog)
    user = make_user("school")
    token = token_for(client, user)
    device = app.test_client()
    login(device, user)
    assert device.get("/auth/password").status_code == 200
    client.post("/api/v1/auth/password-reset", json={"email": user.email.upper()})
    [raw] = links(caplog, PATH)
    stored = db.session.scalar(select(PasswordReset))
    assert stored.token_hash != raw
    done = client.post("/api/v1/auth/password-reset/confirm", json={"token": raw, "password": NEW})
    assert done.status_code == 204
    assert device.get("/auth/password").status_code == 302
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert login(app.test_client(), user).status_code == 401
    assert login(app.test_client(), user, NEW).status_code == 302
    again = client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": raw, "password": "Noch-Eins-88"}
    )
    assert again.status_code == 409
    assert login(app.test_client(), user, NEW).status_code == 302
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "password_reset.request" in actions and "password_reset.use" in actions
    for event in db.session.scalars(select(AuditEvent)):
        text = str(event.after) + str(event.before) + str(event.note)
        assert raw not in text and NEW not in text


def test_expired_and_foreign_links_change_nothing(app, client, caplog):
    capture(caplog)
    user = make_user("teacher")
    client.post("/api/v1/auth/password-reset", json={"email": user.email})
    [raw] = links(caplog, PATH)
    reset = db.session.scalar(select(PasswordReset))
    reset.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    messages = set()
    for token in (raw, "someone-elses-token"):
        response = client.post(
            "/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW}
        )
        assert response.status_code == 409
        messages.add(response.get_json()["error"]["message"])
        assert client.get(PATH + token).status_code == 404
    assert len(messages) == 1
    assert login(app.test_client(), user).status_code == 302


def test_the_link_expires_after_the_configured_time(app, client, caplog):
    capture(caplog)
    user = make_user("teacher")
    client.post("/api/v1/auth/password-reset", json={"email": user.email})
    reset = db.session.scalar(select(PasswordReset))
    lifetime = reset.expires_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)
    assert timedelta(minutes=59) < lifetime <= timedelta(minutes=60)


def test_weak_new_password_is_refused_and_the_link_still_works(client, caplog):
    capture(caplog)
    user = make_user("teacher")
    client.post("/api/v1/auth/password-reset", json={"email": user.email})
    [raw] = links(caplog, PATH)
    weak = client.post(PATH + raw, data={"password": "short", "confirm": "short"})
    assert weak.status_code == 200 and "at least 8 characters" in weak.get_data(as_text=True)
    api = client.post("/api/v1/auth/password-reset/confirm", json={"token": raw, "password": "1"})
    assert api.status_code == 422 and "password" in api.get_json()["error"]["fields"]
    ok = client.post(PATH + raw, data={"password": NEW, "confirm": NEW})
    assert ok.status_code == 302 and ok.headers["Location"].endswith("/auth/login")


def test_reset_requests_are_rate_limited_like_logins(client):
    codes = [
        client.post(
            "/api/v1/auth/password-reset",
            json={"email": f"x{i}@example.cn"},
            environ_base={"REMOTE_ADDR": "10.9.9.9"},
        ).status_code
        for i in range(6)
    ]
    assert codes == [202] * 5 + [429]


def test_bad_reset_bodies_name_the_field(client):
    for body, field in (({}, "email"), ({"email": 5}, "email"), ({"email": "a\x00b"}, "email")):
        response = client.post("/api/v1/auth/password-reset", json=body)
        assert response.status_code == 422
        assert field in response.get_json()["error"]["fields"]


def test_login_page_links_to_the_reset(client):
    assert "/auth/password/forgot" in client.get("/auth/login").get_data(as_text=True)


def test_with_a_mail_server_the_link_goes_by_smtp_to_the_account(app, client, monkeypatch):
    from app.notifications import mail
    from tests.notifications.test_notifications import FakeSMTP

    FakeSMTP.sent = []
    FakeSMTP.fail = False
    monkeypatch.setattr(mail, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.cn")
    user = make_user("teacher")
    client.post("/api/v1/auth/password-reset", json={"email": user.email})
    client.post("/api/v1/auth/password-reset", json={"email": "nobody@example.cn"})
    [message] = FakeSMTP.sent
    assert message["To"] == user.email
    assert "http://localhost/auth/password/reset/" in message.get_content()
