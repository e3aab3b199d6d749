"""Permission rows: home, accounts, registry, reference data, and their JSON API."""

from app.extensions import db
from tests.permissions.common import (
    ACTED,
    LEAGUE_ADMINS,
    OWNERS_AND_ADMINS,
    REGION,
    Row,
    api_login,
    api_only,
    both,
    everyone,
    logged_in,
    only,
)


def _first_major(world) -> str:
    from sqlalchemy import select

    from app.reference.models import Major

    return f"/reference/majors/{db.session.scalar(select(Major.id).order_by(Major.id))}/edit"


ROWS: dict[str, Row] = {
    "GET static": Row("GET", "/static/css/app.css", everyone()),
    "GET main.home": Row("GET", "/", everyone()),
    "GET main.healthz": Row("GET", "/healthz", everyone()),
    # the test database is built by create_all(), not migrations: not ready
    "GET main.readyz": Row("GET", "/readyz", everyone(503)),
    **both("auth.login", "/auth/login", everyone(), everyone(200)),
    **both("auth.signup", "/auth/signup", {"*": 302, "anonymous": 200}),
    "POST auth.logout": Row("POST", "/auth/logout", logged_in(302)),
    "GET auth.logout": Row("GET", "/auth/logout", logged_in(200)),
    **both("auth.password", "/auth/password", logged_in(200)),
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
    **both(
        "registry.enterprise_new",
        "/registry/enterprises/new",
        only({"enterprise": 302, "enterprise_other": 302}),
    ),
    **both(
        "registry.enterprise_edit",
        lambda w: f"/registry/enterprises/{w.enterprise.id}/edit",
        only({**OWNERS_AND_ADMINS, "enterprise_staff": 403}),
        only({**ACTED, "enterprise_staff": 403}),
    ),
    **both(
        "registry.school_new", "/registry/schools/new", only({"school": 302, "school_other": 302})
    ),
    **both(
        "registry.school_edit",
        lambda w: f"/registry/schools/{w.school.id}/edit",
        only({"school": 200, "school_staff": 403, **LEAGUE_ADMINS}),
        only({"school": 302, "school_staff": 403, "league_admin": 302, "region_admin": 302}),
    ),
    **both(
        "registry.host_new",
        lambda w: f"/registry/enterprises/{w.enterprise.id}/hosts/new",
        only(OWNERS_AND_ADMINS),
    ),
    **both(
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
    **both(
        "registry.enterprise_review",
        lambda w: f"/registry/enterprises/{w.pending_enterprise.id}/review",
        only(LEAGUE_ADMINS),
    ),
    **both(
        "registry.school_review",
        lambda w: f"/registry/schools/{w.other_school.id}/review",
        only({"league_admin_other": 200, "region_admin": 200}),
    ),
    # reference data (region administrators)
    "GET reference.majors": Row("GET", "/reference/majors", only(REGION)),
    **both("reference.major_new", "/reference/majors/new", only(REGION)),
    **both("reference.major_edit", _first_major, only(REGION), only({"region_admin": 302})),
    "GET reference.occupations": Row("GET", "/reference/occupations", only(REGION)),
    **both("reference.occupation_new", "/reference/occupations/new", only(REGION)),
    **both(
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
        api_only({"enterprise": 200, "enterprise_staff": 403, **LEAGUE_ADMINS}),
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
        api_only({"school": 200, "school_staff": 403, **LEAGUE_ADMINS}),
        {"description": "x"},
    ),
    "POST api.review_school": Row(
        "POST",
        lambda w: f"/api/v1/schools/{w.school.id}/review",
        api_only({"league_admin": 422, "region_admin": 422}),
        {"decision": "reject"},
    ),
}
