"""Sign-up, tokens and the 401s of the API."""

import logging

from app.auth.models import ApiToken
from app.extensions import db
from tests.api.support import API, auth, error_of, sign_up
from tests.helpers import PASSWORD, bearer, login, token_for


def test_sign_up_then_token_then_me(client):
    account, headers = sign_up(client, "school")
    assert account["role"] == "school"
    assert "password" not in account and "password_hash" not in account
    me = client.get(f"{API}/me", headers=headers)
    assert me.status_code == 200
    assert me.get_json()["email"] == account["email"]
    assert me.get_json()["school_id"] is None


def test_token_is_stored_hashed(client, world):
    user = world.users["enterprise"]
    raw = token_for(client, user)
    stored = db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert stored.token_hash == ApiToken.hash(raw) and stored.token_hash != raw
    assert len(raw) >= 32


def test_sign_up_refuses_admin_roles(client):
    for role in ("league_admin", "region_admin", "nobody"):
        response = client.post(
            f"{API}/accounts",
            json={"email": f"{role}@x.cn", "password": PASSWORD, "role": role, "name": "某人"},
        )
        error = error_of(response, 422)
        assert error["code"] == "validation_error"
        assert "role" in error["fields"]


def test_sign_up_weak_password_and_duplicate_email(client):
    weak = client.post(
        f"{API}/accounts",
        json={"email": "weak@x.cn", "password": "password", "role": "teacher", "name": "某人"},
    )
    assert "password" in error_of(weak, 422)["fields"]
    short = client.post(
        f"{API}/accounts",
        json={"email": "short@x.cn", "password": "Ab1!", "role": "teacher", "name": "某人"},
    )
    assert "password" in error_of(short, 422)["fields"]
    body = {
        "email": "Dup@x.cn",
        "password": PASSWORD,
        "role": "teacher",
        "name": "某人",
        "accept_privacy": True,
    }
    assert client.post(f"{API}/accounts", json=body).status_code == 201
    again = client.post(f"{API}/accounts", json={**body, "email": "dup@X.cn"})
    error = error_of(again, 409)
    assert "email" in error["fields"]


def test_sign_up_missing_and_bad_email(client):
    error = error_of(client.post(f"{API}/accounts", json={"role": "teacher"}), 422)
    assert {"email", "password", "name"} <= set(error["fields"])
    bad = client.post(
        f"{API}/accounts",
        json={"email": "not-an-email", "password": PASSWORD, "role": "teacher", "name": "某人"},
    )
    assert "email" in error_of(bad, 422)["fields"]


def test_sign_up_ignores_privileged_fields(client, world):
    response = client.post(
        f"{API}/accounts",
        json={
            "email": "sneaky@x.cn",
            "password": PASSWORD,
            "role": "enterprise",
            "name": "某人",
            "enterprise_id": world.enterprise.id,
            "region_code": "150200",
            "is_admin": True,
            "privacy_version": "1999-01-01",
            "accept_privacy": True,
        },
    )
    assert response.status_code == 201
    account = response.get_json()
    assert account["enterprise_id"] is None and account["region_code"] is None
    assert account["role"] == "enterprise"
    from app.auth.models import User
    from app.common.privacy import PRIVACY_NOTICE_VERSION

    assert db.session.get(User, account["id"]).privacy_version == PRIVACY_NOTICE_VERSION


def test_bad_password_is_401(client, world):
    user = world.users["enterprise"]
    response = client.post(f"{API}/auth/token", json={"email": user.email, "password": "nope"})
    error = error_of(response, 401)
    assert error["code"] == "unauthorized"
    assert "token" not in response.get_json()
    unknown = client.post(f"{API}/auth/token", json={"email": "ghost@x.cn", "password": "x"})
    error_of(unknown, 401)


def test_inactive_account_gets_no_token(client, world):
    user = world.users["teacher"]
    user.active = False
    db.session.commit()
    error_of(
        client.post(f"{API}/auth/token", json={"email": user.email, "password": PASSWORD}), 401
    )


def test_token_body_errors(client):
    assert error_of(client.post(f"{API}/auth/token", json={}), 422)["fields"].keys() == {
        "email",
        "password",
    }
    error_of(client.post(f"{API}/auth/token", data="{", content_type="application/json"), 400)
    error_of(client.post(f"{API}/auth/token", json=["a"]), 400)
    error_of(client.post(f"{API}/auth/token", json={"email": 1, "password": ["x"]}), 422)


def test_invalid_token_is_401_even_on_public_endpoint(client):
    assert client.get(f"{API}/enterprises").status_code == 200
    for header in ("Bearer not-a-token", "Bearer ", "Basic dXNlcjpwYXNz", "token"):
        response = client.get(f"{API}/enterprises", headers={"Authorization": header})
        assert error_of(response, 401)["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    response = client.get(f"{API}/reference/regions", headers=bearer("x" * 43))
    error_of(response, 401)


def test_login_required_endpoints_without_token(client, world):
    error_of(client.get(f"{API}/me"), 401)
    error_of(client.post(f"{API}/enterprises", json={}), 401)
    error_of(client.delete(f"{API}/auth/token"), 401)


def test_session_cookie_does_not_authenticate_the_api(client, world):
    user = world.users["enterprise"]
    assert login(client, user).status_code in (302, 303)
    error_of(client.get(f"{API}/me"), 401)
    response = client.patch(f"{API}/enterprises/{world.enterprise.id}", json={"name": "改名"})
    error_of(response, 401)


def test_revoked_token_is_401(client, world):
    headers = auth(client, world.users["enterprise"])
    assert client.get(f"{API}/me", headers=headers).status_code == 200
    response = client.delete(f"{API}/auth/token", headers=headers)
    assert response.status_code == 204 and response.get_data() == b""
    error_of(client.get(f"{API}/me", headers=headers), 401)
    error_of(client.get(f"{API}/enterprises", headers=headers), 401)


def test_revoking_one_token_keeps_the_others(client, world):
    user = world.users["enterprise"]
    first, second = auth(client, user), auth(client, user)
    assert client.delete(f"{API}/auth/token", headers=first).status_code == 204
    assert client.get(f"{API}/me", headers=second).get_json()["id"] == user.id


def test_expired_token_is_401(client, world):
    from datetime import timedelta

    from app.common.time import utcnow

    headers = auth(client, world.users["school"])
    for token in db.session.scalars(db.select(ApiToken)):
        token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    error_of(client.get(f"{API}/me", headers=headers), 401)


def test_token_stops_working_after_password_change(client, world):
    from app.auth.services import change_password

    user = world.users["teacher"]
    headers = auth(client, user)
    change_password(user, PASSWORD, "An0ther-Passw0rd!")
    db.session.commit()
    error_of(client.get(f"{API}/me", headers=headers), 401)
    fresh = auth_with(client, user.email, "An0ther-Passw0rd!")
    assert client.get(f"{API}/me", headers=fresh).status_code == 200


def auth_with(client, email: str, password: str) -> dict[str, str]:
    response = client.post(f"{API}/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200
    return bearer(response.get_json()["token"])


def test_failed_token_requests_are_rate_limited(client, world):
    user = world.users["enterprise"]
    for _ in range(5):
        response = client.post(f"{API}/auth/token", json={"email": user.email, "password": "x"})
        assert response.status_code == 401
    sixth = client.post(f"{API}/auth/token", json={"email": user.email, "password": PASSWORD})
    assert error_of(sixth, 429)["code"] == "rate_limited"


def test_successful_token_requests_are_not_limited(client, world):
    user = world.users["enterprise"]
    for _ in range(8):
        assert (
            client.post(
                f"{API}/auth/token", json={"email": user.email, "password": PASSWORD}
            ).status_code
            == 200
        )


def test_tokens_are_never_logged(client, world, caplog):
    caplog.set_level(logging.DEBUG)
    raw = token_for(client, world.users["enterprise"])
    client.get(f"{API}/me", headers=bearer(raw))
    client.delete(f"{API}/auth/token", headers=bearer(raw))
    client.get(f"{API}/me", headers=bearer(raw))
    assert raw not in caplog.text
    assert PASSWORD not in caplog.text
