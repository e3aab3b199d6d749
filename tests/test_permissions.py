"""The permission table: every route, every kind of visitor, the expected answer.

Actors: anonymous, each role, a user of another organisation (``*_other``: the records used
belong to the Hohhot enterprise and school of the test world) and another league's
administrator (``league_admin_other``, Baotou). Rows live in tests/permissions/<domain>.py, one
dict ``ROWS`` per module keyed "METHOD endpoint"; a route missing from them fails the suite.

Expected answers are HTTP status codes; 302 for HTML pages means "sent to the login page" for
anonymous visitors (checked) or a redirect after a successful action.
"""

import importlib
import pkgutil

import pytest

import tests.permissions
from app.auth.services import issue_token
from app.extensions import db
from tests.helpers import World
from tests.permissions.common import ACTORS, Row


def _collect() -> dict[str, Row]:
    rows: dict[str, Row] = {}
    for info in pkgutil.iter_modules(tests.permissions.__path__):
        module = importlib.import_module(f"tests.permissions.{info.name}")
        for key, row in getattr(module, "ROWS", {}).items():
            assert key not in rows, f"duplicate permission row {key}"
            rows[key] = row
    return rows


ROUTES = _collect()


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
    endpoints = {
        f"{method} {rule.endpoint}"
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    missing = sorted(endpoints - set(ROUTES))
    stale = sorted(set(ROUTES) - endpoints)
    assert not missing, f"routes without a row in the permission table: {missing}"
    assert not stale, f"rows for routes that no longer exist: {stale}"


def test_every_view_declares_its_permission(app):
    undeclared = sorted(
        endpoint
        for endpoint, view in app.view_functions.items()
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
    if (
        expected == 302
        and actor == "anonymous"
        and row.expect.get("anonymous") == 302
        and row.expect.get("*") != 302
    ):
        assert "/auth/login" in response.headers["Location"]
    if response.status_code in (401, 403, 404) and not row_url(row, world).startswith("/api/"):
        assert "Traceback" not in response.get_data(as_text=True)


def row_url(row: Row, world: World) -> str:
    return row.url(world) if callable(row.url) else row.url
