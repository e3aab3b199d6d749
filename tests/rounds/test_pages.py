"""A full round through the pages."""

from datetime import timedelta

from sqlalchemy import select

from app.common.time import local_today
from app.extensions import db
from app.rounds.models import Match, MatchRound
from tests.helpers import HOHHOT, login_en
from tests.rounds.factories import placement_setup


def _form(**extra) -> dict:
    data = {
        "kind": "placement",
        "region_code": "",
        "mode": "optimal",
        "deadline": (local_today() + timedelta(days=10)).isoformat(),
        "weight_occupation": "40",
        "weight_distance": "20",
        "weight_mode": "10",
        "weight_period": "10",
        "weight_capacity": "5",
        "weight_choice": "15",
    }
    data.update(extra)
    return data


def test_full_round_through_the_pages(app, world):
    placement, teachers, apps = placement_setup(world, teachers=2, seats=1)
    admin = app.test_client()
    login_en(admin, world.users["region_admin"])
    page = admin.get("/rounds/new").get_data(as_text=True)
    assert "Scoring weights" in page and 'value="40' in page
    response = admin.post("/rounds/new", data=_form())
    assert response.status_code == 302
    round_ = db.session.scalars(select(MatchRound)).one()
    detail = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not run yet" in detail

    admin.post(f"/rounds/{round_.id}/run")
    detail = admin.get(f"/rounds/{round_.id}").get_data(as_text=True)
    winner = db.session.scalars(select(Match)).one()
    assert winner.application.teacher.name in detail
    assert "职业完全相同" in detail and "Optimal and stable side by side" in detail
    assert "places went to better-scoring applicants" in detail
    assert "Bottlenecks" in detail and "data-confirm" in detail
    listing = admin.get("/rounds/").get_data(as_text=True)
    assert f"Round {round_.id}" in listing and "1 / 2 (50%)" in listing

    admin.post(f"/rounds/{round_.id}/publish")
    db.session.expire_all()
    assert round_.status == "published" and winner.status == "proposed"
    detail = admin.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "read-only history" in detail and "Follow-up round" in detail

    teacher = app.test_client()
    login_en(teacher, winner.application.teacher.user)
    mine = teacher.get("/rounds/matches/mine").get_data(as_text=True)
    assert placement.host.name in mine and "Accept" in mine and "Decline" in mine
    teacher.post(f"/rounds/matches/{winner.id}/accept")
    enterprise = app.test_client()
    login_en(enterprise, world.users["enterprise"])
    page = enterprise.get(f"/rounds/matches/{winner.id}").get_data(as_text=True)
    assert "Accepted by the applicant" in page
    response = enterprise.post(f"/rounds/matches/{winner.id}/accept", follow_redirects=True)
    assert "the match is confirmed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert winner.status == "confirmed" and placement.seats_taken == 1


def test_decline_and_follow_up_pages(app, world):
    placement, teachers, apps = placement_setup(world, teachers=2, seats=1)
    admin = app.test_client()
    login_en(admin, world.users["region_admin"])
    admin.post("/rounds/new", data=_form())
    round_ = db.session.scalars(select(MatchRound)).one()
    admin.post(f"/rounds/{round_.id}/run")
    admin.post(f"/rounds/{round_.id}/publish")
    match = db.session.scalars(select(Match)).one()
    enterprise = app.test_client()
    login_en(enterprise, world.users["enterprise"])
    page = enterprise.post(
        f"/rounds/matches/{match.id}/decline", data={"reason": ""}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Give a reason for declining" in page
    enterprise.post(f"/rounds/matches/{match.id}/decline", data={"reason": "不合适"})
    db.session.expire_all()
    assert match.status == "declined"

    form = admin.get(f"/rounds/new?parent={round_.id}").get_data(as_text=True)
    assert f"Follow-up of round {round_.id}" in form
    admin.post("/rounds/new", data=_form(parent_id=str(round_.id)))
    follow = db.session.scalars(select(MatchRound).where(MatchRound.parent_id == round_.id)).one()
    admin.post(f"/rounds/{follow.id}/run")
    rows = db.session.scalars(select(Match).where(Match.round_id == follow.id)).all()
    assert len(rows) == 1 and rows[0].application_id != match.application_id


def test_form_errors_and_league_scope(app, world):
    league = app.test_client()
    login_en(league, world.users["league_admin"])
    page = league.get("/rounds/new").get_data(as_text=True)
    assert "Whole region" not in page
    page = league.post(
        "/rounds/new", data=_form(region_code=HOHHOT, deadline="2001-01-01", weight_mode="-3")
    ).get_data(as_text=True)
    assert "The deadline must lie in the future." in page
    assert "Number must be between 0 and 1000." in page
    page = league.post("/rounds/new", data=_form(region_code="")).get_data(as_text=True)
    assert "opens rounds of its own league only" in page
    assert db.session.scalars(select(MatchRound)).all() == []
    response = league.post("/rounds/new", data=_form(region_code=HOHHOT))
    assert response.status_code == 302
    round_ = db.session.scalars(select(MatchRound)).one()
    assert round_.region_code == HOHHOT
    other = app.test_client()
    login_en(other, world.users["league_admin_other"])
    assert other.get(f"/rounds/{round_.id}").status_code == 404
    assert "No match rounds yet" in other.get("/rounds/").get_data(as_text=True)


def test_lock_and_exclude_buttons(app, world):
    placement_setup(world, teachers=2, seats=1)
    admin = app.test_client()
    login_en(admin, world.users["region_admin"])
    admin.post("/rounds/new", data=_form())
    round_ = db.session.scalars(select(MatchRound)).one()
    admin.post(f"/rounds/{round_.id}/run")
    match = db.session.scalars(select(Match)).one()
    page = admin.post(
        f"/rounds/{round_.id}/matches/{match.id}/exclude",
        data={"reason": ""},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Give a reason." in page
    admin.post(f"/rounds/{round_.id}/matches/{match.id}/exclude", data={"reason": "重复"})
    admin.post(f"/rounds/{round_.id}/run")
    db.session.expire_all()
    rows = db.session.scalars(select(Match).order_by(Match.id)).all()
    assert [(m.excluded, m.decision_reason) for m in rows] == [(True, "重复"), (False, None)]
    admin.post(f"/rounds/{round_.id}/matches/{rows[1].id}/lock", data={"reason": "已确认"})
    db.session.expire_all()
    assert rows[1].locked
    page = admin.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "Locked" in page and "Excluded" in page


def test_running_round_page_refreshes(app, world):
    placement_setup(world, teachers=1)
    admin = app.test_client()
    login_en(admin, world.users["region_admin"])
    admin.post("/rounds/new", data=_form())
    round_ = db.session.scalars(select(MatchRound)).one()
    round_.status, round_.progress = "running", 40
    db.session.commit()
    page = admin.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="5">' in page
    assert '<progress id="progress" class="w-100" max="100" value="40">' in page
    response = admin.post(f"/rounds/{round_.id}/run", follow_redirects=True)
    assert "wait until it has finished" in response.get_data(as_text=True)
