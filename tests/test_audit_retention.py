"""Audit events are kept and cannot be edited or deleted through the application: no route
changes them, the ORM refuses it, and the migrated database refuses it too."""

from datetime import timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import DatabaseError

from app import create_app
from app.common import audit
from app.common.models import AuditEvent, AuditEventImmutable
from app.common.time import utcnow
from app.extensions import db
from tests.helpers import make_user
from tests.test_migrations import MIGRATIONS, empty_database  # noqa: F401 - fixture


def test_no_route_changes_audit_events(app):
    rules = [r for r in app.url_map.iter_rules() if "audit" in r.rule or "audit" in r.endpoint]
    assert rules, "the audit log routes were not found"
    for rule in rules:
        assert rule.methods - {"HEAD", "OPTIONS"} == {"GET"}, rule


def _event() -> AuditEvent:
    admin = make_user("region_admin")
    event = audit.record(admin, "test.action", admin, before={"a": 1}, after={"a": 2})
    db.session.commit()
    return event


def test_orm_refuses_to_edit_an_audit_event():
    event = _event()
    event.note = "changed"
    with pytest.raises(AuditEventImmutable):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditEvent, event.id).note is None


def test_orm_refuses_to_delete_an_audit_event():
    event = _event()
    db.session.delete(event)
    with pytest.raises(AuditEventImmutable):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(AuditEventImmutable):
        db.session.execute(delete(AuditEvent).where(AuditEvent.id == event.id))
    with pytest.raises(AuditEventImmutable):
        db.session.execute(update(AuditEvent).values(note="x"))
    db.session.rollback()
    assert db.session.get(AuditEvent, event.id) is not None


def test_migrated_database_refuses_edits_and_early_deletion(empty_database):  # noqa: F811
    migrated = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database})
    table = AuditEvent.__table__
    with migrated.app_context():
        upgrade(directory=MIGRATIONS)
        user = make_user("region_admin")
        now = utcnow()
        with db.engine.begin() as conn:
            conn.execute(
                insert(table),
                [
                    {
                        "id": 1,
                        "at": now,
                        "actor_id": user.id,
                        "action": "recent",
                        "target_type": "x",
                    },
                    {
                        "id": 2,
                        "at": now - timedelta(days=200),
                        "actor_id": user.id,
                        "action": "old",
                        "target_type": "x",
                    },
                ],
            )
        for statement in (
            update(table).where(table.c.id == 1).values(note="changed"),
            update(table).where(table.c.id == 1).values(action="other"),
            update(table).where(table.c.id == 1).values(actor_id=user.id + 1),
            delete(table).where(table.c.id == 1),
        ):
            with pytest.raises(DatabaseError), db.engine.begin() as conn:
                conn.execute(statement)
        with db.engine.begin() as conn:
            # the account's deletion may clear actor_id (ON DELETE SET NULL) ...
            conn.execute(update(table).where(table.c.id == 1).values(actor_id=None))
            # ... and events older than six months may be removed
            conn.execute(delete(table).where(table.c.id == 2))
        with db.engine.connect() as conn:
            rows = conn.execute(select(table.c.id, table.c.action, table.c.actor_id)).all()
        assert [tuple(r) for r in rows] == [(1, "recent", None)]
        db.session.remove()
        with db.engine.begin() as conn:
            conn.execute(text("SELECT 1"))
        db.engine.dispose()
