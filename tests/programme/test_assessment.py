"""Assessment of construction: the panel (three or more, no conflicts), scoring against the
published indicators, the mean, the region's conclusion, the gated stage changes, scoping,
audit and notifications."""

from sqlalchemy import select

from app.common.models import AuditEvent
from app.extensions import db
from app.notifications.models import Notification
from app.programme.assessment import assessor_total, mean_of
from app.programme.models import Assessment, Batch, BatchApplication
from tests.cooperation import factories as coop
from tests.helpers import bearer, login_en, make_enterprise, make_user, token_for
from tests.programme.assessment_factories import (
    make_assessment,
    make_assessors,
    make_built,
    make_indicators,
)
from tests.programme.factories import make_part_timer

API = "/api/v1"


def _post(client, token, url, body=None):
    return client.post(f"{API}{url}", json=body, headers=bearer(token))


def _open(client, world, application, users):
    token = token_for(client, world.users["region_admin"])
    return _post(
        client,
        token,
        f"/batch-applications/{application.id}/assessments",
        {"assessor_ids": [u.id for u in users]},
    )


def _scores(indicators, points):
    return {
        "scores": [
            {"indicator_id": i.id, "score": p} for i, p in zip(indicators, points, strict=True)
        ]
    }


def _actions(assessment_id: int) -> list[tuple[str, int | None]]:
    rows = db.session.execute(
        select(AuditEvent.action, AuditEvent.actor_id)
        .where(AuditEvent.target_type == "Assessment", AuditEvent.target_id == str(assessment_id))
        .order_by(AuditEvent.id)
    )
    return [tuple(r) for r in rows]


def _field_error(response, field: str) -> str:
    body = response.get_json()
    assert response.status_code == 422, body
    return body["error"]["fields"][field]


# --- the panel ----------------------------------------------------------------------------


def test_fewer_than_three_distinct_assessors_are_refused(client, world):
    application = make_built(world.school)
    a, b = make_assessors(2)
    two = _open(client, world, application, [a, b])
    assert "at least 3" in _field_error(two, "assessor_ids")
    repeated = _open(client, world, application, [a, b, b])  # the same account counts once
    assert "at least 3" in _field_error(repeated, "assessor_ids")
    assert db.session.scalar(select(Assessment.id)) is None  # nothing half-saved


def test_members_of_the_school_may_not_assess(client, world):
    application = make_built(world.school)
    outsiders = make_assessors(2)
    staff = _open(client, world, application, [*outsiders, world.users["school_staff"]])
    assert "belongs to the school" in _field_error(staff, "assessor_ids")
    teacher_user = make_user("teacher")
    coop.make_teacher(world.school, user=teacher_user)  # a teacher profile at the school
    teacher = _open(client, world, application, [*outsiders, teacher_user])
    assert "belongs to the school" in _field_error(teacher, "assessor_ids")
    assert db.session.scalar(select(Assessment.id)) is None


def test_staff_of_a_partner_enterprise_may_not_assess(client, world):
    application = make_built(world.school)
    outsiders = make_assessors(2)
    paired = world.users["enterprise_staff"]  # the Hohhot enterprise, paired below
    offer = coop.make_offer(world.host)
    coop.make_pairing(application.school_major, offer)
    refused = _open(client, world, application, [*outsiders, paired])
    assert "active partnership" in _field_error(refused, "assessor_ids")
    # An enterprise whose master teaches part time at the school is a partner too.
    teaching = make_enterprise()
    make_part_timer(world.school, teaching)
    master = make_user("enterprise", enterprise=teaching)
    assert "active partnership" in _field_error(
        _open(client, world, application, [*outsiders, master]), "assessor_ids"
    )
    # Once the pairing ends, the enterprise is free to assess; an unrelated one always is.
    coop_pairing = db.session.scalar(select(coop.Pairing))
    coop_pairing.status = "ended"
    db.session.commit()
    ok = _open(client, world, application, [*outsiders, paired])
    assert ok.status_code == 201, ok.get_json()
    assert ok.get_json()["assessors"] == 3


def test_only_a_major_under_construction_with_a_final_selection_is_assessed(client, world):
    selected = make_built(world.school, status="selected")
    response = _open(client, world, selected, make_assessors(3))
    assert response.status_code == 409
    built = make_built(world.school)
    assert _open(client, world, built, make_assessors(3)).status_code == 201
    again = _open(client, world, built, make_assessors(3))
    assert again.status_code == 409
    assert "in progress" in again.get_json()["error"]["message"]


def test_a_league_administrator_cannot_open_an_assessment(client, world):
    application = make_built(world.school)
    token = token_for(client, world.users["league_admin"])
    response = _post(
        client,
        token,
        f"/batch-applications/{application.id}/assessments",
        {"assessor_ids": [u.id for u in make_assessors(3)]},
    )
    assert response.status_code == 403


# --- scoring and the mean -----------------------------------------------------------------


def test_scores_are_bounded_by_each_indicators_weight(client, world):
    indicators = make_indicators((40, 30, 30))
    application = make_built(world.school)
    panel = make_assessors(3)
    opened = _open(client, world, application, panel).get_json()
    token = token_for(client, panel[0])
    url = f"/assessments/{opened['id']}/scores"
    over = _post(client, token, url, _scores(indicators, [41, 30, 30]))
    message = _field_error(over, f"indicator_{indicators[0].id}")
    assert "from 0 to 40" in message
    missing = _post(client, token, url, _scores(indicators[:2], [10, 10]))
    assert f"indicator_{indicators[2].id}" in missing.get_json()["error"]["fields"]
    negative = _post(client, token, url, _scores(indicators, [10, -1, 10]))
    assert f"indicator_{indicators[1].id}" in negative.get_json()["error"]["fields"]
    fraction = _post(client, token, url, _scores(indicators, [10, 10.5, 10]))
    assert fraction.status_code == 422
    unknown = _post(
        client,
        token,
        url,
        {
            "scores": [
                *_scores(indicators, [1, 1, 1])["scores"],
                {"indicator_id": 999999, "score": 1},
            ]
        },
    )
    assert "published indicators" in _field_error(unknown, "scores")
    bad_shape = _post(client, token, url, {"scores": {"1": 2}})
    assert "scores" in bad_shape.get_json()["error"]["fields"]
    assert all(s["total"] is None for s in _detail(client, world, opened["id"])["panel"])


def _detail(client, world, assessment_id):
    token = token_for(client, world.users["region_admin"])
    return client.get(f"{API}/assessments/{assessment_id}", headers=bearer(token)).get_json()


def test_the_mean_is_the_mean_of_the_assessors_totals_once_three_submitted(client, world):
    indicators = make_indicators((40, 30, 30))  # weights add up to 100
    application = make_built(world.school)
    panel = make_assessors(4)
    opened = _open(client, world, application, panel).get_json()
    url = f"/assessments/{opened['id']}/scores"
    points = ([36, 27, 24], [32, 24, 27], [38, 29, 28], [20, 15, 15])  # totals 87, 83, 95, 50
    for user, row in zip(panel[:2], points[:2], strict=True):
        response = _post(client, token_for(client, user), url, _scores(indicators, row))
        assert response.status_code == 200
        assert response.get_json()["mean_score"] is None  # fewer than three submitted
    third = _post(client, token_for(client, panel[2]), url, _scores(indicators, points[2]))
    assert third.get_json()["mean_score"] == 88.33  # (87 + 83 + 95) / 3
    mine = [p for p in third.get_json()["panel"] if p["user_id"] == panel[2].id][0]
    assert mine["total"] == 95.0
    others = [p for p in third.get_json()["panel"] if p["user_id"] != panel[2].id]
    assert all("total" not in p for p in others)  # an assessor sees only its own scores
    # A changed submission replaces the earlier one.
    again = _post(client, token_for(client, panel[0]), url, _scores(indicators, points[3]))
    assert again.get_json()["mean_score"] == 76.0  # (50 + 83 + 95) / 3
    assert db.session.get(Assessment, opened["id"]).mean_score == 76.0


def test_totals_are_on_a_scale_of_100_whatever_the_weights():
    class Ind:
        def __init__(self, id_, weight):
            self.id, self.weight = id_, weight

    indicators = [Ind(1, 20), Ind(2, 30)]  # weights add up to 50
    assert assessor_total({1: 20, 2: 15}, indicators) == 70.0  # 35 of 50
    assert assessor_total({1: 20}, indicators) is None
    assert mean_of([70.0, 80.0]) is None
    assert mean_of([70.0, 80.0, 91.0]) == 80.33


def _scored(client, world, application, totals=((36, 27, 24), (32, 24, 27), (38, 29, 28))):
    """An assessment of the application with three submissions (mean 88.33)."""
    indicators = make_indicators((40, 30, 30))
    panel = make_assessors(3)
    opened = _open(client, world, application, panel).get_json()
    for user, row in zip(panel, totals, strict=True):
        response = _post(
            client,
            token_for(client, user),
            f"/assessments/{opened['id']}/scores",
            _scores(indicators, row),
        )
        assert response.status_code == 200, response.get_json()
    return opened["id"], panel


def _conclude(client, world, assessment_id, result="passed", note="建设任务完成，材料齐全。"):
    token = token_for(client, world.users["region_admin"])
    return _post(
        client,
        token,
        f"/assessments/{assessment_id}/conclusion",
        {"result": result, "note": note},
    )


def test_conclusion_needs_three_submissions_a_result_and_a_note(client, world):
    indicators = make_indicators((40, 30, 30))
    application = make_built(world.school)
    panel = make_assessors(3)
    opened = _open(client, world, application, panel).get_json()
    early = _conclude(client, world, opened["id"])
    assert early.status_code == 409
    for user in panel:
        _post(
            client,
            token_for(client, user),
            f"/assessments/{opened['id']}/scores",
            _scores(indicators, [30, 20, 20]),
        )
    assert "passed or not passed" in _field_error(
        _conclude(client, world, opened["id"], "maybe"), "result"
    )
    assert _field_error(_conclude(client, world, opened["id"], note="  "), "note")
    league = token_for(client, world.users["league_admin"])
    refused = _post(
        client, league, f"/assessments/{opened['id']}/conclusion", {"result": "passed", "note": "x"}
    )
    assert refused.status_code == 403
    done = _conclude(client, world, opened["id"], "not_passed", "师资不足")
    assert done.status_code == 200
    assert (done.get_json()["result"], done.get_json()["note"]) == ("not_passed", "师资不足")
    assert _conclude(client, world, opened["id"]).status_code == 409
    late = _post(
        client,
        token_for(client, panel[0]),
        f"/assessments/{opened['id']}/scores",
        _scores(indicators, [1, 1, 1]),
    )
    assert late.status_code == 409


# --- gating of the stages -----------------------------------------------------------------


def _advance(client, world, application):
    token = token_for(client, world.users["league_admin"])
    return _post(client, token, f"/batch-applications/{application.id}/advance")


def test_assessed_needs_a_passed_assessment(client, world):
    application = make_built(world.school)
    refused = _advance(client, world, application)
    assert refused.status_code == 409
    assert "assessment concluded as passed" in refused.get_json()["error"]["message"]
    assessment_id, _panel = _scored(client, world, application)
    assert _advance(client, world, application).status_code == 409  # not yet concluded
    _conclude(client, world, assessment_id, "not_passed", "未通过")
    assert _advance(client, world, application).status_code == 409
    assert db.session.get(BatchApplication, application.id).status == "under_construction"
    second, _panel = _scored(client, world, application)
    _conclude(client, world, second)
    moved = _advance(client, world, application)
    assert moved.status_code == 200 and moved.get_json()["status"] == "assessed"


def test_demonstration_needs_the_batchs_threshold(client, world):
    application = make_built(world.school, threshold=88.34)
    assessment_id, _panel = _scored(client, world, application)  # mean 88.33
    _conclude(client, world, assessment_id)
    assert _advance(client, world, application).get_json()["status"] == "assessed"
    below = _advance(client, world, application)
    assert below.status_code == 409
    assert "below the batch's demonstration threshold" in below.get_json()["error"]["message"]
    batch = db.session.get(Batch, application.batch_id)
    batch.demonstration_threshold = None
    db.session.commit()
    unset = _advance(client, world, application)
    assert unset.status_code == 409 and "threshold" in unset.get_json()["error"]["message"]
    region = token_for(client, world.users["region_admin"])
    at = _post(
        client,
        region,
        f"/batches/{batch.id}/demonstration-threshold",
        {"demonstration_threshold": 88.33},
    )
    assert at.status_code == 200 and at.get_json()["demonstration_threshold"] == 88.33
    moved = _advance(client, world, application)  # at the threshold is enough
    assert moved.status_code == 200 and moved.get_json()["status"] == "demonstration"


def test_the_html_stage_button_explains_the_refusal(client, world):
    application = make_built(world.school)
    login_en(client, world.users["league_admin"])
    page = client.post(f"/programme/applications/{application.id}/advance", follow_redirects=True)
    assert "only after an assessment concluded as passed" in page.get_data(as_text=True)
    assert db.session.get(BatchApplication, application.id).status == "under_construction"


def test_threshold_is_validated_from_0_to_100(client, world):
    region = token_for(client, world.users["region_admin"])
    batch = make_built(world.school).batch
    for bad in (-1, 100.5, "85", True, {"x": 1}):
        response = _post(
            client,
            region,
            f"/batches/{batch.id}/demonstration-threshold",
            {"demonstration_threshold": bad},
        )
        assert "0 to 100" in _field_error(response, "demonstration_threshold"), bad
    league = token_for(client, world.users["league_admin"])
    response = _post(
        client,
        league,
        f"/batches/{batch.id}/demonstration-threshold",
        {"demonstration_threshold": 80},
    )
    assert response.status_code == 403
    created = _post(
        client,
        region,
        "/batches",
        {
            "name": "新批次",
            "phase": batch.phase.number,
            "opens_on": "2027-01-01",
            "closes_on": "2027-02-01",
            "demonstration_threshold": 101,
        },
    )
    assert "demonstration_threshold" in created.get_json()["error"]["fields"]
    login_en(client, world.users["region_admin"])
    page = client.post(
        f"/programme/batches/{batch.id}/edit",
        data={
            "name": batch.name,
            "phase": batch.phase_id,
            "opens_on": batch.opens_on.isoformat(),
            "closes_on": batch.closes_on.isoformat(),
            "demonstration_threshold": "150",
        },
    )
    assert page.status_code == 200
    assert "Give a threshold from 0 to 100." in page.get_data(as_text=True)
    saved = client.post(
        f"/programme/batches/{batch.id}/edit",
        data={
            "name": batch.name,
            "phase": batch.phase_id,
            "opens_on": batch.opens_on.isoformat(),
            "closes_on": batch.closes_on.isoformat(),
            "demonstration_threshold": "85.5",
        },
    )
    assert saved.status_code == 302
    assert db.session.get(Batch, batch.id).demonstration_threshold == 85.5


# --- scoping ------------------------------------------------------------------------------


def test_an_assessor_reaches_only_the_assessments_it_sits_on(client, world):
    indicators = make_indicators((40, 30, 30))
    mine_panel = make_assessors(3)
    other_panel = make_assessors(3)
    mine = make_assessment(make_built(world.school), mine_panel)
    theirs = make_assessment(make_built(world.other_school), other_panel)
    token = token_for(client, mine_panel[0])
    listed = client.get(f"{API}/assessments", headers=bearer(token)).get_json()
    assert [a["id"] for a in listed["items"]] == [mine.id]
    assert client.get(f"{API}/assessments/{theirs.id}", headers=bearer(token)).status_code == 404
    guessed = _post(
        client, token, f"/assessments/{theirs.id}/scores", _scores(indicators, [1, 1, 1])
    )
    assert guessed.status_code == 404
    login_en(client, mine_panel[0])
    assert client.get(f"/programme/assessments/{theirs.id}").status_code == 404
    assert client.get(f"/programme/assessments/{theirs.id}/score").status_code == 404
    posted = client.post(f"/programme/assessments/{theirs.id}/score", data={})
    assert posted.status_code == 404
    page = client.get("/programme/my-assessments").get_data(as_text=True)
    assert f'data-assessment="{mine.id}"' in page and f'data-assessment="{theirs.id}"' not in page
    assert "/programme/my-assessments" in client.get("/").get_data(as_text=True)  # in the menu


def test_the_league_sees_its_own_and_the_school_only_concluded_results(client, world):
    hohhot = make_assessment(make_built(world.school), make_assessors(3))
    baotou = make_assessment(make_built(world.other_school), make_assessors(3))
    league = token_for(client, world.users["league_admin"])
    items = client.get(f"{API}/assessments", headers=bearer(league)).get_json()["items"]
    assert [a["id"] for a in items] == [hohhot.id]
    assert client.get(f"{API}/assessments/{baotou.id}", headers=bearer(league)).status_code == 404
    school = token_for(client, world.users["school"])
    assert client.get(f"{API}/assessments/{hohhot.id}", headers=bearer(school)).status_code == 404
    hohhot.status, hohhot.result, hohhot.mean_score, hohhot.note = "concluded", "passed", 90, "好"
    db.session.commit()
    seen = client.get(f"{API}/assessments/{hohhot.id}", headers=bearer(school)).get_json()
    assert seen["result"] == "passed" and seen["panel"] is None  # no assessor's scores


# --- audit and notifications --------------------------------------------------------------


def test_every_step_is_audited_and_notified(client, world):
    application = make_built(world.school, threshold=80)
    assessment_id, panel = _scored(client, world, application)
    _conclude(client, world, assessment_id)
    admin = world.users["region_admin"]
    actions = _actions(assessment_id)
    assert actions[0] == ("assessment.open", admin.id)
    assert actions[1:4] == [("assessment.appoint", admin.id)] * 3
    assert actions[4:7] == [("assessment.score", u.id) for u in panel]
    assert actions[7] == ("assessment.conclude", admin.id)
    conclusion = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "assessment.conclude")
    )
    assert conclusion.after["result"] == "passed" and conclusion.after["mean_score"] == 88.33
    appointed = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "assessment_appointed")
    ).all()
    assert sorted(appointed) == sorted(u.id for u in panel)
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "assessment_passed")
    ).all()
    members = {world.users["school"].id, world.users["school_staff"].id}
    assert set(told) == members and len(told) == 2  # every member of the school, once
    link = db.session.scalar(
        select(Notification.link).where(Notification.kind == "assessment_passed")
    )
    assert link == f"/programme/assessments/{assessment_id}"
    # the school follows the link and reads the result
    login_en(client, world.users["school_staff"])
    page = client.get(link).get_data(as_text=True)
    assert "Passed" in page and "88.33" in page


# --- pages --------------------------------------------------------------------------------


def test_the_region_opens_scores_and_concludes_through_the_pages(client, world):
    indicators = make_indicators((40, 30, 30))
    application = make_built(world.school)
    panel = make_assessors(3)
    login_en(client, world.users["region_admin"])
    url = f"/programme/applications/{application.id}/assessments/new"
    few = client.post(url, data={"assessors": f"{panel[0].email}\n{panel[1].email}"})
    assert few.status_code == 200 and "Appoint at least 3" in few.get_data(as_text=True)
    unknown = client.post(url, data={"assessors": "nobody@example.cn"})
    assert "No account has this email: nobody@example.cn" in unknown.get_data(as_text=True)
    opened = client.post(url, data={"assessors": "\n".join(u.email for u in panel)})
    assert opened.status_code == 302
    assessment = db.session.scalar(select(Assessment))
    for user, row in zip(
        panel, ((40, 30, 30), (20, 15, 15), (30, 30, 30)), strict=True
    ):  # 100, 50, 90
        login_en(client, user)
        form = {f"indicator_{i.id}": str(p) for i, p in zip(indicators, row, strict=True)}
        bad = client.post(
            f"/programme/assessments/{assessment.id}/score",
            data={**form, f"indicator_{indicators[0].id}": "45"},
        )
        assert bad.status_code == 422
        assert "from 0 to 40" in bad.get_data(as_text=True)
        done = client.post(f"/programme/assessments/{assessment.id}/score", data=form)
        assert done.status_code == 302
    login_en(client, world.users["region_admin"])
    page = client.get(f"/programme/assessments/{assessment.id}").get_data(as_text=True)
    assert "data-mean>80.00<" in "".join(page.split())  # (100 + 50 + 90) / 3
    missing = client.post(f"/programme/assessments/{assessment.id}/conclusion", data={})
    assert missing.status_code == 422
    concluded = client.post(
        f"/programme/assessments/{assessment.id}/conclusion",
        data={"result": "passed", "note": "通过"},
    )
    assert concluded.status_code == 302
    assert db.session.get(Assessment, assessment.id).result == "passed"
    listing = client.get("/programme/assessments?result=passed").get_data(as_text=True)
    assert f'data-assessment="{assessment.id}"' in listing
    empty = client.get("/programme/assessments?result=not_passed").get_data(as_text=True)
    assert f'data-assessment="{assessment.id}"' not in empty
