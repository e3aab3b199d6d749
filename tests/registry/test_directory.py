"""The public directory: search, each filter, pagination, detail pages and visibility."""

import pytest
from sqlalchemy import event

from app.extensions import db
from tests.helpers import (
    BAOTOU,
    HOHHOT,
    ORDOS,
    login_en,
    make_enterprise,
    make_host,
    make_school,
    make_user,
    use_english,
)


@pytest.fixture()
def directory():
    """Enterprises across leagues, industries, host kinds and occupations."""
    lathe = make_enterprise(region_code=HOHHOT, name="青城机床厂", industry="C")
    make_host(lathe, kind="workshop", occupations=("6-18-01-01",), name="车工班组")
    rare = make_enterprise(region_code=BAOTOU, name="包头稀土冶炼厂", industry="C")
    make_host(rare, kind="master_studio", occupations=("6-17-03-02",), name="李大师工作室")
    power = make_enterprise(region_code=ORDOS, name="鄂尔多斯电力公司", industry="D")
    make_host(power, kind="training_station", occupations=("6-18-01-02",), name="电力培训站")
    retired = make_enterprise(region_code=ORDOS, name="鄂尔多斯煤机厂", industry="C")
    make_host(retired, kind="master_studio", occupations=("6-18-01-01",), name="退役工作室")
    retired.hosts[0].retired_at = db.func.now()
    make_enterprise(region_code=HOHHOT, name="青城待审公司", status="pending")
    make_enterprise(region_code=BAOTOU, name="包头驳回公司", status="rejected")
    db.session.commit()
    return {"lathe": lathe, "rare": rare, "power": power, "retired": retired}


ALL = {"青城机床厂", "包头稀土冶炼厂", "鄂尔多斯电力公司", "鄂尔多斯煤机厂"}
HIDDEN = {"青城待审公司", "包头驳回公司"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ALL),
        ("q=青城", {"青城机床厂"}),
        ("q=鄂尔多斯", {"鄂尔多斯电力公司", "鄂尔多斯煤机厂"}),
        ("q=%25", set()),  # a literal % matches nothing, not everything
        (f"region_code={BAOTOU}", {"包头稀土冶炼厂"}),
        ("industry=D", {"鄂尔多斯电力公司"}),
        ("occupation_code=6-18-01-01", {"青城机床厂"}),  # the retired studio does not count
        ("host_kind=master_studio", {"包头稀土冶炼厂"}),
        ("host_kind=training_station", {"鄂尔多斯电力公司"}),
        (f"region_code={ORDOS}&industry=C", {"鄂尔多斯煤机厂"}),
        ("host_kind=workshop&occupation_code=6-17-03-02", set()),
        ("status=pending", set()),  # the public cannot ask for pending profiles
    ],
)
def test_search_and_filters(client, directory, query, expected):
    page = client.get(f"/registry/enterprises?{query}").get_data(as_text=True)
    for name in ALL | HIDDEN:
        assert (name in page) == (name in expected), name


def test_empty_state(client, directory):
    use_english(client)
    page = client.get("/registry/enterprises?q=不存在的企业").get_data(as_text=True)
    assert "No enterprise matches your search." in page


def test_search_by_credit_code(client, directory):
    page = client.get(f"/registry/enterprises?q={directory['rare'].uscc}").get_data(as_text=True)
    assert "包头稀土冶炼厂" in page
    assert "青城机床厂" not in page


def test_pagination(client, app):
    for i in range(23):
        make_enterprise(name=f"分页企业{i:02d}")
    app.config["PAGE_SIZE"] = 10
    try:
        use_english(client)
        first = client.get("/registry/enterprises").get_data(as_text=True)
        third = client.get("/registry/enterprises?page=3").get_data(as_text=True)
        beyond = client.get("/registry/enterprises?page=99")
        bad = client.get("/registry/enterprises?page=abc").get_data(as_text=True)
    finally:
        app.config["PAGE_SIZE"] = 20
    assert "分页企业00" in first and "分页企业09" in first and "分页企业10" not in first
    assert "Page 1 of 3" in first
    assert "page=2" in first
    assert "分页企业20" in third and "分页企业22" in third and "分页企业19" not in third
    assert beyond.status_code == 200
    assert "分页企业00" in bad


def test_list_page_is_not_n_plus_one(client, app):
    """The number of queries does not grow with the number of enterprises listed."""
    statements: list[str] = []

    def count(*args):
        statements.append(args[2])

    def queries_for_listing() -> int:
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get("/registry/enterprises").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    for _ in range(2):
        make_host(make_enterprise(), kind="workshop")
    queries_for_listing()  # fills the cache of the filter choices
    few = queries_for_listing()
    for _ in range(8):
        make_host(make_enterprise(), kind="master_studio")
    queries_for_listing()  # the total is counted again once after the change
    assert queries_for_listing() == few


def test_admin_sees_own_league_pending_profiles_in_the_directory(client, directory):
    login_en(client, make_user("league_admin", region_code=HOHHOT))
    page = client.get("/registry/enterprises?status=pending").get_data(as_text=True)
    assert "青城待审公司" in page
    assert "包头驳回公司" not in page
    assert "Pending review" in page


def test_detail_groups_hosts_by_kind(client, directory):
    use_english(client)
    page = client.get(f"/registry/enterprises/{directory['lathe'].id}").get_data(as_text=True)
    assert "青城机床厂" in page
    assert 'id="hosts-workshop"' in page
    assert 'id="hosts-master_studio"' not in page
    assert "车工班组" in page
    assert "6-18-01-01" in page
    assert "/registry/hosts/" not in page  # no edit links for the public
    page = client.get(f"/registry/enterprises/{directory['rare'].id}").get_data(as_text=True)
    assert 'id="hosts-master_studio"' in page and "李大师工作室" in page


def test_pending_and_rejected_profiles_are_hidden_from_the_public(client, app):
    pending = make_enterprise(status="pending", name="待审")
    rejected_school = make_school(status="rejected", name="驳回学校")
    assert client.get(f"/registry/enterprises/{pending.id}").status_code == 404
    assert client.get(f"/registry/schools/{rejected_school.id}").status_code == 404
    assert client.get("/registry/enterprises/999999").status_code == 404
    teacher = app.test_client()
    login_en(teacher, make_user("teacher"))
    assert teacher.get(f"/registry/enterprises/{pending.id}").status_code == 404
    other_league = app.test_client()
    login_en(other_league, make_user("league_admin", region_code=BAOTOU))
    assert other_league.get(f"/registry/enterprises/{pending.id}").status_code == 404
    own_league = app.test_client()
    login_en(own_league, make_user("league_admin", region_code=HOHHOT))
    page = own_league.get(f"/registry/enterprises/{pending.id}").get_data(as_text=True)
    assert "待审" in page and "Pending review" in page


def test_school_directory_filters(client):
    make_school(region_code=HOHHOT, name="呼市技师学院", kind="technician_college")
    make_school(region_code=BAOTOU, name="包头高级技工学校", kind="senior_technical_school")
    make_school(region_code=BAOTOU, name="包头技工学校", kind="technical_school")
    make_school(region_code=HOHHOT, name="呼市待审学校", status="pending")
    cases = {
        "": {"呼市技师学院", "包头高级技工学校", "包头技工学校"},
        "q=包头": {"包头高级技工学校", "包头技工学校"},
        f"region_code={HOHHOT}": {"呼市技师学院"},
        "kind=senior_technical_school": {"包头高级技工学校"},
        f"region_code={BAOTOU}&kind=technical_school": {"包头技工学校"},
    }
    names = {"呼市技师学院", "包头高级技工学校", "包头技工学校", "呼市待审学校"}
    for query, expected in cases.items():
        page = client.get(f"/registry/schools?{query}").get_data(as_text=True)
        for name in names:
            assert (name in page) == (name in expected), (query, name)
    use_english(client)
    page = client.get("/registry/schools?q=nothing").get_data(as_text=True)
    assert "No school matches your search." in page
