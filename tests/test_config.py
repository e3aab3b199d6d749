"""The factory and the configuration: production refuses unsafe settings."""

import subprocess
import sys

import pytest

from app import create_app
from config import ConfigError

GOOD_SECRET = "f3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
PG_URL = "postgresql+psycopg://gongxue@db.internal/gongxue"


@pytest.fixture()
def prod_env(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("DATABASE_URL", PG_URL)
    monkeypatch.delenv("REDIS_URL", raising=False)
    return monkeypatch


def test_production_starts_with_real_settings(prod_env):
    app = create_app("production")
    assert app.config["SECRET_KEY"] == GOOD_SECRET
    assert app.config["SQLALCHEMY_DATABASE_URI"] == PG_URL
    assert app.debug is False
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize(
    "secret", [None, "", "dev", "changeme", "dev-insecure-key-change-me", "short"]
)
def test_production_refuses_missing_or_default_secret(prod_env, secret):
    if secret is None:
        prod_env.delenv("SECRET_KEY")
    else:
        prod_env.setenv("SECRET_KEY", secret)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app("production")


def test_production_refuses_missing_database_url(prod_env):
    prod_env.delenv("DATABASE_URL")
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        create_app("production")


def test_production_refuses_debug(prod_env):
    with pytest.raises(ConfigError, match="DEBUG"):
        create_app("production", {"DEBUG": True})


def test_postgres_url_scheme_is_normalised(prod_env):
    prod_env.setenv("DATABASE_URL", "postgres://u@h/db")
    app = create_app("production")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_development_defaults_to_sqlite_in_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app("development")
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    assert uri.startswith("sqlite:///") and uri.endswith("instance/gongxue.db")


def test_unknown_configuration_name_is_refused():
    with pytest.raises(ConfigError, match="unknown configuration"):
        create_app("staging")


def test_wsgi_refuses_to_start_in_production_with_one_clear_line(tmp_path):
    env = {
        "GONGXUE_ENV": "production",
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "changeme",
        "DATABASE_URL": PG_URL,
    }
    proc = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        env=env,
        capture_output=True,
        text=True,
        cwd=str(__import__("pathlib").Path(__file__).parents[1]),
    )
    assert proc.returncode != 0
    assert "SECRET_KEY is missing or a known default" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_production_sends_hsts(prod_env):
    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    response = app.test_client().get("/static/css/app.css")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


ROOT = __import__("pathlib").Path(__file__).parents[1]


def _production_env(**extra) -> dict:
    env = {
        "GONGXUE_ENV": "production",
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": GOOD_SECRET,
        "DATABASE_URL": PG_URL,
    }
    env.update(extra)
    return env


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    "args, extra_env",
    [
        (["run"], {"FLASK_DEBUG": "1"}),
        (["--debug", "run"], {}),
        (["run", "--debugger"], {}),
        (["run", "--debug"], {}),
    ],
    ids=["FLASK_DEBUG=1", "flask --debug run", "run --debugger", "run --debug"],
)
def test_production_refuses_debug_however_switched_on(args, extra_env):
    """The development server (and so the Werkzeug debugger) never serves production."""
    command = [sys.executable, "-m", "flask", "--app", "wsgi", *args, "--port", str(_free_port())]
    proc = subprocess.Popen(
        command,
        env=_production_env(**extra_env),
        cwd=str(ROOT),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        output, _ = proc.communicate()
        pytest.fail(f"the server started in production: {output[-2000:]}")
    assert proc.returncode != 0
    assert "Debugger is active" not in output
    assert "refusing to start" in output
    assert "Traceback" not in output


def test_production_app_refuses_debug_set_later(prod_env):
    app = create_app("production")
    with pytest.raises(ConfigError, match="DEBUG"):
        app.debug = True
    with pytest.raises(ConfigError, match="DEBUG"):
        app.run(debug=True)
    assert app.debug is False


def test_production_refuses_debug_from_the_environment(prod_env):
    prod_env.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigError, match="DEBUG"):
        create_app("production")


@pytest.mark.parametrize(
    "secret", ["a" * 16, "a" * 64, "abababababababababababab", "0123456789abcdef"]
)
def test_production_refuses_a_low_entropy_secret(prod_env, secret):
    prod_env.setenv("SECRET_KEY", secret)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app("production")


def test_production_accepts_a_generated_secret(prod_env):
    import secrets

    for secret in (secrets.token_hex(32), secrets.token_urlsafe(32)):
        prod_env.setenv("SECRET_KEY", secret)
        assert create_app("production").config["SECRET_KEY"] == secret


def test_demo_seed_is_refused_in_production(prod_env, tmp_path):
    from app.auth.models import User
    from app.extensions import db

    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"})
    with app.app_context():
        db.create_all()
        result = app.test_cli_runner().invoke(args=["demo", "seed"])
        assert result.exit_code != 0
        assert "refused in production" in result.output
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0
        db.session.remove()
        db.engine.dispose()
