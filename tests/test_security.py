"""Headers, CSRF on every state-changing route, friendly errors without stack traces."""

import pytest

from app import create_app
from app.extensions import db
from app.reference.services import load_reference
from tests.helpers import PASSWORD, make_user


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_no_inline_script_in_pages(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert "<script>" not in html and "onclick=" not in html


@pytest.fixture()
def csrf_client(tmp_path):
    """An app with CSRF protection on (as in production), on its own SQLite file."""
    csrf_app = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'c.db'}", "WTF_CSRF_ENABLED": True},
    )
    with csrf_app.app_context():
        db.create_all()
        load_reference()
        db.session.commit()
    yield csrf_app
    with csrf_app.app_context():
        db.session.remove()
        db.engine.dispose()


def _state_changing_html_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") or rule.endpoint == "static":
            continue
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            yield rule, method


def _sample_url(app, rule) -> str:
    """A concrete URL for the rule (1 for numbers, a known code for strings) that it matches."""
    values = {}
    for name, converter in rule._converters.items():
        values[name] = (
            1
            if type(converter).__name__ in ("IntegerConverter", "NumberConverter")
            else (
                "en"
                if name == "code"
                else "6-18-01-01"
                if "occupation" in rule.rule
                else "enterprises"
            )
        )
    adapter = app.url_map.bind("localhost")
    return adapter.build(
        rule.endpoint, values, method=sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
    )


def test_every_state_changing_html_route_refuses_a_request_without_csrf_token(csrf_client):
    with csrf_client.app_context():
        email = make_user("region_admin").email
    client = csrf_client.test_client()
    rules = list(_state_changing_html_rules(csrf_client))
    assert len(rules) > 20, "state-changing routes not found"
    adapter = csrf_client.url_map.bind("localhost")
    for rule, method in rules:
        url = _sample_url(csrf_client, rule)
        assert adapter.match(url, method=method)[0] == rule.endpoint, url  # a real route
        response = client.open(url, method=method, data={"email": email, "password": PASSWORD})
        assert response.status_code == 400, (rule.rule, method, response.status_code)
        assert "security token" in response.get_data(as_text=True), rule.rule


def test_login_with_csrf_token_works(csrf_client):
    with csrf_client.app_context():
        email = make_user("teacher").email
    client = csrf_client.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "does not exist" in response.get_data(as_text=True)


def test_unexpected_error_is_a_friendly_500_without_trace():
    app = create_app("testing")

    @app.route("/_boom_for_test")
    def boom():
        raise RuntimeError("secret internal detail")

    response = app.test_client().get("/_boom_for_test")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internal detail" not in body and "Traceback" not in body
    assert "Something went wrong" in body


def test_api_errors_are_json(client):
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_session_cookie_flags(client):
    user = make_user("teacher")
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires=" in cookie  # a lifetime, not a forever cookie
    db.session.rollback()
