"""Static checks of the registry and reference templates: CSP-safe, escaped, CSRF on POST."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"
FILES = sorted((TEMPLATES / "registry").glob("*.html")) + sorted(
    (TEMPLATES / "reference").glob("*.html")
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


def test_destructive_forms_confirm():
    text = (TEMPLATES / "registry" / "_host_card.html").read_text(encoding="utf-8")
    for action in ("host_retire", "host_reinstate"):
        form = re.search(r"<form[^>]*" + action + r"[^>]*>", text)
        assert form and "data-confirm" in form.group(0)
