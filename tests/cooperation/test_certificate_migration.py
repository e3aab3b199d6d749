"""Migration 0006 gives every existing practice an unguessable certificate number."""

import re

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db
from tests.test_migrations import MIGRATIONS, empty_database  # noqa: F401 (fixture)

NUMBER = re.compile(r"^GX-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")


def test_existing_practices_get_random_certificate_numbers(empty_database):  # noqa: F811
    from app.reference.services import load_reference
    from tests.cooperation import factories as f
    from tests.helpers import build_world

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        # The world is built with today's models, then the schema is taken back to the revision
        # before 0006 (later columns go, the rows stay), as a database of that time would be.
        upgrade(directory=MIGRATIONS)
        load_reference()
        db.session.commit()
        world = build_world()
        teacher = f.make_teacher(world.school)
        placement = f.make_placement(world.host, seats=5)
        teacher_id, placement_id = teacher.id, placement.id
        db.session.commit()
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="0007")  # the revision before 0006
        for status in ("completed", "ongoing"):
            db.session.execute(
                text(
                    "INSERT INTO practice (teacher_id, placement_id, status, started_on, "
                    "days_confirmed, created_at, updated_at) VALUES (:t, :p, :s, '2026-03-02', "
                    "3, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"t": teacher_id, "p": placement_id, "s": status},
            )
        db.session.commit()
        db.session.remove()
        upgrade(directory=MIGRATIONS)
        numbers = list(db.session.scalars(text("SELECT certificate_no FROM practice ORDER BY id")))
        assert len(numbers) == 2 and len(set(numbers)) == 2
        assert all(NUMBER.match(n) for n in numbers), numbers
        db.session.remove()
        db.engine.dispose()
