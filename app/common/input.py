"""One guard on every request's input: no lone surrogates, NUL bytes or huge strings.

The database driver cannot encode a lone surrogate and PostgreSQL refuses NUL characters, so
such text would end in a server error deep inside a service. The guard runs before any other
request hook (rate limiter, CSRF, authentication) and answers 422 naming the field.
"""

import json
from typing import Any
from urllib.parse import quote

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _

#: Longest string accepted in any field (characters); field validators set tighter limits.
DEFAULT_MAX_TEXT = 65536
#: Longest request target (path and query string) the app answers normally.
DEFAULT_MAX_URL = 4096


def _problem(value: str, limit: int) -> str | None:
    if len(value) > limit:
        return _("Text is too long (at most %(n)d characters).", n=limit)
    if "\x00" in value:
        return _("Text may not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("Text contains an invalid character (a lone surrogate).")
    return None


def _printable(name: str) -> str:
    """A field name that can itself be shown and encoded (bad characters escaped)."""
    return name.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")[:100]


def text_errors(value: Any, limit: int, path: str = "") -> dict[str, str]:
    """Map each field path holding a bad string (or a bad key) to a message."""
    errors: dict[str, str] = {}
    if isinstance(value, str):
        message = _problem(value, limit)
        if message:
            errors[path or "body"] = message
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            key_message = _problem(str(key), 200)
            if key_message:
                errors[_printable(name)] = key_message
                continue
            errors.update(text_errors(item, limit, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            errors.update(text_errors(item, limit, f"{path}[{index}]"))
    return errors


def query_text_errors() -> dict[str, str]:
    """Bad strings in the current request's query arguments."""
    limit = current_app.config.get("INPUT_MAX_TEXT", DEFAULT_MAX_TEXT)
    errors: dict[str, str] = {}
    for name, values in request.args.lists():
        for value in values:
            errors.update(text_errors({name: value}, limit))
    return errors


def body_text_errors() -> dict[str, str]:
    """Bad strings in the current request's JSON body or form fields."""
    limit = current_app.config.get("INPUT_MAX_TEXT", DEFAULT_MAX_TEXT)
    errors: dict[str, str] = {}
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for name, values in request.form.lists():
                for value in values:
                    errors.update(text_errors({name: value}, limit))
        else:
            raw = request.get_data(cache=True)
            if raw.strip():
                try:
                    payload = json.loads(raw)
                except (ValueError, RecursionError):
                    payload = None  # not JSON: the view answers that itself
                errors.update(text_errors(payload, limit))
    return errors


def url_length() -> int:
    """Length of the request target as the client sent it (path and query string)."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw:
        return len(raw)
    query = request.environ.get("QUERY_STRING", "")
    return len(quote(request.path)) + (len(query) + 1 if query else 0)


def register(app: Flask) -> None:
    """Install the guard as the first request hook of the application."""

    def guard_input():
        if url_length() > current_app.config.get("MAX_URL_LENGTH", DEFAULT_MAX_URL):
            from werkzeug.exceptions import RequestURITooLarge

            raise RequestURITooLarge()
        # a bad query argument is a bad request (400); a bad field of a body is a 422
        status, errors = 400, query_text_errors()
        if not errors:
            status, errors = 422, body_text_errors()
        if not errors:
            return None
        from app.errors import json_error, wants_json

        message = _("Some fields contain text that cannot be accepted.")
        if wants_json():
            return json_error(status, message, errors)
        details = [f"{name}: {text}" for name, text in sorted(errors.items())]
        html = render_template("errors/error.html", status=status, message=message, details=details)
        return html, status

    app.before_request_funcs.setdefault(None, []).insert(0, guard_input)
