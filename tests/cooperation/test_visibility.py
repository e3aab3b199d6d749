"""Applications reach the hosts' side only once endorsed and only with their own choices; and
every list shows exactly the records its detail endpoint lets the caller read."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notifications.models import Notification
from tests.cooperation import factories as f
from tests.helpers import bearer, login_en, make_host, token_for

API = "/api/v1"


@pytest.fixture()
def rival(world):
    """A competing Baotou placement and the Hohhot enterprise's own one."""
    return f.make_placement(make_host(world.other_enterprise, name="竞争车间")), f.make_placement(
        world.host
    )


def test_enterprise_sees_only_endorsed_applications_and_its_own_choice(client, world, rival):
    competing, own = rival
    teacher = f.make_teacher(world.school, name="钱老师")
    application = f.make_application(teacher, [competing, own], status="submitted")
    headers = bearer(token_for(client, world.users["enterprise"]))
    login_en(client, world.users["enterprise"])

    assert client.get(f"{API}/applications", headers=headers).get_json()["items"] == []
    assert client.get(f"{API}/applications/{application.id}", headers=headers).status_code == 404
    assert "钱老师" not in client.get("/cooperation/desk").get_data(as_text=True)
    assert client.get(f"/cooperation/applications/{application.id}").status_code == 404

    application.status = "endorsed"
    db.session.commit()
    listed = client.get(f"{API}/applications", headers=headers).get_json()["items"]
    assert [(a["id"], a["placement_ids"]) for a in listed] == [(application.id, [own.id])]
    detail = client.get(f"{API}/applications/{application.id}", headers=headers).get_json()
    assert detail["placement_ids"] == [own.id]
    desk = client.get("/cooperation/desk").get_data(as_text=True)
    page = client.get(f"/cooperation/applications/{application.id}").get_data(as_text=True)
    assert "钱老师" in desk and world.host.name in page
    assert "竞争车间" not in desk and "竞争车间" not in page
    assert world.other_enterprise.name not in page

    # the teacher's own side still sees every ranked choice
    school = bearer(token_for(client, world.users["school"]))
    mine = client.get(f"{API}/applications/{application.id}", headers=school).get_json()
    assert mine["placement_ids"] == [competing.id, own.id]


def test_receiving_league_sees_only_endorsed_applications_with_its_choices(client, world, rival):
    competing, own = rival
    # a Baotou teacher applying to the Hohhot enterprise (and to a Baotou one first)
    teacher = f.make_teacher(world.other_school)
    application = f.make_application(teacher, [competing, own], status="submitted")
    hohhot = bearer(token_for(client, world.users["league_admin"]))
    assert client.get(f"{API}/applications/{application.id}", headers=hohhot).status_code == 404
    assert client.get(f"{API}/applications", headers=hohhot).get_json()["items"] == []
    application.status = "endorsed"
    db.session.commit()
    detail = client.get(f"{API}/applications/{application.id}", headers=hohhot).get_json()
    assert detail["placement_ids"] == [own.id]
    listed = client.get(f"{API}/applications", headers=hohhot).get_json()["items"]
    assert [a["id"] for a in listed] == [application.id]
    baotou = bearer(token_for(client, world.users["league_admin_other"]))
    full = client.get(f"{API}/applications/{application.id}", headers=baotou).get_json()
    assert full["placement_ids"] == [competing.id, own.id]


LISTS = {
    "teachers": "teacher",
    "applications": "application",
    "practices": "practice",
    "pairing-requests": "pairing_request",
}
CALLERS = (
    "teacher",
    "school",
    "school_other",
    "enterprise",
    "enterprise_other",
    "league_admin",
    "league_admin_other",
    "region_admin",
    "school_new",
)


@pytest.fixture()
def records(world):
    """Records of both leagues: teachers, applications (submitted and endorsed, across
    leagues), practice stints and pairing requests."""
    other_host = world.other_host
    own_teacher = f.make_teacher(world.school, user=world.users["teacher"])
    baotou_teacher = f.make_teacher(world.other_school)
    hohhot_teacher = f.make_teacher(world.school)
    here, there = f.make_placement(world.host), f.make_placement(other_host)
    rows = {
        "teachers": [own_teacher, baotou_teacher, hohhot_teacher],
        "applications": [
            f.make_application(own_teacher, [here], status="submitted"),
            f.make_application(baotou_teacher, [there, here], status="endorsed"),
            f.make_application(baotou_teacher, [here], status="submitted"),
            f.make_application(hohhot_teacher, [there], status="endorsed"),
        ],
        "practices": [
            f.make_practice(own_teacher, here),
            f.make_practice(baotou_teacher, here),
            f.make_practice(hohhot_teacher, there),
            f.make_practice(baotou_teacher, there, status="completed"),
        ],
        "pairing-requests": [
            f.make_pairing_request(f.make_school_major(world.school)),
            f.make_pairing_request(f.make_school_major(world.other_school)),
        ],
    }
    rows["applications"] += [p.application_id for p in rows["practices"]]
    return {
        kind: sorted(r if isinstance(r, int) else r.id for r in items)
        for kind, items in rows.items()
    }


@pytest.mark.parametrize("caller", CALLERS)
def test_every_list_shows_what_its_detail_allows(client, world, records, caller):
    headers = bearer(token_for(client, world.users[caller]))
    for kind, ids in records.items():
        readable = {
            i for i in ids if client.get(f"{API}/{kind}/{i}", headers=headers).status_code == 200
        }
        response = client.get(f"{API}/{kind}?per_page=100", headers=headers)
        if response.status_code == 403:
            assert readable == set(), (caller, kind)
            continue
        assert response.status_code == 200, (caller, kind)
        listed = {row["id"] for row in response.get_json()["items"]}
        assert listed == readable, (caller, kind, listed, readable)


def test_league_admin_lists_only_its_league(client, world, records):
    hohhot = bearer(token_for(client, world.users["league_admin"]))
    teachers = client.get(f"{API}/teachers", headers=hohhot).get_json()["items"]
    assert {t["school_id"] for t in teachers} == {world.school.id}
    requests = client.get(f"{API}/pairing-requests", headers=hohhot).get_json()
    assert requests["total"] == 1
    region = bearer(token_for(client, world.users["region_admin"]))
    assert client.get(f"{API}/teachers", headers=region).get_json()["total"] == 3


def test_withdrawal_tells_each_enterprise_only_of_its_own_placement(client, world, rival):
    competing, own = rival
    teacher = f.make_teacher(world.school, user=world.users["teacher"])
    application = f.make_application(teacher, [competing, own], status="endorsed")
    headers = bearer(token_for(client, world.users["teacher"]))
    response = client.post(f"{API}/applications/{application.id}/withdraw", headers=headers)
    assert response.status_code == 200, response.get_json()
    told = {
        n.user_id: n.params["placement"]
        for n in db.session.scalars(select(Notification).filter_by(kind="application_withdrawn"))
    }
    assert told == {
        world.users["enterprise"].id: world.host.name,
        world.users["enterprise_staff"].id: world.host.name,  # both members of the enterprise
        world.users["enterprise_other"].id: "竞争车间",
    }
