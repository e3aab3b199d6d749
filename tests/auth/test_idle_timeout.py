"""A page session ends after a configurable time without requests: 30 minutes for
administrators by default, longer for everyone else."""

import pytest

from app.common.time import utcnow
from tests.helpers import login, make_user


def _idle(client, minutes: int) -> None:
    with client.session_transaction() as session:
        session["last_seen"] = int(utcnow().timestamp()) - minutes * 60


def _signed_in(client) -> bool:
    response = client.get("/notifications/")
    return response.status_code == 200


@pytest.mark.parametrize("role", ["region_admin", "league_admin"])
def test_administrator_session_ends_after_30_idle_minutes(app, client, role):
    assert app.config["SESSION_IDLE_MINUTES_ADMIN"] == 30
    user = make_user(role, region_code="150100")
    login(client, user)
    _idle(client, 29)
    assert _signed_in(client)
    _idle(client, 31)
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    assert "next=" in response.headers["Location"]
    assert not _signed_in(client)  # the session is gone, not just this request refused


def test_other_users_get_the_longer_idle_time(app, client):
    user = make_user("teacher")
    login(client, user)
    _idle(client, 31)
    assert _signed_in(client)
    _idle(client, app.config["SESSION_IDLE_MINUTES"] + 1)
    assert client.get("/notifications/").status_code == 302


def test_idle_time_is_configurable(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES_ADMIN", 5)
    login(client, make_user("region_admin"))
    _idle(client, 6)
    assert client.get("/notifications/").status_code == 302


def test_each_request_restarts_the_idle_clock(client):
    login(client, make_user("region_admin"))
    _idle(client, 20)
    assert _signed_in(client)
    with client.session_transaction() as session:
        assert int(utcnow().timestamp()) - session["last_seen"] < 60
