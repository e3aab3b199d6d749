"""Fixtures: one app per test session on SQLite or PostgreSQL (TEST_DATABASE_URL), clean tables
per test, clients and login helpers."""

import os

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from tests import helpers

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://")
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def _worker_database_url() -> str:
    """Under pytest-xdist each worker gets its own PostgreSQL database (created if missing)."""
    if not (_WORKER and TEST_DATABASE_URL.startswith("postgresql")):
        return TEST_DATABASE_URL
    from scripts.ensure_database import main as ensure_database

    url = f"{TEST_DATABASE_URL}_{_WORKER}"
    if ensure_database(url) != 0 and os.environ.get("CI") == "true":
        raise RuntimeError(f"cannot create the worker database {url}")
    return url


def pytest_report_header(config):
    return f"database: {TEST_DATABASE_URL.split('@')[-1]}"


class IsolatedClient(FlaskClient):
    """A test client whose requests each start with a fresh `g` and unexpired rows.

    Tests keep one app context pushed (for db access); Flask reuses it for requests, so
    without this, the logged-in user and locale cached in `g` would leak between clients.
    """

    def open(self, *args, **kwargs):
        from app.extensions import db

        if has_app_context():
            for key in list(vars(g)):
                delattr(g, key)
            db.session.expire_all()
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app():
    """The application bound to the test database, schema created from the models."""
    from app import create_app
    from app.extensions import db

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": _worker_database_url()})
    app.test_client_class = IsolatedClient
    with app.app_context():
        try:
            db.session.execute(text("SELECT 1"))
        except OperationalError as exc:  # pragma: no cover - depends on the machine
            if os.environ.get("CI") == "true":
                raise
            pytest.skip(f"test database {TEST_DATABASE_URL} is not reachable: {exc}")
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request, app):
    """Every test starts with empty tables and the reference data loaded."""
    from app.common.cache import cache
    from app.extensions import db, limiter

    ctx = app.app_context()
    ctx.push()
    helpers.reset_database()
    limiter.reset()
    cache.clear()
    yield
    db.session.remove()
    ctx.pop()


@pytest.fixture()
def client(app):
    """A test client without a logged-in user."""
    return app.test_client()


@pytest.fixture()
def world(app):
    """A small known world: two leagues, organisations in each, one account per role."""
    return helpers.build_world()
