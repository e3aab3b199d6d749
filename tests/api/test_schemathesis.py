"""Property-based fuzzing of the JSON API from its own OpenAPI document (schemathesis).

Every documented operation is called with generated requests, anonymously and as a region
administrator; no answer may be a server error (5xx). The number of examples per operation is
kept small so that the whole API is covered on every run.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from app import create_app
from app.auth.services import issue_token
from app.extensions import db
from tests.helpers import build_world


def _operation_labels() -> list[str]:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", create_app("testing"))
    labels = sorted(
        f"{result.ok().method.upper()} {result.ok().full_path}"
        for result in schema.get_all_operations()
    )
    assert len(labels) > 50, "the OpenAPI document lost its operations"
    return labels


def _operation(app, label: str):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    for result in schema.get_all_operations():
        operation = result.ok()
        if f"{operation.method.upper()} {operation.full_path}" == label:
            return operation
    raise LookupError(label)


@pytest.mark.parametrize("label", _operation_labels())
def test_api_answers_fuzzed_requests_without_server_errors(app, label):
    operation = _operation(app, label)
    world = build_world()
    token = issue_token(world.users["region_admin"])
    db.session.commit()

    @given(case=operation.as_strategy())
    @settings(
        max_examples=6,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def call(case):
        for headers in ({}, {"Authorization": f"Bearer {token}"}):
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])
            db.session.rollback()

    call()


BAD_TEXT = {"surrogate": "\ud800", "nul": "a\x00b", "megabyte": "x" * 1_000_000}


def _string_properties(document: dict, operation: dict) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    properties = schema.get("properties", {})
    return [name for name, spec in properties.items() if spec.get("type") == "string"]


@pytest.mark.parametrize("kind", sorted(BAD_TEXT))
def test_every_json_body_refuses_surrogates_nul_and_huge_text(app, client, kind):
    """Each operation with a JSON body gets every string field set to bad text: 422, no 5xx."""
    import json

    world = build_world()
    token = issue_token(world.users["region_admin"])
    db.session.commit()
    document = client.get("/api/v1/openapi.json").get_json()
    bad = BAD_TEXT[kind]
    checked = 0
    for path, item in document["paths"].items():
        url = path
        for param in [p for p in path.split("/") if p.startswith("{")]:
            url = url.replace(param, "1")
        for method, operation in item.items():
            names = _string_properties(document, operation)
            if not names:
                continue
            body = json.dumps({name: bad for name in names})
            for headers in ({}, {"Authorization": f"Bearer {token}"}):
                response = client.open(
                    url,
                    method=method.upper(),
                    data=body,
                    headers=headers,
                    content_type="application/json",
                )
                assert response.status_code == 422, (method, path, response.status_code)
                fields = response.get_json()["error"]["fields"]
                assert set(fields) == set(names), (method, path)
                db.session.rollback()
            checked += 1
    assert checked > 20, "operations with JSON bodies not found"
