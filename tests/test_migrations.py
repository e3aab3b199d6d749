"""Migrations: one head; upgrade, downgrade, upgrade again; models and migrations agree."""

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from app import create_app
from app.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://")
MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")


@pytest.fixture()
def empty_database(tmp_path):
    """A fresh, empty database of the kind under test (file SQLite, or a new PostgreSQL db)."""
    if not TEST_DATABASE_URL.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"gongxue_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = TEST_DATABASE_URL.rsplit("/", 1)[0] + "/" + name
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _diff(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_single_head():
    from alembic.config import Config

    config = Config(os.path.join(MIGRATIONS, "alembic.ini"))
    config.set_main_option("script_location", MIGRATIONS)
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_upgrade_downgrade_upgrade_and_models_agree(empty_database):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        tables = set(inspect(db.engine).get_table_names())
        assert {"user_account", "enterprise", "school", "host", "region"} <= tables
        assert _diff(app) == []
        downgrade(directory=MIGRATIONS, revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade(directory=MIGRATIONS)
        assert _diff(app) == []
        db.session.remove()
        db.engine.dispose()


def test_database_constraints_back_the_rules(empty_database):
    """Capacity checks and the unique credit code hold in the database itself."""
    from sqlalchemy.exc import IntegrityError

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        from app.reference.services import load_reference

        load_reference()
        db.session.commit()
        insert = text(
            "INSERT INTO enterprise (name, uscc, industry_section, region_code, address, "
            "contact_name, contact_phone, status, uscc_check_ok, uscc_confirmed, created_at, "
            "updated_at) VALUES ('甲', :uscc, 'C', '150100', 'x', 'y', '13800138000', 'pending', "
            "true, false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        )
        db.session.execute(insert, {"uscc": "91350200776049653A"})
        db.session.commit()
        with pytest.raises(IntegrityError):
            db.session.execute(insert, {"uscc": "91350200776049653A"})
            db.session.commit()
        db.session.rollback()
        with pytest.raises(IntegrityError):
            db.session.execute(
                text(
                    "INSERT INTO host (enterprise_id, kind, name, region_code, capacity, "
                    "created_at, updated_at) SELECT id, 'workshop', 'w', '150100', -1, "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM enterprise"
                )
            )
            db.session.commit()
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()


def test_migrated_database_refuses_overlapping_bookings(empty_database):
    """The overlap guard (exclusion constraint / triggers) comes with the migration."""
    from datetime import UTC, datetime

    from sqlalchemy.exc import DatabaseError

    from app.reference.services import load_reference
    from app.registry.models import School
    from app.resources.models import Booking, Venue

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        load_reference()
        school = School(
            name="甲校",
            kind="technical_school",
            region_code="150100",
            address="x",
            contact_name="y",
            contact_phone="13800138000",
            status="approved",
        )
        venue = Venue(
            name="实训基地",
            kind="public_training_base",
            owner_kind="region",
            region_code="150100",
            capacity=30,
        )
        db.session.add_all([school, venue])
        db.session.commit()

        def booking(start_hour: int, end_hour: int, status: str = "pending") -> Booking:
            return Booking(
                venue_id=venue.id,
                school_id=school.id,
                purpose="实训",
                headcount=10,
                status=status,
                starts_at=datetime(2030, 5, 1, start_hour, tzinfo=UTC),
                ends_at=datetime(2030, 5, 1, end_hour, tzinfo=UTC),
            )

        db.session.add(booking(8, 10))
        db.session.commit()
        db.session.add(booking(10, 12))  # touching, not overlapping
        db.session.commit()
        db.session.add(booking(9, 11))
        with pytest.raises(DatabaseError):
            db.session.commit()
        db.session.rollback()
        db.session.add(booking(9, 11, status="declined"))  # declined ones do not block
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
