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


def _matches(client, headers, rid, query=""):
    response = client.get(f"{API}/rounds/{rid}/matches{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_full_round_through_the_api(client, world):
    placement, teachers, apps = placement_setup(world, teachers=3, seats=1)
    admin = bearer(token_for(client, world.users["region_admin"]))
    response = _create(client, admin, weights={"distance": 0, "choice": 30})
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["status"] == "draft" and created["weights"]["distance"] == 0
    rid = created["id"]

    preview = client.post(f"{API}/rounds/{rid}/run", headers=admin).get_json()
    assert preview["status"] == "previewed" and "matches" not in preview
    assert preview["counts"]["matches"] == 1 and preview["counts"]["unmatched"] == 2
    assert preview["counts"]["by_status"] == {"preview": 1}
    matches = _matches(client, admin, rid)
    assert matches["total"] == 1
    match = matches["items"][0]
    assert match["status"] == "preview" and match["placement_id"] == placement.id
    assert match["application_id"] in {a.id for a in apps}
    assert match["pairing_request_id"] is None and match["breakdown"][0]["explanation"]
    unmatched = client.get(f"{API}/rounds/{rid}/unmatched", headers=admin).get_json()
    assert unmatched["total"] == 2 and len(unmatched["items"]) == 2
    assert {u["reason"] for u in unmatched["items"]} == {"capacity_taken"}
    assert {u["application_id"] for u in unmatched["items"]} == {
        a.id for a in apps if a.id != match["application_id"]
    }
    assert set(preview["metrics"]["optimal"]) >= {
        "matched",
        "share",
        "mean_score",
        "blocking_pairs",
    }
    assert preview["metrics"]["stable"]["matched"] == 1

    client.post(f"{API}/rounds/{rid}/run", headers=admin)
    again = _matches(client, admin, rid)["items"]
    assert [m["application_id"] for m in again] == [match["application_id"]]

    published = client.post(f"{API}/rounds/{rid}/publish", headers=admin)
    assert published.status_code == 200
    assert published.get_json()["counts"]["by_status"] == {"proposed": 1}
    assert [m["status"] for m in _matches(client, admin, rid)["items"]] == ["proposed"]
    second = client.post(f"{API}/rounds/{rid}/publish", headers=admin)
    assert second.status_code == 409
    mid = _matches(client, admin, rid)["items"][0]["id"]
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
    assert detail["status"] == "published" and detail["counts"]["by_status"] == {"confirmed": 1}
    confirmed = _matches(client, admin, rid, "?status=confirmed")
    assert [m["id"] for m in confirmed["items"]] == [mid]
    assert _matches(client, admin, rid, "?status=proposed")["total"] == 0
    listing = client.get(f"{API}/rounds?status=published", headers=admin).get_json()
    assert [r["id"] for r in listing["items"]] == [rid]


def test_decline_and_follow_up_through_the_api(client, world):
    placement, teachers, apps = placement_setup(world, teachers=2, seats=1)
    admin = bearer(token_for(client, world.users["region_admin"]))
    rid = _create(client, admin).get_json()["id"]
    client.post(f"{API}/rounds/{rid}/run", headers=admin)
    client.post(f"{API}/rounds/{rid}/publish", headers=admin)
    match = _matches(client, admin, rid)["items"][0]
    enterprise = bearer(token_for(client, world.users["enterprise"]))
    follow = _create(client, admin, parent_id=rid).get_json()
    assert follow["parent_id"] == rid
    held = client.post(f"{API}/rounds/{follow['id']}/run", headers=admin).get_json()
    assert held["counts"]["matches"] == 0  # the only seat is held by the unanswered proposal
    assert _matches(client, admin, follow["id"])["items"] == []
    missing = client.post(f"{API}/matches/{match['id']}/decline", json={}, headers=enterprise)
    assert missing.status_code == 422 and "reason" in missing.get_json()["error"]["fields"]
    declined = client.post(
        f"{API}/matches/{match['id']}/decline", json={"reason": "岗位调整"}, headers=enterprise
    ).get_json()
    assert declined["status"] == "declined" and declined["decision_reason"] == "岗位调整"
    rerun = client.post(f"{API}/rounds/{follow['id']}/run", headers=admin).get_json()
    assert rerun["counts"]["matches"] == 1
    rerun_matches = _matches(client, admin, follow["id"])["items"]
    assert rerun_matches[0]["application_id"] != match["application_id"]


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
    assert detail["status"] == "failed" and "boom" in detail["error"]
    assert detail["counts"]["matches"] == 0 and _matches(client, admin, rid)["items"] == []


def test_round_lists_are_paginated_and_the_round_is_small(client, world):
    placement_setup(world, teachers=7, seats=3)
    admin = bearer(token_for(client, world.users["region_admin"]))
    rid = _create(client, admin).get_json()["id"]
    client.post(f"{API}/rounds/{rid}/run", headers=admin)
    detail = client.get(f"{API}/rounds/{rid}", headers=admin).get_json()
    assert detail["counts"] == {
        "matches": 3,
        "by_status": {"preview": 3},
        "locked": 0,
        "excluded": 0,
        "unmatched": 4,
    }
    assert "matches" not in detail and "unmatched" not in detail
    assert detail["analysis"]["bottleneck_hosts_total"] == 1

    first = _matches(client, admin, rid, "?per_page=2")
    second = _matches(client, admin, rid, "?per_page=2&page=2")
    assert (first["total"], first["pages"], len(first["items"]), len(second["items"])) == (
        3,
        2,
        2,
        1,
    )
    ids = [m["id"] for m in first["items"] + second["items"]]
    assert len(set(ids)) == 3
    scores = [m["score"] for m in first["items"] + second["items"]]
    assert scores == sorted(scores, reverse=True)

    unmatched = client.get(f"{API}/rounds/{rid}/unmatched?per_page=3&page=2", headers=admin)
    body = unmatched.get_json()
    assert (body["total"], body["pages"], len(body["items"])) == (4, 2, 1)
    none = client.get(f"{API}/rounds/{rid}/unmatched?reason=no_candidates", headers=admin)
    assert none.get_json()["total"] == 0

    bad = client.get(f"{API}/rounds/{rid}/matches?status=won", headers=admin)
    assert bad.status_code == 422 and "status" in bad.get_json()["error"]["fields"]
    bad = client.get(f"{API}/rounds/{rid}/unmatched?reason=x", headers=admin)
    assert bad.status_code == 422 and "reason" in bad.get_json()["error"]["fields"]
    league = bearer(token_for(client, world.users["league_admin"]))  # a whole-region round
    assert client.get(f"{API}/rounds/{rid}/matches", headers=league).status_code == 404
    assert client.get(f"{API}/rounds/{rid}/unmatched", headers=league).status_code == 404
    teacher = bearer(token_for(client, world.users["teacher"]))
    assert client.get(f"{API}/rounds/{rid}/matches", headers=teacher).status_code == 403
