"""Lone surrogates, NUL bytes and huge strings are a 422 naming the field, never a 500."""

import json

import pytest

from tests.helpers import make_user

SURROGATE = "\ud800"
BAD_STRINGS = [SURROGATE, "ab\x00cd", "x" * 1_000_000]


def _post_json(client, url, payload):
    # json.dumps escapes the surrogate as \ud800, exactly as a client would send it
    return client.post(url, data=json.dumps(payload), content_type="application/json")


@pytest.mark.parametrize("bad", BAD_STRINGS, ids=["surrogate", "nul", "1mb"])
def test_signup_without_login_refuses_bad_text_naming_the_field(client, bad):
    payload = {
        "email": "new@example.cn",
        "password": "Str0ng-Passw0rd!",
        "role": "teacher",
        "name": bad,
    }
    response = _post_json(client, "/api/v1/accounts", payload)
    assert response.status_code == 422
    body = response.get_json()["error"]
    assert body["code"] == "validation_error"
    assert list(body["fields"]) == ["name"]


@pytest.mark.parametrize("bad", BAD_STRINGS, ids=["surrogate", "nul", "1mb"])
def test_token_request_refuses_bad_email(client, bad):
    make_user("teacher", email="t@example.cn")
    response = _post_json(client, "/api/v1/auth/token", {"email": bad, "password": "x" * 10})
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["email"]


def test_nested_fields_and_keys_are_named(client):
    response = _post_json(
        client, "/api/v1/accounts", {"profile": {"items": ["ok", SURROGATE]}, SURROGATE: 1}
    )
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert "profile.items[1]" in fields
    assert "\\ud800" in fields  # the bad key itself, escaped so it can be shown


def test_html_form_with_nul_is_refused_with_the_field_named(client):
    response = client.post("/auth/login", data={"email": "a\x00@example.cn", "password": "p"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "email:" in html and "NUL" in html


def test_query_argument_with_nul_is_refused(client):
    response = client.get("/registry/enterprises?q=a%00b")
    assert response.status_code == 400
    assert "q:" in response.get_data(as_text=True)


def test_ordinary_text_passes(client):
    payload = {
        "email": "ok@example.cn",
        "password": "Str0ng-Passw0rd!",
        "role": "teacher",
        "name": "王小明 😀",
        "accept_privacy": True,
    }
    assert _post_json(client, "/api/v1/accounts", payload).status_code == 201


def test_over_long_addresses_get_the_app_414(client):
    response = client.get("/registry/enterprises?q=" + "x" * 5000)
    assert response.status_code == 414
    assert "The address is too long." in response.get_data(as_text=True)
    response = client.get("/api/v1/enterprises?q=" + "x" * 5000)
    assert response.status_code == 414
    assert response.get_json()["error"]["code"] == "uri_too_long"
    assert client.get("/registry/enterprises?q=" + "x" * 3000).status_code == 200
