"""Deep pages of the directory and the placements: the same rows as OFFSET, keys read first,
totals cached and refreshed when the listed records change."""

import re
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from app.cooperation.queries import BrowseFilters, open_placements
from app.extensions import db
from app.registry.queries import DirectoryFilters, paginate, visible_enterprises
from tests.cooperation.factories import make_placement
from tests.helpers import login_en, make_enterprise, make_host

PER_PAGE = 4


@contextmanager
def statements():
    seen: list[str] = []

    def listener(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


@pytest.fixture()
def small_pages(app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", PER_PAGE)


def _ids(page: str, kind: str) -> list[int]:
    return [int(i) for i in re.findall(rf'href="/{kind}/(\d+)"', page)]


def test_directory_pages_match_offset_pagination(client, world, small_pages):
    for i in range(13):
        make_enterprise(name=f"企业{i % 5}号")  # repeated names: ties broken by id
    stmt = visible_enterprises(None, DirectoryFilters())
    total = 15  # and the world's two approved enterprises
    for page in range(1, 5):
        expected = [e.id for e in paginate(stmt, page, PER_PAGE).items]
        html = client.get(f"/registry/enterprises?page={page}").get_data(as_text=True)
        assert _ids(html, "registry/enterprises") == expected
        assert f"{total} enterprises found" in html and f"Page {page} of 4" in html
        api = client.get(f"/api/v1/enterprises?page={page}&per_page={PER_PAGE}").get_json()
        assert [e["id"] for e in api["items"]] == expected
        assert (api["total"], api["pages"]) == (total, 4)
    deep = client.get("/registry/enterprises?page=500").get_data(as_text=True)
    assert _ids(deep, "registry/enterprises") == [] and "15 enterprises found" in deep


def test_deep_page_reads_keys_first_and_counts_once(client, world, small_pages):
    for _ in range(10):
        make_enterprise()
    client.get("/registry/enterprises?page=2")
    with statements() as seen:
        client.get("/registry/enterprises?page=3")
    offsets = [s for s in seen if "OFFSET" in s.upper() and "enterprise" in s]
    assert len(offsets) == 1
    keys = re.match(r"SELECT enterprise\.id\s+FROM enterprise\s+WHERE .* OFFSET", offsets[0], re.S)
    assert keys, offsets[0]  # only the keys are walked past, the rows are read by key
    assert not [s for s in seen if "count(" in s.lower()]  # the total is cached
    with statements() as again:
        client.get("/registry/enterprises?page=3")
    assert not [s for s in again if "OFFSET" in s.upper()]  # so are the page's keys

    admin = client.application.test_client()
    login_en(admin, world.users["region_admin"])
    admin.post(
        f"/registry/enterprises/{world.pending_enterprise.id}/review",
        data={"decision": "approve", "confirm_uscc": "y"},
    )
    html = admin.get("/registry/enterprises?page=3").get_data(as_text=True)
    assert "13 enterprises found" in html  # the approval shows at once
    filtered = client.get("/registry/enterprises?q=待审").get_data(as_text=True)
    assert "1 enterprises found" in filtered


def test_placement_pages_match_offset_pagination(client, world, small_pages):
    host = make_host(world.enterprise, name="车间B")
    start = date(2026, 3, 1)
    for i in range(11):
        make_placement(host if i % 2 else world.host, starts_on=start + timedelta(days=i % 3))
    make_placement(world.host, status="draft")
    stmt = open_placements(BrowseFilters())
    for page in range(1, 4):
        expected = [p.id for p in paginate(stmt, page, PER_PAGE).items]
        html = client.get(f"/cooperation/placements?page={page}").get_data(as_text=True)
        assert _ids(html, "cooperation/placements") == expected
        assert "11 placements found" in html and f"Page {page} of 3" in html
    deep = client.get("/cooperation/placements?page=500").get_data(as_text=True)
    assert _ids(deep, "cooperation/placements") == [] and "11 placements found" in deep

    owner = client.application.test_client()
    login_en(owner, world.users["enterprise"])
    assert owner.post(f"/registry/hosts/{host.id}/retire").status_code == 302
    html = owner.get("/cooperation/placements").get_data(as_text=True)
    assert "6 placements found" in html  # the retired host's five placements are gone
