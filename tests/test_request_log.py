"""Each request has an id (header, error pages, JSON errors) and one structured log line."""

import json
import logging

import pytest

from app.common.requestlog import JsonFormatter
from tests.helpers import PASSWORD, make_user


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture()
def log_lines():
    handler = _Lines()
    logger = logging.getLogger("gongxue.request")
    logger.addHandler(handler)
    old_level, old_disabled = logger.level, logger.disabled
    logger.setLevel(logging.INFO)
    logger.disabled = False  # alembic's fileConfig (migration tests) disables existing loggers
    yield handler.lines
    logger.removeHandler(handler)
    logger.setLevel(old_level)
    logger.disabled = old_disabled


def test_one_json_line_per_request_with_id_user_status_and_duration(client, log_lines):
    user = make_user("teacher")
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    log_lines.clear()
    response = client.get("/registry/enterprises")
    assert len(log_lines) == 1
    entry = json.loads(log_lines[0])
    assert entry["logger"] == "gongxue.request" and entry["message"] == "request"
    assert entry["request_id"] == response.headers["X-Request-ID"]
    assert entry["user"] == user.id
    assert entry["status"] == 200 and entry["method"] == "GET"
    assert entry["path"] == "/registry/enterprises"
    assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0
    assert entry["time"].endswith("Z")


def test_request_ids_differ_and_a_proxy_id_is_kept(client, log_lines):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert first != second and len(first) >= 16
    kept = client.get("/healthz", headers={"X-Request-ID": "nginx-1234abcd"})
    assert kept.headers["X-Request-ID"] == "nginx-1234abcd"
    forged = client.get("/healthz", headers={"X-Request-ID": "<script>" + "x" * 10})
    assert forged.headers["X-Request-ID"] != "<script>" + "x" * 10
    assert json.loads(log_lines[-1])["user"] is None


def test_error_pages_and_json_errors_show_the_request_id(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert page.headers["X-Request-ID"] in page.get_data(as_text=True)
    api = client.get("/api/v1/no-such-thing")
    assert api.get_json()["error"]["request_id"] == api.headers["X-Request-ID"]
