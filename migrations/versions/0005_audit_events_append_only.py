"""Audit events are append-only: never edited, kept at least six months

Revision ID: 0005
Revises: 0011
Create Date: 2026-12-01 19:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0011'
branch_labels = None
depends_on = None

# The database itself refuses to edit an audit event, and to delete one younger than 183 days
# (six months). The one change allowed: actor_id becoming NULL when the account is deleted
# (the foreign key's ON DELETE SET NULL); actor_email keeps who it was.
RETENTION_DAYS = 183
_COLUMNS = (
    "id", "at", "actor_email", "action", "target_type", "target_id", "region_code", "ip", "note"
)

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_event_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.at > now() - interval '{RETENTION_DAYS} days' THEN
            RAISE EXCEPTION 'audit events are kept at least {RETENTION_DAYS} days';
        END IF;
        RETURN OLD;
    END IF;
    IF ({", ".join("NEW." + c for c in _COLUMNS)}, NEW.before::text, NEW.after::text)
       IS DISTINCT FROM
       ({", ".join("OLD." + c for c in _COLUMNS)}, OLD.before::text, OLD.after::text)
       OR (NEW.actor_id IS NOT NULL AND NEW.actor_id IS DISTINCT FROM OLD.actor_id) THEN
        RAISE EXCEPTION 'audit events cannot be edited';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""
PG_TRIGGER = (
    "CREATE TRIGGER audit_event_guard BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_guard()"
)
_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in (*_COLUMNS, "before", "after"))
SQLITE_NO_EDIT = f"""
CREATE TRIGGER audit_event_no_edit BEFORE UPDATE ON audit_event
WHEN {_CHANGED} OR (NEW.actor_id IS NOT NULL AND NEW.actor_id IS NOT OLD.actor_id)
BEGIN SELECT RAISE(ABORT, 'audit events cannot be edited'); END
"""
SQLITE_KEEP = f"""
CREATE TRIGGER audit_event_keep BEFORE DELETE ON audit_event
WHEN OLD.at > datetime('now', '-{RETENTION_DAYS} days')
BEGIN SELECT RAISE(ABORT, 'audit events are kept at least {RETENTION_DAYS} days'); END
"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
    else:
        op.execute(SQLITE_NO_EDIT)
        op.execute(SQLITE_KEEP)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_guard ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_guard()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_edit")
        op.execute("DROP TRIGGER IF EXISTS audit_event_keep")
