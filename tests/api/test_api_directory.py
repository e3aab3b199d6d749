"""The public directory through the API: visibility, filters and pagination."""

from tests.api.support import API, MILLER, TURNER, auth, enterprise_body, error_of, sign_up
from tests.helpers import BAOTOU, HOHHOT, ORDOS, make_enterprise, make_host, make_school


def _names(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["name"] for item in response.get_json()["items"]]


def test_pending_is_not_listed_until_approved(client, world):
    _, owner = sign_up(client, "enterprise")
    created = client.post(
        f"{API}/enterprises", json=enterprise_body(name="新注册机械厂"), headers=owner
    ).get_json()
    assert "新注册机械厂" not in _names(client.get(f"{API}/enterprises"))
    assert "待审企业" not in _names(client.get(f"{API}/enterprises"))
    error_of(client.get(f"{API}/enterprises/{created['id']}"), 404)
    error_of(client.get(f"{API}/enterprises/{created['id']}/hosts"), 404)
    assert client.get(f"{API}/enterprises/{created['id']}", headers=owner).status_code == 200
    admin = auth(client, world.users["league_admin"])
    client.post(
        f"{API}/enterprises/{created['id']}/review", json={"decision": "approve"}, headers=admin
    )
    assert "新注册机械厂" in _names(client.get(f"{API}/enterprises"))
    detail = client.get(f"{API}/enterprises/{created['id']}")
    assert detail.status_code == 200 and detail.get_json()["status"] == "approved"


def test_admins_see_their_league_pending(client, world):
    hohhot = auth(client, world.users["league_admin"])
    baotou = auth(client, world.users["league_admin_other"])
    assert "待审企业" in _names(client.get(f"{API}/enterprises", headers=hohhot))
    assert "待审企业" not in _names(client.get(f"{API}/enterprises", headers=baotou))
    only_pending = client.get(f"{API}/enterprises?status=pending", headers=hohhot)
    assert _names(only_pending) == ["待审企业"]
    assert _names(client.get(f"{API}/enterprises?status=pending")) == []
    error_of(client.get(f"{API}/enterprises/{world.pending_enterprise.id}", headers=baotou), 404)
    region = auth(client, world.users["region_admin"])
    assert "待审企业" in _names(client.get(f"{API}/enterprises", headers=region))


def test_enterprise_filters(client, world):
    ordos = make_enterprise(region_code=ORDOS, name="鄂尔多斯煤化工", industry="B")
    make_host(ordos, kind="master_studio", occupations=(MILLER,))
    retired = make_enterprise(region_code=ORDOS, name="鄂尔多斯退役车间企业")
    from app.common.time import utcnow
    from app.extensions import db

    old = make_host(retired, kind="training_station", occupations=(MILLER,))
    old.retired_at = utcnow()
    db.session.commit()

    assert _names(client.get(f"{API}/enterprises?q=机床")) == ["呼和浩特机床厂"]
    assert _names(client.get(f"{API}/enterprises?q={world.enterprise.uscc}")) == ["呼和浩特机床厂"]
    assert _names(client.get(f"{API}/enterprises?q=%25")) == []
    assert _names(client.get(f"{API}/enterprises?region_code={BAOTOU}")) == ["包头稀土公司"]
    assert _names(client.get(f"{API}/enterprises?industry=B")) == ["鄂尔多斯煤化工"]
    assert _names(client.get(f"{API}/enterprises?occupation_code={MILLER}")) == ["鄂尔多斯煤化工"]
    assert _names(client.get(f"{API}/enterprises?occupation_code={TURNER}")) == ["呼和浩特机床厂"]
    assert _names(client.get(f"{API}/enterprises?host_kind=master_studio")) == ["鄂尔多斯煤化工"]
    assert _names(client.get(f"{API}/enterprises?host_kind=training_station")) == []
    combined = client.get(f"{API}/enterprises?region_code={ORDOS}&host_kind=master_studio")
    assert _names(combined) == ["鄂尔多斯煤化工"]
    item = client.get(f"{API}/enterprises?q=煤化工").get_json()["items"][0]
    assert item["host_kinds"] == ["master_studio"] and item["industry"] == "B"


def test_enterprise_pagination(client, world):
    for i in range(5):
        make_enterprise(region_code=ORDOS, name=f"分页企业{i:02d}")
    first = client.get(f"{API}/enterprises?region_code={ORDOS}&per_page=2").get_json()
    assert first["total"] == 5 and first["pages"] == 3 and first["page"] == 1
    assert [i["name"] for i in first["items"]] == ["分页企业00", "分页企业01"]
    last = client.get(f"{API}/enterprises?region_code={ORDOS}&per_page=2&page=3").get_json()
    assert [i["name"] for i in last["items"]] == ["分页企业04"] and last["page"] == 3
    beyond = client.get(f"{API}/enterprises?region_code={ORDOS}&per_page=2&page=9").get_json()
    assert beyond["items"] == [] and beyond["total"] == 5
    capped = client.get(f"{API}/enterprises?per_page=1000").get_json()
    assert capped["per_page"] == 100
    junk = client.get(f"{API}/enterprises?page=abc&per_page=-3").get_json()
    assert junk["page"] == 1 and junk["total"] == 7


def test_school_directory(client, world):
    make_school(region_code=ORDOS, name="鄂尔多斯高级技工学校", kind="senior_technical_school")
    make_school(region_code=ORDOS, name="鄂尔多斯待审学校", status="pending")
    names = _names(client.get(f"{API}/schools"))
    assert "鄂尔多斯待审学校" not in names and "鄂尔多斯高级技工学校" in names
    assert _names(client.get(f"{API}/schools?region_code={ORDOS}")) == ["鄂尔多斯高级技工学校"]
    assert _names(client.get(f"{API}/schools?kind=technical_school")) == ["包头技工学校"]
    assert _names(client.get(f"{API}/schools?q=呼和浩特")) == ["呼和浩特技师学院"]
    page = client.get(f"{API}/schools?per_page=1").get_json()
    assert page["total"] == 3 and page["pages"] == 3 and len(page["items"]) == 1
    item = page["items"][0]
    assert {"id", "status", "warnings", "kind", "region_code", "review_reason"} <= set(item)


def test_reference_lists(client):
    regions = client.get(f"{API}/reference/regions").get_json()
    codes = [r["code"] for r in regions["items"]]
    assert HOHHOT in codes and len(codes) == regions["total"] == 14
    industries = client.get(f"{API}/reference/industries").get_json()["items"]
    assert {"section": "C", "name": "制造业"} in industries
    occupations = client.get(f"{API}/reference/occupations?q=6-18").get_json()["items"]
    assert TURNER in [o["code"] for o in occupations]
    assert all(o["code"].startswith("6-18") or "6-18" in o["name"] for o in occupations)
    majors = client.get(f"{API}/reference/majors").get_json()["items"]
    assert majors and all(m["source"] != "official" for m in majors)
