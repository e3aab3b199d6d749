"""Evaluations: nominations of the three kinds, configurable weighted indicators, scoring
with exact weighted totals, publication on the school's public page."""

import re

from sqlalchemy import select

from app.common.models import AuditEvent
from app.extensions import db
from app.programme.models import Indicator, Nomination, NominationScore
from app.programme.services import weighted_total
from tests.helpers import login_en
from tests.programme.factories import make_indicator, make_major


def _events(action: str) -> list[AuditEvent]:
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def _nominate(client, world, category: str, title: str, major=None):
    data = {"category": category, "school_id": str(world.school.id), "title": title}
    data["school_major_id"] = str(major.id) if major else "0"
    return client.post("/programme/nominations/new", data=data, follow_redirects=True)


def _indicator(client, category: str, name: str, weight: int):
    data = {"category": category, "name": name, "weight": str(weight), "active": "y"}
    response = client.post("/programme/indicators/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(
        select(Indicator).where(Indicator.category == category, Indicator.name == name)
    )


def _score(client, nomination, scores: dict):
    data = {f"indicator_{i.id}": str(v) for i, v in scores.items()}
    return client.post(
        f"/programme/nominations/{nomination.id}/score", data=data, follow_redirects=True
    )


def test_school_nominates_the_three_kinds(client, world):
    major = make_major(world.school)
    login_en(client, world.users["school"])
    assert "Nomination submitted." in _nominate(
        client, world, "quality_classroom", "数控车削优质课堂"
    ).get_data(as_text=True)
    _nominate(client, world, "boutique_course", "机床装调精品课程")
    page = _nominate(client, world, "demonstration_major", "数控加工示范专业")
    assert "A demonstration major nomination names the major." in page.get_data(as_text=True)
    _nominate(client, world, "demonstration_major", "数控加工示范专业", major)
    rows = db.session.scalars(select(Nomination).order_by(Nomination.id)).all()
    assert [(n.category, n.title, n.status, n.school_major_id) for n in rows] == [
        ("quality_classroom", "数控车削优质课堂", "submitted", None),
        ("boutique_course", "机床装调精品课程", "submitted", None),
        ("demonstration_major", "数控加工示范专业", "submitted", major.id),
    ]
    assert len(_events("nomination.create")) == 3
    page = client.get("/programme/nominations?category=boutique_course").get_data(as_text=True)
    assert "1 records" in page and "机床装调精品课程" in page and "数控车削优质课堂" not in page


def test_a_school_cannot_nominate_for_another_school_or_its_major(client, world):
    other_major = make_major(world.other_school)
    login_en(client, world.users["school"])
    page = client.post(
        "/programme/nominations/new",
        data={
            "category": "demonstration_major",
            "school_id": str(world.other_school.id),
            "school_major_id": str(other_major.id),
            "title": "越权",
        },
    ).get_data(as_text=True)
    assert page.count("Not a valid choice") == 2
    assert db.session.scalar(select(db.func.count(Nomination.id))) == 0


def test_weighted_total_is_exact():
    a, b, c = Indicator(id=1, weight=50), Indicator(id=2, weight=30), Indicator(id=3, weight=20)
    assert weighted_total({1: 90, 2: 80, 3: 70}, [a, b, c]) == 83.0
    d, e = Indicator(id=4, weight=3), Indicator(id=5, weight=1)
    assert weighted_total({4: 85, 5: 60}, [d, e]) == 78.75
    assert weighted_total({}, [a]) is None


def test_admin_scores_against_configured_indicators_and_publishes(client, world):
    school_page = f"/registry/schools/{world.school.id}"
    login_en(client, world.users["school"])
    _nominate(client, world, "quality_classroom", "数控车削优质课堂")
    _nominate(client, world, "boutique_course", "机床装调精品课程")
    classroom, course = db.session.scalars(select(Nomination).order_by(Nomination.id)).all()
    client.post("/auth/logout")
    login_en(client, world.users["region_admin"])
    design = _indicator(client, "quality_classroom", "教学设计", 50)
    delivery = _indicator(client, "quality_classroom", "任务实施", 30)
    feedback = _indicator(client, "quality_classroom", "学生评价", 20)
    standard = _indicator(client, "boutique_course", "课程标准", 3)
    effect = _indicator(client, "boutique_course", "应用成效", 1)
    retired = _indicator(client, "boutique_course", "旧指标", 90)
    client.post(
        f"/programme/indicators/{retired.id}/edit",
        data={"category": "boutique_course", "name": "旧指标", "weight": "90"},  # out of use
    )
    assert db.session.get(Indicator, retired.id).active is False
    form = client.get(f"/programme/nominations/{course.id}/score").get_data(as_text=True)
    assert "课程标准 (weight 3)" in form and "应用成效 (weight 1)" in form and "旧指标" not in form

    page = _score(client, classroom, {design: 90, delivery: 80, feedback: 70}).get_data(
        as_text=True
    )
    assert "Scores saved." in page
    _score(client, course, {standard: 85, effect: 60})
    db.session.expire_all()
    assert (classroom.status, classroom.total_score) == ("scored", 83.0)
    assert (course.status, course.total_score) == ("scored", 78.75)
    scores = db.session.scalars(
        select(NominationScore).where(NominationScore.nomination_id == classroom.id)
    ).all()
    assert sorted((s.indicator_id, s.score) for s in scores) == [
        (design.id, 90),
        (delivery.id, 80),
        (feedback.id, 70),
    ]
    assert [e.after["total_score"] for e in _events("nomination.score")] == [83.0, 78.75]
    listing = client.get("/programme/nominations").get_data(as_text=True)
    assert "<td>83.0</td>" in listing and "<td>78.75</td>" in listing

    # re-scoring replaces the scores; the total follows
    _score(client, classroom, {design: 100, delivery: 80, feedback: 70})
    db.session.expire_all()
    assert classroom.total_score == 88.0
    assert (
        db.session.scalar(
            select(db.func.count(NominationScore.id)).where(
                NominationScore.nomination_id == classroom.id
            )
        )
        == 3
    )

    # nothing is public before publication
    client.post("/auth/logout")
    public = client.get(school_page).get_data(as_text=True)
    assert "数控车削优质课堂" not in public and "evaluation-results" not in public

    login_en(client, world.users["region_admin"])
    page = client.post(
        f"/programme/nominations/{classroom.id}/publish", follow_redirects=True
    ).get_data(as_text=True)
    assert "Result published." in page
    db.session.expire_all()
    assert classroom.status == "published" and classroom.published_at is not None
    assert _events("nomination.publish")[0].after == {"status": "published", "total_score": 88.0}
    again = _score(client, classroom, {design: 0, delivery: 0, feedback: 0})
    assert "Published results cannot be scored again." in again.get_data(as_text=True)
    db.session.expire_all()
    assert classroom.total_score == 88.0

    client.post("/auth/logout")
    public = client.get(school_page).get_data(as_text=True)
    results = re.search(r'<ul class="list-group" id="evaluation-results">(.*?)</ul>', public, re.S)
    assert results is not None
    assert "数控车削优质课堂" in results.group(1) and "88.0" in results.group(1)
    assert "机床装调精品课程" not in public  # scored, not published
    other = client.get(f"/registry/schools/{world.other_school.id}").get_data(as_text=True)
    assert "数控车削优质课堂" not in other


def test_scores_out_of_range_are_refused_next_to_the_field(client, world):
    indicator = make_indicator("quality_classroom", 10)
    nomination = Nomination(category="quality_classroom", school_id=world.school.id, title="课")
    db.session.add(nomination)
    db.session.commit()
    login_en(client, world.users["region_admin"])
    page = _score(client, nomination, {indicator: 101}).get_data(as_text=True)
    assert 'class="field-error" role="alert">Give a score from 0 to 100.' in page
    page = client.post(
        f"/programme/nominations/{nomination.id}/score", data={f"indicator_{indicator.id}": "x"}
    ).get_data(as_text=True)
    assert "Give a score from 0 to 100." in page
    db.session.expire_all()
    assert nomination.status == "submitted" and nomination.total_score is None
    assert db.session.scalar(select(db.func.count(NominationScore.id))) == 0


def test_only_a_scored_nomination_is_published(client, world):
    nomination = Nomination(category="boutique_course", school_id=world.school.id, title="课")
    db.session.add(nomination)
    db.session.commit()
    login_en(client, world.users["region_admin"])
    page = client.post(
        f"/programme/nominations/{nomination.id}/publish", follow_redirects=True
    ).get_data(as_text=True)
    assert "Only a scored nomination can be published." in page
    db.session.expire_all()
    assert nomination.status == "submitted"
    assert "数控" not in client.get(f"/registry/schools/{world.school.id}").get_data(as_text=True)


def test_indicator_weight_must_be_between_1_and_100(client, world):
    login_en(client, world.users["region_admin"])
    page = client.post(
        "/programme/indicators/new",
        data={"category": "quality_classroom", "name": "过重", "weight": "101", "active": "y"},
    ).get_data(as_text=True)
    assert "Number must be between 1 and 100." in page
    assert db.session.scalar(select(db.func.count(Indicator.id))) == 0
