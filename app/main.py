"""Home page and the signed-in user's start page."""

import os
from functools import lru_cache

from flask import Blueprint, current_app, render_template
from flask_login import current_user
from sqlalchemy import func, select

from app.auth.decorators import public
from app.common.cache import cached, watch
from app.extensions import db
from app.registry.models import Enterprise, Host, School

bp = Blueprint("main", __name__)


def home_figures() -> dict[str, int]:
    """The public figures of the home page: approved schools, enterprises and active hosts."""
    return {
        "schools": db.session.scalar(
            select(func.count()).select_from(School).where(School.status == "approved")
        ),
        "enterprises": db.session.scalar(
            select(func.count()).select_from(Enterprise).where(Enterprise.status == "approved")
        ),
        "hosts": db.session.scalar(
            select(func.count())
            .select_from(Host)
            .join(Enterprise)
            .where(Enterprise.status == "approved", Host.retired_at.is_(None))
        ),
    }


watch("home", School, Enterprise, Host)


@bp.route("/")
@public
def home():
    """Landing page with the programme's public figures and the user's next steps."""
    counts = cached("home", "figures", home_figures)
    return render_template("main/home.html", counts=counts, user=current_user)


@bp.route("/healthz")
@public
def healthz():
    """Liveness probe for the reverse proxy: answers when the database does."""
    db.session.execute(select(1))
    return {"status": "ok"}


@lru_cache(maxsize=4)
def _migration_heads(directory: str) -> frozenset[str]:
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory(directory).get_heads())


def _check_database() -> str:
    db.session.execute(select(1))
    return "ok"


def _check_migrations() -> str:
    from alembic.migration import MigrationContext

    directory = os.path.join(os.path.dirname(current_app.root_path), "migrations")
    heads = _migration_heads(directory)
    current = set(MigrationContext.configure(db.session.connection()).get_current_heads())
    if current == heads:
        return "ok"
    return f"pending: database at {sorted(current) or 'none'}, code at {sorted(heads)}"


def _check_redis() -> str:
    import redis

    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


@bp.route("/readyz")
@public
def readyz():
    """Readiness probe: the database answers, Redis too when configured, no pending
    migrations; 503 with the failing checks otherwise (/healthz stays the cheap liveness probe)."""
    checks: dict[str, str] = {}
    for name, check in (
        ("database", _check_database),
        ("migrations", _check_migrations),
        ("redis", _check_redis),
    ):
        try:
            checks[name] = check()
        except Exception as exc:  # noqa: BLE001 - a probe reports, it does not fail
            checks[name] = f"error: {exc.__class__.__name__}"
            if name != "redis":
                db.session.rollback()
    ready = all(value in ("ok", "not configured") for value in checks.values())
    return {"status": "ready" if ready else "not ready", "checks": checks}, 200 if ready else 503
