"""Bodies and shortcuts for the API tests."""

from typing import Any

from app.registry.uscc import CHARS
from tests.helpers import HOHHOT, PASSWORD, bearer, fake_uscc, token_for, unique

API = "/api/v1"
TURNER = "6-18-01-01"
MILLER = "6-18-01-02"


def mismatched_uscc() -> str:
    """A well-formed credit code whose check character is wrong."""
    good = fake_uscc()
    wrong = CHARS[(CHARS.index(good[-1]) + 1) % len(CHARS)]
    return good[:17] + wrong


def enterprise_body(**overrides: Any) -> dict[str, Any]:
    """A valid enterprise body."""
    body = {
        "name": unique("接口测试企业"),
        "uscc": fake_uscc(),
        "industry": "C",
        "region_code": HOHHOT,
        "address": "金桥开发区1号",
        "contact_name": "王经理",
        "contact_phone": "13912345678",
        "size_band": "medium",
        "description": "数控加工",
        "accept_privacy": True,
    }
    body.update(overrides)
    return body


def school_body(**overrides: Any) -> dict[str, Any]:
    """A valid school body (without a credit code)."""
    body = {
        "name": unique("接口测试技工学校"),
        "kind": "technical_school",
        "region_code": HOHHOT,
        "address": "学府路8号",
        "contact_name": "刘老师",
        "contact_phone": "0471-6661234",
        "accept_privacy": True,
    }
    body.update(overrides)
    return body


def host_body(kind: str = "workshop", **overrides: Any) -> dict[str, Any]:
    """A valid host body of the given kind."""
    body: dict[str, Any] = {
        "kind": kind,
        "name": unique("班组"),
        "occupation_codes": [TURNER],
        "capacity": 6,
        "region_code": HOHHOT,
    }
    if kind == "workshop":
        body.update(teacher_capacity=2, equipment="数控车床 6 台")
    if kind == "master_studio":
        body.update(master_name="李大师", honour="全国技术能手", level="national")
    body.update(overrides)
    return body


def sign_up(client, role: str = "enterprise") -> tuple[dict, dict[str, str]]:
    """Create an account through the API; returns (account JSON, auth headers)."""
    email = f"{unique(role)}@api.example.cn"
    response = client.post(
        f"{API}/accounts",
        json={
            "email": email,
            "password": PASSWORD,
            "role": role,
            "name": unique("注册人"),
            "accept_privacy": True,
        },
    )
    assert response.status_code == 201, response.get_json()
    token = client.post(f"{API}/auth/token", json={"email": email, "password": PASSWORD})
    assert token.status_code == 200, token.get_json()
    return response.get_json(), bearer(token.get_json()["token"])


def auth(client, user) -> dict[str, str]:
    """Bearer headers for an existing user."""
    return bearer(token_for(client, user))


def error_of(response, status: int) -> dict:
    """Assert the JSON error shape and status; returns the inner error object."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields", "request_id"}
    assert body["error"]["request_id"] == response.headers["X-Request-ID"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]
