"""Graduate outcomes: a school's yearly figures per integrated major, the 视同认定 route only for
a finally selected major, and the dashboard's year-against-previous-year figures."""

from datetime import timedelta

from sqlalchemy import select

from app.common.models import AuditEvent
from app.common.time import local_today
from app.extensions import db
from app.programme.models import GraduateOutcome
from tests.helpers import BAOTOU, HOHHOT, bearer, login_en, token_for
from tests.programme.factories import make_application, make_batch, make_major

FIGURES = {"cohort": 40, "certified_route": 0, "certified_exam": 30, "employed": 36}


def _return(client, major, year, **figures):
    data = {"school_major_id": major.id, "year": year, **FIGURES, **figures}
    return client.post("/programme/outcomes/new", data=data)


def _final(major):
    today = local_today()
    batch = make_batch(
        open_=False,
        notice_starts_on=today - timedelta(days=20),
        notice_ends_on=today - timedelta(days=10),
    )
    make_application(batch, major, "selected")


def test_figures_are_checked_next_to_their_fields_and_nothing_half_saved(client, world):
    major = make_major(world.school)
    login_en(client, world.users["school"])
    year = local_today().year
    page = _return(client, major, year, employed=50).get_data(as_text=True)
    assert "More employed than graduated." in page
    page = _return(client, major, year, certified_route=5).get_data(as_text=True)
    assert "Only a selected integrated major certifies by the integrated-major route." in page
    page = _return(client, major, year, employed_partner=37).get_data(as_text=True)
    assert "More employed at partners than employed." in page
    assert db.session.scalar(select(db.func.count(GraduateOutcome.id))) == 0
    assert _return(client, major, year, employed_partner=20).status_code == 302
    # Returning the same year again corrects the figures instead of adding a row.
    assert _return(client, major, year, employed_partner=25).status_code == 302
    row = db.session.scalars(select(GraduateOutcome)).one()
    assert (row.cohort, row.employed, row.employed_partner) == (40, 36, 25)
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_type == "GraduateOutcome")
    ).all()
    assert sorted(actions) == ["graduate_outcome.create", "graduate_outcome.update"]


def test_route_certification_only_for_a_finally_selected_major(client, world):
    major = make_major(world.school)
    _final(major)
    login_en(client, world.users["school"])
    response = _return(client, major, local_today().year, certified_route=20, certified_exam=10)
    assert response.status_code == 302
    assert db.session.scalars(select(GraduateOutcome)).one().certified_route == 20


def test_dashboard_compares_the_year_with_the_previous_year(client, world):
    this_year = local_today().year
    hohhot, baotou = make_major(world.school), make_major(world.other_school)
    login_en(client, world.users["school"])
    _return(client, hohhot, this_year - 1, cohort=30, employed=20, certified_exam=10)
    _return(client, hohhot, this_year, cohort=40, employed=36)
    login_en(client, world.users["school_other"])
    _return(client, baotou, this_year, cohort=10, employed=5, certified_exam=5)
    token = token_for(client, world.users["region_admin"])
    body = client.get("/api/v1/dashboard", headers=bearer(token)).get_json()["outcomes"]
    assert body["year"] == this_year and body["previous_year"] == this_year - 1
    leagues = {r["key"]: r for r in body["by_league"]}
    assert leagues[HOHHOT]["year"]["cohort"] == 40 and leagues[HOHHOT]["previous"]["cohort"] == 30
    assert leagues[HOHHOT]["previous"]["employed"] == 20
    assert leagues[BAOTOU]["year"]["employed"] == 5 and leagues[BAOTOU]["previous"]["cohort"] == 0
    majors = {r["key"]: r for r in body["by_major"]}
    assert majors[hohhot.major_id]["year"]["employed"] == 36
    league = token_for(client, world.users["league_admin"])
    scoped = client.get("/api/v1/dashboard", headers=bearer(league)).get_json()["outcomes"]
    assert [r["key"] for r in scoped["by_league"]] == [HOHHOT]
    login_en(client, world.users["region_admin"])
    page = client.get("/programme/").get_data(as_text=True)
    assert f"{this_year} against {this_year - 1}" in page
    listing = client.get(f"/programme/outcomes?year={this_year}&format=csv")
    text = listing.get_data(as_text=True)
    assert listing.status_code == 200 and "包头技工学校" in text and text.count("\n") >= 3
    login_en(client, world.users["school_other"])
    own = client.get("/programme/outcomes").get_data(as_text=True)
    assert "包头技工学校" in own and "呼和浩特技师学院" not in own


def test_certification_basis_route_only_for_a_finally_selected_major(client, world):
    major = make_major(world.school)
    body = {
        "school_major_id": major.id,
        "graduate_name": "孙同学",
        "occupation_code": "6-18-01-01",
        "level": "level_3",
        "outcome": "passed",
        "certified_on": local_today().isoformat(),
        "basis": "route",
    }
    token = token_for(client, world.users["school"])
    refused = client.post("/api/v1/certifications", json=body, headers=bearer(token))
    assert refused.status_code == 422
    assert "basis" in refused.get_json()["error"]["fields"]
    exam = {k: v for k, v in body.items() if k != "basis"}
    by_exam = client.post("/api/v1/certifications", json=exam, headers=bearer(token))
    assert by_exam.status_code == 201 and by_exam.get_json()["basis"] == "examination"
    _final(major)
    by_route = client.post("/api/v1/certifications", json=body, headers=bearer(token))
    assert by_route.status_code == 201 and by_route.get_json()["basis"] == "route"
