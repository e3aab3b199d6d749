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
    "anonymous",
    "enterprise",
    "enterprise_other",
    "school",
    "school_other",
    "teacher",
    "league_admin",
    "league_admin_other",
    "region_admin",
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


OWNERS_AND_ADMINS = {"enterprise": 200, "league_admin": 200, "region_admin": 200}
ACTED = {"enterprise": 302, "league_admin": 302, "region_admin": 302}
LEAGUE_ADMINS = {"league_admin": 200, "region_admin": 200}
REGION = {"region_admin": 200}


def api_login(status: int) -> dict[str, int]:
    return {"*": status, "anonymous": 401}


def api_only(allowed: dict[str, int]) -> dict[str, int]:
    return {"*": 403, "anonymous": 401, **allowed}


def _first_major(world) -> str:
    from sqlalchemy import select

    from app.reference.models import Major

    return f"/reference/majors/{db.session.scalar(select(Major.id).order_by(Major.id))}/edit"


def _both(endpoint: str, url, get: dict[str, int], post: dict[str, int] | None = None):
    """Rows for a form page: GET shows it, an empty POST re-shows it with errors."""
    return {
        f"GET {endpoint}": Row("GET", url, get),
        f"POST {endpoint}": Row("POST", url, post or get),
    }


#: "METHOD endpoint" -> Row. Records used: the Hohhot enterprise, host and school of the world;
#: its pending enterprise (Hohhot) and the Baotou school.
ROUTES: dict[str, Row] = {
    "GET static": Row("GET", "/static/css/app.css", everyone()),
    "GET main.home": Row("GET", "/", everyone()),
    "GET main.healthz": Row("GET", "/healthz", everyone()),
    **_both("auth.login", "/auth/login", everyone(), everyone(200)),
    **_both("auth.signup", "/auth/signup", {"*": 302, "anonymous": 200}),
    "POST auth.logout": Row("POST", "/auth/logout", logged_in(302)),
    **_both("auth.password", "/auth/password", logged_in(200)),
    "POST auth.language": Row("POST", "/auth/language/en", everyone(302)),
    # registry: public directory
    "GET registry.enterprises": Row("GET", "/registry/enterprises", everyone()),
    "GET registry.enterprise_detail": Row(
        "GET",
        lambda w: f"/registry/enterprises/{w.pending_enterprise.id}",
        {"*": 404, **LEAGUE_ADMINS},
    ),
    "GET registry.schools": Row("GET", "/registry/schools", everyone()),
    "GET registry.school_detail": Row(
        "GET", lambda w: f"/registry/schools/{w.school.id}", everyone()
    ),
    "GET registry.my_organisation": Row(
        "GET",
        "/registry/mine",
        only({"enterprise": 200, "enterprise_other": 200, "school": 200, "school_other": 200}),
    ),
    # registry: profiles and hosts
    **_both(
        "registry.enterprise_new",
        "/registry/enterprises/new",
        only({"enterprise": 302, "enterprise_other": 302}),
    ),
    **_both(
        "registry.enterprise_edit",
        lambda w: f"/registry/enterprises/{w.enterprise.id}/edit",
        only(OWNERS_AND_ADMINS),
        only(ACTED),
    ),
    **_both(
        "registry.school_new", "/registry/schools/new", only({"school": 302, "school_other": 302})
    ),
    **_both(
        "registry.school_edit",
        lambda w: f"/registry/schools/{w.school.id}/edit",
        only({"school": 200, **LEAGUE_ADMINS}),
        only({"school": 302, "league_admin": 302, "region_admin": 302}),
    ),
    **_both(
        "registry.host_new",
        lambda w: f"/registry/enterprises/{w.enterprise.id}/hosts/new",
        only(OWNERS_AND_ADMINS),
    ),
    **_both(
        "registry.host_edit", lambda w: f"/registry/hosts/{w.host.id}/edit", only(OWNERS_AND_ADMINS)
    ),
    "POST registry.host_retire": Row(
        "POST", lambda w: f"/registry/hosts/{w.host.id}/retire", only(ACTED)
    ),
    "POST registry.host_reinstate": Row(
        "POST", lambda w: f"/registry/hosts/{w.host.id}/reinstate", only(ACTED)
    ),
    # registry: review
    "GET registry.review_queue": Row(
        "GET", "/registry/review", only({**LEAGUE_ADMINS, "league_admin_other": 200})
    ),
    **_both(
        "registry.enterprise_review",
        lambda w: f"/registry/enterprises/{w.pending_enterprise.id}/review",
        only(LEAGUE_ADMINS),
    ),
    **_both(
        "registry.school_review",
        lambda w: f"/registry/schools/{w.other_school.id}/review",
        only({"league_admin_other": 200, "region_admin": 200}),
    ),
    # reference data (region administrators)
    "GET reference.majors": Row("GET", "/reference/majors", only(REGION)),
    **_both("reference.major_new", "/reference/majors/new", only(REGION)),
    **_both("reference.major_edit", _first_major, only(REGION), only({"region_admin": 302})),
    "GET reference.occupations": Row("GET", "/reference/occupations", only(REGION)),
    **_both("reference.occupation_new", "/reference/occupations/new", only(REGION)),
    **_both(
        "reference.occupation_edit",
        "/reference/occupations/6-18-01-01/edit",
        only(REGION),
        only({"region_admin": 302}),
    ),
    # JSON API v1 (bearer tokens; anonymous callers get 401 where a login is needed)
    **{
        f"GET api.{name}": Row("GET", f"/api/v1/{path}", everyone())
        for name, path in (
            ("openapi_document", "openapi.json"),
            ("regions", "reference/regions"),
            ("industries", "reference/industries"),
            ("majors", "reference/majors"),
            ("occupations", "reference/occupations"),
            ("enterprises", "enterprises"),
            ("schools", "schools"),
        )
    },
    "POST api.issue_token": Row("POST", "/api/v1/auth/token", everyone(400)),
    "DELETE api.revoke_token": Row("DELETE", "/api/v1/auth/token", api_login(204)),
    "POST api.create_account": Row("POST", "/api/v1/accounts", everyone(400)),
    "GET api.me": Row("GET", "/api/v1/me", api_login(200)),
    "GET api.enterprise": Row(
        "GET",
        lambda w: f"/api/v1/enterprises/{w.pending_enterprise.id}",
        {"*": 404, **LEAGUE_ADMINS},
    ),
    "POST api.create_enterprise": Row(
        "POST",
        "/api/v1/enterprises",
        api_only(
            {
                "enterprise": 422,
                "enterprise_other": 422,
                "league_admin": 422,
                "league_admin_other": 422,
                "region_admin": 422,
            }
        ),
        {"name": "x"},
    ),
    "PATCH api.update_enterprise": Row(
        "PATCH",
        lambda w: f"/api/v1/enterprises/{w.enterprise.id}",
        api_only({"enterprise": 200, **LEAGUE_ADMINS}),
        {"description": "x"},
    ),
    "POST api.review_enterprise": Row(
        "POST",
        lambda w: f"/api/v1/enterprises/{w.pending_enterprise.id}/review",
        api_only({"league_admin": 422, "region_admin": 422}),
        {"decision": "reject"},
    ),
    "GET api.enterprise_host_list": Row(
        "GET", lambda w: f"/api/v1/enterprises/{w.enterprise.id}/hosts", everyone()
    ),
    "POST api.create_host": Row(
        "POST",
        lambda w: f"/api/v1/enterprises/{w.enterprise.id}/hosts",
        api_only({"enterprise": 422, "league_admin": 422, "region_admin": 422}),
        {"kind": "workshop"},
    ),
    "GET api.host": Row("GET", lambda w: f"/api/v1/hosts/{w.host.id}", everyone()),
    "PATCH api.update_host": Row(
        "PATCH",
        lambda w: f"/api/v1/hosts/{w.host.id}",
        api_only({"enterprise": 422, "league_admin": 422, "region_admin": 422}),
        {"capacity": "x"},
    ),
    "POST api.retire_host": Row(
        "POST",
        lambda w: f"/api/v1/hosts/{w.host.id}/retire",
        api_only({"enterprise": 200, **LEAGUE_ADMINS}),
    ),
    "POST api.reinstate_host": Row(
        "POST",
        lambda w: f"/api/v1/hosts/{w.host.id}/reinstate",
        api_only({"enterprise": 409, "league_admin": 409, "region_admin": 409}),
    ),
    "GET api.school": Row("GET", lambda w: f"/api/v1/schools/{w.school.id}", everyone()),
    "POST api.create_school": Row(
        "POST",
        "/api/v1/schools",
        api_only(
            {
                "school": 422,
                "school_other": 422,
                "league_admin": 422,
                "league_admin_other": 422,
                "region_admin": 422,
            }
        ),
        {"name": "x"},
    ),
    "PATCH api.update_school": Row(
        "PATCH",
        lambda w: f"/api/v1/schools/{w.school.id}",
        api_only({"school": 200, **LEAGUE_ADMINS}),
        {"description": "x"},
    ),
    "POST api.review_school": Row(
        "POST",
        lambda w: f"/api/v1/schools/{w.school.id}/review",
        api_only({"league_admin": 422, "region_admin": 422}),
        {"decision": "reject"},
    ),
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
