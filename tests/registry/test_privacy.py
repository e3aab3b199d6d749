"""Contact details reach only those the privacy policy names, through every channel.

Each kind of caller walks the registry's list and detail API operations, the directory and
profile pages and the CSV exports (API and pages); every response body is searched for the
stored contact names and phone numbers of every organisation."""

import io
import json

import pytest
from openpyxl import load_workbook

from app.common.audit import record
from app.common.models import AuditEvent
from app.common.privacy import mask_phone, mask_phones_in
from app.extensions import db
from tests.cooperation import factories as f
from tests.helpers import bearer, login_en, token_for

API = "/api/v1"

# Distinct, searchable contact details per organisation.
CONTACTS = {
    "enterprise": ("联系人甲壹", "13912340001"),
    "other_enterprise": ("联系人乙贰", "13712340002"),
    "pending_enterprise": ("联系人丙叁", "15812340003"),
    "school": ("联系人丁肆", "0471-6661234"),
    "other_school": ("联系人戊伍", "0472-5551234"),
}
CALLERS = (
    "anonymous",
    "teacher",
    "school",
    "school_other",
    "enterprise",
    "enterprise_other",
    "enterprise_pending",
    "league_admin",
    "league_admin_other",
    "region_admin",
    "enterprise_new",
    "school_new",
)
# Who sees which organisation's contact in full. The other (Baotou) school is paired with the
# Hohhot enterprise, so each sees the other's; everyone else signed in gets a masked number.
FULL = {
    "anonymous": set(),
    "teacher": {"school"},
    "school": {"school"},
    "school_other": {"other_school", "enterprise"},
    "enterprise": {"enterprise", "other_school"},
    "enterprise_other": {"other_enterprise"},
    "enterprise_pending": {"pending_enterprise"},
    "league_admin": {"enterprise", "pending_enterprise", "school"},
    "league_admin_other": {"other_enterprise", "other_school"},
    "region_admin": set(CONTACTS),
    "enterprise_new": set(),
    "school_new": set(),
}


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


@pytest.fixture()
def orgs(world):
    """The world's organisations with distinct contacts; the Baotou school paired with the
    Hohhot enterprise."""
    rows = {key: getattr(world, key) for key in CONTACTS}
    for key, (name, phone) in CONTACTS.items():
        rows[key].contact_name, rows[key].contact_phone = name, phone
    db.session.commit()
    f.make_pairing(f.make_school_major(world.other_school), f.make_offer(world.host))
    f.make_teacher(world.school, user=world.users["teacher"])
    return rows


def _urls(orgs) -> tuple[list[str], list[str]]:
    enterprises = [orgs[k].id for k in ("enterprise", "other_enterprise", "pending_enterprise")]
    schools = [orgs[k].id for k in ("school", "other_school")]
    api = [f"{API}/enterprises", f"{API}/schools"]
    api += [f"{API}/enterprises?format=csv", f"{API}/schools?format=csv"]
    api += [f"{API}/enterprises?status=pending", f"{API}/enterprises?per_page=100"]
    api += [f"{API}/enterprises/{i}" for i in enterprises] + [f"{API}/schools/{i}" for i in schools]
    pages = ["/registry/enterprises", "/registry/schools"]
    pages += ["/registry/enterprises?format=csv", "/registry/schools?format=csv"]
    pages += ["/registry/enterprises?status=pending"]
    pages += [f"/registry/enterprises/{i}" for i in enterprises]
    pages += [f"/registry/schools/{i}" for i in schools]
    # the privacy notice, the caller's own data and the closure requests reveal no contact
    api += [f"{API}/me", f"{API}/me/data", f"{API}/closure-requests"]
    pages += ["/privacy", "/account/data", "/account/data.json", "/account/close"]
    pages += ["/account/closures"]
    return api, pages


def _text(response) -> str:
    """The body as text; JSON re-dumped without escapes so Chinese names are searchable."""
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False, separators=(",", ":"))
    return response.get_data(as_text=True)


def _bodies(client, world, orgs, caller: str) -> tuple[dict[str, str], dict[str, str]]:
    api_urls, page_urls = _urls(orgs)
    headers = {}
    if caller != "anonymous":
        user = world.users[caller]
        headers = bearer(token_for(client, user))
        login_en(client, user)
    api = {url: _text(client.get(url, headers=headers)) for url in api_urls}
    pages = {url: _text(client.get(url)) for url in page_urls}
    return api, pages


@pytest.mark.parametrize("caller", CALLERS)
def test_contact_details_reach_only_those_the_policy_names(client, world, orgs, caller):
    api, pages = _bodies(client, world, orgs, caller)
    bodies = {**api, **pages}
    full = FULL[caller]
    for key, (name, phone) in CONTACTS.items():
        masked = mask_phone(phone)
        for url, body in bodies.items():
            if key in full:
                continue
            assert name not in body, (caller, key, url)
            assert phone not in body and _digits(phone) not in body, (caller, key, url)
            if caller == "anonymous":
                assert masked not in body, (caller, key, url)
        # the detail of an organisation the caller may view shows what the policy grants
        org = orgs[key]
        kind = "schools" if "school" in key else "enterprises"
        detail = api[f"{API}/{kind}/{org.id}"]
        page = pages[f"/registry/{kind}/{org.id}"]
        if not org.is_public and key not in full:
            continue  # not visible at all (404), checked above for leaks
        if key in full:
            assert name in detail and phone in detail, (caller, key)
            assert name in page and phone in page, (caller, key)
        elif caller == "anonymous":
            assert '"contact_phone":null' in detail, (caller, key)
        else:
            assert masked in detail and masked in page, (caller, key)
    # the exports carry the contact columns through the same policy
    for url in (f"{API}/enterprises?format=csv", "/registry/enterprises?format=csv"):
        if "enterprise" in full:
            assert CONTACTS["enterprise"][1] in bodies[url], (caller, url)
        elif caller != "anonymous":
            assert mask_phone(CONTACTS["enterprise"][1]) in bodies[url], (caller, url)


def test_phone_numbers_are_masked_keeping_three_and_four_digits():
    assert mask_phone("13312347036") == "133****7036"
    assert mask_phone("0471-6661234") == "047****1234"
    assert mask_phone(None) is None
    assert mask_phones_in("电话 13312347036，座机 0471-6661234") == (
        "电话 133****7036，座机 047****1234"
    )


def test_audit_events_mask_phone_numbers(client, world, orgs):
    owner = world.users["enterprise"]
    headers = bearer(token_for(client, owner))
    response = client.patch(
        f"{API}/enterprises/{world.enterprise.id}",
        json={"contact_phone": "13612345678"},
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    event = db.session.scalars(db.select(AuditEvent).filter_by(action="enterprise.update")).one()
    assert event.before["contact_phone"] == "139****0001"
    assert event.after["contact_phone"] == "136****5678"
    noted = record(owner, "enterprise.note", world.enterprise, after={"note": "回电 13912340001"})
    assert noted.after == {"note": "回电 139****0001"}


def test_reads_of_lists_are_limited_per_caller(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "READ_RATE_LIMIT", "3/minute")
    first = [client.get(f"{API}/enterprises").status_code for _ in range(3)]
    assert first == [200, 200, 200]
    limited = client.get(f"{API}/schools")
    assert limited.status_code == 429 and limited.get_json()["error"]["code"] == "rate_limited"
    other = client.get(f"{API}/enterprises", environ_base={"REMOTE_ADDR": "10.7.7.7"})
    assert other.status_code == 200
    token = token_for(client, world.users["school"])
    assert client.get(f"{API}/schools", headers=bearer(token)).status_code == 200
    pages = [client.get("/registry/enterprises").status_code for _ in range(4)]
    assert pages == [200, 200, 200, 429]


@pytest.mark.parametrize("caller", ["anonymous", "enterprise_new", "league_admin"])
def test_xlsx_exports_follow_the_same_policy(client, world, orgs, caller):
    headers = {}
    if caller != "anonymous":
        headers = bearer(token_for(client, world.users[caller]))
        login_en(client, world.users[caller])
    for url, kw in (
        ("/registry/enterprises?format=xlsx", {}),
        (f"{API}/enterprises?format=xlsx", {"headers": headers}),
    ):
        response = client.get(url, **kw)
        assert response.status_code == 200, url
        sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
        cells = {str(c) for row in sheet.iter_rows(values_only=True) for c in row if c}
        name, phone = CONTACTS["enterprise"]
        if caller == "league_admin":
            assert {name, phone} <= cells, url
        else:
            assert name not in cells and phone not in cells, url
            masked = mask_phone(phone)
            assert (masked in cells) == (caller != "anonymous"), url
