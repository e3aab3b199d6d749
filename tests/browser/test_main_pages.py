"""Every main page of every role, in Chinese and English, on the demo world: axe-core finds no
serious or critical accessibility violation, screenshots at 1280 and 390 px go to
test-artifacts/screenshots/ (or $BROWSER_SCREENSHOTS), and the ten busiest lists keep the 390 px
rules: no sideways page scroll, each row's actions in view.

axe-core is vendored from the npm registry in tests/browser/vendor/axe-core/ (see VERSION)."""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.demo import data
from app.extensions import db
from app.reference.services import load_reference

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
SHOTS = Path(os.environ.get("BROWSER_SCREENSHOTS") or ROOT / "test-artifacts" / "screenshots")
ROLES = {
    "anonymous": None,
    "region_admin": data.REGION_ADMIN_EMAIL,
    "league_admin": data.LEAGUE_ADMIN_EMAIL.format(code=data.HOHHOT),
    "enterprise": data.ENTERPRISE_EMAIL,
    "school": data.SCHOOL_EMAIL,
    "teacher": data.TEACHER_EMAIL,
}
ANONYMOUS_PAGES = ["/auth/login", "/auth/signup", "/privacy"]
#: The ten busiest list pages and who reads them most.
BUSY_LISTS = [
    ("teacher", "/cooperation/placements"),
    ("teacher", "/cooperation/offers"),
    ("teacher", "/registry/enterprises"),
    ("school", "/registry/schools"),
    ("region_admin", "/programme/teachers"),
    ("region_admin", "/registry/review"),
    ("region_admin", "/programme/audit"),
    ("region_admin", "/programme/batches"),
    ("region_admin", "/cooperation/compliance"),
    ("league_admin", "/programme/applications"),
]
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""
ROW_ACTIONS_OUT_OF_VIEW = """() => {
  const width = window.innerWidth;
  const out = [];
  document.querySelectorAll('main table tbody tr').forEach((row, i) => {
    if (i >= 5) return;
    row.querySelectorAll('a.btn, button.btn, .btn').forEach(btn => {
      const box = btn.getBoundingClientRect();
      const style = getComputedStyle(btn);
      if (style.visibility === 'hidden' || style.display === 'none' || box.width === 0
          || box.left < 0 || box.right > width + 0.5) {
        out.push(btn.outerHTML.slice(0, 120));
      }
    });
  });
  return out;
}"""


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """The app with the demo world (as `make run` shows it), served on a free port."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "SQLALCHEMY_ENGINE_OPTIONS": {
                "connect_args": {"timeout": 30, "check_same_thread": False}
            },
            "WTF_CSRF_ENABLED": True,
            "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("demo-uploads")),
        },
    )
    with app.app_context():
        db.create_all()
        load_reference()
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _open(browser, base: str, role: str, language: str, width: int = 1280):
    """A fresh context logged in as `role` (or anonymous) in the given language."""
    # axe is injected by evaluation; bypassing the CSP here lets it run (other tests check CSP)
    context = browser.new_context(
        base_url=base, viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(20000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    email = ROLES[role]
    if email:
        page.goto("/auth/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", data.DEMO_PASSWORD)
        page.locator("form:has([name=password]) button[type=submit]").first.click()
        page.wait_for_url("**/")
    else:
        page.goto("/")
    code = "en" if language == "en" else "zh_CN"
    switch = page.locator(f"form[action$='/auth/language/{code}'] button")
    if switch.count():
        switch.click()
        page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == ("en" if language == "en" else "zh-CN")
    page.set_viewport_size({"width": width, "height": 900})
    return context, page, errors


def _main_pages(page, role: str) -> list[str]:
    """Home plus every entry of the role's navigation bar."""
    links = page.eval_on_selector_all(
        "#nav a[href^='/']", "els => els.map(e => e.getAttribute('href'))"
    )
    pages = ["/"] + [href for href in dict.fromkeys(links)]
    if ROLES[role] is None:
        pages += ANONYMOUS_PAGES
    return pages


def _shoot(page, path: Path, max_height: int = 4000) -> None:
    """A screenshot of the page from the top, at most `max_height` px tall."""
    height = min(page.evaluate("document.documentElement.scrollHeight"), max_height)
    width = page.viewport_size["width"]
    page.screenshot(
        path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height}
    )


def _slug(path: str) -> str:
    return path.strip("/").replace("/", "-") or "home"


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("role", list(ROLES))
def test_main_pages_pass_axe_and_are_photographed(browser, demo_server, role, language):
    context, page, errors = _open(browser, demo_server, role, language)
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    try:
        pages = _main_pages(page, role)
        assert len(pages) >= 4
        for path in pages:
            page.set_viewport_size({"width": 1280, "height": 900})
            response = page.goto(path)
            assert response is not None and response.status == 200, path
            assert "Something went wrong" not in page.content(), path
            body = page.inner_text("body")
            assert "None" not in body.split(), path
            page.evaluate(AXE)
            for v in page.evaluate(AXE_RUN):
                problems.append(f"{path}: {v['impact']} {v['id']} ({v['help']}) {v['nodes']}")
            name = f"{role}-{language}-{_slug(path)}"
            if language == "zh":  # the pictures in the default language; axe runs in both
                _shoot(page, SHOTS / f"{name}-1280.png")
            page.set_viewport_size({"width": 390, "height": 844})
            if language == "zh":
                _shoot(page, SHOTS / f"{name}-390.png")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} scrolls sideways at 390 px ({width} px)"
    finally:
        context.close()
    assert not errors, errors
    assert not problems, "\n".join(problems)


def test_keyboard_users_get_a_skip_link_and_a_visible_focus(browser, demo_server):
    context, page, _errors = _open(browser, demo_server, "teacher", "zh")
    try:
        page.goto("/cooperation/placements")
        page.keyboard.press("Tab")
        skip = page.locator("a.skip-link")
        assert skip.evaluate("el => el === document.activeElement")
        assert skip.is_visible() and skip.bounding_box()["y"] >= 0
        outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
        assert outline != "none"
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#main"
    finally:
        context.close()


@pytest.mark.parametrize(("role", "path"), BUSY_LISTS, ids=[p for _r, p in BUSY_LISTS])
def test_busy_lists_work_at_390_px(browser, demo_server, role, path):
    context, page, errors = _open(browser, demo_server, role, "zh", width=390)
    try:
        page.goto(path)
        rows = page.locator("main table tbody tr")
        assert rows.count() > 0, f"{path} shows no rows in the demo world"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.evaluate("window.innerWidth"), f"{path}: page is {width} px wide"
        # a row reads as a card: its cells stack, each under its column's name
        first = rows.first
        assert first.evaluate("el => getComputedStyle(el).display") == "block"
        assert first.locator("td[data-label]").count() > 0
        assert page.evaluate(ROW_ACTIONS_OUT_OF_VIEW) == []
        page.screenshot(path=str(SHOTS / f"busy-{_slug(path)}-390.png"), full_page=False)
    finally:
        context.close()
    assert not errors, errors
