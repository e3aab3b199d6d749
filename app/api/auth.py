"""API permission decorators, tokens and self sign-up."""

from collections.abc import Callable
from functools import wraps

from flask import g, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.api import bp
from app.api.docs import operation
from app.api.errors import Unauthorized
from app.api.helpers import api_user, json_object, validated, writable
from app.api.schemas import ACCOUNT_INPUT, TOKEN_INPUT, type_errors
from app.api.serializers import account_json
from app.auth import services, throttle
from app.auth.forms import SignupForm
from app.common.errors import Forbidden, ValidationFailed
from app.common.validators import MAX_PASSWORD_LENGTH
from app.extensions import db


def api_public(view: Callable) -> Callable:
    """Open to everyone (a bearer token, when sent, must still be valid)."""
    view.permission = "public"
    return view


def api_login_required(view: Callable) -> Callable:
    """Any account with a valid bearer token; 401 JSON otherwise."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if api_user() is None:
            raise Unauthorized(_("Send a bearer token: POST /api/v1/auth/token."))
        return view(*args, **kwargs)

    wrapped.permission = "login"
    return wrapped


def api_roles(*roles: str) -> Callable[[Callable], Callable]:
    """Only accounts with one of the roles: 401 JSON for anonymous, 403 JSON for other roles."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = api_user()
            if user is None:
                raise Unauthorized(_("Send a bearer token: POST /api/v1/auth/token."))
            if user.role not in roles:
                raise Forbidden(_("Your role may not do this."))
            return view(*args, **kwargs)

        wrapped.permission = "roles:" + ",".join(roles)
        return wrapped

    return decorator


def _readable_credentials(view: Callable) -> Callable:
    """Refuse bodies whose email or password is not text, before the attempt is counted."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        errors = type_errors(json_object(), TOKEN_INPUT)
        if errors:
            raise ValidationFailed(_("Give email and password as text."), errors)
        return view(*args, **kwargs)

    return wrapped


@bp.post("/auth/token")
@operation(
    "Exchange email and password for a bearer token",
    tag="auth",
    body="TokenRequest",
    responses={200: "Token", 401: None, 422: None, 429: None},
)
@api_public
@_readable_credentials
def issue_token() -> ResponseReturnValue:
    """Issue a bearer token; attempts are rate limited per address and per account."""
    payload = json_object()
    attempt = throttle.begin(payload.get("email"))
    missing = {k: _("This field is required.") for k in TOKEN_INPUT if not payload.get(k)}
    if missing:
        raise ValidationFailed(_("Give email and password."), missing)
    if len(payload["password"]) > MAX_PASSWORD_LENGTH:
        message = _("Use at most %(n)d characters.", n=MAX_PASSWORD_LENGTH)
        raise ValidationFailed(message, {"password": message})
    user = services.authenticate(payload["email"], payload["password"])
    if user is None:
        db.session.commit()  # keep the audited failure
        raise Unauthorized(_("Wrong email or password."))
    attempt.succeeded()
    token = services.issue_token(user)
    db.session.commit()
    return {"token": token, "token_type": "Bearer"}, 200


@bp.delete("/auth/token")
@operation("Revoke the presented bearer token", tag="auth", responses={204: None, 401: None})
@api_login_required
def revoke_token() -> ResponseReturnValue:
    """Revoke the token this request was made with."""
    services.revoke_token(api_user(), g.api_token)
    db.session.commit()
    return "", 204


@bp.post("/accounts")
@operation(
    "Sign up (enterprise, school or teacher)",
    tag="auth",
    body="AccountRequest",
    responses={201: "Account", 409: None, 422: None},
)
@api_public
def create_account() -> ResponseReturnValue:
    """Create an enterprise, school or teacher account (administrators are made by the CLI)."""
    data = writable(json_object(), ACCOUNT_INPUT)
    form_data = validated(SignupForm, {**data, "confirm": data.get("password")})
    user = services.create_account(
        form_data["email"],
        form_data["password"],
        form_data["role"],
        form_data["name"],
        privacy_accepted=bool(form_data["accept_privacy"]),
    )
    db.session.commit()
    return account_json(user), 201, {"Location": url_for("api.me")}


@bp.get("/me")
@operation("The account behind the bearer token", tag="auth", responses={200: "Account"})
@api_login_required
def me() -> ResponseReturnValue:
    """The current account with its organisation and the state of its privacy consent
    (`privacy_notice.needs_acceptance`: POST /me/privacy-consent accepts the current one)."""
    from app.account.services import consent_json

    return {**account_json(api_user()), "privacy_notice": consent_json(api_user())}
