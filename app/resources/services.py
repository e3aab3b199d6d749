"""State changes of teaching resources, venues, training, certification and supervision
(flush, never commit)."""

from datetime import UTC, date, datetime
from typing import IO, Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.common import audit
from app.common.errors import Conflict, Forbidden, InvalidState, ValidationFailed
from app.common.time import utcnow
from app.cooperation.models import Offer, Pairing
from app.extensions import db
from app.notifications.services import notify
from app.registry.models import Enterprise, Host, School, SchoolMajor
from app.resources import storage
from app.resources.models import (
    Booking,
    Certification,
    ResourceFile,
    ResourceItem,
    ResourceReview,
    ReviewPanelMember,
    SupervisionAction,
    SupervisionVisit,
    Trainee,
    TrainingProgramme,
    Venue,
)

ITEM_FIELDS = ("kind", "title", "origin", "authors", "version", "description", "share")
DECISIONS = {"approve": "approved", "revise": "returned", "reject": "rejected"}


def _values(obj, names) -> dict[str, Any]:
    return {n: getattr(obj, n) for n in names}


def _partners(ids: list[int]) -> list[Enterprise]:
    """Approved enterprises with these ids; ValidationFailed naming unknown ones."""
    ids = sorted(set(ids or []))
    if not ids:
        return []
    rows = db.session.scalars(
        select(Enterprise).where(Enterprise.id.in_(ids), Enterprise.status == "approved")
    ).all()
    if len(rows) != len(ids):
        message = str(_l("Choose approved enterprises only."))
        raise ValidationFailed(message, {"partner_enterprise_ids": message})
    return list(rows)


# --- resource packages ---------------------------------------------------------------------


def create_item(actor, school_major: SchoolMajor, data: dict[str, Any]) -> ResourceItem:
    """Add a draft item to a school major's package; raises Forbidden, ValidationFailed."""
    if not school_major.can_edit(actor) or actor.role != "school":
        raise Forbidden(str(_l("Only the school's staff add resources to its majors.")))
    item = ResourceItem(
        school_major_id=school_major.id,
        created_by_id=actor.id,
        status="draft",
        **{k: data.get(k) for k in ITEM_FIELDS if k in data},
    )
    item.version = data.get("version") or "1.0"
    item.partners = _partners(data.get("partner_enterprise_ids") or [])
    db.session.add(item)
    db.session.flush()
    audit.record(actor, "resource.create", item, after=_values(item, ITEM_FIELDS))
    return item


def update_item(actor, item: ResourceItem, data: dict[str, Any]) -> ResourceItem:
    """Change a draft or returned item; raises InvalidState when under review or decided."""
    if not item.editable:
        raise InvalidState(str(_l("Only drafts and items returned for revision can change.")))
    before = _values(item, ITEM_FIELDS)
    for name in ITEM_FIELDS:
        if name in data:
            setattr(item, name, data[name])
    if "partner_enterprise_ids" in data:
        item.partners = _partners(data["partner_enterprise_ids"])
    db.session.flush()
    audit.record(actor, "resource.update", item, before=before, after=_values(item, ITEM_FIELDS))
    return item


def add_file(actor, item: ResourceItem, stream: IO[bytes], filename: str | None) -> ResourceFile:
    """Store an upload as the item's next file version; raises InvalidState, ValidationFailed,
    storage.TooLarge."""
    if not item.editable:
        raise InvalidState(str(_l("Files can be added to drafts and returned items only.")))
    stored = storage.save(stream, filename)
    number = (
        db.session.scalar(
            select(func.coalesce(func.max(ResourceFile.number), 0)).where(
                ResourceFile.item_id == item.id
            )
        )
        + 1
    )
    row = ResourceFile(
        item_id=item.id,
        number=number,
        original_name=stored.original_name,
        stored_name=stored.stored_name,
        file_type=stored.file_type,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_by_id=actor.id,
    )
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        storage.remove(stored.stored_name)
        raise Conflict(str(_l("Another upload was saved at the same time; try again."))) from None
    audit.record(
        actor,
        "resource.file",
        item,
        after={"number": number, "name": stored.original_name, "size": stored.size},
    )
    return row


def _history(actor, item: ResourceItem, action: str, to_status: str, comment: str | None):
    db.session.add(
        ResourceReview(
            item_id=item.id,
            actor_id=actor.id,
            action=action,
            comment=comment,
            from_status=item.status,
            to_status=to_status,
        )
    )
    before = item.status
    item.status = to_status
    audit.record(
        actor, f"resource.{action}", item, before={"status": before}, after={"status": to_status}
    )


def submit_item(actor, item: ResourceItem, comment: str | None = None) -> ResourceItem:
    """Send a draft or returned item to review; raises InvalidState, ValidationFailed."""
    if not item.editable:
        raise InvalidState(str(_l("Only drafts and returned items can be submitted.")))
    if not item.files:
        message = str(_l("Upload at least one file before submitting."))
        raise ValidationFailed(message, {"file": message})
    _history(actor, item, "submit", "submitted", comment)
    item.submitted_at = utcnow()
    db.session.flush()
    return item


def start_review(actor, item: ResourceItem) -> ResourceItem:
    """A reviewer takes up a submitted item; raises Forbidden, InvalidState."""
    if not item.can_review(actor):
        raise Forbidden(str(_l("Only the review panel reviews resources.")))
    if item.status != "submitted":
        raise InvalidState(str(_l("Only submitted items can be taken up for review.")))
    _history(actor, item, "start", "under_review", None)
    db.session.flush()
    return item


def review_item(actor, item: ResourceItem, decision: str, comment: str | None) -> ResourceItem:
    """Approve, return for revision or reject (a comment is kept; required unless approving);
    raises Forbidden, InvalidState, ValidationFailed."""
    if not item.can_review(actor):
        raise Forbidden(str(_l("Only the review panel reviews resources.")))
    if item.status not in ("submitted", "under_review"):
        raise InvalidState(str(_l("This item is not waiting for review.")))
    if decision not in DECISIONS:
        message = str(_l("Choose approve, revise or reject."))
        raise ValidationFailed(message, {"decision": message})
    if decision != "approve" and not (comment or "").strip():
        message = str(_l("Explain what must change or why it is rejected."))
        raise ValidationFailed(message, {"comment": message})
    if item.status == "submitted":
        _history(actor, item, "start", "under_review", None)
    _history(actor, item, decision, DECISIONS[decision], comment)
    item.decided_at = utcnow()
    db.session.flush()
    staff = [u for u in _school_users(item.school_major.school_id)]
    notify(
        staff,
        f"resource_{DECISIONS[decision]}",
        {"title": item.title, "comment": comment or ""},
        url_for("resources.item_detail", item_id=item.id),
    )
    return item


def comment_item(actor, item: ResourceItem, comment: str) -> ResourceItem:
    """Add a reviewer's comment without a decision; raises Forbidden, ValidationFailed."""
    if not item.can_review(actor):
        raise Forbidden(str(_l("Only the review panel reviews resources.")))
    if not (comment or "").strip():
        message = str(_l("Write a comment."))
        raise ValidationFailed(message, {"comment": message})
    db.session.add(
        ResourceReview(
            item_id=item.id,
            actor_id=actor.id,
            action="comment",
            comment=comment,
            from_status=item.status,
            to_status=item.status,
        )
    )
    db.session.flush()
    return item


def _school_users(school_id: int) -> list:
    from app.auth.models import User

    return list(
        db.session.scalars(
            select(User).where(User.school_id == school_id, User.role == "school", User.active)
        )
    )


def appoint_reviewer(actor, user) -> ReviewPanelMember:
    """Appoint an account to the review panel; raises Conflict when already a member."""
    exists = db.session.scalar(
        select(ReviewPanelMember).where(ReviewPanelMember.user_id == user.id)
    )
    if exists is not None:
        message = str(_l("This account is already on the panel."))
        raise Conflict(message, {"email": message})
    member = ReviewPanelMember(user_id=user.id, appointed_by_id=actor.id)
    db.session.add(member)
    db.session.flush()
    audit.record(actor, "resource.panel_appoint", member, after={"user": user.email})
    return member


def remove_reviewer(actor, member: ReviewPanelMember) -> None:
    """Take an account off the review panel."""
    audit.record(actor, "resource.panel_remove", member, before={"user_id": member.user_id})
    db.session.delete(member)
    db.session.flush()


# --- venues and bookings -------------------------------------------------------------------

VENUE_FIELDS = ("name", "kind", "region_code", "equipment", "capacity", "address", "description")


def create_venue(actor, data: dict[str, Any], host: Host | None = None) -> Venue:
    """List a venue owned by the actor's organisation (administrators: by the region);
    raises Forbidden, ValidationFailed."""
    venue = Venue(**{k: data.get(k) for k in VENUE_FIELDS})
    if actor.role == "enterprise" and actor.enterprise_id:
        venue.owner_kind, venue.enterprise_id = "enterprise", actor.enterprise_id
    elif actor.role == "school" and actor.school_id:
        venue.owner_kind, venue.school_id = "school", actor.school_id
    elif actor.is_admin:
        if not actor.administers_region(venue.region_code):
            message = str(_l("Choose your own league."))
            raise ValidationFailed(message, {"region_code": message})
        venue.owner_kind = "region"
    else:
        raise Forbidden(str(_l("Register your organisation before listing venues.")))
    if venue.kind == "enterprise_host" and venue.owner_kind != "enterprise":
        message = str(_l("Only enterprises list enterprise hosts."))
        raise ValidationFailed(message, {"kind": message})
    if host is not None:
        if host.enterprise_id != venue.enterprise_id:
            message = str(_l("Choose one of your own hosts."))
            raise ValidationFailed(message, {"host_id": message})
        venue.host_id = host.id
    db.session.add(venue)
    db.session.flush()
    audit.record(actor, "venue.create", venue, after=_values(venue, VENUE_FIELDS))
    return venue


def update_venue(actor, venue: Venue, data: dict[str, Any]) -> Venue:
    """Change a venue's description, equipment or capacity."""
    before = _values(venue, VENUE_FIELDS)
    for name in VENUE_FIELDS:
        if name in data and name != "kind":
            setattr(venue, name, data[name])
    db.session.flush()
    audit.record(actor, "venue.update", venue, before=before, after=_values(venue, VENUE_FIELDS))
    return venue


def as_utc(value: datetime) -> datetime:
    """A timezone-aware UTC datetime (naive values are taken as UTC, as SQLite returns them)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def book(actor, venue: Venue, data: dict[str, Any]) -> Booking:
    """Ask to book a venue; raises Forbidden, ValidationFailed, Conflict (overlap, 409)."""
    if actor.role != "school" or not actor.school_id:
        raise Forbidden(str(_l("Only schools book venues.")))
    if not venue.active:
        raise InvalidState(str(_l("This venue is not taking bookings.")))
    starts, ends = (
        as_utc(data["starts_at"]).replace(second=0, microsecond=0),
        as_utc(data["ends_at"]).replace(second=0, microsecond=0),
    )
    if ends <= starts:
        message = str(_l("The end must be after the start."))
        raise ValidationFailed(message, {"ends_at": message})
    if starts < utcnow():
        message = str(_l("Choose a time in the future."))
        raise ValidationFailed(message, {"starts_at": message})
    if data["headcount"] > venue.capacity:
        message = str(_l("The venue holds at most %(n)s people.", n=venue.capacity))
        raise ValidationFailed(message, {"headcount": message})
    booking = Booking(
        venue_id=venue.id,
        school_id=actor.school_id,
        starts_at=starts,
        ends_at=ends,
        purpose=data["purpose"],
        headcount=data["headcount"],
        status="pending",
        booked_by_id=actor.id,
    )
    db.session.add(booking)
    try:
        db.session.flush()
    except IntegrityError:
        raise _overlap() from None  # the caller rolls the unit of work back
    audit.record(actor, "booking.create", booking, after={"starts_at": starts, "ends_at": ends})
    return booking


def _overlap() -> Conflict:
    message = str(_l("The venue is already booked at that time."))
    return Conflict(message, {"starts_at": message})


def decide_booking(actor, booking: Booking, confirm: bool, reason: str | None = None) -> Booking:
    """The venue's owner confirms or declines a pending booking; raises Forbidden,
    InvalidState."""
    if not booking.can_decide(actor):
        raise Forbidden(str(_l("Only the venue's owner decides on bookings.")))
    if booking.status != "pending":
        raise InvalidState(str(_l("Only pending bookings can be confirmed or declined.")))
    before = booking.status
    booking.status = "confirmed" if confirm else "declined"
    booking.decided_by_id, booking.decided_at, booking.reason = actor.id, utcnow(), reason
    db.session.flush()
    audit.record(
        actor,
        "booking.decide",
        booking,
        before={"status": before},
        after={"status": booking.status},
    )
    notify(
        _school_users(booking.school_id),
        f"booking_{booking.status}",
        {"venue": booking.venue.name},
        url_for("resources.bookings"),
    )
    return booking


def cancel_booking(actor, booking: Booking) -> Booking:
    """The booking school cancels a pending or confirmed booking; raises Forbidden,
    InvalidState."""
    if not booking.can_cancel(actor):
        raise Forbidden(str(_l("Only the booking school cancels.")))
    if booking.status not in ("pending", "confirmed"):
        raise InvalidState(str(_l("This booking is no longer active.")))
    before = booking.status
    booking.status = "cancelled"
    db.session.flush()
    audit.record(
        actor, "booking.cancel", booking, before={"status": before}, after={"status": "cancelled"}
    )
    return booking


# --- training programmes -------------------------------------------------------------------

TRAINING_FIELDS = (
    "kind",
    "title",
    "occupation_code",
    "starts_on",
    "ends_on",
    "partner_school_id",
    "masters",
    "description",
)


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def check_period(kind: str, starts_on: date, ends_on: date) -> None:
    """An apprenticeship lasts 1–2 years; raises ValidationFailed."""
    if ends_on < starts_on:
        message = str(_l("The end must not be before the start."))
        raise ValidationFailed(message, {"ends_on": message})
    if kind == "apprenticeship" and not (
        add_years(starts_on, 1) <= ends_on <= add_years(starts_on, 2)
    ):
        message = str(_l("A new-type enterprise apprenticeship lasts one to two years."))
        raise ValidationFailed(message, {"ends_on": message})


def create_training(actor, host: Host, data: dict[str, Any]) -> TrainingProgramme:
    """Record a programme at a training station or master studio; raises Forbidden,
    ValidationFailed."""
    if not host.can_edit(actor):
        raise Forbidden(str(_l("Only the host's enterprise records its programmes.")))
    if host.kind not in ("training_station", "master_studio"):
        message = str(_l("Choose a training station or a master studio."))
        raise ValidationFailed(message, {"host_id": message})
    check_period(data["kind"], data["starts_on"], data["ends_on"])
    if data.get("partner_school_id"):
        school = db.session.get(School, data["partner_school_id"])
        if school is None or school.status != "approved":
            message = str(_l("Choose an approved school."))
            raise ValidationFailed(message, {"partner_school_id": message})
    programme = TrainingProgramme(
        host_id=host.id, created_by_id=actor.id, **{k: data.get(k) for k in TRAINING_FIELDS}
    )
    db.session.add(programme)
    db.session.flush()
    audit.record(actor, "training.create", programme, after=_values(programme, TRAINING_FIELDS))
    return programme


def add_trainee(actor, programme: TrainingProgramme, data: dict[str, Any]) -> Trainee:
    """Add a trainee by name (no national ID number is kept)."""
    trainee = Trainee(
        programme_id=programme.id,
        name=data["name"],
        outcome=data.get("outcome") or "in_training",
        level=data.get("level") or None,
        note=data.get("note"),
    )
    db.session.add(trainee)
    db.session.flush()
    audit.record(actor, "training.trainee", trainee, after={"outcome": trainee.outcome})
    return trainee


def record_outcome(actor, trainee: Trainee, outcome: str, level: str | None) -> Trainee:
    """Set a trainee's outcome (and level reached)."""
    before = {"outcome": trainee.outcome, "level": trainee.level}
    trainee.outcome, trainee.level = outcome, level or None
    db.session.flush()
    audit.record(
        actor,
        "training.outcome",
        trainee,
        before=before,
        after={"outcome": outcome, "level": level},
    )
    return trainee


# --- certification -------------------------------------------------------------------------

CERT_FIELDS = (
    "graduate_name",
    "occupation_code",
    "level",
    "outcome",
    "certified_on",
    "certificate_no",
    "basis",
)


def cooperating(enterprise_id: int, school_major_id: int) -> bool:
    """True when the enterprise has an active pairing with the school major."""
    stmt = (
        select(Pairing.id)
        .join(Offer, Offer.id == Pairing.offer_id)
        .join(Host, Host.id == Offer.host_id)
        .where(
            Pairing.school_major_id == school_major_id,
            Pairing.status == "active",
            Host.enterprise_id == enterprise_id,
        )
    )
    return db.session.scalar(stmt.limit(1)) is not None


def certify(actor, school_major: SchoolMajor, data: dict[str, Any]) -> Certification:
    """Record a certification by the school, or by an enterprise with an active pairing with
    the major; the integrated-major route (视同认定) only for a finally selected major.
    Raises Forbidden or ValidationFailed."""
    from app.common.time import local_today
    from app.programme.services import major_finally_selected

    if data.get("basis") == "route" and not major_finally_selected(school_major.id, local_today()):
        message = str(
            _l("Only a selected integrated major certifies by the integrated-major route.")
        )
        raise ValidationFailed(message, {"basis": message})
    data = {**data, "basis": data.get("basis") or "examination"}
    cert = Certification(
        school_major_id=school_major.id,
        recorded_by_id=actor.id,
        **{k: data.get(k) for k in CERT_FIELDS},
    )
    if actor.role == "school" and actor.school_id == school_major.school_id:
        cert.certifier_kind = "school"
    elif actor.role == "enterprise" and actor.enterprise_id:
        if not cooperating(actor.enterprise_id, school_major.id):
            message = str(_l("Only enterprises paired with this major certify its graduates."))
            raise Forbidden(message, {"school_major_id": message})
        cert.certifier_kind, cert.enterprise_id = "enterprise", actor.enterprise_id
    else:
        raise Forbidden(str(_l("Only the school or a cooperating enterprise certifies.")))
    db.session.add(cert)
    db.session.flush()
    audit.record(actor, "certification.create", cert, after=_values(cert, CERT_FIELDS))
    return cert


# --- supervision ---------------------------------------------------------------------------


def record_visit(
    actor, school: School, visited_on: date, findings: str, actions: list[dict[str, Any]]
) -> SupervisionVisit:
    """Record a visit with its required actions; raises Forbidden outside the actor's league."""
    if not actor.administers_region(school.region_code):
        raise Forbidden(str(_l("Administrators supervise schools of their own league.")))
    visit = SupervisionVisit(
        school_id=school.id, visited_on=visited_on, findings=findings, recorded_by_id=actor.id
    )
    visit.actions = [
        SupervisionAction(description=a["description"], due_on=a["due_on"], status="open")
        for a in actions
    ]
    db.session.add(visit)
    db.session.flush()
    audit.record(
        actor, "supervision.visit", visit, after={"school": school.id, "actions": len(actions)}
    )
    notify(
        _school_users(school.id),
        "supervision_recorded",
        {"visited_on": visited_on.isoformat(), "actions": len(actions)},
        url_for("resources.supervision_detail", visit_id=visit.id),
    )
    return visit


def answer_action(actor, action: SupervisionAction, answer: str) -> SupervisionAction:
    """The school answers a required action; raises Forbidden, InvalidState."""
    if action.status == "closed":
        raise InvalidState(str(_l("This action is closed.")))
    if not action.can_answer(actor):
        raise Forbidden(str(_l("Only the school answers its actions.")))
    before = action.status
    action.answer, action.status = answer, "answered"
    action.answered_at, action.answered_by_id = utcnow(), actor.id
    db.session.flush()
    audit.record(
        actor, "supervision.answer", action, before={"status": before}, after={"status": "answered"}
    )
    return action


def close_action(actor, action: SupervisionAction) -> SupervisionAction:
    """An administrator of the league closes an action; raises Forbidden, InvalidState."""
    if action.status == "closed":
        raise InvalidState(str(_l("This action is already closed.")))
    if not action.can_close(actor):
        raise Forbidden(str(_l("Only administrators of the league close actions.")))
    before = action.status
    action.status, action.closed_at, action.closed_by_id = "closed", utcnow(), actor.id
    db.session.flush()
    audit.record(
        actor, "supervision.close", action, before={"status": before}, after={"status": "closed"}
    )
    return action
