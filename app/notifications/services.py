"""Sending notifications: an inbox row per recipient, and an email after commit when
MAIL_SERVER is configured."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, update

from app.common.bulk import insert_rows
from app.common.time import utcnow
from app.extensions import db
from app.notifications import mail
from app.notifications.models import Notification


def notify(
    users: Iterable, kind: str, params: dict[str, Any] | None = None, link: str | None = None
) -> list[Notification]:
    """Add a notification of `kind` for each distinct user (flushes nothing).

    `kind` names a message template (see app/notifications/messages.py); `params` fill it in
    the reader's language; `link` is a local path to the record concerned. When mail is
    configured, each recipient also gets an email once the transaction commits.
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
        mail.queue(row, user)
    return rows


#: One bulk notification: recipients as (user id, email), parameters, link.
Recipients = list[tuple[int, str | None]]
NOTIFICATION_COLUMNS = ("user_id", "kind", "params", "link", "created_at")


def notify_bulk(kind: str, items: Iterable[tuple[Recipients, dict[str, Any], str | None]]) -> int:
    """Add notifications of `kind` as `notify` would for each item (recipients, params, link),
    without loading accounts or building ORM objects; returns how many rows were added.

    With mail configured the rows go through the session (their ids are needed for the
    emails); otherwise they are written in bulk.
    """
    if not mail.enabled():
        now = utcnow()
        rows = (
            (user_id, kind, dict(params), link, now)
            for user_id, _email, params, link in _each_recipient(items)
        )
        return insert_rows(Notification.__table__, NOTIFICATION_COLUMNS, rows)
    count = 0
    for user_id, email, params, link in _each_recipient(items):
        row = Notification(user_id=user_id, kind=kind, params=dict(params), link=link)
        db.session.add(row)
        if email:
            db.session.info.setdefault(mail.OUTBOX, []).append((row, email))
        count += 1
    return count


def _each_recipient(items):
    """(user id, email, params, link) per distinct recipient of each item, in order."""
    for recipients, params, link in items:
        seen: set[int] = set()
        for user_id, email in recipients:
            if user_id not in seen:
                seen.add(user_id)
                yield user_id, email, params, link


def mark_read(user, notification: Notification) -> Notification:
    """Mark one of the user's notifications read (idempotent)."""
    if notification.read_at is None:
        notification.read_at = utcnow()
    db.session.flush()
    return notification


def mark_all_read(user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    return result.rowcount or 0


def unread_count(user) -> int:
    """How many notifications the user has not read."""
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def organisation_accounts(org) -> list:
    """Active accounts belonging to an enterprise or a school."""
    from app.auth.models import User
    from app.registry.models import Enterprise

    column = User.enterprise_id if isinstance(org, Enterprise) else User.school_id
    role = "enterprise" if isinstance(org, Enterprise) else "school"
    stmt = select(User).where(column == org.id, User.role == role, User.active.is_(True))
    return list(db.session.scalars(stmt.order_by(User.id)))


def notify_review_result(org) -> None:
    """Tell the organisation's accounts the outcome of a registration review."""
    from flask import url_for

    from app.registry.models import Enterprise

    is_enterprise = isinstance(org, Enterprise)
    endpoint = "registry.enterprise_detail" if is_enterprise else "registry.school_detail"
    key = "enterprise_id" if is_enterprise else "school_id"
    kind = "review_approved" if org.status == "approved" else "review_rejected"
    try:
        link = url_for(endpoint, **{key: org.id})
    except RuntimeError:
        link = None
    notify(
        organisation_accounts(org),
        kind,
        {"organisation": org.name, "reason": org.review_reason or ""},
        link,
    )
