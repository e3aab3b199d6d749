"""JSON API v1: bearer-token authentication, JSON errors and the OpenAPI document."""

from flask import Blueprint, g, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.common.errors import ServiceError
from app.common.ratelimit import limit_reads
from app.errors import json_error
from app.extensions import csrf, db

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# The API authenticates by bearer token only and never reads the session cookie.
csrf.exempt(bp)
limit_reads(bp, scope="api-reads")


@bp.before_request
def authenticate() -> None:
    """Resolve the bearer token into g.api_user; a bad token is 401 even on public routes."""
    from app.api.errors import Unauthorized
    from app.auth.services import token_user

    g.api_user = None
    g.api_token = None
    header = request.headers.get("Authorization")
    if header is None:
        return
    scheme, _sep, raw = header.strip().partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw or len(raw) > 200:
        raise Unauthorized(_("Send the header Authorization: Bearer <token>."))
    user = token_user(raw)
    if user is None:
        raise Unauthorized(_("The token is invalid, expired or revoked."))
    g.api_user = user
    g.api_token = raw


@bp.errorhandler(ServiceError)
def service_error(exc: ServiceError) -> ResponseReturnValue:
    """Business-rule failures become JSON errors; nothing is half-saved."""
    db.session.rollback()
    body, status = json_error(exc.status, exc.message, exc.fields, exc.code)
    if status == 401:
        return body, status, {"WWW-Authenticate": 'Bearer realm="gongxue"'}
    return body, status


# Route modules register themselves on the blueprint when imported.
from app.api import (  # noqa: E402, F401
    accounts,
    assessment,
    auth,
    construction,
    cooperation,
    notifications,
    openapi,
    programme,
    reference,
    registry,
    resources,
    rounds,
)
