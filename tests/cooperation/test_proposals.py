"""Direct pairing, both ways: enterprises browse open pairing requests and propose offers,
schools propose majors to offers, the other side accepts (the slot is claimed atomically and
the pairing starts) or declines with a reason."""

from sqlalchemy import func, select, update

from app.common.models import AuditEvent
from app.cooperation import services
from app.cooperation.models import Offer, Pairing, PairingRequest, Proposal
from app.extensions import db
from app.notifications.models import Notification
from app.rounds.services import build_pairing_problem
from tests.api.support import API, auth, error_of
from tests.cooperation import factories as f
from tests.helpers import BAOTOU, make_enterprise, make_host, make_user


def _kinds(user) -> list[str]:
    return list(
        db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id))
    )


def _pairings(offer_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Pairing).where(Pairing.offer_id == offer_id)
    )


# --- browsing -----------------------------------------------------------------------------


def test_approved_enterprise_browses_open_requests_with_filters(client, world):
    major = f.make_school_major(world.school)
    wanted = f.make_pairing_request(major)
    f.make_pairing_request(major, status="withdrawn")
    f.make_pairing_request(major, status="matched")
    other = f.make_pairing_request(f.make_school_major(world.other_school))
    headers = auth(client, world.users["enterprise"])
    response = client.get(f"{API}/pairing-requests", headers=headers)
    assert response.status_code == 200, response.get_json()
    items = {i["id"]: i for i in response.get_json()["items"]}
    assert set(items) == {wanted.id, other.id}
    assert items[wanted.id]["school_name"] == world.school.name
    assert items[wanted.id]["major_name"] == major.major.name
    by_league = client.get(f"{API}/pairing-requests?region_code={BAOTOU}", headers=headers)
    assert [i["id"] for i in by_league.get_json()["items"]] == [other.id]
    by_mode = client.get(f"{API}/pairing-requests?mode=enterprise_run", headers=headers)
    assert by_mode.get_json()["items"] == []
    by_mode = client.get(f"{API}/pairing-requests?mode=linkage", headers=headers)
    assert {i["id"] for i in by_mode.get_json()["items"]} == {wanted.id, other.id}
    by_occupation = client.get(
        f"{API}/pairing-requests?occupation_code=6-17-03-02", headers=headers
    )
    assert by_occupation.get_json()["items"] == []
    by_period = client.get(f"{API}/pairing-requests?starts_on=2027-01-01", headers=headers)
    assert by_period.get_json()["items"] == []
    detail = client.get(f"{API}/pairing-requests/{wanted.id}", headers=headers)
    assert detail.status_code == 200 and detail.get_json()["school_name"] == world.school.name


def test_pending_enterprise_cannot_browse_or_see_requests(client, world):
    request = f.make_pairing_request(f.make_school_major(world.school))
    headers = auth(client, world.users["enterprise_pending"])
    assert client.get(f"{API}/pairing-requests", headers=headers).status_code == 403
    assert client.get(f"{API}/pairing-requests/{request.id}", headers=headers).status_code == 404


def test_closed_request_is_hidden_from_enterprises(client, world):
    request = f.make_pairing_request(f.make_school_major(world.school), status="withdrawn")
    headers = auth(client, world.users["enterprise"])
    assert client.get(f"{API}/pairing-requests/{request.id}", headers=headers).status_code == 404


# --- enterprise proposes an offer to a request --------------------------------------------


def test_enterprise_proposes_school_accepts_and_request_is_served(client, world):
    major = f.make_school_major(world.school)
    request = f.make_pairing_request(major)
    offer = f.make_offer(world.host, slots=2)
    ent = auth(client, world.users["enterprise"])
    response = client.post(
        f"{API}/pairing-requests/{request.id}/proposals",
        json={"offer_id": offer.id, "note": "欢迎来车间", "status": "accepted"},
        headers=ent,
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "pending" and body["direction"] == "to_request"
    assert body["note"] == "欢迎来车间" and body["school_name"] == world.school.name
    assert "proposal_received" in _kinds(world.users["school"])
    again = client.post(
        f"{API}/pairing-requests/{request.id}/proposals", json={"offer_id": offer.id}, headers=ent
    )
    assert error_of(again, 409)["fields"].keys() == {"offer_id"}
    # the proposer cannot answer its own proposal
    own = client.post(f"{API}/proposals/{body['id']}/accept", headers=ent)
    assert own.status_code == 403
    school = auth(client, world.users["school"])
    received = client.get(f"{API}/proposals?box=received", headers=school).get_json()
    assert [p["id"] for p in received["items"]] == [body["id"]]
    assert client.get(f"{API}/proposals?box=sent", headers=school).get_json()["items"] == []
    accepted = client.post(f"{API}/proposals/{body['id']}/accept", headers=school)
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["status"] == "accepted" and accepted.get_json()["pairing_id"]
    pairing = db.session.get(Pairing, accepted.get_json()["pairing_id"])
    assert (pairing.school_major_id, pairing.offer_id) == (major.id, offer.id)
    assert pairing.pairing_request_id == request.id and pairing.status == "active"
    assert db.session.get(Offer, offer.id).slots_taken == 1
    assert db.session.get(PairingRequest, request.id).status == "matched"
    assert "proposal_accepted" in _kinds(world.users["enterprise"])
    twice = client.post(f"{API}/proposals/{body['id']}/accept", headers=school)
    assert error_of(twice, 409)
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"proposal.create", "proposal.accept"} <= actions


def test_enterprise_cannot_propose_another_enterprises_offer(client, world):
    request = f.make_pairing_request(f.make_school_major(world.school))
    foreign = f.make_offer(world.other_host)
    response = client.post(
        f"{API}/pairing-requests/{request.id}/proposals",
        json={"offer_id": foreign.id},
        headers=auth(client, world.users["enterprise"]),
    )
    assert set(error_of(response, 422)["fields"]) == {"offer_id"}
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0


def test_full_or_closed_offer_cannot_be_proposed(client, world):
    request = f.make_pairing_request(f.make_school_major(world.school))
    full = f.make_offer(world.host, slots=1)
    full.slots_taken = 1
    closed = f.make_offer(world.host, status="closed")
    db.session.commit()
    headers = auth(client, world.users["enterprise"])
    for offer in (full, closed):
        response = client.post(
            f"{API}/pairing-requests/{request.id}/proposals",
            json={"offer_id": offer.id},
            headers=headers,
        )
        assert set(error_of(response, 422)["fields"]) == {"offer_id"}


def test_bad_note_is_refused_naming_the_field(client, world):
    request = f.make_pairing_request(f.make_school_major(world.school))
    offer = f.make_offer(world.host)
    headers = auth(client, world.users["enterprise"])
    url = f"{API}/pairing-requests/{request.id}/proposals"
    for note in ("x" * 2001, "bad\x00note", 5):
        response = client.post(url, json={"offer_id": offer.id, "note": note}, headers=headers)
        assert set(error_of(response, 422)["fields"]) == {"note"}, note
    surrogate = '{"offer_id": ' + str(offer.id) + ', "note": "\\ud800"}'
    response = client.post(
        url, data=surrogate, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 422 and "note" in response.get_json()["error"]["fields"]


# --- school proposes a major to an offer --------------------------------------------------


def test_school_proposes_major_enterprise_declines_with_reason(client, world):
    major = f.make_school_major(world.school)
    offer = f.make_offer(world.host)
    school = auth(client, world.users["school"])
    response = client.post(
        f"{API}/offers/{offer.id}/proposals",
        json={"school_major_id": major.id, "note": "希望合作"},
        headers=school,
    )
    assert response.status_code == 201, response.get_json()
    proposal_id = response.get_json()["id"]
    assert response.get_json()["direction"] == "to_offer"
    assert "proposal_received" in _kinds(world.users["enterprise"])
    ent = auth(client, world.users["enterprise"])
    missing = client.post(f"{API}/proposals/{proposal_id}/decline", json={}, headers=ent)
    assert set(error_of(missing, 422)["fields"]) == {"reason"}
    declined = client.post(
        f"{API}/proposals/{proposal_id}/decline", json={"reason": "名额已满"}, headers=ent
    )
    assert declined.status_code == 200
    assert declined.get_json()["status"] == "declined"
    assert declined.get_json()["decision_reason"] == "名额已满"
    assert "proposal_declined" in _kinds(world.users["school"])
    assert _pairings(offer.id) == 0
    late = client.post(f"{API}/proposals/{proposal_id}/accept", headers=ent)
    assert error_of(late, 409)


def test_school_major_proposal_accepted_links_the_majors_open_request(client, world):
    major = f.make_school_major(world.school)
    request = f.make_pairing_request(major)
    offer = f.make_offer(world.host)
    school = auth(client, world.users["school"])
    created = client.post(
        f"{API}/offers/{offer.id}/proposals", json={"school_major_id": major.id}, headers=school
    ).get_json()
    ent = auth(client, world.users["enterprise"])
    accepted = client.post(f"{API}/proposals/{created['id']}/accept", headers=ent)
    assert accepted.status_code == 200, accepted.get_json()
    pairing = db.session.get(Pairing, accepted.get_json()["pairing_id"])
    assert pairing.pairing_request_id == request.id
    assert db.session.get(PairingRequest, request.id).status == "matched"
    sent = client.get(f"{API}/proposals?box=sent", headers=school).get_json()
    assert [p["id"] for p in sent["items"]] == [created["id"]]


def test_school_cannot_propose_another_schools_major(client, world):
    foreign = f.make_school_major(world.other_school)
    offer = f.make_offer(world.host)
    response = client.post(
        f"{API}/offers/{offer.id}/proposals",
        json={"school_major_id": foreign.id},
        headers=auth(client, world.users["school"]),
    )
    assert set(error_of(response, 422)["fields"]) == {"school_major_id"}


def test_outsiders_cannot_see_or_answer_a_proposal(client, world):
    major = f.make_school_major(world.school)
    offer = f.make_offer(world.host)
    proposal = services.propose_major(world.users["school"], offer, {"school_major_id": major.id})
    db.session.commit()
    for actor in ("enterprise_other", "school_other", "teacher"):
        headers = auth(client, world.users[actor])
        assert client.get(f"{API}/proposals/{proposal.id}", headers=headers).status_code in (
            403,
            404,
        )
        answer = client.post(f"{API}/proposals/{proposal.id}/accept", headers=headers)
        assert answer.status_code in (403, 404)
    other_list = client.get(f"{API}/proposals", headers=auth(client, world.users["school_other"]))
    assert other_list.get_json()["items"] == []
    assert db.session.get(Proposal, proposal.id).status == "pending"


def test_proposal_list_paginates(client, world):
    offer = f.make_offer(world.host, slots=5)
    majors = [f.make_school_major(world.school, level=lv) for lv in ("advanced", "technician")]
    for major in majors:
        services.propose_major(world.users["school"], offer, {"school_major_id": major.id})
    db.session.commit()
    headers = auth(client, world.users["enterprise"])
    page = client.get(f"{API}/proposals?per_page=1", headers=headers).get_json()
    assert page["total"] == 2 and page["pages"] == 2 and len(page["items"]) == 1


# --- lost races and rounds ----------------------------------------------------------------


def test_acceptance_that_lost_the_last_slot_leaves_nothing(client, world):
    """Deterministic lost race: the slot is taken between loading and accepting."""
    offer = f.make_offer(world.host, slots=1)
    major = f.make_school_major(world.school)
    proposal = services.propose_major(world.users["school"], offer, {"school_major_id": major.id})
    db.session.commit()
    ent = auth(client, world.users["enterprise"])
    # another acceptance (elsewhere) takes the last slot meanwhile
    db.session.execute(update(Offer).where(Offer.id == offer.id).values(slots_taken=1))
    db.session.commit()
    response = client.post(f"{API}/proposals/{proposal.id}/accept", headers=ent)
    assert error_of(response, 409)["code"] == "no_place_left"
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).status == "pending"
    assert _pairings(offer.id) == 0
    assert db.session.get(Offer, offer.id).slots_taken == 1


def test_claim_in_service_refuses_when_the_slot_is_gone(app, world):
    offer = f.make_offer(world.host, slots=1)
    majors = [f.make_school_major(world.school, level=lv) for lv in ("advanced", "technician")]
    first, second = (
        services.propose_major(world.users["school"], offer, {"school_major_id": m.id})
        for m in majors
    )
    db.session.commit()
    services.accept_proposal(world.users["enterprise"], first)
    db.session.commit()
    try:
        services.accept_proposal(world.users["enterprise"], second)
    except services.NoPlaceLeft:
        db.session.rollback()
    else:  # pragma: no cover - the claim must refuse
        raise AssertionError("second acceptance must find no slot")
    assert _pairings(offer.id) == 1
    assert db.session.get(Proposal, second.id).status == "pending"


def test_rounds_ignore_directly_paired_requests(app, world):
    from app.rounds.models import MatchRound

    major = f.make_school_major(world.school)
    request = f.make_pairing_request(major)
    offer = f.make_offer(world.host, slots=3)
    f.make_offer(world.host, slots=3)
    round_ = MatchRound(kind="pairing", mode="optimal", status="draft", weights={})
    before = build_pairing_problem(round_)
    assert f"r{request.id}" in {a.id for a in before.applicants}
    proposal = services.propose_offer(world.users["enterprise"], request, {"offer_id": offer.id})
    services.accept_proposal(world.users["school"], proposal)
    db.session.commit()
    after = build_pairing_problem(round_)
    assert f"r{request.id}" not in {a.id for a in after.applicants}


def test_request_wanting_two_stays_open_after_one(client, world):
    major = f.make_school_major(world.school)
    request = f.make_pairing_request(major)
    request.wanted = 2
    db.session.commit()
    other_ent = make_enterprise(name="第二企业")
    other_user = make_user("enterprise", enterprise=other_ent)
    offers = [f.make_offer(world.host), f.make_offer(make_host(other_ent))]
    proposals = [
        services.propose_offer(world.users["enterprise"], request, {"offer_id": offers[0].id}),
        services.propose_offer(other_user, request, {"offer_id": offers[1].id}),
    ]
    db.session.commit()
    services.accept_proposal(world.users["school"], proposals[0])
    db.session.commit()
    assert db.session.get(PairingRequest, request.id).status == "endorsed" or (
        db.session.get(PairingRequest, request.id).status == "submitted"
    )
    services.accept_proposal(world.users["school"], proposals[1])
    db.session.commit()
    assert db.session.get(PairingRequest, request.id).status == "matched"


# --- pages --------------------------------------------------------------------------------


def test_pages_enterprise_proposes_school_accepts(client, world):
    from tests.helpers import login_en

    major = f.make_school_major(world.school)
    request = f.make_pairing_request(major)
    offer = f.make_offer(world.host)
    login_en(client, world.users["enterprise"])
    listing = client.get("/cooperation/pairing-requests").get_data(as_text=True)
    assert world.school.name in listing and major.major.name in listing
    assert f"/cooperation/pairing-requests/{request.id}" in listing
    filtered = client.get(f"/cooperation/pairing-requests?region_code={BAOTOU}")
    assert world.school.name not in filtered.get_data(as_text=True)
    page = client.get(f"/cooperation/pairing-requests/{request.id}").get_data(as_text=True)
    assert 'id="propose-offer"' in page and f'value="{offer.id}"' in page
    bad = client.post(
        f"/cooperation/pairing-requests/{request.id}", data={"offer_id": "", "note": "x"}
    )
    assert bad.status_code == 422 and "field-error" in bad.get_data(as_text=True)
    sent = client.post(
        f"/cooperation/pairing-requests/{request.id}",
        data={"offer_id": offer.id, "note": "欢迎来访"},
    )
    assert sent.status_code == 302 and "box=sent" in sent.headers["Location"]
    proposal = db.session.scalar(select(Proposal))
    assert proposal.note == "欢迎来访" and proposal.direction == "to_request"
    login_en(client, world.users["school"])
    inbox = client.get("/cooperation/proposals?box=received").get_data(as_text=True)
    assert world.host.name in inbox and "欢迎来访" in inbox
    assert f"/cooperation/proposals/{proposal.id}/accept" in inbox
    accepted = client.post(f"/cooperation/proposals/{proposal.id}/accept")
    assert accepted.status_code == 302
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).status == "accepted"
    assert _pairings(offer.id) == 1


def test_pages_school_proposes_major_enterprise_declines(client, world):
    from tests.helpers import login_en

    major = f.make_school_major(world.school)
    offer = f.make_offer(world.host)
    login_en(client, world.users["school"])
    page = client.get(f"/cooperation/offers/{offer.id}").get_data(as_text=True)
    assert 'id="propose-major"' in page
    sent = client.post(
        f"/cooperation/offers/{offer.id}/proposals", data={"school_major_id": major.id}
    )
    assert sent.status_code == 302
    proposal = db.session.scalar(select(Proposal))
    login_en(client, world.users["enterprise"])
    empty = client.post(f"/cooperation/proposals/{proposal.id}/decline", data={"reason": ""})
    assert empty.status_code == 422 and "Give the reason." in empty.get_data(as_text=True)
    assert db.session.get(Proposal, proposal.id).status == "pending"
    done = client.post(f"/cooperation/proposals/{proposal.id}/decline", data={"reason": "已满"})
    assert done.status_code == 302
    db.session.expire_all()
    row = db.session.get(Proposal, proposal.id)
    assert row.status == "declined" and row.decision_reason == "已满"


def test_anonymous_and_teachers_see_no_propose_form_on_offers(client, world):
    offer = f.make_offer(world.host)
    page = client.get(f"/cooperation/offers/{offer.id}").get_data(as_text=True)
    assert 'id="propose-major"' not in page
