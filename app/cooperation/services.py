"""State changes of cooperation records (flush, never commit)."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.common import audit
from app.common.errors import (
    Conflict,
    Forbidden,
    InvalidState,
    ServiceError,
    ValidationFailed,
)
from app.common.time import local_today, utcnow
from app.cooperation.models import (
    FEEDBACK_CRITERIA,
    MODES,
    OPEN_REQUEST_STATUSES,
    Agreement,
    AgreementParty,
    Application,
    ApplicationChoice,
    Feedback,
    Offer,
    Pairing,
    PairingRequest,
    Placement,
    Practice,
    PracticeEntry,
    Proposal,
    approved_enterprise_user,
)
from app.extensions import db
from app.notifications.services import notify
from app.reference.models import Major
from app.registry.models import TRAINING_LEVELS, Host, School, SchoolMajor, Teacher
from app.registry.services import _occupations


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


def start_pairing(pairing_request, offer, match=None, *, school_major=None) -> Pairing:
    """Record an agreed pairing of an integrated major with an offer (slot already claimed);
    without a pairing request, `school_major` names the major and the offer's dates apply."""
    if pairing_request is not None:
        major_id, starts_on = pairing_request.school_major_id, pairing_request.starts_on
    else:
        major_id, starts_on = school_major.id, offer.starts_on
    pairing = Pairing(
        school_major_id=major_id,
        offer_id=offer.id,
        pairing_request_id=getattr(pairing_request, "id", None),
        match_id=getattr(match, "id", None),
        started_on=max(starts_on, offer.starts_on),
        status="active",
    )
    db.session.add(pairing)
    db.session.flush()
    return pairing


def close_request_when_served(request: PairingRequest | None) -> None:
    """A pairing request with as many active pairings as wanted becomes `matched`."""
    if request is None:
        return
    count = db.session.scalar(
        select(func.count(Pairing.id)).where(
            Pairing.pairing_request_id == request.id, Pairing.status == "active"
        )
    )
    if count >= request.wanted:
        request.status = "matched"
        db.session.flush()


# --- shared helpers -----------------------------------------------------------------------


def _fail(field: str, message) -> ValidationFailed:
    """A validation failure naming one field."""
    return ValidationFailed(str(message), {field: str(message)})


def _valid_id(value: Any) -> bool:
    """A whole number the database's integer keys can hold."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31


def _member_of_enterprise(user, enterprise_id: int) -> bool:
    return bool(
        user is not None
        and getattr(user, "role", None) == "enterprise"
        and user.enterprise_id == enterprise_id
    )


def _member_of_school(user, school_id: int) -> bool:
    return bool(
        user is not None and getattr(user, "role", None) == "school" and user.school_id == school_id
    )


def _move(obj, allowed: tuple[str, ...], target: str, message) -> dict[str, str]:
    """Change obj.status to target when it is one of allowed; raises InvalidState otherwise."""
    if obj.status not in allowed:
        raise InvalidState(str(message))
    before = {"status": obj.status}
    obj.status = target
    return before


def _add_unique(row, error: ServiceError) -> None:
    """Add and flush row in a savepoint; a unique-constraint race raises `error` instead."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        raise error from None


def school_staff(school_id: int) -> list[User]:
    """Active school-staff accounts of a school."""
    stmt = select(User).where(
        User.school_id == school_id, User.role == "school", User.active.is_(True)
    )
    return list(db.session.scalars(stmt.order_by(User.id)))


def enterprise_staff(enterprise_id: int) -> list[User]:
    """Active accounts of an enterprise."""
    stmt = select(User).where(
        User.enterprise_id == enterprise_id, User.role == "enterprise", User.active.is_(True)
    )
    return list(db.session.scalars(stmt.order_by(User.id)))


def _link(endpoint: str, **values) -> str | None:
    try:
        return url_for(endpoint, **values)
    except RuntimeError:
        return None


# --- school majors and teachers -----------------------------------------------------------


def add_school_major(actor, school: School, data: dict[str, Any]) -> SchoolMajor:
    """Register an integrated major of the school; raises Forbidden, ValidationFailed, Conflict."""
    if not school.can_edit(actor):
        raise Forbidden(str(_l("Only the school's staff register its majors.")))
    major = db.session.get(Major, data["major_id"])
    if major is None or not major.active:
        raise _fail("major_id", _l("Choose a major of the catalogue."))
    if data["level"] not in TRAINING_LEVELS:
        raise _fail("level", _l("Choose intermediate, advanced or technician."))
    duplicate = db.session.scalar(
        select(SchoolMajor.id).where(
            SchoolMajor.school_id == school.id,
            SchoolMajor.major_id == major.id,
            SchoolMajor.level == data["level"],
        )
    )
    if duplicate:
        message = _l("This major is already registered at this level.")
        raise Conflict(str(message), {"major_id": str(message)})
    row = SchoolMajor(
        school=school, major=major, level=data["level"], cohort_size=data["cohort_size"]
    )
    message = str(_l("This major is already registered at this level."))
    _add_unique(row, Conflict(message, {"major_id": message}))
    audit.record(actor, "school_major.create", row, after=_major_values(row))
    return row


def _major_values(row: SchoolMajor) -> dict[str, Any]:
    return {"major_id": row.major_id, "level": row.level, "cohort_size": row.cohort_size}


def _approved_school(school_id: int) -> School:
    school = db.session.get(School, school_id)
    if school is None or school.status != "approved":
        raise _fail("school_id", _l("Choose an approved school."))
    return school


def create_teacher_profile(actor, data: dict[str, Any]) -> Teacher:
    """The teacher account's own profile (one per account); raises Conflict, ValidationFailed."""
    if actor.role != "teacher":
        raise Forbidden(str(_l("Only teacher accounts keep a teacher profile.")))
    if db.session.scalar(select(Teacher.id).where(Teacher.user_id == actor.id)):
        raise Conflict(str(_l("You already have a teacher profile.")))
    school = _approved_school(data["school_id"])
    from app.registry.services import teacher_records

    if teacher_records(school.id, data["name"]):
        message = str(
            _l(
                "%(school)s already has a record of a teacher named %(name)s. If it is you, "
                "ask the school to link it to your account instead of creating a second one.",
                school=school.name,
                name=data["name"].strip(),
            )
        )
        raise Conflict(message, {"claim_record": message})
    teacher = Teacher(
        user_id=actor.id,
        school=school,
        name=data["name"].strip(),
        title=(data.get("title") or "").strip() or None,
        occupations=_occupations(data["occupation_codes"]),
    )
    _add_unique(teacher, Conflict(str(_l("You already have a teacher profile."))))
    audit.record(actor, "teacher.create", teacher, after=_teacher_values(teacher))
    notify(
        school_staff(school.id),
        "teacher_registered",
        {"teacher": teacher.name, "school": school.name},
        _link("cooperation.school_teachers"),
    )
    return teacher


def pending_teacher_claim(user):
    """The teacher account's claim of an existing record that waits for the school, or None."""
    from app.registry.models import Claim

    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(Claim).where(
            Claim.user_id == user.id, Claim.kind == "teacher", Claim.status == "pending"
        )
    )


def update_teacher_profile(actor, teacher: Teacher, data: dict[str, Any]) -> Teacher:
    """Change the profile; moving to another school needs that school's confirmation again."""
    if not teacher.is_self(actor):
        raise Forbidden(str(_l("Only the teacher changes the profile.")))
    before = _teacher_values(teacher)
    if data["school_id"] != teacher.school_id:
        teacher.school = _approved_school(data["school_id"])
        teacher.confirmed_at = None
        teacher.confirmed_by_id = None
    teacher.name = data["name"].strip()
    teacher.title = (data.get("title") or "").strip() or None
    teacher.occupations = _occupations(data["occupation_codes"])
    db.session.flush()
    audit.record(actor, "teacher.update", teacher, before=before, after=_teacher_values(teacher))
    return teacher


def _teacher_values(teacher: Teacher) -> dict[str, Any]:
    return {
        "school_id": teacher.school_id,
        "name": teacher.name,
        "title": teacher.title,
        "occupation_codes": teacher.occupation_codes,
        "confirmed": teacher.confirmed,
    }


def confirm_teacher(actor, teacher: Teacher) -> Teacher:
    """School staff confirm that the teacher belongs to their school; raises Forbidden,
    InvalidState."""
    if not _member_of_school(actor, teacher.school_id):
        raise Forbidden(str(_l("Only the school's staff confirm its teachers.")))
    if teacher.confirmed:
        raise InvalidState(str(_l("This teacher is already confirmed.")))
    teacher.confirmed_at = utcnow()
    teacher.confirmed_by_id = actor.id
    db.session.flush()
    audit.record(
        actor, "teacher.confirm", teacher, before={"confirmed": False}, after={"confirmed": True}
    )
    notify(
        [teacher.user],
        "teacher_confirmed",
        {"school": teacher.school.name},
        _link("cooperation.teacher_profile"),
    )
    return teacher


# --- offers and placements ----------------------------------------------------------------


def _own_host(actor, host_id: int) -> Host:
    """An active host of the actor's approved enterprise; ValidationFailed naming host_id."""
    host = db.session.get(Host, host_id) if host_id else None
    if host is None or not _member_of_enterprise(actor, host.enterprise_id):
        raise _fail("host_id", _l("Choose one of your own hosts."))
    if not host.active:
        raise _fail("host_id", _l("This host is retired."))
    if host.enterprise.status != "approved":
        raise _fail("host_id", _l("Your enterprise must be approved before it posts."))
    return host


def _initial_status(data: dict[str, Any]) -> str:
    return "draft" if data.get("status") == "draft" else "open"


def create_offer(actor, data: dict[str, Any]) -> Offer:
    """Post a cooperation offer (open unless status is draft); raises ValidationFailed."""
    host = _own_host(actor, data["host_id"])
    if data["mode"] not in MODES:
        raise _fail("mode", _l("Choose a cooperation mode."))
    offer = Offer(
        host=host,
        mode=data["mode"],
        slots=data["slots"],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        description=(data.get("description") or "").strip() or None,
        occupations=_occupations(data["occupation_codes"]),
        status=_initial_status(data),
    )
    db.session.add(offer)
    db.session.flush()
    audit.record(actor, "offer.create", offer, after={"status": offer.status, "slots": offer.slots})
    return offer


def create_placement(actor, data: dict[str, Any]) -> Placement:
    """Post a teacher-practice placement (open unless status is draft); raises ValidationFailed."""
    host = _own_host(actor, data["host_id"])
    placement = Placement(
        host=host,
        title=host.name,
        seats=data["seats"],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        requirements=(data.get("requirements") or "").strip() or None,
        occupations=_occupations(data["occupation_codes"]),
        status=_initial_status(data),
    )
    db.session.add(placement)
    db.session.flush()
    audit.record(
        actor,
        "placement.create",
        placement,
        after={"status": placement.status, "seats": placement.seats},
    )
    return placement


POSTING_MOVES = {"publish": (("draft",), "open"), "close": (("open",), "closed")}


def change_posting(actor, posting: Offer | Placement, action: str) -> Offer | Placement:
    """Publish a draft or close an open offer/placement; raises Forbidden, InvalidState."""
    if not _member_of_enterprise(actor, posting.host.enterprise_id):
        raise Forbidden(str(_l("Only the enterprise changes its postings.")))
    if action not in POSTING_MOVES:
        raise InvalidState(str(_l("Unknown action.")))
    allowed, target = POSTING_MOVES[action]
    message = (
        _l("Only a draft can be published.")
        if action == "publish"
        else _l("Only an open posting can be closed.")
    )
    before = _move(posting, allowed, target, message)
    db.session.flush()
    audit.record(
        actor, f"{type(posting).__name__.lower()}.{action}", posting, before, {"status": target}
    )
    return posting


# --- pairing requests and pairings --------------------------------------------------------


def create_pairing_request(actor, data: dict[str, Any]) -> PairingRequest:
    """A school asks for workshop partners for one of its majors; raises ValidationFailed."""
    major = db.session.get(SchoolMajor, data["school_major_id"])
    if major is None or not _member_of_school(actor, major.school_id):
        raise _fail("school_major_id", _l("Choose one of your school's integrated majors."))
    if major.school.status != "approved":
        raise _fail("school_major_id", _l("Your school must be approved before it requests."))
    request = PairingRequest(
        school_major=major,
        occupations=_occupations(data["occupation_codes"]),
        preferred_modes=sorted(set(data.get("preferred_modes") or [])),
        preferred_region_codes=sorted(set(data.get("preferred_region_codes") or [])),
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        wanted=data["wanted"],
        status="submitted",
    )
    db.session.add(request)
    db.session.flush()
    audit.record(actor, "pairing_request.create", request, after={"status": "submitted"})
    return request


def withdraw_pairing_request(actor, request: PairingRequest) -> PairingRequest:
    """The school withdraws a request not yet matched; raises Forbidden, InvalidState."""
    if not _member_of_school(actor, request.school_major.school_id):
        raise Forbidden(str(_l("Only the school withdraws its requests.")))
    before = _move(
        request,
        ("submitted", "returned", "endorsed"),
        "withdrawn",
        _l("Only a request that is not matched or withdrawn can be withdrawn."),
    )
    db.session.flush()
    audit.record(actor, "pairing_request.withdraw", request, before, {"status": "withdrawn"})
    return request


def end_pairing(actor, pairing: Pairing) -> Pairing:
    """Either partner ends an active pairing; raises Forbidden, InvalidState."""
    school_side = _member_of_school(actor, pairing.school_major.school_id)
    enterprise_side = _member_of_enterprise(actor, pairing.offer.host.enterprise_id)
    if not (school_side or enterprise_side):
        raise Forbidden(str(_l("Only the partners end a pairing.")))
    before = _move(pairing, ("active",), "ended", _l("This pairing has already ended."))
    pairing.ended_on = today()
    db.session.flush()
    audit.record(actor, "pairing.end", pairing, before, {"status": "ended"})
    others = (
        enterprise_staff(pairing.offer.host.enterprise_id)
        if school_side
        else school_staff(pairing.school_major.school_id)
    )
    notify(
        others,
        "pairing_ended",
        {"major": pairing.school_major.major.name, "host": pairing.offer.host.name},
        _link("cooperation.pairings"),
    )
    return pairing


# --- applications -------------------------------------------------------------------------


ACTIVE_APPLICATION = ("submitted", "endorsed")


def teacher_of(user) -> Teacher | None:
    """The teacher profile of an account, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(Teacher).where(Teacher.user_id == user.id))


def submit_application(actor, data: dict[str, Any]) -> Application:
    """Apply with up to five ranked open placements; raises InvalidState (no confirmed profile),
    Conflict (an application is already under way), ValidationFailed (placement_ids)."""
    teacher = teacher_of(actor)
    if teacher is None or not teacher.confirmed:
        raise InvalidState(
            str(_l("Your teacher profile must be confirmed by your school before you apply."))
        )
    busy = db.session.scalar(
        select(Application.id).where(
            Application.teacher_id == teacher.id, Application.status.in_(ACTIVE_APPLICATION)
        )
    )
    if busy:
        raise Conflict(str(_l("You already have an application under way; withdraw it first.")))
    placements = _open_placements(data["placement_ids"])
    application = Application(
        teacher=teacher, starts_on=data["starts_on"], ends_on=data["ends_on"], status="submitted"
    )
    for rank, placement in enumerate(placements, start=1):
        application.choices.append(ApplicationChoice(placement=placement, rank=rank))
    db.session.add(application)
    db.session.flush()
    audit.record(
        actor,
        "application.submit",
        application,
        after={"status": "submitted", "placement_ids": [p.id for p in placements]},
    )
    notify(
        school_staff(teacher.school_id),
        "application_submitted",
        {"teacher": teacher.name, "placement": placements[0].host.name},
        _link("cooperation.application_detail", application_id=application.id),
    )
    return application


def _open_placements(ids: list[int]) -> list[Placement]:
    """The placements in the order given; ValidationFailed naming placement_ids otherwise."""
    if not ids or len(ids) > 5 or len(set(ids)) != len(ids):
        raise _fail("placement_ids", _l("Choose one to five different placements."))
    rows = {p.id: p for p in db.session.scalars(select(Placement).where(Placement.id.in_(ids)))}
    unknown = [str(i) for i in ids if i not in rows]
    if unknown:
        raise _fail("placement_ids", _l("Unknown placements: %(ids)s", ids=", ".join(unknown)))
    closed = [str(i) for i in ids if rows[i].status != "open" or not rows[i].host.active]
    if closed:
        raise _fail(
            "placement_ids", _l("These placements are not open: %(ids)s", ids=", ".join(closed))
        )
    return [rows[i] for i in ids]


def _recipients_of_choices(application: Application) -> list[User]:
    users: list[User] = []
    for enterprise_id in sorted({c.placement.host.enterprise_id for c in application.choices}):
        users.extend(enterprise_staff(enterprise_id))
    return users


def endorse_application(actor, application: Application) -> Application:
    """The teacher's school endorses a submitted application; raises Forbidden, InvalidState."""
    teacher = application.teacher
    if not _member_of_school(actor, teacher.school_id):
        raise Forbidden(str(_l("Only the teacher's school endorses the application.")))
    before = _move(
        application, ("submitted",), "endorsed", _l("Only a submitted application is endorsed.")
    )
    application.endorsed_at = utcnow()
    application.endorsed_by_id = actor.id
    db.session.flush()
    audit.record(actor, "application.endorse", application, before, {"status": "endorsed"})
    notify(
        [teacher.user, *_recipients_of_choices(application)],
        "application_endorsed",
        {"school": teacher.school.name, "teacher": teacher.name},
        _link("cooperation.application_detail", application_id=application.id),
    )
    return application


def return_application(actor, application: Application, reason: str) -> Application:
    """The school returns an application with a reason; raises Forbidden, InvalidState,
    ValidationFailed."""
    teacher = application.teacher
    if not _member_of_school(actor, teacher.school_id):
        raise Forbidden(str(_l("Only the teacher's school returns the application.")))
    reason = (reason or "").strip()
    if not reason:
        raise _fail("reason", _l("Give the reason."))
    before = _move(
        application,
        ACTIVE_APPLICATION,
        "returned",
        _l("Only a submitted or endorsed application can be returned."),
    )
    application.note = reason
    db.session.flush()
    audit.record(
        actor, "application.return", application, before, {"status": "returned"}, note=reason
    )
    notify(
        [teacher.user],
        "application_returned",
        {"school": teacher.school.name, "reason": reason},
        _link("cooperation.application_detail", application_id=application.id),
    )
    return application


def withdraw_application(actor, application: Application) -> Application:
    """The teacher withdraws an application not yet matched; raises Forbidden, InvalidState."""
    if not application.can_edit(actor):
        raise Forbidden(str(_l("Only the teacher withdraws the application.")))
    before = _move(
        application,
        ("submitted", "endorsed", "returned"),
        "withdrawn",
        _l("A matched or withdrawn application cannot be withdrawn."),
    )
    db.session.flush()
    audit.record(actor, "application.withdraw", application, before, {"status": "withdrawn"})
    if before["status"] == "endorsed":
        # each enterprise hears of its own placement only, never of the teacher's other choices
        own_choice: dict[int, ApplicationChoice] = {}
        for choice in application.choices:
            own_choice.setdefault(choice.placement.host.enterprise_id, choice)
        for enterprise_id, choice in sorted(own_choice.items()):
            notify(
                enterprise_staff(enterprise_id),
                "application_withdrawn",
                {"teacher": application.teacher.name, "placement": choice.placement.host.name},
            )
    return application


def acceptable_choice(actor, application: Application) -> ApplicationChoice | None:
    """The first-ranked choice of the application on a placement of the actor's enterprise."""
    for choice in application.choices:
        if _member_of_enterprise(actor, choice.placement.host.enterprise_id):
            return choice
    return None


def accept_application(actor, application: Application) -> Practice:
    """Direct acceptance by the enterprise of the first-ranked placement it owns: the seat is
    claimed atomically and the practice starts. Raises Forbidden, InvalidState, NoPlaceLeft."""
    choice = acceptable_choice(actor, application)
    if choice is None:
        raise Forbidden(str(_l("None of the chosen placements is yours.")))
    placement = choice.placement
    if placement.status != "open":
        raise InvalidState(str(_l("This placement is not open.")))
    if application.status != "endorsed":
        raise InvalidState(str(_l("Only an application endorsed by the school can be accepted.")))
    claim_seat(placement.id)
    moved = db.session.execute(
        update(Application)
        .where(Application.id == application.id, Application.status == "endorsed")
        .values(status="matched")
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        db.session.expire(application, ["status"])
        raise InvalidState(str(_l("Only an application endorsed by the school can be accepted.")))
    practice = start_practice(application, placement)
    audit.record(
        actor,
        "application.accept",
        application,
        {"status": "endorsed"},
        {"status": "matched", "placement_id": placement.id, "practice_id": practice.id},
    )
    teacher = application.teacher
    params = {
        "enterprise": placement.host.enterprise.name,
        "teacher": teacher.name,
        "placement": placement.host.name,
    }
    notify(
        [teacher.user, *school_staff(teacher.school_id)],
        "application_accepted",
        params,
        _link("cooperation.practice_detail", practice_id=practice.id),
    )
    return practice


# --- practice -----------------------------------------------------------------------------


def today() -> date:
    """Today's date in the platform's time zone (Asia/Shanghai)."""
    return local_today()


def log_practice_day(actor, practice: Practice, data: dict[str, Any]) -> PracticeEntry:
    """The teacher logs one day; raises Forbidden, InvalidState, ValidationFailed (on_date)."""
    if not practice.can_edit(actor):
        raise Forbidden(str(_l("Only the teacher logs practice days.")))
    if practice.status != "ongoing":
        raise InvalidState(str(_l("This practice is completed; no more days can be logged.")))
    on_date = data["on_date"]
    if on_date > today():
        raise _fail("on_date", _l("A day in the future cannot be logged."))
    if on_date < practice.started_on:
        raise _fail("on_date", _l("This day is before the practice started."))
    taken = db.session.scalar(
        select(PracticeEntry.id).where(
            PracticeEntry.practice_id == practice.id, PracticeEntry.on_date == on_date
        )
    )
    if taken:
        raise _fail("on_date", _l("This day is already logged."))
    entry = PracticeEntry(practice_id=practice.id, on_date=on_date, description=data["description"])
    _add_unique(entry, _fail("on_date", _l("This day is already logged.")))
    db.session.expire(practice, ["entries"])
    audit.record(actor, "practice.log_day", practice, after={"on_date": on_date.isoformat()})
    return entry


def _host_owner(actor, practice: Practice) -> None:
    if not _member_of_enterprise(actor, practice.placement.host.enterprise_id):
        raise Forbidden(str(_l("Only the host's enterprise confirms practice days.")))


def _confirm_entries(practice: Practice) -> int:
    """Confirm every logged day; returns how many were newly confirmed."""
    fresh = [e for e in practice.entries if not e.confirmed]
    for entry in fresh:
        entry.confirmed = True
    practice.days_confirmed = sum(1 for e in practice.entries if e.confirmed)
    return len(fresh)


def confirm_practice_days(actor, practice: Practice) -> int:
    """The host's enterprise confirms the logged days; raises Forbidden, InvalidState."""
    _host_owner(actor, practice)
    if practice.status != "ongoing":
        raise InvalidState(str(_l("This practice is already completed.")))
    before = {"days_confirmed": practice.days_confirmed}
    count = _confirm_entries(practice)
    if not count:
        raise InvalidState(str(_l("There are no new days to confirm.")))
    db.session.flush()
    audit.record(
        actor,
        "practice.confirm_days",
        practice,
        before,
        {"days_confirmed": practice.days_confirmed},
    )
    notify(
        [practice.teacher.user],
        "practice_days_confirmed",
        {"enterprise": practice.placement.host.enterprise.name, "days": count},
        _link("cooperation.practice_detail", practice_id=practice.id),
    )
    return count


def complete_practice(actor, practice: Practice) -> Practice:
    """The host's enterprise confirms the remaining days and completes the stint; raises
    Forbidden, InvalidState."""
    _host_owner(actor, practice)
    if practice.status != "ongoing":
        raise InvalidState(str(_l("This practice is already completed.")))
    _confirm_entries(practice)
    if not practice.days_confirmed:
        raise InvalidState(str(_l("A practice without logged days cannot be completed.")))
    before = _move(practice, ("ongoing",), "completed", _l("This practice is already completed."))
    practice.ended_on = max(e.on_date for e in practice.entries)
    practice.confirmed_at = utcnow()
    practice.confirmed_by_id = actor.id
    db.session.flush()
    audit.record(
        actor,
        "practice.complete",
        practice,
        before,
        {"status": "completed", "days_confirmed": practice.days_confirmed},
    )
    notify(
        [practice.teacher.user],
        "practice_completed",
        {"placement": practice.placement.host.name, "days": practice.days_confirmed},
        _link("cooperation.practice_certificate", practice_id=practice.id),
    )
    return practice


# --- direct pairing proposals -------------------------------------------------------------


def _proposal_params(proposal: Proposal) -> dict[str, Any]:
    major = proposal.school_major
    return {
        "school": major.school.name,
        "major": major.major.name,
        "enterprise": proposal.offer.host.enterprise.name,
        "host": proposal.offer.host.name,
    }


def _open_offer(offer: Offer | None, field: str = "offer_id") -> Offer:
    """The offer when it is open with a free slot on an active host; ValidationFailed else."""
    if offer is None or offer.status != "open" or not offer.host.active:
        raise _fail(field, _l("Choose an open offer."))
    if offer.host.enterprise.status != "approved":
        raise _fail(field, _l("Choose an open offer."))
    if offer.free <= 0:
        raise _fail(field, _l("All pairing slots of this offer are taken."))
    return offer


def _not_yet_paired(major_id: int, offer_id: int, field: str) -> None:
    """Refuse a pair that is already paired or already has a pending proposal."""
    paired = db.session.scalar(
        select(Pairing.id).where(Pairing.school_major_id == major_id, Pairing.offer_id == offer_id)
    )
    if paired:
        raise _fail(field, _l("This major and this offer are already paired."))
    pending = db.session.scalar(
        select(Proposal.id).where(
            Proposal.school_major_id == major_id,
            Proposal.offer_id == offer_id,
            Proposal.status == "pending",
        )
    )
    if pending:
        message = str(_l("A proposal of this major and this offer is already waiting."))
        raise Conflict(message, {field: message})


def _open_request_of(major: SchoolMajor) -> PairingRequest | None:
    """The major's oldest pairing request still looking for partners, if any."""
    return db.session.scalar(
        select(PairingRequest)
        .where(
            PairingRequest.school_major_id == major.id,
            PairingRequest.status.in_(OPEN_REQUEST_STATUSES),
        )
        .order_by(PairingRequest.id)
        .limit(1)
    )


def propose_offer(actor, pairing_request: PairingRequest, data: dict[str, Any]) -> Proposal:
    """An approved enterprise proposes one of its open offers to an open pairing request;
    raises Forbidden, InvalidState, ValidationFailed (offer_id), Conflict."""
    if not approved_enterprise_user(actor):
        raise Forbidden(str(_l("Only approved enterprises propose offers.")))
    if pairing_request.status not in OPEN_REQUEST_STATUSES:
        raise InvalidState(str(_l("This pairing request no longer looks for partners.")))
    offer = db.session.get(Offer, data.get("offer_id") or 0)
    if offer is None or not _member_of_enterprise(actor, offer.host.enterprise_id):
        raise _fail("offer_id", _l("Choose one of your own open offers."))
    _open_offer(offer)
    _not_yet_paired(pairing_request.school_major_id, offer.id, "offer_id")
    proposal = Proposal(
        direction="to_request",
        offer=offer,
        school_major=pairing_request.school_major,
        pairing_request=pairing_request,
        note=(data.get("note") or "").strip() or None,
        status="pending",
        proposed_by_id=actor.id,
    )
    db.session.add(proposal)
    db.session.flush()
    audit.record(actor, "proposal.create", proposal, after=_proposal_values(proposal))
    notify(
        school_staff(pairing_request.school_major.school_id),
        "proposal_received",
        {**_proposal_params(proposal), "party": offer.host.enterprise.name},
        _link("cooperation.proposals", box="received"),
    )
    return proposal


def propose_major(actor, offer: Offer, data: dict[str, Any]) -> Proposal:
    """A school proposes one of its integrated majors to an open offer; raises Forbidden,
    ValidationFailed (school_major_id, offer_id), Conflict."""
    major = db.session.get(SchoolMajor, data.get("school_major_id") or 0)
    if major is None or not _member_of_school(actor, major.school_id) or not major.active:
        raise _fail("school_major_id", _l("Choose one of your school's integrated majors."))
    if major.school.status != "approved":
        raise _fail("school_major_id", _l("Your school must be approved before it requests."))
    _open_offer(offer)
    _not_yet_paired(major.id, offer.id, "school_major_id")
    proposal = Proposal(
        direction="to_offer",
        offer=offer,
        school_major=major,
        pairing_request=_open_request_of(major),
        note=(data.get("note") or "").strip() or None,
        status="pending",
        proposed_by_id=actor.id,
    )
    db.session.add(proposal)
    db.session.flush()
    audit.record(actor, "proposal.create", proposal, after=_proposal_values(proposal))
    notify(
        enterprise_staff(offer.host.enterprise_id),
        "proposal_received",
        {**_proposal_params(proposal), "party": major.school.name},
        _link("cooperation.proposals", box="received"),
    )
    return proposal


def _proposal_values(proposal: Proposal) -> dict[str, Any]:
    return {
        "direction": proposal.direction,
        "offer_id": proposal.offer_id,
        "school_major_id": proposal.school_major_id,
        "pairing_request_id": proposal.pairing_request_id,
        "status": proposal.status,
    }


def proposal_side(actor, proposal: Proposal) -> str | None:
    """'school' or 'enterprise' when the actor is staff of that side, else None."""
    if _member_of_school(actor, proposal.school_id):
        return "school"
    if _member_of_enterprise(actor, proposal.enterprise_id):
        return "enterprise"
    return None


def _answering(actor, proposal: Proposal) -> None:
    if proposal_side(actor, proposal) != proposal.answering_side:
        raise Forbidden(str(_l("Only the side that received the proposal answers it.")))
    if proposal.status != "pending":
        raise InvalidState(str(_l("This proposal has already been answered.")))


def _decide(proposal: Proposal, actor, status: str, reason: str | None = None) -> None:
    """pending → status with a conditional update (a second answer finds nothing to change)."""
    done = db.session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.status == "pending")
        .values(status=status, decided_at=utcnow(), decided_by_id=actor.id, decision_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        db.session.expire(proposal)
        raise InvalidState(str(_l("This proposal has already been answered.")))
    db.session.expire(proposal, ["status", "decided_at", "decided_by_id", "decision_reason"])


def _proposer_side_users(proposal: Proposal) -> list[User]:
    if proposal.direction == "to_request":
        return enterprise_staff(proposal.enterprise_id)
    return school_staff(proposal.school_id)


def accept_proposal(actor, proposal: Proposal) -> Pairing:
    """The receiving side accepts: the offer's slot is claimed atomically and the pairing
    starts; the request is served once it has its wanted partners. Raises Forbidden,
    InvalidState, Conflict, NoPlaceLeft."""
    _answering(actor, proposal)
    offer = proposal.offer
    if offer.status != "open":
        raise InvalidState(str(_l("This offer is no longer open.")))
    request = proposal.pairing_request
    if proposal.direction == "to_request" and (
        request is None or request.status not in OPEN_REQUEST_STATUSES
    ):
        raise InvalidState(str(_l("This pairing request no longer looks for partners.")))
    if request is not None and request.status not in OPEN_REQUEST_STATUSES:
        request = None
    already = db.session.scalar(
        select(Pairing.id).where(
            Pairing.school_major_id == proposal.school_major_id, Pairing.offer_id == offer.id
        )
    )
    if already:
        raise Conflict(str(_l("This major and this offer are already paired.")))
    _decide(proposal, actor, "accepted")
    if request is not None and not _lock_request_needing_partners(request):
        if proposal.direction == "to_request":
            raise InvalidState(str(_l("This pairing request no longer looks for partners.")))
        request = None
    claim_slot(offer.id)
    pairing = start_pairing(request, offer, school_major=proposal.school_major)
    proposal.pairing_id = pairing.id
    if request is not None:
        proposal.pairing_request_id = request.id
    close_request_when_served(request)
    db.session.flush()
    audit.record(
        actor,
        "proposal.accept",
        proposal,
        {"status": "pending"},
        {"status": "accepted", "pairing_id": pairing.id},
    )
    notify(
        _proposer_side_users(proposal),
        "proposal_accepted",
        _proposal_params(proposal),
        _link("cooperation.pairings"),
    )
    return pairing


def _lock_request_needing_partners(request: PairingRequest) -> bool:
    """Lock the request's row (PostgreSQL); True while it still needs partners."""
    db.session.execute(
        select(PairingRequest.id).where(PairingRequest.id == request.id).with_for_update()
    )
    count = db.session.scalar(
        select(func.count(Pairing.id)).where(
            Pairing.pairing_request_id == request.id, Pairing.status == "active"
        )
    )
    return count < request.wanted


def decline_proposal(actor, proposal: Proposal, reason: str | None) -> Proposal:
    """The receiving side declines with a reason; raises Forbidden, InvalidState,
    ValidationFailed (reason)."""
    _answering(actor, proposal)
    text = (reason or "").strip()
    if not text:
        raise _fail("reason", _l("Give the reason."))
    _decide(proposal, actor, "declined", text)
    audit.record(
        actor,
        "proposal.decline",
        proposal,
        {"status": "pending"},
        {"status": "declined"},
        note=text,
    )
    notify(
        _proposer_side_users(proposal),
        "proposal_declined",
        {**_proposal_params(proposal), "reason": text},
        _link("cooperation.proposals", box="sent"),
    )
    return proposal


# --- certificates -------------------------------------------------------------------------


def verified_practice(number: str | None) -> Practice | None:
    """The completed practice whose certificate carries this number, or None."""
    number = (number or "").strip().upper()
    if not number or len(number) > 24 or not number.isprintable():
        return None
    practice = db.session.scalar(select(Practice).where(Practice.certificate_no == number))
    if practice is None or practice.status != "completed" or not practice.days_confirmed:
        return None
    return practice


# --- agreements ---------------------------------------------------------------------------

#: Signed scans: PDF or an image, checked by content like resource files.
AGREEMENT_EXTENSIONS = ("pdf", "png", "jpg", "jpeg")
AGREEMENT_NOTICE_DAYS = 30
AGREEMENT_GRACE_DAYS = 30


@dataclass(frozen=True)
class AgreementParties:
    """Who signs an agreement of a given subject."""

    school_id: int | None
    enterprise_id: int
    teacher_id: int | None
    region_code: str
    parties: tuple[str, ...]


def agreement_subject(kind: str, subject_id: Any):
    """The pairing, practice or training programme an agreement is about; ValidationFailed."""
    from app.resources.models import TrainingProgramme

    models = {"pairing": Pairing, "practice": Practice, "programme": TrainingProgramme}
    if kind not in models:
        raise _fail("subject", _l("Choose a pairing, a practice or a training programme."))
    obj = db.session.get(models[kind], subject_id) if _valid_id(subject_id) else None
    if obj is None:
        raise _fail("subject_id", _l("Choose a pairing, practice or programme of yours."))
    return obj


def parties_of(kind: str, obj) -> AgreementParties:
    """The signing parties of the subject; a programme needs a partner school."""
    if kind == "pairing":
        return AgreementParties(
            obj.school_major.school_id,
            obj.offer.host.enterprise_id,
            None,
            obj.region_code,
            ("school", "enterprise"),
        )
    if kind == "practice":
        return AgreementParties(
            obj.teacher.school_id,
            obj.placement.host.enterprise_id,
            obj.teacher_id,
            obj.region_code,
            ("school", "enterprise", "teacher"),
        )
    if obj.partner_school_id is None:
        raise _fail("subject_id", _l("The training programme has no partner school to sign."))
    return AgreementParties(
        obj.partner_school_id,
        obj.host.enterprise_id,
        None,
        obj.region_code,
        ("school", "enterprise"),
    )


def _speaks_for(actor, parties: AgreementParties) -> str | None:
    if parties.school_id and _member_of_school(actor, parties.school_id):
        return "school"
    if _member_of_enterprise(actor, parties.enterprise_id):
        return "enterprise"
    return None


def may_sign_programme(actor, programme) -> bool:
    """True for the staff of a training programme's enterprise or of its partner school."""
    if programme.partner_school_id is None:
        return False
    return _member_of_enterprise(actor, programme.host.enterprise_id) or _member_of_school(
        actor, programme.partner_school_id
    )


def latest_agreement(kind: str, subject_id: int) -> Agreement | None:
    """The newest version of the subject's agreement, or None."""
    column = getattr(Agreement, f"{kind}_id")
    return db.session.scalar(
        select(Agreement).where(column == subject_id).order_by(Agreement.version.desc()).limit(1)
    )


def agreement_users(agreement: Agreement) -> list[User]:
    """Accounts of every party of the agreement."""
    users: list[User] = []
    if agreement.school_id:
        users.extend(school_staff(agreement.school_id))
    if agreement.enterprise_id:
        users.extend(enterprise_staff(agreement.enterprise_id))
    if agreement.teacher is not None and agreement.teacher.user is not None:
        users.append(agreement.teacher.user)
    return users


def _agreement_params(agreement: Agreement) -> dict[str, Any]:
    return {
        "title": agreement.title,
        "version": agreement.version,
        "ends_on": agreement.ends_on.isoformat(),
    }


def create_agreement(actor, data: dict[str, Any]) -> Agreement:
    """The school or enterprise records an agreement of its pairing, practice or programme;
    with an active one already, this is its next version. Raises Forbidden, Conflict,
    ValidationFailed."""
    kind = data.get("subject")
    obj = agreement_subject(kind, data.get("subject_id"))
    parties = parties_of(kind, obj)
    if _speaks_for(actor, parties) is None:
        raise Forbidden(str(_l("Only the school and the enterprise record their agreements.")))
    if data["ends_on"] < data["starts_on"]:
        raise _fail("ends_on", _l("The end date must not be before the start date."))
    current = latest_agreement(kind, obj.id)
    if current is not None and current.state == "pending":
        message = str(_l("A version of this agreement is still waiting for confirmation."))
        raise Conflict(message)
    row = Agreement(
        subject=kind,
        version=current.version + 1 if current else 1,
        previous_id=current.id if current else None,
        state="pending",
        title=data["title"].strip(),
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        terms=data["terms"].strip(),
        school_id=parties.school_id,
        enterprise_id=parties.enterprise_id,
        teacher_id=parties.teacher_id,
        region_code=parties.region_code,
        created_by_id=actor.id,
    )
    setattr(row, f"{kind}_id", obj.id)
    for party in parties.parties:
        row.parties.append(AgreementParty(party=party))
    message = str(_l("A version of this agreement is still waiting for confirmation."))
    _add_unique(row, Conflict(message))
    audit.record(
        actor,
        "agreement.create",
        row,
        after={"subject": kind, "subject_id": obj.id, "version": row.version},
    )
    notify(
        [u for u in agreement_users(row) if u.id != actor.id],
        "agreement_created",
        _agreement_params(row),
        _link("cooperation.agreement_detail", agreement_id=row.id),
    )
    return row


def upload_agreement_file(actor, agreement: Agreement, stream, filename: str | None) -> Agreement:
    """Attach the signed and sealed scan (PDF or image, checked by content); a new scan clears
    confirmations given so far. Raises Forbidden, InvalidState, ValidationFailed, TooLarge."""
    from app.resources import storage

    if not agreement.can_edit(actor):
        raise Forbidden(str(_l("Only the school and the enterprise upload the signed scan.")))
    if agreement.state != "pending":
        raise InvalidState(str(_l("Only a version waiting for confirmation takes a new scan.")))
    name = storage.clean_name(filename)
    if storage.extension(name) not in AGREEMENT_EXTENSIONS:
        raise _fail("file", _l("Upload the signed scan as a PDF, PNG or JPEG file."))
    stored = storage.save(stream, name)
    agreement.file_stored_name = stored.stored_name
    agreement.file_original_name = stored.original_name
    agreement.file_content_type = stored.content_type
    agreement.file_size = stored.size
    agreement.file_sha256 = stored.sha256
    agreement.file_uploaded_at = utcnow()
    for party in agreement.parties:
        party.confirmed_at = None
        party.confirmed_by_id = None
    try:
        db.session.flush()
    except IntegrityError:
        storage.remove(stored.stored_name)
        raise Conflict(str(_l("Another upload was saved at the same time; try again."))) from None
    audit.record(
        actor,
        "agreement.file",
        agreement,
        after={"name": stored.original_name, "size": stored.size, "sha256": stored.sha256},
    )
    return agreement


def confirm_agreement(actor, agreement: Agreement) -> Agreement:
    """A party confirms the uploaded version; confirmed by all, it becomes active and replaces
    the previous version. Raises Forbidden, InvalidState."""
    party = agreement.party_of(actor)
    if party is None:
        raise Forbidden(str(_l("Only the parties confirm an agreement.")))
    if agreement.state != "pending":
        raise InvalidState(str(_l("This version is no longer waiting for confirmation.")))
    if not agreement.has_file:
        raise InvalidState(str(_l("Upload the signed and sealed scan before confirming.")))
    db.session.execute(select(Agreement.id).where(Agreement.id == agreement.id).with_for_update())
    now = utcnow()
    done = db.session.execute(
        update(AgreementParty)
        .where(
            AgreementParty.agreement_id == agreement.id,
            AgreementParty.party == party,
            AgreementParty.confirmed_at.is_(None),
        )
        .values(confirmed_at=now, confirmed_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise InvalidState(str(_l("Your side has already confirmed this version.")))
    db.session.expire(agreement, ["parties"])
    audit.record(actor, "agreement.confirm", agreement, after={"party": party})
    waiting = db.session.scalar(
        select(func.count(AgreementParty.id)).where(
            AgreementParty.agreement_id == agreement.id, AgreementParty.confirmed_at.is_(None)
        )
    )
    if waiting == 0:
        _activate(actor, agreement, now)
    return agreement


def _activate(actor, agreement: Agreement, now) -> None:
    moved = db.session.execute(
        update(Agreement)
        .where(Agreement.id == agreement.id, Agreement.state == "pending")
        .values(state="active", activated_at=now)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        return
    if agreement.previous_id is not None:
        db.session.execute(
            update(Agreement)
            .where(Agreement.id == agreement.previous_id, Agreement.state == "active")
            .values(state="superseded")
            .execution_options(synchronize_session=False)
        )
        previous = db.session.identity_map.get(
            db.session.identity_key(Agreement, agreement.previous_id)
        )
        if previous is not None:
            db.session.expire(previous, ["state"])
    db.session.expire(agreement, ["state", "activated_at"])
    audit.record(actor, "agreement.activate", agreement, {"state": "pending"}, {"state": "active"})
    notify(
        agreement_users(agreement),
        "agreement_active",
        _agreement_params(agreement),
        _link("cooperation.agreement_detail", agreement_id=agreement.id),
    )


def remind_agreements_ending(today: date) -> int:
    """Notify both parties of active agreements ending within 30 days (once per version)."""
    horizon = today + timedelta(days=AGREEMENT_NOTICE_DAYS)
    due = db.session.scalars(
        select(Agreement)
        .where(
            Agreement.state == "active",
            Agreement.ends_on >= today,
            Agreement.ends_on <= horizon,
            Agreement.end_notice_sent_at.is_(None),
        )
        .order_by(Agreement.id)
    ).all()
    count = 0
    for agreement in due:
        done = db.session.execute(
            update(Agreement)
            .where(Agreement.id == agreement.id, Agreement.end_notice_sent_at.is_(None))
            .values(end_notice_sent_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:
            continue
        count += 1
        notify(
            agreement_users(agreement),
            "agreement_ending",
            _agreement_params(agreement),
            _link("cooperation.agreement_detail", agreement_id=agreement.id),
        )
    db.session.flush()
    return count


# --- feedback -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackOccasion:
    """Something the actor may rate: the occasion, its subject and what it is about."""

    occasion: str
    side: str
    key: str
    practice: Practice | None
    pairing: Pairing | None
    year: int | None

    @property
    def host(self) -> Host:
        if self.practice is not None:
            return self.practice.placement.host
        return self.pairing.offer.host

    @property
    def subject_id(self) -> int:
        return self.practice.id if self.practice is not None else self.pairing.id


def feedback_occasion(actor, occasion: str, subject_id: Any) -> FeedbackOccasion:
    """The occasion the actor may rate now; raises ValidationFailed, Forbidden, InvalidState."""
    if occasion not in FEEDBACK_CRITERIA:
        raise _fail("occasion", _l("Choose what you rate."))
    model = Practice if occasion in ("placement", "practice") else Pairing
    obj = db.session.get(model, subject_id) if _valid_id(subject_id) else None
    if obj is None or not obj.can_view(actor):
        raise _fail("subject_id", _l("Choose a practice or pairing of yours."))
    if model is Practice:
        side = "teacher" if occasion == "placement" else "enterprise"
        allowed = (
            obj.teacher.is_self(actor)
            if side == "teacher"
            else _member_of_enterprise(actor, obj.placement.host.enterprise_id)
        )
        if not allowed:
            raise Forbidden(str(_l("You are not the one who rates this.")))
        if obj.status != "completed":
            raise InvalidState(str(_l("A practice is rated once it is completed.")))
        return FeedbackOccasion(occasion, side, f"{occasion}:{obj.id}", obj, None, None)
    if _member_of_school(actor, obj.school_major.school_id):
        side = "school"
    elif _member_of_enterprise(actor, obj.offer.host.enterprise_id):
        side = "enterprise"
    else:
        raise Forbidden(str(_l("You are not the one who rates this.")))
    if occasion == "pairing_end":
        if obj.status != "ended":
            raise InvalidState(str(_l("A pairing is rated at its end once it has ended.")))
        return FeedbackOccasion(occasion, side, f"pairing_end:{obj.id}", None, obj, None)
    year = today().year
    return FeedbackOccasion(occasion, side, f"pairing_year:{obj.id}:{year}", None, obj, year)


def _checked_scores(occasion: str, scores: Any) -> dict[str, int]:
    """Every criterion of the occasion scored 1–5; ValidationFailed naming the criterion."""
    criteria = FEEDBACK_CRITERIA[occasion]
    if not isinstance(scores, dict):
        raise _fail("scores", _l("Rate every criterion from 1 to 5."))
    errors = {}
    clean = {}
    for name in criteria:
        value = scores.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            errors[f"scores.{name}"] = str(_l("Rate from 1 to 5."))
        else:
            clean[name] = value
    unknown = sorted(set(scores) - set(criteria))
    if unknown:
        errors["scores"] = str(_l("Rate only the criteria of this occasion."))
    if errors:
        raise ValidationFailed(str(_l("Rate every criterion from 1 to 5.")), errors)
    return clean


def submit_feedback(actor, data: dict[str, Any]) -> Feedback:
    """Rate an occasion once (scores 1–5 per criterion and a comment); raises Forbidden,
    InvalidState, ValidationFailed, Conflict (already rated: edit that answer instead)."""
    occasion = feedback_occasion(actor, data.get("occasion"), data.get("subject_id"))
    scores = _checked_scores(occasion.occasion, data.get("scores"))
    host = occasion.host
    posting = occasion.practice.placement if occasion.practice else occasion.pairing.offer
    row = Feedback(
        occasion=occasion.occasion,
        occasion_key=occasion.key,
        side=occasion.side,
        author_id=actor.id,
        practice_id=getattr(occasion.practice, "id", None),
        pairing_id=getattr(occasion.pairing, "id", None),
        host_id=host.id,
        offer_id=occasion.pairing.offer_id if occasion.pairing else None,
        year=occasion.year,
        scores=scores,
        score=round(sum(scores.values()) / len(scores), 2),
        comment=(data.get("comment") or "").strip() or None,
        region_code=host.region_code,
        occupation_code=posting.occupations[0].code if posting.occupations else None,
    )
    message = str(_l("You have already rated this; change your answer instead."))
    _add_unique(row, Conflict(message))
    audit.record(
        actor, "feedback.create", row, after={"occasion": row.occasion, "score": row.score}
    )
    return row


def update_feedback(actor, feedback: Feedback, data: dict[str, Any]) -> Feedback:
    """The author changes the answer within 14 days; raises Forbidden, InvalidState,
    ValidationFailed."""
    if not feedback.can_edit(actor):
        raise Forbidden(str(_l("Only the author changes an answer.")))
    if utcnow() > feedback.editable_until():
        raise InvalidState(str(_l("Answers can be changed for 14 days only.")))
    scores = _checked_scores(feedback.occasion, data.get("scores"))
    before = {"scores": dict(feedback.scores), "comment": feedback.comment}
    feedback.scores = scores
    feedback.score = round(sum(scores.values()) / len(scores), 2)
    feedback.comment = (data.get("comment") or "").strip() or None
    db.session.flush()
    audit.record(actor, "feedback.update", feedback, before, {"scores": scores})
    return feedback


def feedback_due(actor) -> list[FeedbackOccasion]:
    """Occasions the actor may rate and has not rated yet (completed practices, pairings)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    done = set(
        db.session.scalars(select(Feedback.occasion_key).where(Feedback.author_id == actor.id))
    )
    found: list[FeedbackOccasion] = []
    year = today().year
    if actor.role == "teacher":
        teacher = teacher_of(actor)
        if teacher is not None:
            practices = db.session.scalars(
                select(Practice).where(
                    Practice.teacher_id == teacher.id, Practice.status == "completed"
                )
            )
            found += [
                FeedbackOccasion("placement", "teacher", f"placement:{p.id}", p, None, None)
                for p in practices
            ]
    elif actor.role == "enterprise" and actor.enterprise_id:
        practices = db.session.scalars(
            select(Practice)
            .join(Placement, Practice.placement_id == Placement.id)
            .join(Host, Placement.host_id == Host.id)
            .where(Host.enterprise_id == actor.enterprise_id, Practice.status == "completed")
        )
        found += [
            FeedbackOccasion("practice", "enterprise", f"practice:{p.id}", p, None, None)
            for p in practices
        ]
    if actor.role in ("school", "enterprise"):
        from app.cooperation.queries import pairings_of

        side = actor.role
        for pairing in db.session.scalars(pairings_of(actor, None)):
            if pairing.status == "ended":
                key = f"pairing_end:{pairing.id}"
                found.append(FeedbackOccasion("pairing_end", side, key, None, pairing, None))
            else:
                key = f"pairing_year:{pairing.id}:{year}"
                found.append(FeedbackOccasion("pairing_year", side, key, None, pairing, year))
    return [o for o in found if o.key not in done]
