"""Deep pages of the teachers, applications, accounts and administrators' placements lists:
read ids first, then rows, yet exactly the rows and order plain OFFSET pagination gives."""

from datetime import date, timedelta

import pytest
from sqlalchemy import event

from app.auth.services import users_query
from app.common.pagination import paginate_by_id
from app.cooperation.queries import admin_applications, visible_teachers
from app.extensions import db
from app.programme.queries import placements
from tests.cooperation.factories import make_application, make_placement, make_teacher
from tests.helpers import bearer, login_en, make_host, make_user, token_for

PER_PAGE = 3


def _offset_ids(stmt, page: int) -> list[int]:
    rows = db.session.scalars(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).unique()
    return [row.id for row in rows]


def _assert_same_pages(stmt) -> int:
    """Every page (and one past the end) of paginate_by_id equals the OFFSET page."""
    total = len(db.session.scalars(stmt).unique().all())
    pages = -(-total // PER_PAGE)
    for page in range(1, pages + 2):
        result = paginate_by_id(stmt, page, PER_PAGE)
        assert [row.id for row in result.items] == _offset_ids(stmt, page), page
        assert (result.total, result.pages) == (total, pages)
    return total


@pytest.fixture()
def lists(world):
    """Teachers (some pending, repeated names) in both leagues, their applications, and
    placements sharing start dates, some drafts."""
    teachers = []
    for i, school in enumerate([world.school, world.other_school] * 4):
        teachers.append(make_teacher(school, confirmed=i % 3 != 0, name=f"教师{i % 3}"))
    hosts = [world.host, world.other_host, make_host(world.enterprise, name="装配车间")]
    placed = []
    for i in range(9):
        status = ("open", "closed", "draft")[i % 3]
        starts = date(2026, 3, 1) + timedelta(days=10 * (i % 4))
        placed.append(make_placement(hosts[i % 3], status=status, starts_on=starts))
    for i, teacher in enumerate(teachers):
        make_application(teacher, [placed[i % 9]], status=("endorsed", "submitted")[i % 2])
    for i in range(4):
        make_user("school", school=world.school if i % 2 else world.other_school)
    return teachers


def test_teachers_pages_match_offset(world, lists):
    assert _assert_same_pages(visible_teachers(world.users["region_admin"])) >= 8
    league = _assert_same_pages(visible_teachers(world.users["league_admin"]))
    assert league == 4  # the Hohhot school's teachers only
    assert _assert_same_pages(visible_teachers(world.users["school"])) == 4


def test_applications_pages_match_offset(world, lists):
    assert _assert_same_pages(admin_applications(world.users["region_admin"])) == 8
    assert 4 <= _assert_same_pages(admin_applications(world.users["league_admin"])) < 8


def test_accounts_pages_match_offset_with_filters_and_league(world, lists):
    region, league = world.users["region_admin"], world.users["league_admin"]
    assert _assert_same_pages(users_query(region)) > 20
    assert _assert_same_pages(users_query(region, role="teacher")) >= 8
    assert _assert_same_pages(users_query(region, q="example.cn")) > 20
    assert _assert_same_pages(users_query(league)) > 5
    assert _assert_same_pages(users_query(league, role="school")) >= 2


def test_admin_placements_pages_match_offset_with_region_and_league(world, lists):
    region, league = world.users["region_admin"], world.users["league_admin"]
    assert _assert_same_pages(placements(region)) == 6  # drafts are not listed
    assert _assert_same_pages(placements(region, world.other_host.region_code)) == 3
    assert _assert_same_pages(placements(league)) == 3


def test_api_and_html_deep_pages_list_the_offset_rows(client, world, lists, monkeypatch):
    admin = world.users["league_admin"]
    headers = bearer(token_for(client, admin))
    cases = [
        ("/api/v1/teachers", visible_teachers(admin)),
        ("/api/v1/applications", admin_applications(admin)),
        ("/api/v1/users?role=school", users_query(admin, role="school")),
    ]
    for url, stmt in cases:
        for page in (1, 2, 3):
            sep = "&" if "?" in url else "?"
            body = client.get(f"{url}{sep}page={page}&per_page={PER_PAGE}", headers=headers)
            assert [item["id"] for item in body.get_json()["items"]] == _offset_ids(stmt, page)
    html_client = client.application.test_client()
    login_en(html_client, admin)
    monkeypatch.setitem(client.application.config, "PAGE_SIZE", PER_PAGE)

    def emails(page: int) -> list[str]:
        stmt = users_query(admin).limit(PER_PAGE).offset(PER_PAGE * (page - 1))
        return [user.email for user in db.session.scalars(stmt)]

    for page in (1, 2):
        html = html_client.get(f"/auth/users?page={page}").get_data(as_text=True)
        positions = [html.index(email) for email in emails(page)]
        assert positions == sorted(positions)
        assert not [email for email in emails(page + 1) if email in html]
        assert html_client.get(f"/programme/placements?page={page}").status_code == 200


def test_deep_teacher_page_walks_ids_only(world, lists):
    """The OFFSET statement selects ids alone; rows are then read by id."""
    seen: list[str] = []

    def listener(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        paginate_by_id(visible_teachers(world.users["region_admin"]), 2, PER_PAGE)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    offsets = [s for s in seen if "OFFSET" in s.upper()]
    assert len(offsets) == 1 and offsets[0].startswith("SELECT teacher.id FROM teacher")
