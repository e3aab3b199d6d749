"""Hosts (workshops, training stations, master studios) through the API."""

import pytest

from app.extensions import db
from app.registry.models import Host
from tests.api.support import API, MILLER, TURNER, auth, error_of, host_body
from tests.helpers import make_school


@pytest.mark.parametrize("kind", ["workshop", "training_station", "master_studio"])
def test_owner_adds_each_kind(client, world, kind):
    headers = auth(client, world.users["enterprise"])
    extra = {"partner_school_id": world.school.id} if kind == "training_station" else {}
    body = host_body(kind, occupation_codes=[TURNER, MILLER], **extra)
    response = client.post(
        f"{API}/enterprises/{world.enterprise.id}/hosts", json=body, headers=headers
    )
    assert response.status_code == 201, response.get_json()
    host = response.get_json()
    assert host["kind"] == kind and host["enterprise_id"] == world.enterprise.id
    assert host["active"] is True and host["capacity"] == 6
    assert host["occupation_codes"] == [TURNER, MILLER]
    if kind == "workshop":
        assert host["teacher_capacity"] == 2 and host["equipment"] == "数控车床 6 台"
    if kind == "training_station":
        assert host["partner_school_id"] == world.school.id
    if kind == "master_studio":
        assert host["master_name"] == "李大师" and host["level"] == "national"
    assert response.headers["Location"].endswith(f"/api/v1/hosts/{host['id']}")
    listed = client.get(f"{API}/enterprises/{world.enterprise.id}/hosts").get_json()
    assert host["id"] in [h["id"] for h in listed["items"]] and listed["total"] == 2
    assert client.get(f"{API}/hosts/{host['id']}").get_json() == host


def test_master_studio_needs_master_name_and_level(client, world):
    headers = auth(client, world.users["enterprise"])
    body = host_body("master_studio")
    del body["master_name"]
    response = client.post(
        f"{API}/enterprises/{world.enterprise.id}/hosts", json=body, headers=headers
    )
    assert set(error_of(response, 422)["fields"]) == {"master_name"}
    body = host_body("master_studio", level=None)
    response = client.post(
        f"{API}/enterprises/{world.enterprise.id}/hosts", json=body, headers=headers
    )
    assert set(error_of(response, 422)["fields"]) == {"level"}
    assert db.session.scalar(db.select(db.func.count()).select_from(Host)) == 2


def test_host_validation(client, world):
    headers = auth(client, world.users["enterprise"])
    url = f"{API}/enterprises/{world.enterprise.id}/hosts"
    cases = {
        "kind": host_body(kind="canteen"),
        "occupation_codes": host_body(occupation_codes=[]),
        "capacity": host_body(capacity=-1),
        "teacher_capacity": host_body(teacher_capacity=10**9),
        "partner_school_id": host_body("training_station", partner_school_id=999999),
    }
    for field, body in cases.items():
        error = error_of(client.post(url, json=body, headers=headers), 422)
        assert field in error["fields"], (field, error)
    unknown = error_of(
        client.post(url, json=host_body(occupation_codes=["9-99-99-99"]), headers=headers), 422
    )
    assert "occupation_codes" in unknown["fields"]


def test_partner_school_must_be_visible(client, world):
    hidden = make_school(status="pending", name="未审学校")
    headers = auth(client, world.users["enterprise"])
    response = client.post(
        f"{API}/enterprises/{world.enterprise.id}/hosts",
        json=host_body("training_station", partner_school_id=hidden.id),
        headers=headers,
    )
    assert "partner_school_id" in error_of(response, 422)["fields"]


def test_other_enterprise_user_refused(client, world):
    headers = auth(client, world.users["enterprise_other"])
    post = client.post(
        f"{API}/enterprises/{world.enterprise.id}/hosts", json=host_body(), headers=headers
    )
    assert error_of(post, 403)["code"] == "forbidden"
    pending = client.post(
        f"{API}/enterprises/{world.pending_enterprise.id}/hosts", json=host_body(), headers=headers
    )
    error_of(pending, 404)
    patch = client.patch(f"{API}/hosts/{world.host.id}", json={"capacity": 0}, headers=headers)
    error_of(patch, 403)
    retire = client.post(f"{API}/hosts/{world.host.id}/retire", headers=headers)
    error_of(retire, 403)
    db.session.expire_all()
    host = db.session.get(Host, world.host.id)
    assert host.capacity == 4 and host.retired_at is None
    teacher = auth(client, world.users["teacher"])
    error_of(
        client.post(
            f"{API}/enterprises/{world.enterprise.id}/hosts", json=host_body(), headers=teacher
        ),
        403,
    )
    error_of(client.post(f"{API}/enterprises/{world.enterprise.id}/hosts", json=host_body()), 401)


def test_hosts_of_pending_enterprise_are_hidden(client, world):
    from tests.helpers import make_host

    hidden = make_host(world.pending_enterprise, name="待审车间")
    error_of(client.get(f"{API}/hosts/{hidden.id}"), 404)
    other = auth(client, world.users["enterprise_other"])
    error_of(client.get(f"{API}/hosts/{hidden.id}", headers=other), 404)
    owner = auth(client, world.users["enterprise_pending"])
    assert client.get(f"{API}/hosts/{hidden.id}", headers=owner).get_json()["name"] == "待审车间"


def test_patch_host_merges_and_ignores_kind_and_owner(client, world):
    headers = auth(client, world.users["enterprise"])
    response = client.patch(
        f"{API}/hosts/{world.host.id}",
        json={
            "capacity": 12,
            "kind": "master_studio",
            "enterprise_id": world.other_enterprise.id,
            "id": 777,
            "active": False,
        },
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    host = response.get_json()
    assert host["capacity"] == 12 and host["kind"] == "workshop"
    assert host["enterprise_id"] == world.enterprise.id and host["id"] == world.host.id
    assert host["active"] is True and host["name"] == "数控车间"
    assert host["occupation_codes"] == [TURNER]
    cleared = client.patch(
        f"{API}/hosts/{world.host.id}", json={"occupation_codes": []}, headers=headers
    )
    assert "occupation_codes" in error_of(cleared, 422)["fields"]


def test_retire_and_reinstate(client, world):
    headers = auth(client, world.users["enterprise"])
    retired = client.post(f"{API}/hosts/{world.host.id}/retire", headers=headers)
    assert retired.status_code == 200 and retired.get_json()["active"] is False
    assert client.get(f"{API}/enterprises/{world.enterprise.id}/hosts").get_json()["items"] == []
    with_retired = client.get(
        f"{API}/enterprises/{world.enterprise.id}/hosts?include_retired=1", headers=headers
    ).get_json()
    assert [h["id"] for h in with_retired["items"]] == [world.host.id]
    public = client.get(f"{API}/enterprises/{world.enterprise.id}/hosts?include_retired=1")
    assert public.get_json()["items"] == []
    again = client.post(f"{API}/hosts/{world.host.id}/retire", headers=headers)
    assert error_of(again, 409)["code"] == "invalid_state"
    back = client.post(f"{API}/hosts/{world.host.id}/reinstate", headers=headers)
    assert back.get_json()["active"] is True


def test_league_admin_manages_hosts_in_own_league_only(client, world):
    own = auth(client, world.users["league_admin"])
    response = client.post(
        f"{API}/enterprises/{world.enterprise.id}/hosts", json=host_body(), headers=own
    )
    assert response.status_code == 201
    other = auth(client, world.users["league_admin_other"])
    error_of(
        client.post(
            f"{API}/enterprises/{world.enterprise.id}/hosts", json=host_body(), headers=other
        ),
        403,
    )
