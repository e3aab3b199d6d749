"""The dashboard's figures against a known world, in HTML and JSON; a league admin's scope."""

from datetime import timedelta

from app.common.time import utcnow
from app.cooperation.models import Offer, Pairing, Placement, Practice
from app.extensions import db
from app.programme.services import seed_plan
from tests.helpers import BAOTOU, HOHHOT, bearer, login_en, make_school, token_for
from tests.programme.factories import (
    make_application,
    make_batch,
    make_major,
    make_phase,
    make_teacher,
    today,
)


def _known_world(world):
    """Hohhot: 2 selected majors at one school (+1 rejected); Baotou: 1 at another."""
    seed_plan()
    db.session.commit()
    phase = make_phase(1)
    batch = make_batch(
        phase,
        notice_starts_on=today() - timedelta(days=12),
        notice_ends_on=today() - timedelta(days=5),
        notice_published_at=utcnow(),
    )
    m1, m2, m3 = make_major(world.school), make_major(world.school), make_major(world.school)
    make_application(batch, m1, "selected")
    make_application(batch, m2, "demonstration")
    make_application(batch, m3, "rejected")
    make_application(batch, make_major(world.other_school), "under_construction")
    make_application(batch, make_major(make_school(region_code=BAOTOU)), "submitted")
    make_teacher(world.school, status="trained")
    make_teacher(world.school, status="certified")
    make_teacher(world.school, status="none")
    practiced = make_teacher(world.other_school, status="trained")
    make_teacher(world.other_school)
    offer = Offer(
        host_id=world.host.id,
        mode="linkage",
        slots=2,
        slots_taken=1,
        status="open",
        starts_on=today(),
        ends_on=today() + timedelta(days=100),
    )
    placement = Placement(
        host_id=world.host.id,
        seats=4,
        seats_taken=3,
        status="open",
        starts_on=today(),
        ends_on=today() + timedelta(days=100),
    )
    db.session.add_all([offer, placement])
    db.session.flush()
    db.session.add(Pairing(school_major_id=m1.id, offer_id=offer.id, started_on=today()))
    db.session.add(
        Practice(
            teacher_id=practiced.id,
            placement_id=placement.id,
            started_on=today() - timedelta(days=400),
            ended_on=today() - timedelta(days=200),
            days_confirmed=190,
        )
    )
    db.session.commit()


def test_dashboard_json_has_exact_figures(client, world):
    _known_world(world)
    token = token_for(client, world.users["region_admin"])
    body = client.get("/api/v1/dashboard", headers=bearer(token)).get_json()
    targets = body["targets"]
    assert targets["majors"] == {"target": 20, "actual": 3, "percent": 15.0}
    assert targets["schools"] == {"target": 10, "actual": 2, "percent": 20.0}
    assert targets["teachers"] == {"target": 200, "actual": 3, "percent": 1.5}
    leagues = {r["region_code"]: r for r in body["by_league"]}
    assert (leagues[HOHHOT]["majors"], leagues[HOHHOT]["schools"]) == (2, 1)
    assert (leagues[BAOTOU]["majors"], leagues[BAOTOU]["teachers"]) == (1, 1)
    phase1 = next(p for p in body["by_phase"] if p["number"] == 1)
    assert (phase1["applications"], phase1["majors"]) == (5, 3)
    assert body["pairing"] == {"majors": 5, "paired": 1, "percent": 20.0}
    assert body["placements"] == {"seats": 4, "taken": 3, "percent": 75.0}
    assert body["practice_rule"]["teachers"] == 5
    assert body["practice_rule"]["meeting"] == 1


def test_league_admin_sees_its_league(client, world):
    _known_world(world)
    token = token_for(client, world.users["league_admin"])
    body = client.get("/api/v1/dashboard", headers=bearer(token)).get_json()
    assert body["scope"] == HOHHOT
    assert body["targets"]["majors"]["actual"] == 2
    assert body["targets"]["schools"]["actual"] == 1
    assert body["targets"]["teachers"]["actual"] == 2
    assert [r["region_code"] for r in body["by_league"]] == [HOHHOT]
    assert body["practice_rule"]["meeting"] == 0


def test_dashboard_html_shows_the_figures_and_links(client, world):
    _known_world(world)
    login_en(client, world.users["region_admin"])
    page = client.get("/programme/").get_data(as_text=True)
    assert '<tr data-key="majors"><th scope="row">Integrated majors</th>' in page
    assert '/programme/applications?status=selected_all">3</a>' in page
    assert '/programme/teachers?status=qualified">3</a>' in page
    assert "<svg" in page and "<script>" not in page
    assert '/programme/placements">3</a>' in page
    # the figure's link leads to exactly those records
    listing = client.get("/programme/applications?status=selected_all").get_data(as_text=True)
    assert "3 applications found" in listing
    teachers = client.get("/programme/teachers?status=qualified").get_data(as_text=True)
    assert "3 records" in teachers


def test_targets_are_editable_and_audited(client, world):
    seed_plan()
    db.session.commit()
    login_en(client, world.users["region_admin"])
    response = client.post(
        "/programme/targets", data={"majors": 25, "schools": 10, "teachers": 200}
    )
    assert response.status_code == 302
    token = token_for(client, world.users["region_admin"])
    body = client.get("/api/v1/dashboard", headers=bearer(token)).get_json()
    assert body["targets"]["majors"]["target"] == 25
    audit = client.get("/api/v1/audit?action=target.update", headers=bearer(token)).get_json()
    assert audit["total"] == 1
    assert audit["items"][0]["after"] == {"majors": 25}


def test_seed_is_idempotent(app):
    first = seed_plan()
    db.session.commit()
    second = seed_plan()
    db.session.commit()
    assert first["phases"] == 3 and first["batches"] == 3 and first["targets"] == 3
    assert set(second.values()) == {0}
    runner = app.test_cli_runner()
    result = runner.invoke(args=["programme", "seed"])
    assert "phases 0" in result.output
