"""Every page a role may open is reachable from its menu.

For each role: sign in, read the navigation bar's links, and check that every parameterless
HTML page the permission table opens (GET → 200) to that role is linked from the menu itself
(list pages) or from a page the menu links to (forms such as "new …", imports).
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from tests.helpers import login
from tests.programme.factories import make_major
from tests.test_permissions import ROUTES

ROLES = ("enterprise", "school", "teacher", "league_admin", "region_admin")
#: Pages that are not destinations of their own: the start page, the account pages reached
#: from the user menu, pages for visitors who are not signed in, the privacy notice (linked
#: from every page's footer) and its acceptance (where people are sent when it changed).
NOT_IN_MENU = {
    "GET main.home",
    "GET auth.login",
    "GET auth.register",
    "GET account.privacy",
    "GET account.privacy_accept",
}


class _Links(HTMLParser):
    """Collects hrefs, separately for the navigation bar and the rest of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.nav: set[str] = set()
        self.page: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav":
            self.depth += 1
        if tag == "a" and attrs.get("href"):
            path = urlsplit(attrs["href"]).path
            (self.nav if self.depth else self.page).add(path)

    def handle_endtag(self, tag):
        if tag == "nav" and self.depth:
            self.depth -= 1


def _links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def _open_pages(app, role: str) -> dict[str, str]:
    """ "GET endpoint" → path of parameterless pages the permission table opens to the role."""
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    pages = {}
    for key, row in ROUTES.items():
        if row.method != "GET" or callable(row.url) or key in NOT_IN_MENU:
            continue
        if rules[key.split(" ", 1)[1]].arguments:
            continue
        if row.url.startswith("/api/") or "<" in row.url or row.url.startswith("/static"):
            continue
        if row.status_for(role) == 200:
            pages[key] = row.url
    return pages


def _is_form(app, key: str) -> bool:
    """A page that also takes a POST (a form) may be one click away from a menu page."""
    endpoint = key.split(" ", 1)[1]
    return any("POST" in r.methods for r in app.url_map.iter_rules() if r.endpoint == endpoint)


@pytest.mark.parametrize("role", ROLES)
def test_every_open_page_is_reachable_from_the_menu(app, client, world, role):
    make_major(world.school)  # pages offer per-major actions once a major exists
    login(client, world.users[role])
    home = client.get("/")
    assert home.status_code == 200
    menu = {p for p in _links(home.get_data(as_text=True)).nav if p.startswith("/")}
    one_click = set(menu)
    for path in sorted(menu):
        response = client.get(path)
        if response.status_code == 200 and response.mimetype == "text/html":
            one_click |= _links(response.get_data(as_text=True)).page
    missing_lists, missing_forms = [], []
    for key, path in sorted(_open_pages(app, role).items()):
        if client.get(path).mimetype != "text/html":
            continue  # files and health checks are not pages
        if _is_form(app, key):
            if path not in one_click:
                missing_forms.append(f"{key} {path}")
        elif path not in menu:
            missing_lists.append(f"{key} {path}")
    assert not missing_lists, f"{role}: pages not in the menu: {missing_lists}"
    assert not missing_forms, f"{role}: forms not linked from a menu page: {missing_forms}"
