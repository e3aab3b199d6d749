"""Simplified Chinese by default, English one click away, every message translated."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app import create_app

ROOT = Path(__file__).resolve().parents[1]
CATALOG_DIRS = {"zh_CN": "zh_Hans_CN"}  # Babel canonicalises zh_CN to zh_Hans_CN
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def _extracted_msgids() -> set[str]:
    method_map = [("app/**.py", "python"), ("app/templates/**.html", "jinja2")]
    ids = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(ROOT),
        method_map=method_map,
        keywords=KEYWORDS,
        options_map={"app/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def _catalog(locale: str):
    folder = ROOT / "app" / "translations" / CATALOG_DIRS.get(locale, locale) / "LC_MESSAGES"
    with open(folder / "messages.po", "rb") as fh:
        return read_po(fh, locale=locale)


def test_every_message_has_a_chinese_translation():
    catalog = _catalog("zh_CN")
    untranslated = sorted(
        msgid
        for msgid in _extracted_msgids()
        if not (catalog.get(msgid) and catalog.get(msgid).string and not catalog.get(msgid).fuzzy)
    )
    assert not untranslated, f"{len(untranslated)} messages lack zh_CN: {untranslated[:15]}"


@pytest.fixture()
def default_app():
    """The app with its real default locale (tests otherwise read English)."""
    return create_app("development", {"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})


def test_site_speaks_chinese_by_default(default_app):
    html = default_app.test_client().get("/auth/login").get_data(as_text=True)
    assert 'lang="zh-CN"' in html
    assert "登录" in html and "密码" in html


def test_english_is_one_click_away(default_app):
    default_app.config["WTF_CSRF_ENABLED"] = False
    client = default_app.test_client()
    client.post("/auth/language/en", data={"next": "/auth/login"})
    html = client.get("/auth/login").get_data(as_text=True)
    assert 'lang="en"' in html and "Password" in html and "密码" not in html
