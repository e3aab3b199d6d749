"""Model mixins and the audit trail."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.common.time import utcnow
from app.extensions import db


class TimestampMixin:
    """created_at / updated_at columns, stored in UTC."""

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class AuditEvent(db.Model):
    """One administrator action or state change: who, when, what, before and after."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    actor_email: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[str | None] = mapped_column(String(64))
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ip: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)

    #: The account behind actor_id (read only: events are never edited), loaded with the event
    #: so a closed account shows under its pseudonym.
    actor = relationship("User", foreign_keys=[actor_id], viewonly=True, lazy="joined")


class AuditEventImmutable(RuntimeError):
    """Raised when code tries to edit or delete an audit event through the ORM."""


@event.listens_for(Session, "before_flush")
def _audit_events_are_append_only(session, _flush_context, _instances) -> None:
    """Refuse a flush that edits or deletes an audit event (the database refuses it too)."""
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise AuditEventImmutable("audit events cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj):
            raise AuditEventImmutable("audit events cannot be edited")


@event.listens_for(Session, "do_orm_execute")
def _no_bulk_changes_to_audit_events(state) -> None:
    """Refuse ORM UPDATE/DELETE statements on AuditEvent."""
    if (state.is_update or state.is_delete) and any(
        mapper.class_ is AuditEvent for mapper in state.all_mappers
    ):
        raise AuditEventImmutable("audit events cannot be edited or deleted")
