"""Flask-Login wiring, session identity and the rate limits on failed logins."""

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


def mark_login_failed() -> None:
    """Tell the rate limiter that this request was a failed login attempt."""
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


def login_limits(view):
    """Limit failed logins per address and per account; successful logins cost nothing."""
    view = limiter.limit(
        _limit_value, methods=["POST"], deduct_when=lambda r: _failed(), scope="login-address"
    )(view)
    view = limiter.limit(
        _limit_value,
        methods=["POST"],
        deduct_when=lambda r: _failed(),
        key_func=_account_key,
        scope="login-account",
    )(view)
    return view


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
