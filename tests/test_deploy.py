"""The production deployment files: gunicorn with deploy/gunicorn.conf.py serves the app and
refuses unsafe settings by stopping, not by restarting workers."""

import json
import os
import shutil
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
    request_id = headers["X-Request-ID"]
    lines = [line for line in log_path.read_text().splitlines() if request_id in line]
    # gunicorn's access line and the app's JSON line both carry the request id
    assert any(f"request_id={request_id}" in line and '"GET /auth/login' in line for line in lines)
    app_lines = [json.loads(line) for line in lines if line.startswith("{")]
    assert [(e["path"], e["status"], e["user"]) for e in app_lines] == [("/auth/login", 200, None)]


def test_request_lines_over_4_kb_get_the_app_error_through_gunicorn(gunicorn_server):
    base, _proc, _log = gunicorn_server
    status, headers, body = _get(base + "/api/v1/enterprises?q=" + "x" * 5000)
    assert status == 414
    assert '"uri_too_long"' in body and headers["X-Request-ID"]


def _answers(redis_url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(redis_url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _production_steps() -> list[str]:
    """The command lines of the README's "Running in production" block, in order."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Running in production", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_readme_production_steps_serve_chinese_from_a_fresh_checkout(tmp_path):
    """Run the documented steps word for word in a fresh copy of the repository (no compiled
    catalogues), with these substitutions only: the shared virtualenv instead of a new one, a
    database and Redis of the test run, a real password, a free port."""
    checkout = tmp_path / "checkout"
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in files:
        source = ROOT / name
        if source.is_file() and not name.endswith(".mo"):
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, checkout / name)
    assert not list(checkout.glob("app/translations/*/LC_MESSAGES/messages.mo"))
    (checkout / ".venv").symlink_to(Path(sys.executable).parents[1])

    steps = _production_steps()
    assert steps[0].startswith("python3 -m venv .venv")
    assert steps[-1] == "gunicorn -c deploy/gunicorn.conf.py wsgi:app"
    database = f"sqlite:///{tmp_path / 'prod.db'}"  # a new, empty database of its own
    port = _free_port()
    script = []
    for line in steps[1:]:
        if line.startswith("export DATABASE_URL="):
            line = f"export DATABASE_URL={database}"
        elif line.startswith("export REDIS_URL="):
            redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
            line = f"export REDIS_URL={redis_url}" if _answers(redis_url) else "unset REDIS_URL"
        line = line.replace("--password '…'", "--password 'Pr0duction-Admin-Passw0rd'")
        if line.startswith("gunicorn "):
            line = f"export GUNICORN_BIND=127.0.0.1:{port} GUNICORN_WORKERS=1\nexec {line}"
        script.append(line)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "UPLOAD_FOLDER": str(tmp_path / "up")}
    log = open(tmp_path / "steps.log", "w+")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        ["bash", "-euc", "\n".join(script)], cwd=checkout, env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        status = None
        for _ in range(600):
            if proc.poll() is not None:
                break
            try:
                status, _h, _b = _get(base + "/healthz")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        assert status == 200, (tmp_path / "steps.log").read_text()[-4000:]
        status, headers, html = _get(base + "/auth/login")
        assert status == 200
        assert 'lang="zh-CN"' in html and "登录" in html and "密码" in html
        status, _h, body = _get(base + "/readyz")
        assert status == 200, body
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=60)
        log.close()
