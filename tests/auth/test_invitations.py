"""Invitations: sent by owners, single use, expiring, only a hash stored."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.models import Invitation, User
from app.common.models import AuditEvent
from app.common.time import utcnow
from app.extensions import db
from tests.auth.mail import capture, links
from tests.helpers import PASSWORD, bearer, login, login_en, make_user, token_for

PATH = "/auth/invitations/"


def _invite(client, owner, email="colleague@example.cn", role="staff"):
    return client.post(
        "/api/v1/invitations",
        json={"email": email, "role": role},
        headers=bearer(token_for(client, owner)),
    )


def test_owner_invites_and_the_colleague_accepts_through_the_api(client, world, caplog):
    capture(caplog)
    response = _invite(client, world.users["enterprise"])
    assert response.status_code == 201
    assert response.get_json()["enterprise_id"] == world.enterprise.id
    [token] = links(caplog, PATH)
    invitation = db.session.get(Invitation, response.get_json()["id"])
    assert invitation.token_hash != token and token not in invitation.token_hash
    expires = invitation.expires_at.replace(tzinfo=None)
    assert expires - utcnow().replace(tzinfo=None) > timedelta(days=6, hours=23)
    accepted = client.post(
        "/api/v1/invitations/accept", json={"token": token, "name": "新同事", "password": PASSWORD}
    )
    assert accepted.status_code == 422  # the privacy notice is accepted as at sign-up
    assert "accept_privacy" in accepted.get_json()["error"]["fields"]
    accepted = client.post(
        "/api/v1/invitations/accept",
        json={"token": token, "name": "新同事", "password": PASSWORD, "accept_privacy": True},
    )
    assert accepted.status_code == 201
    body = accepted.get_json()
    assert body["enterprise_id"] == world.enterprise.id and body["membership_role"] == "staff"
    again = client.post(
        "/api/v1/invitations/accept",
        json={"token": token, "name": "又一个", "password": PASSWORD, "accept_privacy": True},
    )
    assert again.status_code == 409
    assert "token" in again.get_json()["error"]["fields"]
    assert db.session.scalar(select(User).where(User.name == "又一个")) is None
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "invitation.send" in actions and "invitation.accept" in actions
    for event in db.session.scalars(select(AuditEvent)):
        assert token not in str(event.after) + str(event.before) + str(event.note)


def test_staff_cannot_invite(client, world):
    response = _invite(client, world.users["enterprise_staff"])
    assert response.status_code == 403
    assert db.session.scalars(select(Invitation)).all() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email", "role": "staff"}, "email"),
        ({"email": "a@example.cn", "role": "boss"}, "role"),
        ({"email": "a@example.cn", "role": "teacher"}, "role"),
        ({"email": "a@example.cn"}, "role"),
        ({"email": ["a"], "role": "staff"}, "email"),
    ],
)
def test_bad_invitations_name_the_field(client, world, body, field):
    response = client.post(
        "/api/v1/invitations",
        json=body,
        headers=bearer(token_for(client, world.users["enterprise"])),
    )
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert db.session.scalars(select(Invitation)).all() == []


def test_expired_revoked_and_foreign_tokens_get_one_message_and_change_nothing(
    client, world, caplog
):
    capture(caplog)
    _invite(client, world.users["enterprise"], "a@example.cn")
    _invite(client, world.users["enterprise"], "b@example.cn")
    expired, revoked = links(caplog, PATH)
    first = db.session.scalar(select(Invitation).where(Invitation.email == "a@example.cn"))
    first.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    second = db.session.scalar(select(Invitation).where(Invitation.email == "b@example.cn"))
    owner = bearer(token_for(client, world.users["enterprise"]))
    assert client.delete(f"/api/v1/invitations/{second.id}", headers=owner).status_code == 204
    messages = set()
    for token in (expired, revoked, "made-up-token"):
        response = client.post(
            "/api/v1/invitations/accept",
            json={"token": token, "name": "某人", "password": PASSWORD},
        )
        assert response.status_code == 409
        messages.add(response.get_json()["error"]["message"])
        page = client.get(PATH + token)
        assert page.status_code == 404
    assert len(messages) == 1
    assert db.session.scalar(select(User).where(User.name == "某人")) is None


def test_pending_list_and_revoke(client, world):
    owner = world.users["school"]
    _invite(client, owner, "t@example.cn", "teacher")
    _invite(client, owner, "s@example.cn", "staff")
    staff_headers = bearer(token_for(client, world.users["school_staff"]))
    items = client.get("/api/v1/invitations", headers=staff_headers).get_json()["items"]
    assert sorted(i["email"] for i in items) == ["s@example.cn", "t@example.cn"]
    target = items[0]["id"]
    assert client.delete(f"/api/v1/invitations/{target}", headers=staff_headers).status_code == 403
    owner_headers = bearer(token_for(client, owner))
    assert client.delete(f"/api/v1/invitations/{target}", headers=owner_headers).status_code == 204
    items = client.get("/api/v1/invitations", headers=owner_headers).get_json()["items"]
    assert [i["id"] for i in items] != [] and target not in [i["id"] for i in items]


def test_school_invites_a_teacher_who_joins_as_teacher(client, world, caplog):
    capture(caplog)
    _invite(client, world.users["school"], "newteacher@example.cn", "teacher")
    [token] = links(caplog, PATH)
    response = client.post(
        PATH + token,
        data={"name": "赵老师", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert response.status_code == 200  # without the privacy notice accepted: nothing saved
    assert "accept_privacy" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "newteacher@example.cn")) is None
    response = client.post(
        PATH + token,
        data={"name": "赵老师", "password": PASSWORD, "confirm": PASSWORD, "accept_privacy": "y"},
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "newteacher@example.cn"))
    assert user.privacy_version is not None
    assert user.role == "teacher" and user.school_id == world.school.id
    assert user.membership_role is None


def test_an_account_without_organisation_joins_with_itself(app, client, world, caplog):
    capture(caplog)
    loner = make_user("enterprise", email="loner@example.cn")
    _invite(client, world.users["enterprise"], "loner@example.cn")
    [token] = links(caplog, PATH)
    browser = app.test_client()
    login_en(browser, loner)
    assert "Join with my account" in browser.get(PATH + token).get_data(as_text=True)
    assert browser.post(PATH + token).status_code == 302
    db.session.refresh(loner)
    assert loner.enterprise_id == world.enterprise.id and loner.membership_role == "staff"


def test_an_account_of_another_organisation_cannot_join(app, client, world, caplog):
    capture(caplog)
    _invite(client, world.users["enterprise"], world.users["enterprise_other"].email)
    [token] = links(caplog, PATH)
    other = world.users["enterprise_other"]
    browser = app.test_client()
    login(browser, other)
    assert browser.post(PATH + token).status_code == 409
    db.session.refresh(other)
    assert other.enterprise_id == world.other_enterprise.id


def test_new_account_form_errors_stay_next_to_the_field(client, world, caplog):
    capture(caplog)
    _invite(client, world.users["enterprise"])
    [token] = links(caplog, PATH)
    response = client.post(PATH + token, data={"name": "", "password": "short", "confirm": "x"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "at least 8 characters" in html
    invitation = db.session.scalar(select(Invitation))
    assert invitation.accepted_at is None


def test_owner_invites_from_the_members_page(client, world, caplog):
    capture(caplog)
    login_en(client, world.users["enterprise"])
    response = client.post("/registry/members", data={"email": "x@example.cn", "role": "owner"})
    assert response.status_code == 302
    page = client.get("/registry/members").get_data(as_text=True)
    assert "x@example.cn" in page
    assert len(links(caplog, PATH)) == 1
    bad = client.post("/registry/members", data={"email": "nope", "role": "staff"})
    assert bad.status_code == 200 and "Invalid email" in bad.get_data(as_text=True)
