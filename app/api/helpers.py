"""Request parsing, validation and pagination shared by the API views."""

import json
from collections.abc import Callable
from typing import Any

from flask import current_app, g, request
from flask_babel import gettext as _
from sqlalchemy import Select

from app.api.errors import BadRequest
from app.api.schemas import type_errors
from app.common.errors import NotFound, ValidationFailed
from app.common.forms import form_errors, json_formdata
from app.extensions import db
from app.registry.queries import paginate

MAX_ID = 2**31 - 1
MAX_PER_PAGE = 100


def api_user():
    """The user behind the bearer token, or None for anonymous requests."""
    return g.get("api_user")


def json_object() -> dict[str, Any]:
    """The request body as a JSON object; BadRequest when malformed or not an object."""
    raw = request.get_data(cache=True)
    try:
        payload = json.loads(raw) if raw.strip() else None
    except (ValueError, RecursionError) as exc:
        raise BadRequest(_("The body is not valid JSON.")) from exc
    if not isinstance(payload, dict):
        raise BadRequest(_("The body must be a JSON object."))
    return payload


def writable(payload: dict[str, Any], spec: dict[str, dict]) -> dict[str, Any]:
    """The fields of payload a user may set; unknown and read-only keys are dropped."""
    data = {k: v for k, v in payload.items() if k in spec}
    errors = type_errors(data, spec)
    if errors:
        raise ValidationFailed(_("Some fields have the wrong type."), errors)
    return data


def validated(form_class, data: dict[str, Any], **kwargs) -> dict[str, Any]:
    """Validate data with the HTML form; ValidationFailed naming each invalid field."""
    form = form_class(formdata=json_formdata(data), meta={"csrf": False}, **kwargs)
    if not form.validate():
        raise ValidationFailed(_("Some fields are invalid."), form_errors(form))
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}


def get_or_404(model, ident: int):
    """The row with this primary key, or NotFound."""
    row = db.session.get(model, ident) if 0 < ident <= MAX_ID else None
    if row is None:
        raise NotFound(_("Not found."))
    return row


def visible_or_404(model, ident: int):
    """The row when the current user may view it; NotFound otherwise (never its data)."""
    row = get_or_404(model, ident)
    if not row.can_view(api_user()):
        raise NotFound(_("Not found."))
    return row


def arg(name: str) -> str | None:
    """A query argument stripped of blanks, or None; BadRequest on NUL characters."""
    value = request.args.get(name)
    if value is None:
        return None
    if "\x00" in value:
        message = _("Text may not contain NUL characters.")
        raise BadRequest(message, {name: message})
    return value.strip() or None


def _positive_int(name: str, default: int) -> int:
    try:
        return max(1, min(int(request.args.get(name, default)), MAX_ID))
    except (TypeError, ValueError):
        return default


def page_args(default: int | None = None) -> tuple[int, int]:
    """(page, per_page) from the query string; per_page is at most 100."""
    default = default or current_app.config.get("PAGE_SIZE", 20)
    return _positive_int("page", 1), min(_positive_int("per_page", default), MAX_PER_PAGE)


def page_of(
    stmt: Select,
    serialize: Callable[[Any], dict],
    per_page_default: int | None = None,
    *,
    by_id: bool = False,
) -> dict[str, Any]:
    """{"items", "page", "per_page", "pages", "total"} for a select statement (by_id: the
    page's ids first, then its rows, for long lists whose order an index covers)."""
    from app.common.pagination import paginate_by_id

    page, per_page = page_args(per_page_default)
    result = (paginate_by_id if by_id else paginate)(stmt, page, per_page)
    return {
        "items": [serialize(row) for row in result.items],
        "page": page,
        "per_page": per_page,
        "pages": result.pages,
        "total": result.total,
    }


def keyed_page_of(page_function: Callable[[int, int], Any], serialize: Callable) -> dict:
    """page_of for lists paginated by key: page_function(page, per_page) returns a Page."""
    page, per_page = page_args()
    result = page_function(page, per_page)
    return {
        "items": [serialize(row) for row in result.items],
        "page": page,
        "per_page": per_page,
        "pages": result.pages,
        "total": result.total,
    }


def wants_file() -> str | None:
    """csv or xlsx when ?format= asks for a file; None for JSON; BadRequest otherwise."""
    from app.common.exports import FORMATS

    fmt = arg("format")
    if fmt is None or fmt == "json":
        return None
    if fmt not in FORMATS:
        message = _("Use format=csv or format=xlsx.")
        raise BadRequest(message, {"format": message})
    return fmt


def page_or_file(
    stmt: Select,
    serialize: Callable[[Any], dict],
    columns: list,
    basename: str,
    *,
    by_id: bool = False,
) -> Any:
    """page_of(stmt), or with ?format=csv|xlsx the same rows (every page) as a file download."""
    from app.common.exports import export_response

    fmt = wants_file()
    if fmt is None:
        return page_of(stmt, serialize, by_id=by_id)
    return export_response(stmt, columns, basename, fmt)
