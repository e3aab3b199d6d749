"""Helpers every domain's views share: the acting user and permission-checked loading."""

from flask import abort
from flask_login import current_user

from app.common.forms import apply_errors
from app.extensions import db


def acting_user():
    """The real user object behind current_user (for services and the audit trail)."""
    return current_user._get_current_object()


def load_visible(model, object_id, edit: bool = False):
    """The object; 404 when the user may not see it, 403 when visible but not editable."""
    obj = db.get_or_404(model, object_id)
    if not obj.can_view(current_user):
        abort(404)
    if edit and not obj.can_edit(current_user):
        abort(403)
    return obj


def show_service_error(form, exc) -> None:
    """Undo the unit of work and show the service's messages next to the form's fields."""
    db.session.rollback()
    apply_errors(form, exc)
