"""API tokens and logins called as services: what each issue, revocation, logout and login
records in the audit (actor, action, target, after), and which tokens count as live."""

import pytest
from sqlalchemy import select

from app.auth import services
from app.common.models import AuditEvent
from app.extensions import db
from tests.helpers import PASSWORD


def _events(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def _who(event: AuditEvent) -> tuple:
    return (event.actor_id, event.action, event.target_type, event.target_id)


def test_issuing_and_revoking_a_token_records_its_prefix(world, app, monkeypatch):
    user = world.users["teacher"]
    monkeypatch.setitem(app.config, "API_TOKEN_TTL_DAYS", 0)  # 0: tokens without expiry
    raw = services.issue_token(user)
    assert len(raw) == 43  # 32 random bytes, URL-safe base64
    [issued] = _events("token.issue")
    assert _who(issued) == (user.id, "token.issue", "User", str(user.id))
    assert issued.after == {"prefix": raw[:8]}
    assert services.live_token_count(user) == 1
    services.revoke_token(user, raw)
    [revoked] = _events("token.revoke")
    assert _who(revoked) == (user.id, "token.revoke", "User", str(user.id))
    assert revoked.after == {"prefix": raw[:8]}
    assert services.live_token_count(user) == 0


def test_logout_everywhere_revokes_tokens_only_when_asked_and_records_how_many(world):
    user, other = world.users["teacher"], world.users["school"]
    first = services.issue_token(user)
    services.issue_token(user)
    services.issue_token(user)
    services.issue_token(other)
    services.revoke_token(user, first)
    db.session.commit()
    assert services.live_token_count(user) == 2  # the other account's token is not counted
    services.logout_everywhere(user)
    assert services.live_token_count(user) == 2
    assert [e.after for e in _events("token.revoke")] == [{"prefix": first[:8]}]
    services.logout_everywhere(user, revoke_tokens=True)
    assert services.live_token_count(user) == 0
    assert services.live_token_count(other) == 1
    everything = _events("token.revoke")[-1]
    assert _who(everything) == (user.id, "token.revoke", "User", str(user.id))
    assert everything.after == {"tokens": 2, "all": True}  # the one revoked before not again
    services.logout_everywhere(user, revoke_tokens=True)  # nothing left: nothing recorded
    assert len(_events("token.revoke")) == 2


def test_a_login_records_its_account(world):
    user = world.users["teacher"]
    services.record_login(user)
    [event] = _events("login.success")
    assert _who(event) == (user.id, "login.success", "User", str(user.id))
    assert user.last_login_at is not None


@pytest.mark.parametrize(
    ("tried", "recorded"),
    [
        ("nobody@example.cn", "nobody@example.cn"),
        ("x" * 300, "x" * 254),
        (None, ""),
    ],
)
def test_a_failed_login_records_the_email_tried_cleaned_and_no_actor(world, tried, recorded):
    assert services.authenticate(tried, PASSWORD) is None
    [event] = _events("login.failure")
    assert (event.actor_id, event.target_type, event.target_id) == (None, "User", "")
    assert event.after == {"email": recorded, "inactive": False}


def test_a_failed_login_on_a_known_account_names_it_and_says_if_inactive(world):
    user = world.users["teacher"]
    assert services.authenticate(user.email, "wrong-password") is None
    user.active = False
    assert services.authenticate(user.email, PASSWORD) is None
    wrong, inactive = _events("login.failure")
    assert _who(wrong) == (user.id, "login.failure", "User", str(user.id))
    assert wrong.after == {"email": user.email, "inactive": False}
    assert inactive.after == {"email": user.email, "inactive": True}
    too_long = "x" * 10_000
    assert services.authenticate(user.email, too_long) is None
    assert _events("login.failure")[-1].after == {"email": user.email, "inactive": False}
    assert _events("login.failure")[-1].actor_id is None


def test_an_email_that_cannot_be_stored_is_recorded_cleaned(world):
    services._audit_login_failed(None, "\ud800x@example.cn")  # a lone surrogate
    services._audit_login_failed(None, "no\x00body@example.cn")  # PostgreSQL refuses NUL
    assert [e.after["email"] for e in _events("login.failure")] == [
        "?x@example.cn",
        "nobody@example.cn",
    ]
