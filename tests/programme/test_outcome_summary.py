"""The graduate-outcomes summary export: a chosen year against the year before, by league and by
major, as CSV and XLSX from the pages and the API, scoped to a league administrator's league."""

import csv
import io

from openpyxl import load_workbook

from app.extensions import db
from tests.helpers import bearer, login_en, token_for
from tests.programme.assessment_factories import make_outcome
from tests.programme.factories import make_major

API = "/api/v1"


def _world_outcomes(world):
    hohhot = make_major(world.school)
    baotou = make_major(world.other_school)
    make_outcome(hohhot, 2025, cohort=40, certified_route=20, employed=36, employed_partner=12)
    make_outcome(hohhot, 2024, cohort=30, certified_route=10, employed=25, employed_partner=5)
    make_outcome(baotou, 2025, cohort=20, certified_exam=5, employed=18, employed_partner=3)
    make_outcome(baotou, 2023, cohort=99)  # neither the chosen year nor the one before
    return hohhot, baotou


def _csv_rows(response) -> list[list[str]]:
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def test_csv_export_has_both_groupings_with_the_previous_year(client, world):
    hohhot, baotou = _world_outcomes(world)
    login_en(client, world.users["region_admin"])
    response = client.get("/programme/outcomes/summary/csv?year=2025")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert "graduate-outcomes-summary-2025.csv" in response.headers["Content-Disposition"]
    rows = _csv_rows(response)
    header = rows[0]
    assert header[:4] == ["Grouping", "Name", "Graduates 2025", "Graduates 2024"]
    by_name = {(r[0], r[1]): r for r in rows[1:]}
    hohhot_league = by_name[("League or city", world.school.region.name)]
    assert hohhot_league[2:4] == ["40", "30"]  # graduates 2025, 2024
    col = header.index("Employed within six months 2025")
    assert hohhot_league[col : col + 2] == ["36", "25"]
    baotou_league = by_name[("League or city", world.other_school.region.name)]
    assert baotou_league[2:4] == ["20", "0"]  # 2023's 99 are not counted
    majors = [r for r in rows[1:] if r[0] == "Integrated major"]
    assert {r[1] for r in majors} == {hohhot.major.name, baotou.major.name}
    assert len(rows) == 1 + 2 + len(majors)


def test_xlsx_export_and_the_league_scope(client, world):
    _world_outcomes(world)
    login_en(client, world.users["league_admin"])  # Hohhot
    response = client.get("/programme/outcomes/summary/xlsx?year=2025")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    leagues = [r for r in rows[1:] if r[0] == "League or city"]
    assert [r[1] for r in leagues] == [world.school.region.name]  # not Baotou
    assert leagues[0][2:4] == [40, 30]


def test_pages_offer_the_export_and_unknown_formats_are_refused(client, world):
    _world_outcomes(world)
    login_en(client, world.users["region_admin"])
    page = client.get("/programme/outcomes").get_data(as_text=True)
    assert "/programme/outcomes/summary/xlsx" in page and "/programme/outcomes/summary/csv" in page
    dashboard = client.get("/programme/").get_data(as_text=True)
    assert "/programme/outcomes/summary/xlsx?year=2025" in dashboard
    assert client.get("/programme/outcomes/summary/pdf").status_code == 404
    login_en(client, world.users["school"])
    assert client.get("/programme/outcomes/summary/csv").status_code == 403


def test_api_summary_json_and_file(client, world):
    _world_outcomes(world)
    token = token_for(client, world.users["region_admin"])
    body = client.get(f"{API}/outcomes/summary?year=2025", headers=bearer(token)).get_json()
    assert (body["year"], body["previous_year"]) == (2025, 2024)
    league = {r["key"]: r for r in body["by_league"]}[world.school.region_code]
    assert league["year"]["cohort"] == 40 and league["previous"]["cohort"] == 30
    assert league["year"]["certified_route"] == 20 and league["previous"]["employed"] == 25
    latest = client.get(f"{API}/outcomes/summary", headers=bearer(token)).get_json()
    assert latest["year"] == 2025  # the latest year with figures by default
    bad = client.get(f"{API}/outcomes/summary?year=19", headers=bearer(token))
    assert bad.status_code == 422 and "year" in bad.get_json()["error"]["fields"]
    file = client.get(f"{API}/outcomes/summary?year=2025&format=csv", headers=bearer(token))
    assert file.status_code == 200 and file.mimetype == "text/csv"
    assert len(_csv_rows(file)) == 1 + len(body["by_league"]) + len(body["by_major"])
    league_token = token_for(client, world.users["league_admin_other"])  # Baotou
    scoped = client.get(f"{API}/outcomes/summary?year=2025", headers=bearer(league_token))
    assert [r["key"] for r in scoped.get_json()["by_league"]] == [world.other_school.region_code]
    db.session.rollback()
