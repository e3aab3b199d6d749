"""The OpenAPI document covers every API route and is internally consistent."""

import re

from app.api.openapi import openapi_path
from tests.api.support import API, error_of

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def _document(client) -> dict:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    assert response.content_type.startswith("application/json")
    return response.get_json()


def _api_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((path, method.lower()))
    return routes


def test_every_api_route_is_documented(app, client):
    document = _document(client)
    documented = {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }
    routes = _api_routes(app)
    assert len(routes) >= 20
    assert routes - documented == set(), "routes missing from /api/v1/openapi.json"
    assert documented - routes == set(), "documented operations without a route"


def test_required_paths_of_the_issue_are_present(client):
    paths = _document(client)["paths"]
    for path, methods in {
        "/api/v1/auth/token": {"post", "delete"},
        "/api/v1/accounts": {"post"},
        "/api/v1/reference/regions": {"get"},
        "/api/v1/reference/industries": {"get"},
        "/api/v1/reference/majors": {"get"},
        "/api/v1/reference/occupations": {"get"},
        "/api/v1/enterprises": {"get", "post"},
        "/api/v1/enterprises/{id}": {"get", "patch"},
        "/api/v1/enterprises/{id}/review": {"post"},
        "/api/v1/enterprises/{id}/hosts": {"get", "post"},
        "/api/v1/schools": {"get", "post"},
        "/api/v1/schools/{id}": {"get", "patch"},
        "/api/v1/schools/{id}/review": {"post"},
        "/api/v1/hosts/{id}": {"get", "patch"},
    }.items():
        assert methods <= set(paths[path]), path


def test_path_conversion():
    assert openapi_path("/api/v1/hosts/<int:id>/retire") == (
        "/api/v1/hosts/{id}/retire",
        [("id", "int")],
    )


def _refs(node) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def test_document_is_consistent(client):
    document = _document(client)
    assert document["openapi"].startswith("3.")
    components = document["components"]
    assert components["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    for ref in _refs(document):
        section, name = ref.removeprefix("#/components/").split("/")
        assert name in components[section], ref
    error = components["schemas"]["Error"]["properties"]["error"]
    assert set(error["required"]) == {"code", "message", "fields"}
    operation_ids = []
    for path, item in document["paths"].items():
        params = set(re.findall(r"{(\w+)}", path))
        for method, op in item.items():
            operation_ids.append(op["operationId"])
            declared = {p["name"] for p in op.get("parameters", []) if p.get("in") == "path"}
            assert declared == params, (path, method)
            assert op["responses"], (path, method)
            assert "401" in op["responses"]
            if method in ("post", "patch") and "requestBody" in op:
                assert {"400", "422"} <= set(op["responses"]), (path, method)
            if op["security"] != [{}, {"bearer": []}]:
                assert op["security"] == [{"bearer": []}]
                assert "403" in op["responses"], (path, method)
    assert len(operation_ids) == len(set(operation_ids))


def test_schemas_match_the_issue_field_names(client):
    schemas = _document(client)["components"]["schemas"]
    assert {
        "name",
        "uscc",
        "industry",
        "region_code",
        "address",
        "contact_name",
        "contact_phone",
    } <= set(schemas["EnterpriseCreate"]["properties"])
    assert {"id", "status", "warnings", "review_reason"} <= set(schemas["Enterprise"]["properties"])
    assert schemas["SchoolCreate"]["properties"]["kind"]["enum"] == [
        "technician_college",
        "senior_technical_school",
        "technical_school",
    ]
    host = schemas["HostCreate"]["properties"]
    assert host["kind"]["enum"] == ["workshop", "training_station", "master_studio"]
    assert host["occupation_codes"]["type"] == "array"
    assert {
        "teacher_capacity",
        "equipment",
        "partner_school_id",
        "master_name",
        "honour",
        "level",
        "capacity",
    } <= set(host)
    assert {"items", "page", "pages", "total"} <= set(schemas["EnterpriseList"]["properties"])


def test_documented_list_responses_match_real_ones(client, world):
    schemas = _document(client)["components"]["schemas"]
    for url, name in (
        ("enterprises", "Enterprise"),
        ("schools", "School"),
        (f"enterprises/{world.enterprise.id}/hosts", "Host"),
    ):
        item = client.get(f"{API}/{url}").get_json()["items"][0]
        assert set(item) == set(schemas[name]["properties"]), name


def test_openapi_is_public_but_checks_tokens(client):
    error_of(client.get(f"{API}/openapi.json", headers={"Authorization": "Bearer nope"}), 401)


def test_every_api_view_has_a_permission_marker(app):
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith("api."):
            permission = getattr(view, "permission", None)
            assert (
                permission == "public"
                or permission == "login"
                or (permission or "").startswith("roles:")
            ), endpoint
