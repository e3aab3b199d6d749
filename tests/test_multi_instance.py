"""Several app servers and workers on one PostgreSQL and one Redis: two gunicorn instances and
two RQ workers (`flask --app wsgi rounds worker`, as deploy/systemd/gongxue-worker.service runs
it) share rounds, login limits and the cache of public figures.

Runs in the PostgreSQL pass (TEST_DATABASE_URL on PostgreSQL) with Redis at TEST_REDIS_URL;
skipped with the reason otherwise, except that under CI=true a missing Redis or gunicorn fails.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://")
# A Redis database of its own: the test flushes it, and its workers take every job of the
# "rounds" queue, so it must not share one with the other tests' TEST_REDIS_URL.
REDIS_URL = os.environ.get("TEST_REDIS_MULTI_URL", "redis://127.0.0.1:6379/14")
SECRET = "5d0f1c2b9a8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a392817065f4e"
PASSWORD = "Gongxue-Bench-2025"  # the generated world's published password
ADMIN = "region-admin@bench.gongxue.cn"
WAIT = 240  # seconds: generous, the machine may be busy


def _require(condition: bool, reason: str) -> None:
    if not condition:
        if os.environ.get("CI") == "true":
            pytest.fail(f"required under CI=true: {reason}")
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _call(base: str, method: str, path: str, body=None, token=None):
    """(status, parsed JSON or text) of one request."""
    headers = {"Accept-Language": "en"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
            status, raw, kind = (
                response.status,
                response.read(),
                response.headers.get_content_type(),
            )
    except urllib.error.HTTPError as error:
        status, raw, kind = error.code, error.read(), error.headers.get_content_type()
    text = raw.decode()
    return status, (json.loads(text) if kind == "application/json" and text else text)


def _figures(base: str) -> list[int]:
    """The home page's counts: schools, enterprises, hosts."""
    _status, page = _call(base, "GET", "/")
    return [int(n) for n in re.findall(r'<div class="fs-3 fw-bold">(\d+)</div>', page)]


def _wait_until(check, what: str, seconds: float = WAIT):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"timed out after {seconds:.0f} s waiting for {what}")


@pytest.fixture()
def cluster(tmp_path):
    """A fresh PostgreSQL database with a tiny generated world, a flushed Redis database, two
    gunicorn instances (A, B) and two RQ workers; everything stopped afterwards."""
    if not TEST_DATABASE_URL.startswith("postgresql"):
        # not a failure under CI=true: the PostgreSQL pass of the same run runs it
        pytest.skip("runs in the PostgreSQL pass (TEST_DATABASE_URL on PostgreSQL)")
    _require((BIN / "gunicorn").exists(), "gunicorn is not installed in the environment")
    import redis

    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.RedisError as exc:
        _require(False, f"Redis is not reachable at {REDIS_URL}: {exc}")
    connection.flushdb()

    database = f"{TEST_DATABASE_URL}_multi_{os.urandom(4).hex()}"  # this run's own database
    ensure = [sys.executable, "scripts/ensure_database.py"]
    subprocess.run([*ensure, database], cwd=ROOT, check=True, timeout=300)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": database,
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": SECRET,
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        # every round goes to the background, so the workers run it
        "ROUND_BACKGROUND_THRESHOLD": "0",
        # a window no test run outlasts: the count cannot restart halfway
        "LOGIN_RATE_LIMIT": "5 per hour",
    }
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    setup = {**env, "GONGXUE_ENV": "development"}
    for step in (["db", "upgrade"], ["reference", "load"], ["demo", "seed", "--scale", "tiny"]):
        done = subprocess.run(
            flask + step, env=setup, cwd=ROOT, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr[-3000:]

    production = {**env, "GONGXUE_ENV": "production"}
    processes: list[tuple[subprocess.Popen, Path]] = []

    def start(name: str, command: list[str]) -> subprocess.Popen:
        log = tmp_path / f"{name}.log"
        with open(log, "w") as out:
            proc = subprocess.Popen(
                command, env=production, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
            )
        processes.append((proc, log))
        return proc

    bases = []
    try:
        for name in ("web-a", "web-b"):
            port = _free_port()
            start(name, [str(BIN / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{port}", "wsgi:app"])
            bases.append(f"http://127.0.0.1:{port}")
        for name in ("worker-1", "worker-2"):
            start(name, [*flask, "rounds", "worker"])
        for base, (proc, log) in zip(bases, processes, strict=False):

            def answers(base=base, proc=proc, log=log):
                if proc.poll() is not None:
                    pytest.fail(f"{base} stopped at start:\n{log.read_text()[-3000:]}")
                try:
                    return _call(base, "GET", "/healthz")[0] == 200
                except OSError:
                    return False

            _wait_until(answers, f"{base}/healthz")
        yield {"a": bases[0], "b": bases[1], "logs": tmp_path, "database": database}
    finally:
        for proc, _log in processes:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc, _log in processes:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        connection.flushdb()
        try:
            subprocess.run([*ensure, "--drop", database], cwd=ROOT, check=False, timeout=300)
        except subprocess.TimeoutExpired:
            print(f"could not drop {database} in time; drop it by hand")


def _token(base: str, email: str = ADMIN) -> str:
    status, body = _call(base, "POST", "/api/v1/auth/token", {"email": email, "password": PASSWORD})
    assert status == 200, body
    return body["token"]


def _count(database: str, sql: str, **params) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql), params).scalar_one())
    finally:
        engine.dispose()


def test_two_servers_and_two_workers_share_rounds_limits_and_cache(cluster):
    a, b = cluster["a"], cluster["b"]
    token_a, token_b = _token(a), _token(b)

    # A round queued through A is run by exactly one worker, and B sees its preview.
    status, round_ = _call(
        a, "POST", "/api/v1/rounds", {"kind": "placement", "deadline": "2099-12-31"}, token_a
    )
    assert status == 201, round_
    status, body = _call(a, "POST", f"/api/v1/rounds/{round_['id']}/run", {}, token_a)
    assert status == 202 and body["status"] == "running", body

    def previewed():
        status, detail = _call(b, "GET", f"/api/v1/rounds/{round_['id']}", token=token_b)
        assert status == 200, detail
        assert detail["status"] != "failed", detail
        return detail if detail["status"] == "previewed" else None

    detail = _wait_until(previewed, "the round's preview, seen through B")
    assert detail["metrics"]["optimal"]["matched"] > 0
    status, matches = _call(b, "GET", f"/api/v1/rounds/{round_['id']}/matches", token=token_b)
    assert status == 200 and matches["total"] == detail["metrics"]["optimal"]["matched"]
    runs = _count(
        cluster["database"],
        "SELECT count(*) FROM audit_event WHERE action = 'round.run' AND target_id = :id",
        id=str(round_["id"]),
    )
    assert runs == 1
    logs = {
        name: (cluster["logs"] / f"{name}.log").read_text() for name in ("worker-1", "worker-2")
    }
    # RQ logs "rounds: app.rounds.jobs.run_round_job(…) (job id)" when a worker takes a job
    picked = {
        name: len(re.findall(r"rounds: \S*run_round_job\(", text)) for name, text in logs.items()
    }
    assert sorted(picked.values()) == [0, 1], logs

    # A change made through A shows through B at once (the cache lives in Redis).
    before = _figures(b)
    assert before == _figures(b)  # served from the cache now
    pending = _count(cluster["database"], "SELECT min(id) FROM enterprise WHERE status = 'pending'")
    status, body = _call(
        a,
        "POST",
        f"/api/v1/enterprises/{pending}/review",
        {"decision": "approve"},
        token_a,
    )
    assert status == 200 and body["status"] == "approved", body
    database = cluster["database"]
    now = [
        _count(database, "SELECT count(*) FROM school WHERE status = 'approved'"),
        _count(database, "SELECT count(*) FROM enterprise WHERE status = 'approved'"),
        _count(
            database,
            "SELECT count(*) FROM host JOIN enterprise ON enterprise.id = host.enterprise_id "
            "WHERE enterprise.status = 'approved' AND host.retired_at IS NULL",
        ),
    ]
    assert now != before
    assert _figures(b) == now  # B drops its cached figures at once
    assert _figures(a) == now

    # Login attempts from one address count across both servers: the sixth is refused.
    answers = []
    for n, base in enumerate([a, b, a, b, a, b, a]):
        status, _ = _call(
            base,
            "POST",
            "/api/v1/auth/token",
            {"email": f"nobody-{n}@example.com", "password": "wrong-password-1"},
        )
        answers.append(status)
    assert answers == [401, 401, 401, 401, 401, 429, 429]
