"""What users read: no developer artefacts such as a literal "None" in empty fields."""

import re

import pytest

from tests.helpers import login


@pytest.mark.parametrize("path", ["/auth/login", "/auth/signup"])
def test_empty_fields_show_no_none(client, path):
    page = client.get(path).get_data(as_text=True)
    assert 'placeholder="None"' not in page
    assert not re.search(r">\s*None\s*<", page)


def test_password_page_has_no_none(client, world):
    login(client, world.users["teacher"])
    page = client.get("/auth/password").get_data(as_text=True)
    assert "None" not in page


def test_pages_have_skip_link_and_favicon(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'class="skip-link" href="#main"' in page and 'id="main"' in page
    assert 'rel="icon"' in page
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and b"<svg" in icon.data


def test_brackets_follow_the_interface_language(app):
    """Chinese names get full-width brackets, English text half-width ones."""
    from flask_babel import refresh

    from app.i18n import parenthesised

    with app.test_request_context("/"):
        from flask import session

        session["locale"] = "zh_CN"
        refresh()
        assert parenthesised("预备技师（技师）") == "（预备技师（技师））"
    with app.test_request_context("/"):
        from flask import session

        session["locale"] = "en"
        refresh()
        assert parenthesised("Technician") == " (Technician)"
