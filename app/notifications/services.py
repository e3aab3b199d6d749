"""Sending notifications: an inbox row per recipient (email is sent by the mailer, if set)."""

from collections.abc import Iterable
from typing import Any

from app.extensions import db
from app.notifications.models import Notification


def notify(
    users: Iterable, kind: str, params: dict[str, Any] | None = None, link: str | None = None
) -> list[Notification]:
    """Add a notification of `kind` for each distinct user (flushes nothing).

    `kind` names a message template (see app/notifications/messages.py); `params` fill it in
    the reader's language; `link` is a local path to the record concerned.
    """
    rows = []
    seen: set[int] = set()
    for user in users:
        if user is None or user.id in seen:
            continue
        seen.add(user.id)
        row = Notification(user_id=user.id, kind=kind, params=dict(params or {}), link=link)
        db.session.add(row)
        rows.append(row)
    return rows
