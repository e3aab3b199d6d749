"""Sign-up, login, logout, password change and the session rules."""

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.common.models import AuditEvent
from app.extensions import db
from tests.helpers import PASSWORD, login, make_user


def _signup(client, **overrides):
    data = {
        "name": "王老师",
        "email": "wang@example.cn",
        "role": "teacher",
        "password": "Caoyuan-2025!",
        "confirm": "Caoyuan-2025!",
        "accept_privacy": "y",
    }
    data.update(overrides)
    return client.post("/auth/signup", data=data)


def test_signup_creates_hashed_account_and_logs_in(client):
    response = _signup(client)
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "wang@example.cn"))
    assert user.role == "teacher"
    assert user.password_hash != "Caoyuan-2025!" and user.password_hash.startswith("pbkdf2:")
    home = client.get("/")
    assert "王老师" in home.get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "field_text"),
    [
        ({"password": "short1!", "confirm": "short1!"}, "at least 8 characters"),
        ({"password": "password123", "confirm": "password123"}, "too common"),
        ({"confirm": "Different-2025!"}, "passwords differ"),
        ({"email": "not-an-email"}, "Invalid email"),
        ({"role": "region_admin"}, "Not a valid choice"),
    ],
)
def test_signup_refuses_bad_input_next_to_the_field(client, overrides, field_text):
    response = _signup(client, **overrides)
    assert response.status_code == 200
    assert field_text in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "wang@example.cn")) is None


def test_duplicate_email_is_refused(client):
    make_user("teacher", email="wang@example.cn")
    response = _signup(client, email="WANG@example.cn")
    assert "already exists" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(User)).all()) == 1


def test_login_wrong_password_is_refused(client):
    user = make_user("school")
    response = client.post("/auth/login", data={"email": user.email, "password": "wrong-one-1"})
    assert response.status_code == 401
    assert "Wrong email or password" in response.get_data(as_text=True)
    assert client.get("/auth/password").status_code == 302


def test_login_is_case_insensitive_on_email_and_records_time(client):
    user = make_user("school", email="office@school.cn")
    response = client.post("/auth/login", data={"email": "OFFICE@school.cn", "password": PASSWORD})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.last_login_at is not None


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/registry/enterprises?page=2", "/registry/enterprises?page=2"),
        ("https://evil.example", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_only_goes_to_local_paths(client, target, expected):
    user = make_user("teacher")
    response = client.post(
        "/auth/login?next=" + target, data={"email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_session_is_cleared_at_login(client):
    user = make_user("teacher")
    with client.session_transaction() as sess:
        sess["planted"] = "attacker-value"
    login(client, user)
    with client.session_transaction() as sess:
        assert "planted" not in sess


def test_logout_invalidates_a_captured_session_cookie(app, client):
    user = make_user("teacher")
    login(client, user)
    with client.session_transaction() as sess:
        captured = dict(sess)
    assert client.get("/auth/password").status_code == 200
    client.post("/auth/logout")
    thief = app.test_client()
    with thief.session_transaction() as sess:
        sess.update(captured)
    assert thief.get("/auth/password").status_code == 302


def test_password_change_invalidates_other_sessions(app, client):
    user = make_user("teacher")
    other_device = app.test_client()
    login(client, user)
    login(other_device, user)
    response = client.post(
        "/auth/password",
        data={"current": PASSWORD, "password": "Neue-Passwort-9", "confirm": "Neue-Passwort-9"},
    )
    assert response.status_code == 302
    assert client.get("/auth/password").status_code == 200
    assert other_device.get("/auth/password").status_code == 302
    fresh = app.test_client()
    assert login(fresh, user).status_code == 401
    assert login(fresh, user, "Neue-Passwort-9").status_code == 302
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "account.password_change" in actions


def test_password_change_requires_current_password(client):
    user = make_user("teacher")
    login(client, user)
    response = client.post(
        "/auth/password",
        data={
            "current": "wrong-pass-1",
            "password": "Neue-Passwort-9",
            "confirm": "Neue-Passwort-9",
        },
    )
    assert "current password is wrong" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert login(client, user).status_code == 302


def test_inactive_account_cannot_log_in(client):
    user = make_user("teacher")
    user.active = False
    db.session.commit()
    assert login(client, user).status_code == 401


def test_language_switch_shows_english(client):
    client.post("/auth/language/en", data={"next": "/auth/login"})
    assert "Log in" in client.get("/auth/login").get_data(as_text=True)
    client.post("/auth/language/zh_CN", data={"next": "/auth/login"})
    assert "登录" in client.get("/auth/login").get_data(as_text=True)


def test_audit_never_stores_passwords(client):
    _signup(client)
    events = db.session.scalars(select(AuditEvent)).all()
    assert events
    for event in events:
        assert "Caoyuan-2025!" not in str(event.after) + str(event.before)
