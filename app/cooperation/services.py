"""State changes of cooperation records (flush, never commit)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from app.common.errors import Conflict
from app.cooperation.models import Offer, Pairing, Placement, Practice
from app.extensions import db


class NoPlaceLeft(Conflict):
    """Every place of the offer or placement is taken."""

    code = "no_place_left"


def claim_seat(placement_id: int) -> None:
    """Take one seat of a placement atomically; raises NoPlaceLeft when none is free.

    A conditional UPDATE (backed by the seats_taken ≤ seats check) makes this safe under any
    interleaving, on PostgreSQL and SQLite alike.
    """
    result = db.session.execute(
        update(Placement)
        .where(Placement.id == placement_id, Placement.seats_taken < Placement.seats)
        .values(seats_taken=Placement.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise NoPlaceLeft(str(_l("All seats of this placement are taken.")))
    _expire(Placement, placement_id)


def claim_slot(offer_id: int) -> None:
    """Take one pairing slot of an offer atomically; raises NoPlaceLeft when none is free."""
    result = db.session.execute(
        update(Offer)
        .where(Offer.id == offer_id, Offer.slots_taken < Offer.slots)
        .values(slots_taken=Offer.slots_taken + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise NoPlaceLeft(str(_l("All pairing slots of this offer are taken.")))
    _expire(Offer, offer_id)


def _expire(model, object_id: int) -> None:
    """Make a loaded row re-read its counters after a direct UPDATE."""
    row = db.session.identity_map.get(db.session.identity_key(model, object_id))
    if row is not None:
        db.session.expire(row, ["seats_taken"] if model is Placement else ["slots_taken"])


def start_practice(application, placement, match=None) -> Practice:
    """Begin a practice stint for an accepted application (the seat is already claimed)."""
    practice = Practice(
        teacher_id=application.teacher_id,
        placement_id=placement.id,
        application_id=application.id,
        match_id=getattr(match, "id", None),
        started_on=max(application.starts_on, placement.starts_on),
        status="ongoing",
    )
    db.session.add(practice)
    application.status = "matched"
    db.session.flush()
    return practice


def start_pairing(pairing_request, offer, match=None) -> Pairing:
    """Record an agreed pairing of an integrated major with an offer (slot already claimed)."""
    pairing = Pairing(
        school_major_id=pairing_request.school_major_id,
        offer_id=offer.id,
        pairing_request_id=pairing_request.id,
        match_id=getattr(match, "id", None),
        started_on=max(pairing_request.starts_on, offer.starts_on),
        status="active",
    )
    db.session.add(pairing)
    db.session.flush()
    return pairing
