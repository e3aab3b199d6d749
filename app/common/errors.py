"""Errors raised by services; views turn them into field errors, API into JSON errors."""


class ServiceError(Exception):
    """Base class of business-rule failures; carries an HTTP-like status and a code."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class ValidationFailed(ServiceError):
    """Input that breaks a rule; `fields` maps field names to messages."""

    status = 422
    code = "validation_error"


class Conflict(ServiceError):
    """The change collides with an existing record (e.g. duplicate credit code)."""

    status = 409
    code = "conflict"


class Forbidden(ServiceError):
    """The acting user may not do this."""

    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    """The object does not exist or is not visible to the acting user."""

    status = 404
    code = "not_found"


class InvalidState(ServiceError):
    """The object is not in a state that allows this transition."""

    status = 409
    code = "invalid_state"
