"""Bridging forms with services and the JSON API."""

from typing import Any

from werkzeug.datastructures import MultiDict

from app.common.errors import ServiceError


def apply_errors(form, exc: ServiceError) -> None:
    """Attach a service error's field messages to the form's fields (or its form errors)."""
    placed = False
    for name, message in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [message]
            placed = True
    if not placed:
        form.form_errors.append(exc.message)


def json_formdata(payload: dict[str, Any]) -> MultiDict:
    """Turn a JSON object into form data so API and HTML share one validation."""
    data = MultiDict()
    for key, value in payload.items():
        if value is None:
            continue
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, bool):
                data.add(key, "y" if item else "")
            elif isinstance(item, (dict, list)):
                data.add(key, "\x00invalid")
            else:
                data.add(key, str(item))
    return data


def form_errors(form) -> dict[str, str]:
    """The first message of each invalid field."""
    return {
        name: str(msgs[0]) for name, msgs in form.errors.items() if msgs and name != "csrf_token"
    }
