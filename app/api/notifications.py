"""Notifications API: the caller's inbox and marking messages read."""

from typing import Any

from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from app.api import bp
from app.api.auth import api_login_required
from app.api.docs import operation
from app.api.helpers import api_user, arg, get_or_404, page_of
from app.api.openapi import EXTRA_SCHEMAS, QUERY_PARAMETERS
from app.common.errors import NotFound
from app.extensions import db
from app.notifications import services
from app.notifications.messages import render
from app.notifications.models import Notification


def notification_json(row: Notification) -> dict[str, Any]:
    """A notification with its message in the requested language (?lang=)."""
    return {
        "id": row.id,
        "kind": row.kind,
        "params": row.params or {},
        "message": render(row.kind, row.params),
        "link": row.link,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "read_at": row.read_at.isoformat() if row.read_at else None,
        "read": row.read_at is not None,
    }


@bp.get("/notifications")
@operation(
    "The caller's notifications, newest first",
    tag="notifications",
    responses={200: "NotificationList"},
    query=("page", "per_page", "unread"),
)
@api_login_required
def notification_list() -> ResponseReturnValue:
    """Adds `unread`: how many are not read; ?unread=1 lists only those."""
    user = api_user()
    stmt = select(Notification).where(Notification.user_id == user.id)
    if arg("unread") in ("1", "true", "yes"):
        stmt = stmt.where(Notification.read_at.is_(None))
    stmt = stmt.order_by(Notification.created_at.desc(), Notification.id.desc())
    return {**page_of(stmt, notification_json), "unread": services.unread_count(user)}


@bp.post("/notifications/<int:id>/read")
@operation("Mark a notification read", tag="notifications", responses={200: "Notification"})
@api_login_required
def notification_read(id: int) -> ResponseReturnValue:
    """Only the recipient's own notifications (others: 404)."""
    row = get_or_404(Notification, id)
    if not row.can_view(api_user()):
        raise NotFound(_("Not found."))
    services.mark_read(api_user(), row)
    db.session.commit()
    return notification_json(row)


@bp.post("/notifications/read-all")
@operation("Mark every notification read", tag="notifications", responses={200: "object"})
@api_login_required
def notification_read_all() -> ResponseReturnValue:
    """Returns how many were marked."""
    count = services.mark_all_read(api_user())
    db.session.commit()
    return {"marked": count, "unread": 0}


_integer = {"type": "integer"}
_time = {"type": "string", "format": "date-time", "nullable": True}
EXTRA_SCHEMAS.update(
    {
        "Notification": {
            "type": "object",
            "properties": {
                "id": _integer,
                "kind": {"type": "string"},
                "params": {"type": "object"},
                "message": {"type": "string"},
                "link": {"type": "string", "nullable": True},
                "created_at": _time,
                "read_at": _time,
                "read": {"type": "boolean"},
            },
            "required": ["id", "kind", "message", "read"],
        },
        "NotificationList": {
            "type": "object",
            "properties": {
                "items": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/Notification"},
                },
                "page": _integer,
                "per_page": _integer,
                "pages": _integer,
                "total": _integer,
                "unread": _integer,
            },
            "required": ["items", "page", "pages", "total", "unread"],
        },
    }
)
QUERY_PARAMETERS.setdefault(
    "unread", {"schema": {"type": "boolean"}, "description": "Only unread notifications."}
)
