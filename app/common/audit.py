"""Recording audit events; never stores passwords or tokens."""

from typing import Any

from flask import has_request_context, request

from app.common.models import AuditEvent
from app.common.privacy import mask_record
from app.extensions import db

SECRET_FIELDS = frozenset({"password", "password_hash", "token", "token_hash", "secret"})


def scrub(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """Copy of values without secret fields, with non-JSON values turned into strings."""
    if values is None:
        return None
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key in SECRET_FIELDS:
            continue
        if value is None or isinstance(value, (bool, int, float, str)):
            clean[key] = value
        elif isinstance(value, (list, tuple, set)):
            clean[key] = sorted(str(v) for v in value)
        else:
            clean[key] = str(value)
    return clean


def record(
    actor,
    action: str,
    target,
    before: dict | None = None,
    after: dict | None = None,
    note: str | None = None,
) -> AuditEvent:
    """Add an audit event for `action` by `actor` on `target` (flushes nothing)."""
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        actor_email=getattr(actor, "email", None),
        action=action,
        target_type=type(target).__name__,
        target_id=str(getattr(target, "id", "") or getattr(target, "code", "")),
        region_code=getattr(target, "region_code", None),
        before=mask_record(scrub(before)),
        after=mask_record(scrub(after)),
        ip=request.remote_addr if has_request_context() else None,
        note=note,
    )
    db.session.add(event)
    return event
