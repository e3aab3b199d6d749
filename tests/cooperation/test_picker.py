"""The application form's placement picker: server search, pages, ranking; open applications."""

from app.extensions import db
from tests.cooperation import factories as f
from tests.helpers import BAOTOU, login_en, make_enterprise, make_host


def _ids(client, query: str = "") -> list[int]:
    body = client.get(f"/cooperation/placements/options{query}").get_json()
    return [item["value"] for item in body["items"]]


def test_options_rank_own_occupation_then_own_league_and_search(client, world):
    """Fitting occupations first, then the teacher's league; search by enterprise or league."""
    teacher = f.make_teacher(world.school, user=world.users["teacher"])  # Hohhot, turner
    far_fit = f.make_placement(world.other_host, codes=(f.TURNER,))  # Baotou, turner
    near_other = f.make_placement(world.host, codes=("6-18-02-04",))  # Hohhot, welder
    near_fit = f.make_placement(world.host, codes=(f.TURNER,))  # Hohhot, turner
    full = f.make_placement(world.host, seats=1)
    full.seats_taken = 1
    db.session.commit()
    login_en(client, world.users["teacher"])
    ids = _ids(client)
    assert ids.index(near_fit.id) < ids.index(far_fit.id) < ids.index(near_other.id)
    assert full.id not in ids  # no free seat
    assert teacher.school.region_code != world.other_host.region_code
    assert _ids(client, "?q=" + world.other_enterprise.name[:4]) == [far_fit.id]
    body = client.get("/cooperation/placements/options").get_json()
    item = next(i for i in body["items"] if i["value"] == far_fit.id)
    assert item["enterprise"] == world.other_enterprise.name
    assert item["host"] == world.other_host.name
    assert item["league"] and item["period"] == "2026-03-01 – 2026-06-30"
    assert item["free"] == 3 and "#" not in item["text"]


def test_options_come_in_pages_of_twenty(client, world):
    f.make_teacher(world.school, user=world.users["teacher"])
    host = make_host(make_enterprise(region_code=BAOTOU), name="分页车间")
    made = [f.make_placement(host).id for _ in range(23)]
    login_en(client, world.users["teacher"])
    first = client.get("/cooperation/placements/options?q=分页").get_json()
    second = client.get("/cooperation/placements/options?q=分页&page=2").get_json()
    assert first["total"] == 23 and first["has_next"] and not second["has_next"]
    got = [i["value"] for i in first["items"] + second["items"]]
    assert len(first["items"]) == 20 and sorted(got) == sorted(made)


def test_application_form_without_javascript_searches_on_the_server(client, world):
    f.make_teacher(world.school, user=world.users["teacher"])
    mine = f.make_placement(world.host)
    other = f.make_placement(world.other_host)
    login_en(client, world.users["teacher"])
    page = client.get(f"/cooperation/applications/new?q={world.other_host.name}").get_data(
        as_text=True
    )
    assert f'<option value="{other.id}"' in page and f'<option value="{mine.id}"' not in page
    assert f"#{other.id}" not in page
    assert world.other_enterprise.name in page  # the enterprise is named in the option


def test_teacher_with_an_open_application_gets_reasons_not_apply_buttons(client, world):
    teacher = f.make_teacher(world.school, user=world.users["teacher"])
    placement = f.make_placement(world.host)
    application = f.make_application(teacher, [placement], status="submitted")
    login_en(client, world.users["teacher"])
    listing = client.get("/cooperation/placements").get_data(as_text=True)
    assert f"/cooperation/applications/new?placement_id={placement.id}" not in listing
    assert "Application under way" in listing and 'aria-disabled="true"' in listing
    assert f"/cooperation/applications/{application.id}" in listing
    detail = client.get(f"/cooperation/placements/{placement.id}").get_data(as_text=True)
    assert "Application under way" in detail and "applications/new" not in detail
    form = client.get("/cooperation/applications/new").get_data(as_text=True)
    assert "You already have an application under way" in form
    assert 'name="placement_ids"' not in form
