"""Failed logins are rate limited per address and per account; successes are not."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from app import create_app
from app.extensions import db
from tests.helpers import PASSWORD, make_user


def _fail(client, email, addr="10.0.0.1"):
    return client.post(
        "/auth/login",
        data={"email": email, "password": "wrong-pass-1"},
        environ_base={"REMOTE_ADDR": addr},
    )


def test_sixth_failure_within_a_minute_gets_429(client):
    user = make_user("teacher")
    codes = [_fail(client, user.email).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]


def test_failures_are_counted_per_account_across_addresses(client):
    user = make_user("teacher")
    codes = [_fail(client, user.email, addr=f"10.0.1.{i}").status_code for i in range(6)]
    assert codes[-1] == 429


def test_successful_logins_from_one_address_are_not_throttled(app):
    users = [make_user("school") for _ in range(12)]
    for user in users:
        client = app.test_client()
        response = client.post(
            "/auth/login",
            data={"email": user.email, "password": PASSWORD},
            environ_base={"REMOTE_ADDR": "10.0.0.9"},
        )
        assert response.status_code == 302


def test_login_page_itself_is_not_limited(client):
    for _ in range(10):
        assert client.get("/auth/login").status_code == 200


ROOT = str(Path(__file__).resolve().parents[2])
REDIS_URL = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/15"


def _redis_available() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        return True
    except Exception:
        return False


SECOND_SERVER = """
import sys
from app import create_app
app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": sys.argv[1],
                             "RATELIMIT_STORAGE_URI": sys.argv[2]})
with app.app_context():
    r = app.test_client().post("/auth/login", data={"email": sys.argv[3], "password": "wrong-1234"},
                               environ_base={"REMOTE_ADDR": sys.argv[4]})
    print(r.status_code)
"""


def test_limit_is_shared_across_app_servers_through_redis(tmp_path):
    """Five failures on one server (process) make the sixth on another server a 429."""
    if not _redis_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required under CI=true but {REDIS_URL} does not answer")
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    uri = f"sqlite:///{tmp_path / 'shared.db'}"
    email = f"{uuid.uuid4().hex}@example.cn"
    addr = "10.{}.{}.{}".format(*uuid.uuid4().bytes[:3])  # fresh keys in the shared Redis
    server = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": uri, "RATELIMIT_STORAGE_URI": REDIS_URL}
    )
    with server.app_context():
        db.create_all()
        make_user("teacher", email=email)
        codes = [_fail(server.test_client(), email, addr=addr).status_code for _ in range(5)]
        db.session.remove()
    other = subprocess.run(
        [sys.executable, "-c", SECOND_SERVER, uri, REDIS_URL, email, addr],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert codes == [401] * 5
    assert other.stdout.strip().splitlines()[-1] == "429", other.stderr[-2000:]
