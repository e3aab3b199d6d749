"""The dashboard and the practice-rule compliance list are cached (no aggregate queries on a
second hit) and a change shows at once, to whoever made it and to everyone else."""

from app.extensions import db
from tests.cooperation import factories as f
from tests.helpers import login_en
from tests.test_public_cache import count_statements


def _figures_counted(statements: list[str]) -> list[str]:
    """Counting statements other than the menu's unread-notification badge."""
    return [s for s in statements if "FROM notification" not in s]


def test_dashboard_is_cached_and_shows_the_admins_own_change(app, client, world):
    login_en(client, world.users["region_admin"])
    client.get("/programme/")
    with count_statements() as seen:
        page = client.get("/programme/")
    assert page.status_code == 200
    assert _figures_counted(seen) == []  # every figure from the cache

    response = client.post(
        "/programme/targets", data={"majors": "77", "schools": "12", "teachers": "345"}
    )
    assert response.status_code == 302
    page = client.get("/programme/").get_data(as_text=True)
    assert "77" in page and "345" in page


def test_dashboard_counts_a_confirmed_practice_at_once(app, client, world):
    from tests.helpers import bearer, token_for

    headers = bearer(token_for(client, world.users["region_admin"]))
    teacher = f.make_teacher(world.school)
    before = client.get("/api/v1/dashboard", headers=headers).get_json()["practice_rule"]
    again = client.get("/api/v1/dashboard", headers=headers).get_json()["practice_rule"]
    assert again == before
    f.make_practice(
        teacher, f.make_placement(world.host), days=app.config["PRACTICE_RULE_DAYS"], confirmed=True
    )
    after = client.get("/api/v1/dashboard", headers=headers).get_json()["practice_rule"]
    assert after["meeting"] == before["meeting"] + 1


def test_compliance_list_is_cached_and_drops_a_teacher_once_the_days_are_confirmed(
    app, client, world
):
    behind = f.make_teacher(world.school, name="差天数教师")
    login_en(client, world.users["region_admin"])
    assert "差天数教师" in client.get("/cooperation/compliance").get_data(as_text=True)
    with count_statements() as seen:
        page = client.get("/cooperation/compliance").get_data(as_text=True)
    assert "差天数教师" in page
    assert _figures_counted(seen) == []  # total and page keys from the cache

    f.make_practice(
        behind, f.make_placement(world.host), days=app.config["PRACTICE_RULE_DAYS"], confirmed=True
    )
    page = client.get("/cooperation/compliance").get_data(as_text=True)
    assert "差天数教师" not in page
    headers = _admin_bearer(client, world)
    api = client.get("/api/v1/practice-compliance", headers=headers).get_json()
    assert all(item["teacher_id"] != behind.id for item in api["items"])


def test_compliance_summary_pages_through_schools(app, client, world):
    from tests.helpers import make_school

    schools = [make_school() for _ in range(3)]
    for school in schools:
        f.make_teacher(school)
    app.config["PAGE_SIZE"] = 2
    try:
        login_en(client, world.users["region_admin"])
        first = client.get("/cooperation/compliance").get_data(as_text=True)
        second = client.get("/cooperation/compliance?schools_page=2").get_data(as_text=True)
    finally:
        app.config["PAGE_SIZE"] = 20
    assert first.count('class="school-summary"') == 2
    assert second.count('class="school-summary"') >= 1
    assert "schools_page=2" in first


def _admin_bearer(client, world) -> dict:
    from tests.helpers import bearer, token_for

    headers = bearer(token_for(client, world.users["region_admin"]))
    db.session.commit()
    return headers


def test_list_totals_are_cached_until_a_table_they_read_changes(app, client, world):
    from tests.helpers import bearer, make_user, token_for

    headers = bearer(token_for(client, world.users["region_admin"]))
    db.session.commit()
    total = client.get("/api/v1/users", headers=headers).get_json()["total"]
    with count_statements() as seen:
        again = client.get("/api/v1/users", headers=headers).get_json()["total"]
    assert again == total and _figures_counted(seen) == []
    make_user("teacher", email="new-teacher@example.com")
    db.session.commit()
    assert client.get("/api/v1/users", headers=headers).get_json()["total"] == total + 1
    # a filter is its own statement, with its own total
    teachers = client.get("/api/v1/users?role=teacher", headers=headers).get_json()["total"]
    assert 0 < teachers < total + 1
