"""The permission table: every route, every kind of visitor, the expected answer.

Actors: anonymous, each role, a user of another organisation (``*_other``: the records below
belong to the Hohhot enterprise and school) and another league's administrator
(``league_admin_other``, Baotou). A route missing from ROUTES fails the suite.

Expected answers are HTTP status codes; 302 for HTML pages means "sent to the login page" for
anonymous visitors (checked) or a redirect after a successful action.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from app.auth.services import issue_token
from app.extensions import db
from tests.helpers import World

ACTORS = (
    "anonymous", "enterprise", "enterprise_other", "school", "school_other", "teacher",
    "league_admin", "league_admin_other", "region_admin",
)
ADMINS = ("league_admin", "region_admin")


@dataclass
class Row:
    """One route: how to call it and what each actor gets (``*`` is everyone else)."""

    method: str
    url: str | Callable[[World], str]
    expect: dict[str, int]
    data: dict | Callable[[World], dict] = field(default_factory=dict)

    def status_for(self, actor: str) -> int:
        return self.expect.get(actor, self.expect.get("*"))


def everyone(status: int = 200) -> dict[str, int]:
    return {"*": status}


def logged_in(status: int = 200, anonymous: int = 302) -> dict[str, int]:
    return {"*": status, "anonymous": anonymous}


def only(allowed: dict[str, int], others: int = 403, anonymous: int = 302) -> dict[str, int]:
    return {"*": others, "anonymous": anonymous, **allowed}


ROUTES: dict[str, Row] = {
    "static": Row("GET", "/static/css/app.css", everyone()),
    "main.home": Row("GET", "/", everyone()),
    "main.healthz": Row("GET", "/healthz", everyone()),
    "auth.login": Row("GET", "/auth/login", everyone()),
    "auth.signup": Row("GET", "/auth/signup", {"*": 302, "anonymous": 200}),
    "auth.logout": Row("POST", "/auth/logout", logged_in(302)),
    "auth.password": Row("GET", "/auth/password", logged_in(200)),
    "auth.language": Row("POST", "/auth/language/en", everyone(302)),
}


def _login(client, user) -> None:
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True


def _call(client, row: Row, world: World, actor: str):
    url = row.url(world) if callable(row.url) else row.url
    data = row.data(world) if callable(row.data) else row.data
    headers = {}
    if actor != "anonymous":
        user = world.users[actor]
        if url.startswith("/api/"):
            headers["Authorization"] = f"Bearer {issue_token(user)}"
            db.session.commit()
        else:
            _login(client, user)
    if url.startswith("/api/"):
        return client.open(url, method=row.method, json=data or None, headers=headers)
    return client.open(url, method=row.method, data=data, headers=headers)


def test_every_route_has_a_row(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(ROUTES))
    stale = sorted(set(ROUTES) - endpoints)
    assert not missing, f"routes without a row in the permission table: {missing}"
    assert not stale, f"rows for routes that no longer exist: {stale}"


def test_every_view_declares_its_permission(app):
    undeclared = sorted(
        endpoint for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not getattr(view, "permission", None)
    )
    assert not undeclared, f"views without a permission decorator: {undeclared}"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_permission_table(client, world, endpoint, actor):
    row = ROUTES[endpoint]
    response = _call(client, row, world, actor)
    expected = row.status_for(actor)
    assert response.status_code == expected, (
        f"{row.method} {endpoint} as {actor}: got {response.status_code}, expected {expected}"
    )
    if expected == 302 and actor == "anonymous" and row.expect.get("anonymous") == 302 \
            and row.expect.get("*") != 302:
        assert "/auth/login" in response.headers["Location"]
    if response.status_code in (401, 403, 404) and not row_url(row, world).startswith("/api/"):
        assert "Traceback" not in response.get_data(as_text=True)


def row_url(row: Row, world: World) -> str:
    return row.url(world) if callable(row.url) else row.url
