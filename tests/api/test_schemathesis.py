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
