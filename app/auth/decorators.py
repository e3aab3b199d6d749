"""Role decorators for views: every route states who may enter."""

from functools import wraps

from flask import abort
from flask_login import current_user

from app.extensions import login_manager


def public(view):
    """Mark a view as open to everyone (the permission table checks every route says so)."""
    view.permission = "public"
    return view


def login_required(view):
    """Any logged-in account; anonymous users are sent to the login page."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    wrapped.permission = "login"
    return wrapped


def roles_required(*roles: str):
    """Only accounts with one of the roles; others get 403, anonymous users the login page."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.permission = "roles:" + ",".join(roles)
        return wrapped

    return decorator


admin_required = roles_required("league_admin", "region_admin")
region_admin_required = roles_required("region_admin")
