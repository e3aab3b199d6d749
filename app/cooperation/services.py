"""State changes of cooperation records (flush, never commit)."""

from datetime import date
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
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
    MODES,
    Application,
    ApplicationChoice,
    Offer,
    Pairing,
    PairingRequest,
    Placement,
    Practice,
    PracticeEntry,
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


# --- shared helpers -----------------------------------------------------------------------


def _fail(field: str, message) -> ValidationFailed:
    """A validation failure naming one field."""
    return ValidationFailed(str(message), {field: str(message)})


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
