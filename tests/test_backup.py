"""deploy/backup.sh and deploy/restore.sh: the database and the upload folder together,
restored into an empty database and folder, with the data found there (PostgreSQL)."""

import os
import subprocess
import uuid
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text

from app import create_app
from app.auth.models import User
from app.extensions import db
from tests.helpers import make_user
from tests.test_migrations import MIGRATIONS

ROOT = Path(__file__).resolve().parents[1]
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://")

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"), reason="backups are of PostgreSQL databases"
)


@pytest.fixture()
def databases():
    """Two new PostgreSQL databases: the source and the empty restore target."""
    names = [f"gongxue_bk_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = TEST_DATABASE_URL.rsplit("/", 1)[0]
    yield [f"{base}/{name}" for name in names]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _run(script: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "deploy" / script), *args],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_backup_restores_into_an_empty_database_with_its_files(databases, tmp_path):
    source, target = databases
    uploads = tmp_path / "uploads"
    (uploads / "resources").mkdir(parents=True)
    (uploads / "resources" / "a1b2c3").write_bytes(b"%PDF-1.4 lesson plan")
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": source})
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        email = make_user("region_admin", email="kept@example.cn").email
        db.session.remove()
        db.engine.dispose()

    made = _run(
        "backup.sh", str(tmp_path / "backups"), DATABASE_URL=source, UPLOAD_FOLDER=str(uploads)
    )
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip().splitlines()[-1])
    assert sorted(p.name for p in backup.iterdir()) == [
        "SHA256SUMS",
        "database.dump",
        "uploads.tar.gz",
    ]

    restored_uploads = tmp_path / "restored-uploads"
    done = _run("restore.sh", str(backup), DATABASE_URL=target, UPLOAD_FOLDER=str(restored_uploads))
    assert done.returncode == 0, done.stderr
    assert (restored_uploads / "resources" / "a1b2c3").read_bytes() == b"%PDF-1.4 lesson plan"
    restored = create_app("testing", {"SQLALCHEMY_DATABASE_URI": target})
    with restored.app_context():
        assert db.session.scalar(select(User.email).where(User.email == email)) == email
        ready = restored.test_client().get("/readyz").get_json()
        assert ready["checks"]["migrations"] == "ok"
        db.session.remove()
        db.engine.dispose()

    again = _run("restore.sh", str(backup), DATABASE_URL=target, UPLOAD_FOLDER=str(tmp_path / "x"))
    assert again.returncode != 0 and "not empty" in again.stderr
