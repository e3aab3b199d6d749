"""Members of a school or enterprise: owners and staff, the last owner stays."""

from sqlalchemy import select

from app.auth.models import User
from app.common.models import AuditEvent
from app.extensions import db
from tests.helpers import bearer, login_en, make_enterprise, make_user, token_for


def test_staff_does_the_work_but_not_the_profile(client, world):
    staff = world.users["enterprise_staff"]
    headers = bearer(token_for(client, staff))
    host = client.post(
        f"/api/v1/enterprises/{world.enterprise.id}/hosts",
        json={
            "kind": "workshop",
            "name": "装配车间",
            "occupation_codes": ["6-18-01-01"],
            "capacity": 3,
            "region_code": world.enterprise.region_code,
        },
        headers=headers,
    )
    assert host.status_code == 201, host.get_json()
    refused = client.patch(
        f"/api/v1/enterprises/{world.enterprise.id}", json={"name": "改名"}, headers=headers
    )
    assert refused.status_code == 403
    db.session.refresh(world.enterprise)
    assert world.enterprise.name == "呼和浩特机床厂"


def test_members_list_owners_first_and_only_to_members_and_admins(client, world):
    owner_headers = bearer(token_for(client, world.users["enterprise"]))
    body = client.get(
        f"/api/v1/enterprises/{world.enterprise.id}/members", headers=owner_headers
    ).get_json()
    assert [m["membership_role"] for m in body["items"]] == ["owner", "staff"]
    assert body["total"] == 2
    assert {m["id"] for m in body["items"]} == {
        world.users["enterprise"].id,
        world.users["enterprise_staff"].id,
    }
    other = bearer(token_for(client, world.users["enterprise_other"]))
    response = client.get(f"/api/v1/enterprises/{world.enterprise.id}/members", headers=other)
    assert response.status_code == 403
    assert "items" not in response.get_json()


def test_owner_removes_staff_and_the_removed_session_dies(app, client, world):
    staff = world.users["enterprise_staff"]
    staff_client = app.test_client()
    login_en(staff_client, staff)
    assert staff_client.get("/registry/mine").status_code == 200
    owner = bearer(token_for(client, world.users["enterprise"]))
    response = client.delete(
        f"/api/v1/enterprises/{world.enterprise.id}/members/{staff.id}", headers=owner
    )
    assert response.status_code == 204
    db.session.refresh(staff)
    assert staff.enterprise_id is None and staff.membership_role is None
    assert staff_client.get("/registry/mine").status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "member.remove"))
    assert event.target_id == str(staff.id) and event.actor_id == world.users["enterprise"].id


def test_the_last_owner_cannot_be_removed_or_demoted(client, world):
    owner = world.users["school"]
    headers = bearer(token_for(client, owner))
    response = client.delete(
        f"/api/v1/schools/{world.school.id}/members/{owner.id}", headers=headers
    )
    assert response.status_code == 409
    assert "user_id" in response.get_json()["error"]["fields"]
    login_en(client, owner)
    client.post(f"/registry/members/{owner.id}/role", data={"role": "staff"})
    db.session.refresh(owner)
    assert owner.school_id == world.school.id and owner.membership_role == "owner"


def test_an_owner_hands_over_then_leaves(client, world):
    owner, staff = world.users["school"], world.users["school_staff"]
    login_en(client, owner)
    assert (
        client.post(f"/registry/members/{staff.id}/role", data={"role": "owner"}).status_code == 302
    )
    assert client.post(f"/registry/members/{owner.id}/remove").status_code == 302
    db.session.refresh(owner)
    db.session.refresh(staff)
    assert owner.school_id is None
    assert staff.membership_role == "owner" and staff.school_id == world.school.id


def test_staff_cannot_manage_members_in_pages(client, world):
    staff = world.users["enterprise_staff"]
    login_en(client, staff)
    page = client.get("/registry/members").get_data(as_text=True)
    assert world.users["enterprise"].email in page
    assert "Send invitation" not in page
    owner = world.users["enterprise"]
    assert client.post(f"/registry/members/{owner.id}/remove").status_code == 403
    db.session.refresh(owner)
    assert owner.enterprise_id == world.enterprise.id


def test_league_admin_removes_member_only_in_own_league(client, world):
    staff = world.users["enterprise_staff"]
    other = bearer(token_for(client, world.users["league_admin_other"]))
    url = f"/api/v1/enterprises/{world.enterprise.id}/members/{staff.id}"
    assert client.delete(url, headers=other).status_code == 403
    mine = bearer(token_for(client, world.users["league_admin"]))
    assert client.delete(url, headers=mine).status_code == 204


def test_registering_an_organisation_makes_the_account_its_owner(client):
    user = make_user("enterprise")
    login_en(client, user)
    from tests.helpers import fake_uscc

    client.post(
        "/registry/enterprises/new",
        data={
            "name": "新企业",
            "uscc": fake_uscc(),
            "industry": "C",
            "region_code": "150100",
            "address": "路1号",
            "contact_name": "张三",
            "contact_phone": "13800138000",
            "accept_privacy": "y",
        },
    )
    user = db.session.get(User, user.id)
    assert user.enterprise_id is not None and user.membership_role == "owner"


def test_member_list_has_no_n_plus_one(client, world):
    ent = make_enterprise()
    owner = make_user("enterprise", enterprise=ent)
    for _ in range(5):
        make_user("enterprise", enterprise=ent, membership_role="staff")
    headers = bearer(token_for(client, owner))
    body = client.get(f"/api/v1/enterprises/{ent.id}/members", headers=headers).get_json()
    assert body["total"] == 6 and body["items"][0]["id"] == owner.id
