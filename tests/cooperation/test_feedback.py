"""Feedback: the teacher rates the placement and the enterprise the practice once it completes;
school and enterprise rate a pairing yearly and at its end; one answer per person per occasion,
editable for 14 days; averages (never comments) on hosts and offers; the report by league."""

from datetime import timedelta

from sqlalchemy import func, select

from app.cooperation import services
from app.cooperation.models import Feedback
from app.extensions import db
from tests.api.support import API, auth, error_of
from tests.cooperation import factories as f
from tests.helpers import BAOTOU, login_en, make_user

PLACEMENT_SCORES = {"guidance": 5, "learning": 4, "conditions": 3}
PAIRING_SCORES = {"communication": 4, "commitment": 4, "results": 5}


def _completed(world):
    teacher = f.make_teacher(world.school, user=world.users["teacher"])
    return f.make_practice(
        teacher, f.make_placement(world.host), days=3, confirmed=True, status="completed"
    )


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Feedback))


def test_teacher_rates_the_placement_once_and_edits_it(client, world):
    practice = _completed(world)
    headers = auth(client, world.users["teacher"])
    body = {
        "occasion": "placement",
        "subject_id": practice.id,
        "scores": PLACEMENT_SCORES,
        "comment": "师傅很耐心",
    }
    created = client.post(f"{API}/feedback", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    data = created.get_json()
    assert data["score"] == 4.0 and data["side"] == "teacher" and data["comment"] == "师傅很耐心"
    again = client.post(f"{API}/feedback", json=body, headers=headers)
    assert error_of(again, 409)
    assert _count() == 1
    changed = client.put(
        f"{API}/feedback/{data['id']}",
        json={"scores": {"guidance": 2, "learning": 2, "conditions": 2}, "comment": None},
        headers=headers,
    )
    assert changed.status_code == 200 and changed.get_json()["score"] == 2.0
    # after 14 days the answer stays as it is
    row = db.session.get(Feedback, data["id"])
    row.created_at = row.created_at - timedelta(days=15)
    db.session.commit()
    late = client.put(
        f"{API}/feedback/{data['id']}", json={"scores": PLACEMENT_SCORES}, headers=headers
    )
    assert error_of(late, 409)
    assert db.session.get(Feedback, data["id"]).score == 2.0


def test_only_completed_practices_and_the_right_side_rate(client, world):
    ongoing = f.make_practice(
        f.make_teacher(world.school, user=world.users["teacher"]),
        f.make_placement(world.host),
        days=1,
    )
    teacher = auth(client, world.users["teacher"])
    early = client.post(
        f"{API}/feedback",
        json={"occasion": "placement", "subject_id": ongoing.id, "scores": PLACEMENT_SCORES},
        headers=teacher,
    )
    assert error_of(early, 409)
    done = _completed(world)
    wrong_side = client.post(
        f"{API}/feedback",
        json={
            "occasion": "practice",
            "subject_id": done.id,
            "scores": {"attitude": 5, "skill": 5, "contribution": 5},
        },
        headers=teacher,
    )
    assert wrong_side.status_code == 403
    stranger = auth(client, world.users["enterprise_other"])
    hidden = client.post(
        f"{API}/feedback",
        json={"occasion": "placement", "subject_id": done.id, "scores": PLACEMENT_SCORES},
        headers=stranger,
    )
    assert set(error_of(hidden, 422)["fields"]) == {"subject_id"}
    ent = auth(client, world.users["enterprise"])
    rated = client.post(
        f"{API}/feedback",
        json={
            "occasion": "practice",
            "subject_id": done.id,
            "scores": {"attitude": 5, "skill": 4, "contribution": 4},
        },
        headers=ent,
    )
    assert rated.status_code == 201 and rated.get_json()["side"] == "enterprise"
    assert _count() == 1


def test_scores_are_checked_per_criterion(client, world):
    practice = _completed(world)
    headers = auth(client, world.users["teacher"])
    for scores, fields in (
        ({"guidance": 6, "learning": 4, "conditions": 3}, {"scores.guidance"}),
        ({"guidance": 5, "learning": 4}, {"scores.conditions"}),
        ({**PLACEMENT_SCORES, "price": 1}, {"scores"}),
        ("five", {"scores"}),
    ):
        response = client.post(
            f"{API}/feedback",
            json={"occasion": "placement", "subject_id": practice.id, "scores": scores},
            headers=headers,
        )
        assert set(error_of(response, 422)["fields"]) == fields, scores
    assert _count() == 0


def test_school_and_enterprise_rate_pairings_yearly_and_at_the_end(client, world):
    pairing = f.make_pairing(f.make_school_major(world.school), f.make_offer(world.host))
    school = auth(client, world.users["school"])
    end_early = client.post(
        f"{API}/feedback",
        json={"occasion": "pairing_end", "subject_id": pairing.id, "scores": PAIRING_SCORES},
        headers=school,
    )
    assert error_of(end_early, 409)
    yearly = client.post(
        f"{API}/feedback",
        json={"occasion": "pairing_year", "subject_id": pairing.id, "scores": PAIRING_SCORES},
        headers=school,
    )
    assert yearly.status_code == 201 and yearly.get_json()["year"]
    pairing.status = "ended"
    db.session.commit()
    for actor in ("school", "enterprise"):
        ended = client.post(
            f"{API}/feedback",
            json={"occasion": "pairing_end", "subject_id": pairing.id, "scores": PAIRING_SCORES},
            headers=auth(client, world.users[actor]),
        )
        assert ended.status_code == 201, (actor, ended.get_json())
    assert _count() == 3


def test_averages_shown_to_schools_and_teachers_never_comments(client, world):
    placement = f.make_placement(world.host)
    offer = f.make_offer(world.host)
    practice = _completed(world)
    services.submit_feedback(
        world.users["teacher"],
        {
            "occasion": "placement",
            "subject_id": practice.id,
            "scores": {"guidance": 5, "learning": 4, "conditions": 4},
            "comment": "食堂太远",
        },
    )
    db.session.commit()
    login_en(client, world.users["school"])
    page = client.get(f"/cooperation/placements/{placement.id}").get_data(as_text=True)
    assert 'id="host-rating"' in page and "4.3" in page and "食堂太远" not in page
    offers = client.get("/cooperation/offers").get_data(as_text=True)
    assert "★ 4.3" in offers and "食堂太远" not in offers
    detail = client.get(f"/cooperation/offers/{offer.id}").get_data(as_text=True)
    assert 'id="offer-rating"' in detail
    fresh = client.application.test_client()
    anonymous = fresh.get(f"/cooperation/placements/{placement.id}").get_data(as_text=True)
    assert 'id="host-rating"' not in anonymous
    login_en(fresh, world.users["enterprise_other"])
    other = fresh.get(f"/cooperation/placements/{placement.id}").get_data(as_text=True)
    assert 'id="host-rating"' not in other
    # another teacher cannot read the answer through the API
    headers = auth(client, make_user("teacher"))
    row = db.session.scalar(select(Feedback))
    assert client.get(f"{API}/feedback/{row.id}", headers=headers).status_code == 404


def test_report_by_league_and_occupation_with_export(client, world):
    practice = _completed(world)
    services.submit_feedback(
        world.users["teacher"],
        {"occasion": "placement", "subject_id": practice.id, "scores": PLACEMENT_SCORES},
    )
    db.session.commit()
    login_en(client, world.users["league_admin"])
    page = client.get("/cooperation/feedback/report").get_data(as_text=True)
    assert page.count('class="report-row"') == 1 and "4.00" in page
    none_here = client.get(f"/cooperation/feedback/report?region_code={BAOTOU}")
    assert 'class="report-row"' not in none_here.get_data(as_text=True)
    export = client.get("/cooperation/feedback/report?format=csv")
    text = export.get_data(as_text=True)
    assert export.headers["Content-Disposition"].startswith("attachment")
    assert f.TURNER in text and "4.0" in text
    other = auth(client, world.users["league_admin_other"])
    assert client.get(f"{API}/feedback-report", headers=other).get_json()["items"] == []
    admin = auth(client, world.users["region_admin"])
    items = client.get(f"{API}/feedback-report", headers=admin).get_json()["items"]
    assert [(i["occasion"], i["answers"], i["average"]) for i in items] == [("placement", 1, 4.0)]


def test_pages_list_due_ratings_and_save_one(client, world):
    practice = _completed(world)
    login_en(client, world.users["teacher"])
    page = client.get("/cooperation/feedback").get_data(as_text=True)
    assert f"subject_id={practice.id}" in page
    url = f"/cooperation/feedback/new?occasion=placement&subject_id={practice.id}"
    form = client.get(url)
    assert form.status_code == 200 and "score_guidance" in form.get_data(as_text=True)
    bad = client.post(url, data={"score_guidance": "5", "score_learning": "4"})
    assert bad.status_code == 422 and "field-error" in bad.get_data(as_text=True)
    saved = client.post(
        url, data={"score_guidance": "5", "score_learning": "4", "score_conditions": "4"}
    )
    assert saved.status_code == 302
    row = db.session.scalar(select(Feedback))
    assert row.scores == {"guidance": 5, "learning": 4, "conditions": 4}
    page = client.get("/cooperation/feedback").get_data(as_text=True)
    assert f"subject_id={practice.id}" not in page
    assert f"/cooperation/feedback/{row.id}/edit" in page


def test_round_weighing_feedback_uses_the_hosts_average(app, world):
    from app.rounds.models import MatchRound
    from app.rounds.services import build_pairing_problem

    practice = _completed(world)
    f.make_feedback(
        practice, world.users["teacher"], {"guidance": 5, "learning": 5, "conditions": 4}
    )
    request = f.make_pairing_request(f.make_school_major(world.school))
    offer = f.make_offer(world.host)
    key = (f"r{request.id}", f"o{offer.id}")
    plain = build_pairing_problem(MatchRound(kind="pairing", mode="optimal", weights={}))
    line = plain.explain(*key).breakdown[-1]
    assert line.criterion == "feedback" and line.points == 0
    weighed = build_pairing_problem(
        MatchRound(kind="pairing", mode="optimal", weights={"feedback": 30})
    )
    line = weighed.explain(*key).breakdown[-1]
    assert "4.7" in line.explanation and line.points > 0
    assert key in {(e.applicant, e.host) for e in weighed.edges}
