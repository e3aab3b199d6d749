"""A full round through the JSON API."""

from datetime import timedelta

from sqlalchemy import select

from app.common.time import local_today
from app.cooperation.models import Practice
from app.extensions import db
from tests.helpers import BAOTOU, bearer, token_for
from tests.rounds.factories import pass_deadline, placement_setup

API = "/api/v1"


def _deadline(days=7) -> str:
    return (local_today() + timedelta(days=days)).isoformat()


def _create(client, headers, **extra):
    body = {
        "kind": "placement",
        "region_code": None,
        "mode": "optimal",
        "weights": {},
        "deadline": _deadline(),
        **extra,
    }
    return client.post(f"{API}/rounds", json=body, headers=headers)


def test_full_round_through_the_api(client, world):
    placement, teachers, apps = placement_setup(world, teachers=3, seats=1)
    admin = bearer(token_for(client, world.users["region_admin"]))
    response = _create(client, admin, weights={"distance": 0, "choice": 30})
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["status"] == "draft" and created["weights"]["distance"] == 0
    rid = created["id"]

    preview = client.post(f"{API}/rounds/{rid}/run", headers=admin).get_json()
    assert preview["status"] == "previewed"
    assert len(preview["matches"]) == 1 and len(preview["unmatched"]) == 2
    match = preview["matches"][0]
    assert match["status"] == "preview" and match["placement_id"] == placement.id
    assert match["application_id"] in {a.id for a in apps}
    assert match["pairing_request_id"] is None and match["breakdown"][0]["explanation"]
    assert {u["reason"] for u in preview["unmatched"]} == {"capacity_taken"}
    assert set(preview["metrics"]["optimal"]) >= {
        "matched",
        "share",
        "mean_score",
        "blocking_pairs",
    }
    assert preview["metrics"]["stable"]["matched"] == 1

    again = client.post(f"{API}/rounds/{rid}/run", headers=admin).get_json()
    assert [m["application_id"] for m in again["matches"]] == [match["application_id"]]

    published = client.post(f"{API}/rounds/{rid}/publish", headers=admin)
    assert published.status_code == 200
    assert [m["status"] for m in published.get_json()["matches"]] == ["proposed"]
    second = client.post(f"{API}/rounds/{rid}/publish", headers=admin)
    assert second.status_code == 409
    mid = published.get_json()["matches"][0]["id"]
    locked = client.post(
        f"{API}/rounds/{rid}/matches/{mid}/lock", json={"reason": "x"}, headers=admin
    )
    assert locked.status_code == 409

    winner = next(a for a in apps if a.id == match["application_id"]).teacher.user
    teacher = bearer(token_for(client, winner))
    enterprise = bearer(token_for(client, world.users["enterprise"]))
    mine = client.get(f"{API}/matches", headers=teacher).get_json()
    assert [m["id"] for m in mine["items"]] == [mid]
    assert client.get(f"{API}/matches?round_id={rid}", headers=admin).get_json()["total"] == 1
    other = bearer(token_for(client, world.users["enterprise_other"]))
    assert client.get(f"{API}/matches", headers=other).get_json()["items"] == []
    assert client.post(f"{API}/matches/{mid}/accept", headers=other).status_code == 404

    first = client.post(f"{API}/matches/{mid}/accept", headers=teacher).get_json()
    assert first["status"] == "accepted_applicant"
    assert client.post(f"{API}/matches/{mid}/accept", headers=teacher).status_code == 409
    done = client.post(f"{API}/matches/{mid}/accept", headers=enterprise).get_json()
    assert done["status"] == "confirmed"
    db.session.expire_all()
    assert placement.seats_taken == 1
    assert db.session.scalar(select(Practice).where(Practice.match_id == mid)) is not None
    detail = client.get(f"{API}/rounds/{rid}", headers=admin).get_json()
    assert detail["status"] == "published" and detail["matches"][0]["status"] == "confirmed"
    listing = client.get(f"{API}/rounds?status=published", headers=admin).get_json()
    assert [r["id"] for r in listing["items"]] == [rid]


def test_decline_and_follow_up_through_the_api(client, world):
    placement, teachers, apps = placement_setup(world, teachers=2, seats=1)
    admin = bearer(token_for(client, world.users["region_admin"]))
    rid = _create(client, admin).get_json()["id"]
    client.post(f"{API}/rounds/{rid}/run", headers=admin)
    match = client.post(f"{API}/rounds/{rid}/publish", headers=admin).get_json()["matches"][0]
    enterprise = bearer(token_for(client, world.users["enterprise"]))
    follow = _create(client, admin, parent_id=rid).get_json()
    assert follow["parent_id"] == rid
    held = client.post(f"{API}/rounds/{follow['id']}/run", headers=admin).get_json()
    assert held["matches"] == []  # the only seat is held by the unanswered proposal
    missing = client.post(f"{API}/matches/{match['id']}/decline", json={}, headers=enterprise)
    assert missing.status_code == 422 and "reason" in missing.get_json()["error"]["fields"]
    declined = client.post(
        f"{API}/matches/{match['id']}/decline", json={"reason": "岗位调整"}, headers=enterprise
    ).get_json()
    assert declined["status"] == "declined" and declined["decision_reason"] == "岗位调整"
    rerun = client.post(f"{API}/rounds/{follow['id']}/run", headers=admin).get_json()
    assert len(rerun["matches"]) == 1
    assert rerun["matches"][0]["application_id"] != match["application_id"]


def test_expiry_is_applied_when_matches_are_read(client, world):
    placement_setup(world, teachers=1)
    admin = bearer(token_for(client, world.users["region_admin"]))
    rid = _create(client, admin).get_json()["id"]
    client.post(f"{API}/rounds/{rid}/run", headers=admin)
    client.post(f"{API}/rounds/{rid}/publish", headers=admin)
    from app.rounds.models import MatchRound

    pass_deadline(db.session.get(MatchRound, rid))
    teacher = bearer(token_for(client, world.users["teacher"]))
    items = client.get(f"{API}/matches", headers=teacher).get_json()["items"]
    assert [m["status"] for m in items] == ["expired"]
    assert client.post(f"{API}/matches/{items[0]['id']}/accept", headers=teacher).status_code == 409


def test_validation_and_scope_errors(client, world):
    admin = bearer(token_for(client, world.users["region_admin"]))
    bad = _create(client, admin, weights={"occupation": -5}).get_json()["error"]
    assert bad["code"] == "validation_error" and "weights" in bad["fields"]
    for field, value in (
        ("kind", "teachers"),
        ("mode", "random"),
        ("deadline", "tomorrow"),
        ("deadline", "2020-01-01"),
    ):
        response = _create(client, admin, **{field: value})
        assert response.status_code == 422 and field in response.get_json()["error"]["fields"]
    assert _create(client, admin, deadline="2099-01-01T12:00:00+08:00").status_code == 201
    league = bearer(token_for(client, world.users["league_admin"]))
    assert _create(client, league).status_code == 403
    assert _create(client, league, region_code=BAOTOU).status_code == 403
    rid = _create(client, admin, region_code=BAOTOU).get_json()["id"]
    assert client.get(f"{API}/rounds/{rid}", headers=league).status_code == 404
    other = bearer(token_for(client, world.users["league_admin_other"]))
    assert client.get(f"{API}/rounds/{rid}", headers=other).status_code == 200
    teacher = bearer(token_for(client, world.users["teacher"]))
    assert _create(client, teacher).status_code == 403


def test_failed_run_is_reported(client, world, monkeypatch):
    from app.rounds import services

    placement_setup(world, teachers=1)
    admin = bearer(token_for(client, world.users["region_admin"]))
    rid = _create(client, admin).get_json()["id"]
    monkeypatch.setattr(services, "solve", lambda *a: (_ for _ in ()).throw(ValueError("boom")))
    response = client.post(f"{API}/rounds/{rid}/run", headers=admin)
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "round_failed"
    detail = client.get(f"{API}/rounds/{rid}", headers=admin).get_json()
    assert detail["status"] == "failed" and "boom" in detail["error"] and detail["matches"] == []
