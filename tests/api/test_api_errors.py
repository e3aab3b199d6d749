"""Error shapes and hostile input: every bad request gets a 4xx JSON error, never a 5xx."""

import pytest

from app.api.schemas import (
    ACCOUNT_INPUT,
    ENTERPRISE_INPUT,
    HOST_INPUT,
    REVIEW_INPUT,
    SCHOOL_INPUT,
    TOKEN_INPUT,
)
from app.extensions import db
from app.registry.models import Enterprise, Host
from tests.api.support import API, auth, enterprise_body, error_of, host_body, school_body

HOSTILE_VALUES = [
    None,
    True,
    -1,
    2**70,
    1.5,
    "",
    "x" * 6000,
    "a\x00b",
    "javascript:alert(1)",
    [],
    ["x"],
    {},
    {"a": 1},
]


def test_malformed_json_is_400(client, world):
    headers = auth(client, world.users["enterprise_new"])
    for raw in ("{", '{"name": }', "nul\x00l", "\xff\xfe", "[" * 5000):
        response = client.post(
            f"{API}/enterprises", data=raw, content_type="application/json", headers=headers
        )
        error = error_of(response, 400)
        assert error["code"] == "bad_request"


@pytest.mark.parametrize("body", [[], ["name"], "text", 42, None, True])
def test_body_must_be_an_object(client, world, body):
    headers = auth(client, world.users["enterprise_new"])
    import json

    for method, url in (
        ("post", f"{API}/enterprises"),
        ("patch", f"{API}/enterprises/{world.enterprise.id}"),
        ("post", f"{API}/schools"),
        ("post", f"{API}/accounts"),
        ("post", f"{API}/auth/token"),
    ):
        response = getattr(client, method)(
            url, data=json.dumps(body), content_type="application/json", headers=headers
        )
        assert response.status_code in (400, 403), (url, response.status_code)
        error_of(response, response.status_code)


def test_empty_body_is_400(client, world):
    headers = auth(client, world.users["enterprise_new"])
    error_of(client.post(f"{API}/enterprises", headers=headers), 400)


def test_wrong_types_are_422_naming_the_field(client, world):
    headers = auth(client, world.users["enterprise"])
    url = f"{API}/enterprises/{world.enterprise.id}/hosts"
    cases = {
        "capacity": "abc",
        "occupation_codes": "x",
        "teacher_capacity": 1.5,
        "partner_school_id": "1",
        "name": ["a", "b"],
        "level": {"x": 1},
    }
    for field, value in cases.items():
        body = host_body(**{field: value})
        error = error_of(client.post(url, json=body, headers=headers), 422)
        assert field in error["fields"], (field, error)
    error = error_of(
        client.post(url, json=host_body(capacity=True, occupation_codes=[1]), headers=headers),
        422,
    )
    assert set(error["fields"]) == {"capacity", "occupation_codes"}
    assert db.session.scalar(db.select(db.func.count()).select_from(Host)) == 2


def test_nul_characters_are_refused(client, world):
    headers = auth(client, world.users["enterprise_new"])
    body = enterprise_body(name="坏\x00名字")
    assert (
        "name"
        in error_of(client.post(f"{API}/enterprises", json=body, headers=headers), 422)["fields"]
    )
    error = error_of(client.get(f"{API}/enterprises?q=a%00b"), 400)
    assert "q" in error["fields"]


def test_unknown_routes_and_methods_are_json(client):
    assert error_of(client.get(f"{API}/nothing-here"), 404)["code"] == "not_found"
    assert error_of(client.get(f"{API}/enterprises/999999"), 404)["code"] == "not_found"
    assert client.get(f"{API}/enterprises/{2**80}").status_code == 404
    response = client.put(f"{API}/enterprises", json={})
    assert error_of(response, 405)["code"] == "method_not_allowed"


def _targets(world) -> list[tuple[str, str, str | None, dict]]:
    """(method, url, user key, field spec) for every state-changing API route with a body."""
    ent, host, school = world.enterprise.id, world.host.id, world.school.id
    pending = world.pending_enterprise.id
    return [
        ("post", f"{API}/accounts", None, ACCOUNT_INPUT),
        ("post", f"{API}/auth/token", None, TOKEN_INPUT),
        ("post", f"{API}/enterprises", "enterprise_new", ENTERPRISE_INPUT),
        ("patch", f"{API}/enterprises/{ent}", "enterprise", ENTERPRISE_INPUT),
        ("post", f"{API}/enterprises/{pending}/review", "league_admin", REVIEW_INPUT),
        ("post", f"{API}/enterprises/{ent}/hosts", "enterprise", HOST_INPUT),
        ("patch", f"{API}/hosts/{host}", "enterprise", HOST_INPUT),
        ("post", f"{API}/schools", "school_new", SCHOOL_INPUT),
        ("patch", f"{API}/schools/{school}", "school", SCHOOL_INPUT),
        ("post", f"{API}/schools/{school}/review", "region_admin", REVIEW_INPUT),
    ]


@pytest.mark.slow
def test_fuzzed_fields_never_give_a_5xx(client, world):
    headers = {key: auth(client, user) for key, user in world.users.items()}
    for method, url, who, spec in _targets(world):
        base = (
            host_body("training_station")
            if "hosts" in url
            else school_body()
            if "schools" in url
            else enterprise_body()
        )
        for field in [*spec, "status", "id"]:
            for value in HOSTILE_VALUES:
                body = {**base, field: value}
                response = getattr(client, method)(url, json=body, headers=headers.get(who, {}))
                assert response.status_code < 500, (method, url, field, value)
                if response.status_code >= 400:
                    error_of(response, response.status_code)
    assert db.session.scalar(db.select(db.func.count()).select_from(Enterprise)) >= 3


def test_fuzzed_query_strings_never_give_a_5xx(client):
    for url in ("enterprises", "schools", "reference/occupations", "reference/majors"):
        for name in (
            "page",
            "per_page",
            "q",
            "region_code",
            "industry",
            "kind",
            "status",
            "occupation_code",
            "host_kind",
        ):
            for value in ("", "-1", "0", "9" * 40, "%25", "%00", "'; drop table x;--", "中文"):
                response = client.get(f"{API}/{url}?{name}={value}")
                assert response.status_code in (200, 400), (url, name, value)
