"""The audit log: page, filters, API fields, no secrets."""

import json

from app.common import audit
from app.extensions import db
from tests.helpers import PASSWORD, bearer, login_en, token_for
from tests.programme.factories import make_application, make_batch, make_major


def test_audit_page_and_api(client, world):
    batch = make_batch()
    application = make_application(batch, make_major(world.school), "recommended")
    token = token_for(client, world.users["region_admin"])
    client.post(
        f"/api/v1/batch-applications/{application.id}/decision",
        json={"decision": "reject", "reason": "不符合条件"},
        headers=bearer(token),
    )
    body = client.get("/api/v1/audit?action=batch_application", headers=bearer(token)).get_json()
    item = body["items"][0]
    assert {"actor", "action", "target", "at"} <= set(item)
    assert item["actor"] == world.users["region_admin"].email
    assert item["action"] == "batch_application.reject"
    assert item["target"] == f"BatchApplication:{application.id}"
    assert item["after"]["reason"] == "不符合条件"
    login_en(client, world.users["region_admin"])
    page = client.get("/programme/audit?action=reject").get_data(as_text=True)
    assert "batch_application.reject" in page
    empty = client.get("/programme/audit?actor=nobody@x").get_data(as_text=True)
    assert "batch_application.reject" not in empty
    csv_text = client.get("/programme/audit?format=csv&action=reject").get_data(as_text=True)
    assert "batch_application.reject" in csv_text


def test_audit_never_holds_passwords_or_tokens(client, world):
    admin = world.users["region_admin"]
    token = token_for(client, admin)
    audit.record(admin, "test.secret", admin, after={"password": PASSWORD, "token": token, "x": 1})
    db.session.commit()
    body = client.get("/api/v1/audit?per_page=100", headers=bearer(token)).get_json()
    dump = json.dumps(body)
    assert PASSWORD not in dump and token not in dump
    assert '"x": 1' in dump


def test_audit_is_for_region_admins_only(client, world):
    token = token_for(client, world.users["league_admin"])
    assert client.get("/api/v1/audit", headers=bearer(token)).status_code == 403
    login_en(client, world.users["league_admin"])
    assert client.get("/programme/audit").status_code == 403


def test_audit_date_filter_uses_beijing_days(client, world):
    from datetime import UTC, datetime

    from app.common.models import AuditEvent

    admin = world.users["region_admin"]
    event = audit.record(admin, "test.late", admin)
    event.at = datetime(2025, 1, 1, 17, 0, tzinfo=UTC)  # 2025-01-02 01:00 in Beijing
    db.session.commit()
    token = token_for(client, admin)
    on_second = client.get(
        "/api/v1/audit?action=test.late&from=2025-01-02&to=2025-01-02", headers=bearer(token)
    )
    assert on_second.get_json()["total"] == 1
    on_first = client.get(
        "/api/v1/audit?action=test.late&from=2025-01-01&to=2025-01-01", headers=bearer(token)
    )
    assert on_first.get_json()["total"] == 0
    login_en(client, admin)
    page = client.get("/programme/audit?action=test.late").get_data(as_text=True)
    assert "2025-01-02 01:00:00" in page
    assert db.session.get(AuditEvent, event.id) is not None
