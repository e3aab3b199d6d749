"""Flask-Login wiring and session identity (login attempts are counted in app.auth.throttle;
password-reset requests and emailed links are limited here)."""

from flask import g, request
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from app.extensions import db, limiter


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


def idle_minutes(user) -> int:
    """Minutes without a request after which the user's session ends (shorter for admins)."""
    from flask import current_app

    key = "SESSION_IDLE_MINUTES_ADMIN" if user.is_admin else "SESSION_IDLE_MINUTES"
    return int(current_app.config[key])


def touch_session() -> None:
    """Note the time of the session's latest request (seconds since the epoch, UTC)."""
    from flask import session

    from app.common.time import utcnow

    session["last_seen"] = int(utcnow().timestamp())


def register_idle_timeout(app) -> None:
    """End a page session after a configurable time without requests (the API uses tokens)."""
    from flask import flash, redirect, request, session, url_for
    from flask_babel import gettext as _
    from flask_login import current_user, logout_user

    from app.common.time import utcnow

    @app.before_request
    def end_idle_session():
        if request.blueprint == "api" or request.endpoint == "static":
            return None
        if "_user_id" not in session or not current_user.is_authenticated:
            return None
        now = int(utcnow().timestamp())
        last = session.get("last_seen")
        minutes = idle_minutes(current_user)
        if isinstance(last, int) and now - last > minutes * 60:
            locale = session.get("locale")
            logout_user()
            session.clear()
            if locale:
                session["locale"] = locale
            flash(
                _("You were logged out after %(n)d minutes without activity.", n=minutes),
                "warning",
            )
            target = request.full_path if request.method == "GET" else None
            return redirect(url_for("auth.login", next=target))
        if not isinstance(last, int) or now - last >= 15:
            session["last_seen"] = now
        return None


def mark_login_failed() -> None:
    """Tell the rate limiter that this request was a failed attempt (a bad emailed link)."""
    g.login_failed = True


def _failed() -> bool:
    return bool(g.get("login_failed"))


def _account_key() -> str:
    """Rate-limit key of the account named in the request (form or JSON body)."""
    data = request.get_json(silent=True) if request.is_json else request.form
    email = data.get("email") if isinstance(data, dict) or hasattr(data, "getlist") else None
    return f"login-account:{email.strip().lower() if isinstance(email, str) else ''}"


def _limit_value() -> str:
    from flask import current_app

    return current_app.config["LOGIN_RATE_LIMIT"]


def _reset_account_key() -> str:
    """Rate-limit key of the email a reset is asked for."""
    return "reset-" + _account_key()


def reset_limits(view):
    """Limit password-reset requests per address and per email as logins are (every request
    counts, whether the email has an account or not)."""
    view = limiter.limit(_limit_value, methods=["POST"], scope="reset-address")(view)
    view = limiter.limit(
        _limit_value, methods=["POST"], key_func=_reset_account_key, scope="reset-account"
    )(view)
    return view


def link_limits(view):
    """Limit failed uses of emailed links (bad, used or expired tokens) per address."""
    return limiter.limit(
        _limit_value, methods=["POST"], deduct_when=lambda r: _failed(), scope="link-address"
    )(view)
