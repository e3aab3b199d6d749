"""A database connection lost mid-request ends in the app's own error page, never the server's."""

import pytest
from sqlalchemy import text

from app import create_app
from app.extensions import db


@pytest.fixture()
def fragile_app(tmp_path):
    """An app that handles errors as in production, with routes that lose their connection."""
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'f.db'}",
            "PROPAGATE_EXCEPTIONS": False,
        },
    )

    def lose_connection():
        db.session.execute(text("SELECT 1"))
        db.session.connection().connection.dbapi_connection.close()
        return {"status": "ok"}

    app.add_url_rule("/test/lose-connection", "lose_html", lose_connection)
    app.add_url_rule("/api/v1/test/lose-connection", "lose_json", lose_connection)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_engine_pings_connections_before_use(app):
    assert db.engine.pool._pre_ping is True


def test_connection_lost_in_a_page_gives_the_app_error_page(fragile_app):
    client = fragile_app.test_client()
    response = client.get("/test/lose-connection")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong on our side" in html and "<nav" in html
    # the next request gets a working session again
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_connection_lost_in_an_api_call_gives_the_app_json_error(fragile_app):
    response = fragile_app.test_client().get("/api/v1/test/lose-connection")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "server_error"
