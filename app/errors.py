"""Friendly error pages for people, JSON errors for the API; never a stack trace."""

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "server_error",
}


def wants_json() -> bool:
    """API paths answer in JSON."""
    return request.path.startswith("/api/")


def json_error(status: int, message: str, fields: dict | None = None, code: str | None = None):
    """The API's error body: {"error": {"code", "message", "fields"}}."""
    body = {
        "error": {
            "code": code or CODES.get(status, "error"),
            "message": message,
            "fields": fields or {},
            "request_id": g.get("request_id"),
        }
    }
    return jsonify(body), status


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("Please log in."),
        403: _("You do not have permission to see this page."),
        404: _("The page you asked for does not exist."),
        405: _("This action is not allowed here."),
        409: _("This conflicts with the current state."),
        413: _("The upload is too large."),
        414: _("The address is too long."),
        429: _("Too many attempts. Please wait a minute and try again."),
        500: _("Something went wrong on our side. Please try again later."),
    }


def register(app: Flask) -> None:
    """Install the handlers for HTTP errors, CSRF failures and unexpected exceptions."""

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        message = _("The form has expired or is missing its security token. Please try again.")
        if wants_json():
            return json_error(400, message, code="csrf")
        return render_template("errors/error.html", status=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        message = _messages().get(status, exc.description or "")
        if wants_json():
            response = json_error(status, message)
        else:
            response = (
                render_template("errors/error.html", status=status, message=message),
                status,
            )
        if status == 405 and exc.valid_methods:
            body, code = response if isinstance(response, tuple) else (response, status)
            return body, code, {"Allow": ", ".join(exc.valid_methods)}
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        discard_session()
        return http_error(InternalServerError())

    @app.after_request
    def end_transaction(response):
        """Roll back what the view left open while the app can still answer: a connection lost
        mid-request becomes the app's own 500 page, not the server's (streams end in teardown)."""
        if not response.is_streamed:
            db.session.rollback()
        return response

    # The session's teardown runs after the response has left the app: it must never raise.
    app.teardown_appcontext_funcs[:] = [
        safe_teardown if getattr(f, "__func__", None) is type(db)._teardown_session else f
        for f in app.teardown_appcontext_funcs
    ]


def discard_session() -> None:
    """Roll back the session; when even that fails (connection gone), throw the session away."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is unusable; the pool replaces it
        current_app.logger.warning("database rollback failed; discarding the session")
        _throw_away_session()


def _throw_away_session() -> None:
    try:
        db.session.invalidate()
    except Exception:  # noqa: BLE001
        current_app.logger.warning("could not invalidate the database session")
    db.session.registry.clear()


def safe_teardown(exc: BaseException | None) -> None:
    """Remove the request's session; a failure is logged and the session thrown away."""
    try:
        db.session.remove()
    except Exception:  # noqa: BLE001
        current_app.logger.exception("closing the database session failed")
        _throw_away_session()
