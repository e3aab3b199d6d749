"""Errors only the API raises (the shared ones live in app.common.errors)."""

from app.common.errors import ServiceError


class BadRequest(ServiceError):
    """The body is not JSON, or not a JSON object; or a query argument is unusable."""

    status = 400
    code = "bad_request"


class Unauthorized(ServiceError):
    """No usable bearer token."""

    status = 401
    code = "unauthorized"
