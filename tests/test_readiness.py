"""/readyz checks the database, Redis when configured and pending migrations; /healthz is cheap."""

from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from tests.test_migrations import MIGRATIONS, empty_database  # noqa: F401 - fixture


def test_schema_not_built_by_migrations_is_not_ready(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["migrations"].startswith("pending")
    assert body["checks"]["redis"] == "not configured"


def test_migrated_database_is_ready_and_unreachable_redis_is_not(empty_database):  # noqa: F811
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        client = app.test_client()
        response = client.get("/readyz")
        assert response.status_code == 200, response.get_json()
        assert response.get_json() == {
            "status": "ready",
            "checks": {"database": "ok", "migrations": "ok", "redis": "not configured"},
        }
        app.config["REDIS_URL"] = "redis://127.0.0.1:9/0"
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.get_json()["checks"]["redis"].startswith("error")
        assert client.get("/healthz").status_code == 200
        db.session.remove()
        db.engine.dispose()
