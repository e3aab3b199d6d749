"""Browser tests: the real pages in headless Chromium (Debian's package) driven by Playwright.

A live server runs the app in a thread on a temporary SQLite file with CSRF on, as in
production. Without Chromium the tests skip with the reason, except under CI=true, where
.ci/run installs it and a missing browser fails the run.
"""

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.reference.services import load_reference

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests are required under CI=true: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app on its own SQLite file, with reference data, CSRF on."""
    path = tmp_path_factory.mktemp("live") / "live.db"
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "SQLALCHEMY_ENGINE_OPTIONS": {
                "connect_args": {"timeout": 30, "check_same_thread": False}
            },
            "WTF_CSRF_ENABLED": True,
            "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
        },
    )
    with app.app_context():
        db.create_all()
        load_reference()
        db.session.commit()
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    """Serve live_app on 127.0.0.1 at a free port; yields its base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium from the system package."""
    _require(
        os.path.exists(CHROMIUM), f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the machine
        _require(False, "the playwright package is not installed")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, live_server):
    """A fresh browser context (own cookies) and page; fails the test on a server error page."""
    context = browser.new_context(base_url=live_server, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture()
def in_live_db(live_app):
    """Run database code against the live server's database."""

    class Runner:
        def __call__(self, fn, *args, **kwargs):
            with live_app.app_context():
                result = fn(*args, **kwargs)
                db.session.commit()
                return result

    return Runner()


def pytest_collection_modifyitems(config, items):
    """Every test in tests/browser/ carries the `browser` mark (`pytest -m browser`)."""
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.browser)
