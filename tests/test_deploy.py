"""The production deployment files: gunicorn with deploy/gunicorn.conf.py serves the app and
refuses unsafe settings by stopping, not by restarting workers."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
GOOD_SECRET = "f3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(tmp_path, **extra) -> dict:
    env = {
        "PATH": "/usr/bin:/bin",
        "GONGXUE_ENV": "production",
        "SECRET_KEY": GOOD_SECRET,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "GUNICORN_WORKERS": "1",
    }
    env.update(extra)
    return env


@pytest.mark.parametrize("with_conf", [True, False], ids=["deploy-conf", "bare-gunicorn"])
def test_gunicorn_stops_on_a_refused_configuration(tmp_path, with_conf):
    port = _free_port()
    command = [GUNICORN, "--bind", f"127.0.0.1:{port}", "wsgi:app"]
    if with_conf:
        command = [GUNICORN, "-c", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
        command.append("wsgi:app")
    proc = subprocess.Popen(
        command,
        env=_env(tmp_path, SECRET_KEY="a" * 32),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        output, _ = proc.communicate()
        pytest.fail(f"gunicorn kept running on a refused configuration:\n{output[-3000:]}")
    assert proc.returncode != 0
    assert "refusing to start: SECRET_KEY is too predictable" in output
    assert output.count("Booting worker") <= (0 if with_conf else 1)


@pytest.fixture()
def gunicorn_server(tmp_path):
    """gunicorn with deploy/gunicorn.conf.py on a free loopback port, after the documented
    install steps (db upgrade, reference load)."""
    env = _env(tmp_path)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for step in (["db", "upgrade"], ["reference", "load"]):
        done = subprocess.run(
            flask + step, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-3000:]
    port = _free_port()
    log = open(tmp_path / "gunicorn.log", "w+")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [GUNICORN, "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310 - loopback
            break
        except (urllib.error.URLError, ConnectionError):
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    yield base, proc, tmp_path / "gunicorn.log"
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
    log.close()


def _get(url: str, **headers):
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_gunicorn_serves_the_app_in_chinese_with_the_deploy_settings(gunicorn_server):
    base, proc, log_path = gunicorn_server
    assert proc.poll() is None, log_path.read_text()[-3000:]
    status, headers, html = _get(base + "/auth/login")
    assert status == 200
    assert 'lang="zh-CN"' in html and "登录" in html and "密码" in html
    status, _, _ = _get(base + "/healthz")
    assert status == 200


def test_request_lines_over_4_kb_get_the_app_error_through_gunicorn(gunicorn_server):
    base, _proc, _log = gunicorn_server
    status, headers, body = _get(base + "/api/v1/enterprises?q=" + "x" * 5000)
    assert status == 414
    assert '"uri_too_long"' in body and headers["X-Request-ID"]
