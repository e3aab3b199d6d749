"""Flask-Login wiring and session identity (login attempts are counted in app.auth.throttle)."""

from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from app.extensions import db


def configure(manager: LoginManager) -> None:
    """Set the login view, messages and the user loader."""
    manager.login_view = "auth.login"
    manager.login_message = _l("Please log in to continue.")
    manager.login_message_category = "warning"
    manager.session_protection = "basic"
    manager.user_loader(load_user)


def load_user(identity: str):
    """Load the user named by a session identity 'id:session_token', or None."""
    from app.auth.models import User

    user_id, _, token = (identity or "").partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_token != token or not user.active:
        return None
    return user
