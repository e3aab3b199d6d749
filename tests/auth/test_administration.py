"""Account administration: list and search, deactivate and reactivate, league administrators."""

from sqlalchemy import select

from app.auth.models import User
from app.common.models import AuditEvent
from app.extensions import db
from tests.helpers import BAOTOU, HOHHOT, PASSWORD, bearer, login, login_en, token_for


def _users(client, admin, **params):
    response = client.get(
        "/api/v1/users", query_string=params, headers=bearer(token_for(client, admin))
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_region_admin_sees_all_league_admin_only_its_league(client, world):
    everyone = _users(client, world.users["region_admin"], per_page=100)
    assert everyone["total"] == len(world.users)
    hohhot = _users(client, world.users["league_admin"], per_page=100)
    emails = {u["email"] for u in hohhot["items"]}
    assert world.users["teacher"].email in emails
    assert world.users["enterprise_staff"].email in emails
    assert world.users["enterprise_other"].email not in emails
    assert world.users["league_admin_other"].email not in emails
    baotou = _users(client, world.users["region_admin"], region_code=BAOTOU, per_page=100)
    assert {u["email"] for u in baotou["items"]} == {
        world.users["enterprise_other"].email,
        world.users["school_other"].email,
        world.users["league_admin_other"].email,
    }


def test_search_and_role_filter_and_pagination(client, world):
    admin = world.users["region_admin"]
    found = _users(client, admin, q="呼和浩特机床")
    assert {u["id"] for u in found["items"]} == {
        world.users["enterprise"].id,
        world.users["enterprise_staff"].id,
    }
    teachers = _users(client, admin, role="teacher")
    assert [u["id"] for u in teachers["items"]] == [world.users["teacher"].id]
    page = _users(client, admin, per_page=3, page=2)
    assert len(page["items"]) == 3 and page["pages"] == 5
    bad = client.get(
        "/api/v1/users", query_string={"role": "king"}, headers=bearer(token_for(client, admin))
    )
    assert bad.status_code == 422 and "role" in bad.get_json()["error"]["fields"]


def test_deactivation_stops_sessions_and_tokens_at_once(app, client, world):
    victim = world.users["enterprise_staff"]
    token = token_for(client, victim)
    device = app.test_client()
    login(device, victim)
    assert device.get("/registry/mine").status_code == 200
    admin = bearer(token_for(client, world.users["league_admin"]))
    response = client.post(f"/api/v1/users/{victim.id}/deactivate", headers=admin)
    assert response.status_code == 200 and response.get_json()["active"] is False
    assert device.get("/registry/mine").status_code == 302
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert login(app.test_client(), victim).status_code == 401
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.deactivate"))
    assert event.actor_id == world.users["league_admin"].id and event.target_id == str(victim.id)
    back = client.post(f"/api/v1/users/{victim.id}/reactivate", headers=admin)
    assert back.status_code == 200
    assert login(app.test_client(), victim).status_code == 302
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_league_admin_cannot_touch_other_leagues_or_administrators(client, world):
    admin = bearer(token_for(client, world.users["league_admin"]))
    other = world.users["enterprise_other"]
    assert client.post(f"/api/v1/users/{other.id}/deactivate", headers=admin).status_code == 404
    region = world.users["region_admin"]
    assert client.post(f"/api/v1/users/{region.id}/deactivate", headers=admin).status_code == 404
    me = world.users["league_admin"]
    assert client.post(f"/api/v1/users/{me.id}/deactivate", headers=admin).status_code == 403
    for user in (other, region, me):
        db.session.refresh(user)
        assert user.active


def test_admin_deactivates_from_the_accounts_page(client, world):
    victim = world.users["teacher"]
    login_en(client, world.users["region_admin"])
    page = client.get("/auth/users", query_string={"q": victim.email}).get_data(as_text=True)
    assert victim.email in page and "Deactivate" in page
    response = client.post(f"/auth/users/{victim.id}/deactivate", data={"next": "/auth/users"})
    assert response.status_code == 302
    db.session.refresh(victim)
    assert victim.active is False


def test_region_admin_creates_a_league_admin(app, client, world):
    login_en(client, world.users["region_admin"])
    bad = client.post(
        "/auth/users/league-admins/new",
        data={
            "name": "包头管理员",
            "email": "bt@example.cn",
            "region_code": "",
            "password": PASSWORD,
        },
    )
    assert bad.status_code == 200
    assert db.session.scalar(select(User).where(User.email == "bt@example.cn")) is None
    ok = client.post(
        "/auth/users/league-admins/new",
        data={
            "name": "包头管理员",
            "email": "bt@example.cn",
            "region_code": BAOTOU,
            "password": PASSWORD,
        },
    )
    assert ok.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "bt@example.cn"))
    assert user.role == "league_admin" and user.region_code == BAOTOU
    assert login(app.test_client(), user).status_code == 302
    league = app.test_client()
    login(league, world.users["league_admin"])
    assert league.get("/auth/users/league-admins/new").status_code == 403
    assert HOHHOT != BAOTOU


def test_logout_can_revoke_api_tokens(client, world):
    user = world.users["teacher"]
    kept = token_for(client, user)
    login_en(client, user)
    page = client.get("/auth/logout").get_data(as_text=True)
    assert "revoke all my API tokens" in page
    client.post("/auth/logout", data={})
    assert client.get("/api/v1/me", headers=bearer(kept)).status_code == 200
    login_en(client, user)
    client.post("/auth/logout", data={"revoke_tokens": "y"})
    assert client.get("/api/v1/me", headers=bearer(kept)).status_code == 401
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert {"token.issue", "token.revoke", "login.success"} <= set(actions)


def test_login_failures_are_audited_without_the_password(client, world):
    user = world.users["teacher"]
    client.post("/auth/login", data={"email": user.email, "password": "Wrong-Guess-123"})
    client.post("/auth/login", data={"email": "ghost@example.cn", "password": "Wrong-Guess-123"})
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "login.failure").order_by(AuditEvent.id)
    ).all()
    assert [e.after["email"] for e in events] == [user.email, "ghost@example.cn"]
    assert events[0].target_id == str(user.id)
    for event in events:
        assert "Wrong-Guess-123" not in str(event.after)


def test_api_token_failures_and_issues_are_audited(client, world):
    user = world.users["school"]
    refused = client.post(
        "/api/v1/auth/token", json={"email": user.email, "password": "Wrong-Guess-123"}
    )
    assert refused.status_code == 401
    token_for(client, user)
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.target_id == str(user.id))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["login.failure", "token.issue"]
