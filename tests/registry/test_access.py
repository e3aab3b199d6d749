"""Someone else's pages and POSTs: 403 when visible, 404 when not, and nothing changes."""

import pytest

from app.extensions import db
from app.registry.models import Enterprise, Host, School
from tests.helpers import login_en, make_host
from tests.registry.payloads import enterprise_form, host_form, school_form


def _snapshot(world):
    db.session.expire_all()
    ent = db.session.get(Enterprise, world.enterprise.id)
    pending = db.session.get(Enterprise, world.pending_enterprise.id)
    host = db.session.get(Host, world.host.id)
    school = db.session.get(School, world.school.id)
    return (
        ent.name,
        ent.status,
        pending.name,
        pending.status,
        host.name,
        host.retired_at,
        len(ent.hosts),
        len(pending.hosts),
        school.name,
        school.status,
    )


@pytest.mark.parametrize("who", ["enterprise_other", "school", "teacher", "league_admin_other"])
def test_outsiders_cannot_change_an_enterprise(client, world, who):
    before = _snapshot(world)
    login_en(client, world.users[who])
    ent, pending, host = world.enterprise.id, world.pending_enterprise.id, world.host.id
    approved_status = 403  # visible but not editable
    requests = [
        ("get", f"/registry/enterprises/{ent}/edit", None, approved_status),
        ("post", f"/registry/enterprises/{ent}/edit", enterprise_form(name="X"), approved_status),
        ("get", f"/registry/enterprises/{ent}/hosts/new", None, approved_status),
        ("post", f"/registry/enterprises/{ent}/hosts/new", host_form(name="X"), approved_status),
        ("get", f"/registry/hosts/{host}/edit", None, approved_status),
        ("post", f"/registry/hosts/{host}/edit", host_form(name="X"), approved_status),
        ("post", f"/registry/hosts/{host}/retire", None, approved_status),
        ("get", f"/registry/enterprises/{pending}/edit", None, 404),  # not visible
        ("post", f"/registry/enterprises/{pending}/edit", enterprise_form(name="X"), 404),
        ("post", f"/registry/enterprises/{pending}/hosts/new", host_form(name="X"), 404),
    ]
    role = world.users[who].role
    for method, url, data, expected in requests:
        response = getattr(client, method)(url, data=data)
        if role in ("school", "teacher"):
            expected = 403  # the role may not edit enterprises at all
        assert response.status_code == expected, (who, method, url)
    assert _snapshot(world) == before


def test_hidden_host_of_a_pending_enterprise_is_404(client, world):
    hidden = make_host(world.pending_enterprise, name="隐藏车间")
    login_en(client, world.users["enterprise"])
    assert client.get(f"/registry/hosts/{hidden.id}/edit").status_code == 404
    assert client.post(f"/registry/hosts/{hidden.id}/retire").status_code == 404
    db.session.expire_all()
    assert db.session.get(Host, hidden.id).retired_at is None


def test_outsiders_cannot_change_a_school(client, world):
    before = _snapshot(world)
    for who, expected in (("school_other", 403), ("league_admin_other", 403), ("enterprise", 403)):
        other = client.application.test_client()
        login_en(other, world.users[who])
        url = f"/registry/schools/{world.school.id}/edit"
        assert other.get(url).status_code == expected, who
        assert other.post(url, data=school_form(name="X")).status_code == expected, who
    assert _snapshot(world) == before


def test_anonymous_users_are_sent_to_login(client, world):
    for url in (
        "/registry/mine",
        f"/registry/enterprises/{world.enterprise.id}/edit",
        "/registry/review",
        "/reference/majors",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert client.post(f"/registry/hosts/{world.host.id}/retire").status_code == 302
    db.session.expire_all()
    assert db.session.get(Host, world.host.id).retired_at is None


@pytest.mark.parametrize("who", ["enterprise", "school", "teacher"])
def test_non_admins_cannot_review(client, world, who):
    login_en(client, world.users[who])
    assert client.get("/registry/review").status_code == 403
    url = f"/registry/enterprises/{world.pending_enterprise.id}/review"
    assert client.post(url, data={"decision": "approve"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Enterprise, world.pending_enterprise.id).status == "pending"


def test_teacher_and_admins_have_no_organisation_page(client, world):
    for who in ("teacher", "league_admin", "region_admin"):
        other = client.application.test_client()
        login_en(other, world.users[who])
        assert other.get("/registry/mine").status_code == 403


def test_owner_sees_pending_profile_and_league_admin_may_edit_it(client, world):
    login_en(client, world.users["enterprise_pending"])
    page = client.get("/registry/mine").get_data(as_text=True)
    assert "待审企业" in page and "Pending review" in page
    admin = client.application.test_client()
    login_en(admin, world.users["league_admin"])
    url = f"/registry/enterprises/{world.pending_enterprise.id}/hosts/new"
    assert admin.post(url, data=host_form(name="局里代录车间")).status_code == 302
    db.session.expire_all()
    names = [h.name for h in db.session.get(Enterprise, world.pending_enterprise.id).hosts]
    assert names == ["局里代录车间"]
