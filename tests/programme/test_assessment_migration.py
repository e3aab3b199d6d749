"""Migration 0014 on a database holding majors already assessed or demonstration: the rows stay
as they were and valid, the batch has no threshold, and downgrading gives them back."""

import os
import uuid
from datetime import UTC, date, datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, create_engine, text

from app import create_app
from app.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://")
MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "..", "migrations")
NOW = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture()
def database(tmp_path):
    """A fresh empty database of the kind under test."""
    if not TEST_DATABASE_URL.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'before.db'}"
        return
    name = f"gongxue_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield TEST_DATABASE_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _insert(conn, meta, table, **values):
    stamps = {"created_at": NOW, "updated_at": NOW}
    columns = meta.tables[table].columns
    row = {**{k: v for k, v in stamps.items() if k in columns}, **values}
    for column in columns:  # other required columns (Python-side defaults in the models)
        if column.name in row or column.nullable or column.primary_key or column.server_default:
            continue
        kind = column.type.python_type
        row[column.name] = False if kind is bool else 0 if kind is int else NOW
    conn.execute(meta.tables[table].insert().values(**row))


def test_existing_stages_survive_the_upgrade_and_the_downgrade(database):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database})
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0013")
        meta = MetaData()
        meta.reflect(bind=db.engine)
        with db.engine.begin() as conn:
            _insert(
                conn,
                meta,
                "region",
                code="150100",
                name="呼和浩特市",
                name_en="Hohhot",
                kind="city",
                lat=40.8,
                lng=111.7,
            )
            _insert(
                conn,
                meta,
                "school",
                id=1,
                name="技师学院",
                kind="technician_college",
                address="路1号",
                contact_name="李四",
                contact_phone="0471-6661234",
                region_code="150100",
                status="approved",
            )
            _insert(
                conn,
                meta,
                "major",
                id=1,
                name="数控加工",
                category_code="01",
                category_name="机械",
                source="candidate",
                active=True,
            )
            for n in (1, 2):
                _insert(
                    conn,
                    meta,
                    "school_major",
                    id=n,
                    school_id=1,
                    major_id=1,
                    level=("advanced", "technician")[n - 1],
                    cohort_size=40,
                    active=True,
                )
            _insert(
                conn,
                meta,
                "programme_phase",
                id=1,
                number=1,
                name="第一阶段",
                starts_on=date(2022, 4, 1),
                ends_on=date(2023, 7, 31),
            )
            _insert(
                conn,
                meta,
                "programme_batch",
                id=1,
                phase_id=1,
                name="第一批",
                opens_on=date(2022, 4, 1),
                closes_on=date(2022, 6, 30),
                limit_technician_college=3,
                limit_other=2,
            )
            for n, status in ((1, "assessed"), (2, "demonstration")):
                _insert(
                    conn,
                    meta,
                    "programme_batch_application",
                    id=n,
                    batch_id=1,
                    school_id=1,
                    school_major_id=n,
                    slot=n,
                    status=status,
                )
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id, status FROM programme_batch_application ORDER BY id")
            ).all()
            threshold = conn.execute(
                text("SELECT demonstration_threshold FROM programme_batch")
            ).scalar_one()
            assessments = conn.execute(text("SELECT count(*) FROM programme_assessment")).scalar()
        assert [tuple(r) for r in rows] == [(1, "assessed"), (2, "demonstration")]
        assert threshold is None and assessments == 0
        with db.engine.begin() as conn:  # the new constraint holds on the old rows
            conn.execute(text("UPDATE programme_batch SET demonstration_threshold = 80"))
        downgrade(directory=MIGRATIONS, revision="0013")
        with db.engine.connect() as conn:
            statuses = (
                conn.execute(text("SELECT status FROM programme_batch_application ORDER BY id"))
                .scalars()
                .all()
            )
        assert statuses == ["assessed", "demonstration"]
        db.engine.dispose()
