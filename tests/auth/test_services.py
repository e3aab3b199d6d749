"""Account services called directly: who may revoke a token, which roles sign up, what a
password change revokes, and what the audit records."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth import services
from app.auth.models import ApiToken
from app.common.errors import Conflict, Forbidden, ValidationFailed
from app.common.models import AuditEvent
from app.common.time import utcnow
from app.extensions import db
from tests.helpers import PASSWORD, make_user

NEW_PASSWORD = "Grassland-Horse-2026"


def test_a_token_is_revoked_only_by_its_owner(world):
    owner, other = world.users["school"], world.users["enterprise"]
    raw = services.issue_token(owner)
    db.session.commit()
    assert services.token_user(raw).id == owner.id
    with pytest.raises(Forbidden):
        services.revoke_token(other, raw)
    with pytest.raises(Forbidden):
        services.revoke_token(owner, raw + "x")
    assert services.token_user(raw).id == owner.id
    services.revoke_token(owner, raw)
    db.session.commit()
    assert services.token_user(raw) is None


def test_expired_tokens_and_inactive_accounts_give_no_user(world, app, monkeypatch):
    user = world.users["teacher"]
    monkeypatch.setitem(app.config, "API_TOKEN_TTL_DAYS", 30)
    raw = services.issue_token(user)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert token.prefix == raw[:8] and token.token_hash != raw
    assert token.expires_at is not None
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert services.token_user(raw) is None
    fresh = services.issue_token(user)
    user.active = False
    db.session.commit()
    assert services.token_user(fresh) is None


def test_self_signup_is_limited_to_its_roles(world):
    for role in ("region_admin", "league_admin"):
        with pytest.raises(ValidationFailed) as refused:
            services.create_account(f"{role}@x.cn", PASSWORD, role, "某", self_signup=True)
        assert "role" in refused.value.fields
    user = services.create_account("New@X.cn", PASSWORD, "school", "某校", self_signup=True)
    db.session.commit()
    assert user.role == "school"
    assert services.find_by_email("new@x.cn").id == user.id
    with pytest.raises(Conflict):
        services.create_account("new@x.cn", PASSWORD, "teacher", "某", self_signup=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.create"))
    assert event.actor_id == user.id and event.target_id == str(user.id)
    assert event.after["role"] == "school"


def test_create_admin_makes_a_league_or_region_administrator(world):
    league = services.create_admin("l@x.cn", PASSWORD, "盟市", "150100")
    region = services.create_admin("r@x.cn", PASSWORD, "区", None)
    assert (league.role, league.region_code) == ("league_admin", "150100")
    assert (region.role, region.region_code) == ("region_admin", None)
    with pytest.raises(ValidationFailed) as bad:
        services.create_admin("z@x.cn", PASSWORD, "无", "999999")
    assert "region_code" in bad.value.fields


def test_password_change_revokes_only_the_users_tokens(world):
    user, other = make_user("teacher"), make_user("teacher")
    mine, theirs = services.issue_token(user), services.issue_token(other)
    db.session.commit()
    with pytest.raises(ValidationFailed) as wrong:
        services.change_password(user, "not-it", NEW_PASSWORD)
    assert "current" in wrong.value.fields
    with pytest.raises(ValidationFailed):
        services.change_password(user, PASSWORD, "short")
    services.change_password(user, PASSWORD, NEW_PASSWORD)
    db.session.commit()
    assert services.token_user(mine) is None
    assert services.token_user(theirs).id == other.id
    assert services.authenticate(user.email, NEW_PASSWORD).id == user.id
    assert services.authenticate(user.email, PASSWORD) is None
    assert services.authenticate("nobody@x.cn", PASSWORD) is None
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "account.password_change")
    )
    assert event.actor_id == user.id and event.target_id == str(user.id)
