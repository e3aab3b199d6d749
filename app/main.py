"""Home page and the signed-in user's start page."""

from flask import Blueprint, render_template
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
