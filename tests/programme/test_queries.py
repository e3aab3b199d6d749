"""List pages run a fixed number of queries whatever the number of rows (no N+1)."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from app.common.cache import cache
from app.extensions import db
from app.programme.models import Nomination, TeachingHours, TrainingRecord
from tests.helpers import login_en, make_enterprise, make_school
from tests.programme.factories import (
    make_application,
    make_batch,
    make_major,
    make_part_timer,
    make_research_base,
    make_teacher,
    today,
)

PAGES = (
    "/programme/batches",
    "/programme/applications",
    "/programme/teachers",
    "/programme/workload",
    "/programme/part-time-teachers",
    "/programme/nominations",
    "/programme/research-bases",
    "/programme/majors",
    "/programme/",
)


@contextmanager
def _counting():
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _add_rows(n: int) -> None:
    """n more of everything the list pages show, each at a new school and enterprise."""
    batch = make_batch()
    for i in range(n):
        school = make_school()
        enterprise = make_enterprise()
        make_application(batch, make_major(school), "selected")
        teacher = make_teacher(school, status="trained")
        base = make_research_base()
        db.session.add_all(
            [
                TeachingHours(teacher_id=teacher.id, term="2024-2025-1", ordinary_hours=i),
                TrainingRecord(
                    teacher_id=teacher.id,
                    research_base_id=base.id,
                    course="课程",
                    hours=8,
                    completed_on=today(),
                ),
                Nomination(category="boutique_course", school_id=school.id, title=f"课程{i}"),
            ]
        )
        db.session.commit()
        make_part_timer(school, enterprise)


@pytest.mark.parametrize("page", PAGES)
def test_list_page_queries_do_not_grow_with_rows(client, world, page):
    login_en(client, world.users["region_admin"])
    _add_rows(2)
    cache.clear()  # both measurements compute every cached figure and total afresh
    with _counting() as few:
        assert client.get(page).status_code == 200
    _add_rows(6)
    cache.clear()
    with _counting() as many:
        response = client.get(page)
    assert response.status_code == 200
    assert len(many) == len(few), (page, len(few), len(many))
