"""Enterprises and schools through the API: credit codes, review, ownership, mass assignment."""

import pytest

from app.extensions import db
from app.registry.models import Enterprise, School
from tests.api.support import (
    API,
    auth,
    enterprise_body,
    error_of,
    mismatched_uscc,
    school_body,
    sign_up,
)
from tests.helpers import BAOTOU, HOHHOT, fake_uscc

MALFORMED = {
    "length": "91150100MA0N123",
    "characters": "91150100MA0N1234IO",
    "division": "9115A100MA0N12345X",
    "spaces": "91150100 MA0N1234X",
}


@pytest.mark.parametrize("code", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_credit_code_is_422_on_the_field(client, code):
    _, headers = sign_up(client, "enterprise")
    response = client.post(f"{API}/enterprises", json=enterprise_body(uscc=code), headers=headers)
    error = error_of(response, 422)
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"uscc"}
    assert db.session.scalar(db.select(db.func.count()).select_from(Enterprise)) == 0


def test_valid_credit_code_is_saved_without_warning(client):
    account, headers = sign_up(client, "enterprise")
    code = fake_uscc()
    response = client.post(
        f"{API}/enterprises", json=enterprise_body(uscc=code.lower()), headers=headers
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["uscc"] == code
    assert body["status"] == "pending" and body["warnings"] == []
    assert body["uscc_check_ok"] is True
    assert response.headers["Location"].endswith(f"/api/v1/enterprises/{body['id']}")
    me = client.get(f"{API}/me", headers=headers).get_json()
    assert me["enterprise_id"] == body["id"]


def test_check_mismatch_saved_with_warning_then_approval_confirms(client, world):
    _, headers = sign_up(client, "enterprise")
    code = mismatched_uscc()
    created = client.post(f"{API}/enterprises", json=enterprise_body(uscc=code), headers=headers)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["uscc"] == code and body["uscc_check_ok"] is False
    assert len(body["warnings"]) == 1 and body["uscc_confirmed"] is False
    admin = auth(client, world.users["league_admin"])
    seen = client.get(f"{API}/enterprises/{body['id']}", headers=admin).get_json()
    assert seen["warnings"] == body["warnings"]
    approved = client.post(
        f"{API}/enterprises/{body['id']}/review", json={"decision": "approve"}, headers=admin
    )
    assert approved.status_code == 200, approved.get_json()
    result = approved.get_json()
    assert result["status"] == "approved"
    assert result["uscc_confirmed"] is True and result["warnings"] == []
    public = client.get(f"{API}/enterprises/{body['id']}").get_json()
    assert public["status"] == "approved" and public["warnings"] == []


def test_duplicate_credit_code_is_409(client, world):
    _, headers = sign_up(client, "enterprise")
    response = client.post(
        f"{API}/enterprises", json=enterprise_body(uscc=world.enterprise.uscc), headers=headers
    )
    error = error_of(response, 409)
    assert error["code"] == "conflict" and "uscc" in error["fields"]
    me = client.get(f"{API}/me", headers=headers).get_json()
    assert me["enterprise_id"] is None


def test_duplicate_credit_code_on_patch_is_409(client, world):
    headers = auth(client, world.users["enterprise"])
    response = client.patch(
        f"{API}/enterprises/{world.enterprise.id}",
        json={"uscc": world.other_enterprise.uscc},
        headers=headers,
    )
    assert "uscc" in error_of(response, 409)["fields"]
    db.session.expire_all()
    assert db.session.get(Enterprise, world.enterprise.id).status == "approved"


def test_school_credit_codes(client, world):
    _, headers = sign_up(client, "school")
    bad = client.post(f"{API}/schools", json=school_body(uscc="12150100ABC"), headers=headers)
    assert set(error_of(bad, 422)["fields"]) == {"uscc"}
    mismatch = client.post(
        f"{API}/schools", json=school_body(uscc=mismatched_uscc()), headers=headers
    )
    assert mismatch.status_code == 201, mismatch.get_json()
    assert len(mismatch.get_json()["warnings"]) == 1
    _, other = sign_up(client, "school")
    duplicate = client.post(
        f"{API}/schools", json=school_body(uscc=mismatch.get_json()["uscc"]), headers=other
    )
    assert "uscc" in error_of(duplicate, 409)["fields"]
    _, third = sign_up(client, "school")
    plain = client.post(f"{API}/schools", json=school_body(), headers=third)
    assert plain.status_code == 201
    assert plain.get_json()["uscc"] is None and plain.get_json()["warnings"] == []


def test_required_fields_and_field_messages(client):
    _, headers = sign_up(client, "enterprise")
    error = error_of(client.post(f"{API}/enterprises", json={}, headers=headers), 422)
    assert {"name", "uscc", "industry", "region_code", "address", "contact_name"} <= set(
        error["fields"]
    )
    bad = enterprise_body(contact_phone="12345", industry="Z", region_code="999999")
    error = error_of(client.post(f"{API}/enterprises", json=bad, headers=headers), 422)
    assert set(error["fields"]) == {"contact_phone", "industry", "region_code"}
    assert all(isinstance(m, str) and m for m in error["fields"].values())


def test_english_messages_with_lang(client):
    _, headers = sign_up(client, "enterprise")
    response = client.post(
        f"{API}/enterprises?lang=en", json=enterprise_body(uscc="123"), headers=headers
    )
    assert error_of(response, 422)["fields"]["uscc"] == "A credit code has exactly 18 characters."


def test_one_enterprise_per_account(client, world):
    headers = auth(client, world.users["enterprise"])
    response = client.post(f"{API}/enterprises", json=enterprise_body(), headers=headers)
    assert error_of(response, 409)["code"] == "conflict"


def test_wrong_roles_may_not_register(client, world):
    for role in ("school", "teacher"):
        headers = auth(client, world.users[role])
        response = client.post(f"{API}/enterprises", json=enterprise_body(), headers=headers)
        assert error_of(response, 403)["code"] == "forbidden"
    headers = auth(client, world.users["enterprise_new"])
    error_of(client.post(f"{API}/schools", json=school_body(), headers=headers), 403)


def test_league_admin_registers_only_in_own_league(client, world):
    headers = auth(client, world.users["league_admin"])
    other = client.post(
        f"{API}/enterprises", json=enterprise_body(region_code=BAOTOU), headers=headers
    )
    error_of(other, 403)
    own = client.post(f"{API}/enterprises", json=enterprise_body(), headers=headers)
    assert own.status_code == 201 and own.get_json()["region_code"] == HOHHOT


# Review -------------------------------------------------------------------------------------


def _pending_enterprise(client) -> tuple[int, dict]:
    _, headers = sign_up(client, "enterprise")
    response = client.post(f"{API}/enterprises", json=enterprise_body(), headers=headers)
    assert response.status_code == 201
    return response.get_json()["id"], headers


def test_other_league_admin_may_not_review(client, world):
    ent_id, _ = _pending_enterprise(client)
    other = auth(client, world.users["league_admin_other"])
    response = client.post(
        f"{API}/enterprises/{ent_id}/review", json={"decision": "approve"}, headers=other
    )
    assert error_of(response, 403)["code"] == "forbidden"
    assert "name" not in response.get_json()
    approved_elsewhere = client.post(
        f"{API}/enterprises/{world.enterprise.id}/review",
        json={"decision": "reject", "reason": "不行"},
        headers=other,
    )
    error_of(approved_elsewhere, 403)
    assert db.session.get(Enterprise, ent_id).status == "pending"


def test_non_admins_may_not_review(client, world):
    ent_id, owner = _pending_enterprise(client)
    response = client.post(
        f"{API}/enterprises/{ent_id}/review", json={"decision": "approve"}, headers=owner
    )
    error_of(response, 403)
    error_of(client.post(f"{API}/enterprises/{ent_id}/review", json={"decision": "x"}), 401)
    error_of(
        client.post(
            f"{API}/enterprises/999999/review",
            json={"decision": "approve"},
            headers=auth(client, world.users["region_admin"]),
        ),
        404,
    )


def test_reject_needs_a_reason_and_owner_sees_it(client, world):
    ent_id, owner = _pending_enterprise(client)
    admin = auth(client, world.users["league_admin"])
    no_reason = client.post(
        f"{API}/enterprises/{ent_id}/review", json={"decision": "reject"}, headers=admin
    )
    assert set(error_of(no_reason, 422)["fields"]) == {"reason"}
    blank = client.post(
        f"{API}/enterprises/{ent_id}/review",
        json={"decision": "reject", "reason": "   "},
        headers=admin,
    )
    assert "reason" in error_of(blank, 422)["fields"]
    bad_decision = client.post(
        f"{API}/enterprises/{ent_id}/review", json={"decision": "maybe"}, headers=admin
    )
    assert "decision" in error_of(bad_decision, 422)["fields"]
    rejected = client.post(
        f"{API}/enterprises/{ent_id}/review",
        json={"decision": "reject", "reason": "营业执照照片不清晰"},
        headers=admin,
    )
    assert rejected.status_code == 200
    seen = client.get(f"{API}/enterprises/{ent_id}", headers=owner).get_json()
    assert seen["status"] == "rejected" and seen["review_reason"] == "营业执照照片不清晰"
    error_of(client.get(f"{API}/enterprises/{ent_id}"), 404)
    again = client.post(
        f"{API}/enterprises/{ent_id}/review",
        json={"decision": "reject", "reason": "同上"},
        headers=admin,
    )
    assert error_of(again, 409)["code"] == "invalid_state"


def test_owner_edit_after_rejection_goes_back_to_review(client, world):
    ent_id, owner = _pending_enterprise(client)
    admin = auth(client, world.users["region_admin"])
    client.post(
        f"{API}/enterprises/{ent_id}/review",
        json={"decision": "reject", "reason": "地址不全"},
        headers=admin,
    )
    response = client.patch(
        f"{API}/enterprises/{ent_id}", json={"address": "金桥开发区1号楼3层"}, headers=owner
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "pending" and body["review_reason"] is None
    assert body["address"] == "金桥开发区1号楼3层"
    assert body["name"]  # the other fields are kept


def test_school_review_flow(client, world):
    _, owner = sign_up(client, "school")
    created = client.post(f"{API}/schools", json=school_body(), headers=owner).get_json()
    error_of(client.get(f"{API}/schools/{created['id']}"), 404)
    other = auth(client, world.users["league_admin_other"])
    error_of(
        client.post(
            f"{API}/schools/{created['id']}/review", json={"decision": "approve"}, headers=other
        ),
        403,
    )
    admin = auth(client, world.users["league_admin"])
    no_reason = client.post(
        f"{API}/schools/{created['id']}/review", json={"decision": "reject"}, headers=admin
    )
    assert "reason" in error_of(no_reason, 422)["fields"]
    ok = client.post(
        f"{API}/schools/{created['id']}/review", json={"decision": "approve"}, headers=admin
    )
    assert ok.get_json()["status"] == "approved"
    public = client.get(f"{API}/schools/{created['id']}")
    assert public.status_code == 200 and public.get_json()["name"] == created["name"]


# Ownership and mass assignment --------------------------------------------------------------


def test_other_enterprise_user_refused(client, world):
    headers = auth(client, world.users["enterprise_other"])
    patch = client.patch(
        f"{API}/enterprises/{world.enterprise.id}", json={"name": "抢注"}, headers=headers
    )
    assert error_of(patch, 403)["code"] == "forbidden"
    assert "uscc" not in patch.get_json()["error"]["fields"]
    pending = client.patch(
        f"{API}/enterprises/{world.pending_enterprise.id}", json={"name": "x"}, headers=headers
    )
    error_of(pending, 404)
    detail = client.get(f"{API}/enterprises/{world.pending_enterprise.id}", headers=headers)
    assert "name" not in detail.get_json() and error_of(detail, 404)
    db.session.expire_all()
    assert db.session.get(Enterprise, world.enterprise.id).name == "呼和浩特机床厂"


def test_other_school_user_refused(client, world):
    headers = auth(client, world.users["school_other"])
    error_of(
        client.patch(f"{API}/schools/{world.school.id}", json={"name": "x"}, headers=headers),
        403,
    )


def test_mass_assignment_is_ignored_on_create(client, world):
    _, headers = sign_up(client, "enterprise")
    body = enterprise_body(
        id=424242,
        status="approved",
        review_reason="自己批准",
        uscc_confirmed=True,
        uscc_check_ok=True,
        reviewed_by_id=world.users["region_admin"].id,
        owner=world.users["region_admin"].id,
        enterprise_id=1,
        industry_section="A",
        uscc=mismatched_uscc(),
    )
    response = client.post(f"{API}/enterprises", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["id"] != 424242
    assert created["status"] == "pending" and created["review_reason"] is None
    assert created["uscc_confirmed"] is False and created["uscc_check_ok"] is False
    assert created["industry"] == "C"
    row = db.session.get(Enterprise, created["id"])
    assert row.reviewed_by_id is None and row.status == "pending"


def test_mass_assignment_is_ignored_on_patch(client, world):
    headers = auth(client, world.users["enterprise_pending"])
    ent = world.pending_enterprise
    response = client.patch(
        f"{API}/enterprises/{ent.id}",
        json={"status": "approved", "id": 1, "uscc_confirmed": True, "reviewed_at": "2024-01-01"},
        headers=headers,
    )
    assert response.status_code == 200
    assert response.get_json()["status"] == "pending"
    assert response.get_json()["id"] == ent.id
    school_headers = auth(client, world.users["school"])
    response = client.patch(
        f"{API}/schools/{world.school.id}",
        json={"status": "rejected", "review_reason": "x"},
        headers=school_headers,
    )
    assert response.get_json()["status"] == "approved"
    assert response.get_json()["review_reason"] is None


def test_patch_without_changes_keeps_approval(client, world):
    headers = auth(client, world.users["enterprise"])
    response = client.patch(
        f"{API}/enterprises/{world.enterprise.id}",
        json={"name": "呼和浩特机床厂", "status": "pending"},
        headers=headers,
    )
    assert response.get_json()["status"] == "approved"


def test_patch_validates_the_merged_profile(client, world):
    headers = auth(client, world.users["enterprise"])
    response = client.patch(
        f"{API}/enterprises/{world.enterprise.id}",
        json={"name": "", "contact_phone": "abc"},
        headers=headers,
    )
    assert set(error_of(response, 422)["fields"]) == {"name", "contact_phone"}
    db.session.expire_all()
    assert db.session.get(Enterprise, world.enterprise.id).status == "approved"


def test_admin_edit_keeps_status(client, world):
    headers = auth(client, world.users["league_admin"])
    response = client.patch(
        f"{API}/enterprises/{world.enterprise.id}",
        json={"description": "管理员修订"},
        headers=headers,
    )
    assert response.status_code == 200
    assert response.get_json()["status"] == "approved"
    assert response.get_json()["description"] == "管理员修订"
    other = auth(client, world.users["league_admin_other"])
    error_of(
        client.patch(f"{API}/schools/{world.school.id}", json={"name": "x"}, headers=other), 403
    )
    assert db.session.get(School, world.school.id).name == "呼和浩特技师学院"
