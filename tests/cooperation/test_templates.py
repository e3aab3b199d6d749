"""Static checks of the cooperation and notification templates: CSP-safe, escaped, CSRF on
every POST form, confirmation before destructive actions."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"
FILES = sorted((TEMPLATES / "cooperation").glob("*.html")) + sorted(
    (TEMPLATES / "notifications").glob("*.html")
)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_template_is_csp_safe_and_escaped(path: Path):
    text = path.read_text(encoding="utf-8")
    assert "<script" not in text
    assert "style=" not in text
    assert "|safe" not in text.replace(" ", "")
    assert "javascript:" not in text
    for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", text, flags=re.S):
        assert "hidden_tag()" in form or "csrf_token()" in form


def test_destructive_actions_ask_for_confirmation():
    for name in ("enterprise_desk", "pairings", "school_majors", "application_detail"):
        text = (TEMPLATES / "cooperation" / f"{name}.html").read_text(encoding="utf-8")
        for call in re.findall(r"post_button\(url_for\('cooperation\.[a-z_]+'[^\n]*", text):
            if any(word in call for word in ("close", "withdraw", "pairing_end", "accept")):
                assert call.count(",") >= 3 and "_(" in call.split(",", 3)[3], call


def test_certificate_has_print_styles():
    css = (TEMPLATES.parent / "static" / "css" / "app.css").read_text(encoding="utf-8")
    assert "@media print" in css and ".certificate" in css
