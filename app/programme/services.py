"""State changes of the programme (flush, never commit): batches and selection, targets,
teacher development, evaluations. Every change is audited."""

from datetime import date
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.common import audit
from app.common.errors import Conflict, Forbidden, InvalidState, NotFound, ValidationFailed
from app.common.time import add_working_days, utcnow
from app.extensions import db
from app.programme.assessment import check_stage, check_threshold
from app.programme.models import (
    NEXT_STAGE,
    NOTICE_DAYS,
    SELECTED_STATUSES,
    TARGET_KEYS,
    TEACHER_STATUSES,
    Batch,
    BatchApplication,
    GraduateOutcome,
    Indicator,
    LimitException,
    Nomination,
    NominationScore,
    Objection,
    PartTimeTeacher,
    Phase,
    ResearchBase,
    Target,
    TeacherStatus,
    TeachingHours,
    TrainingRecord,
)
from app.reference.models import Occupation
from app.registry.models import Enterprise, School, SchoolMajor, Teacher


class BatchLimitReached(ValidationFailed):
    """The school has applied as many majors to the batch as its kind allows."""

    code = "batch_limit"


def _values(obj, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: getattr(obj, f, None) for f in fields}


def _require_region_admin(actor) -> None:
    if not (actor and actor.is_region_admin):
        raise Forbidden(str(_l("Only the region administrator may do this.")))


def _flush_or_conflict(message: str, field: str) -> None:
    """Flush; a unique-constraint clash becomes a Conflict (the unit of work is rolled back)."""
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(message, {field: message}) from exc


# --- phases and batches -------------------------------------------------------------------

PHASE_FIELDS = ("number", "name", "starts_on", "ends_on", "description")
BATCH_FIELDS = (
    "phase_id",
    "name",
    "opens_on",
    "closes_on",
    "limit_technician_college",
    "limit_other",
    "demonstration_threshold",
)


def _check_period(start: date, end: date, start_field: str, end_field: str) -> None:
    if start and end and end < start:
        message = str(_l("The end date must not be before the start date."))
        raise ValidationFailed(message, {end_field: message})


def save_phase(actor, data: dict[str, Any], phase: Phase | None = None) -> Phase:
    """Create or change a phase; raises Forbidden, ValidationFailed or Conflict."""
    _require_region_admin(actor)
    _check_period(data["starts_on"], data["ends_on"], "starts_on", "ends_on")
    before = _values(phase, PHASE_FIELDS) if phase else None
    phase = phase or Phase()
    for field in PHASE_FIELDS:
        setattr(phase, field, data.get(field))
    db.session.add(phase)
    _flush_or_conflict(str(_l("A phase with this number exists already.")), "number")
    audit.record(
        actor,
        "phase.update" if before else "phase.create",
        phase,
        before=before,
        after=_values(phase, PHASE_FIELDS),
    )
    return phase


def save_batch(actor, data: dict[str, Any], batch: Batch | None = None) -> Batch:
    """Create or change a batch; raises Forbidden, ValidationFailed, NotFound or Conflict."""
    _require_region_admin(actor)
    if db.session.get(Phase, data["phase_id"]) is None:
        message = str(_l("Choose an existing phase."))
        raise ValidationFailed(message, {"phase": message})
    _check_period(data["opens_on"], data["closes_on"], "opens_on", "closes_on")
    if "demonstration_threshold" in data:
        threshold = check_threshold(data["demonstration_threshold"])
    else:  # a caller that does not set it keeps the batch's threshold
        threshold = batch.demonstration_threshold if batch else None
    data = {**data, "demonstration_threshold": threshold}
    before = _values(batch, BATCH_FIELDS) if batch else None
    batch = batch or Batch()
    defaults = {
        "limit_technician_college": current_app.config.get("BATCH_LIMIT_TECHNICIAN_COLLEGE", 3),
        "limit_other": current_app.config.get("BATCH_LIMIT_OTHER_SCHOOL", 2),
    }
    for field in BATCH_FIELDS:
        value = data.get(field)
        if value is None and field in defaults:
            value = getattr(batch, field, None) or defaults[field]
        setattr(batch, field, value)
    db.session.add(batch)
    _flush_or_conflict(str(_l("This phase already has a batch with this name.")), "name")
    audit.record(
        actor,
        "batch.update" if before else "batch.create",
        batch,
        before=before,
        after=_values(batch, BATCH_FIELDS),
    )
    return batch


def _lock_school(school_id: int) -> School:
    """The school row, locked FOR UPDATE on PostgreSQL so one school's applications queue up."""
    return db.session.execute(
        select(School).where(School.id == school_id).with_for_update()
    ).scalar_one()


#: Attempts to take a free slot; each failed attempt means another request took one.
APPLY_ATTEMPTS = 10


def apply_major(actor, batch: Batch, school_major: SchoolMajor, today: date) -> BatchApplication:
    """Apply a school's integrated major to an open batch within the school kind's limit.

    The school row is locked (PostgreSQL) and the slot unique constraint backs the limit on
    every database; losing a slot to a concurrent request retries with the next free slot.
    Raises Forbidden, InvalidState (batch closed), Conflict (already applied) or
    BatchLimitReached (code `batch_limit`).
    """
    if not school_major.can_edit(actor) or actor.role != "school":
        raise Forbidden(str(_l("Only the school's own staff apply its majors.")))
    if not batch.is_open(today):
        raise InvalidState(str(_l("This batch is not open for applications.")))
    batch_id, major_id, school_id = batch.id, school_major.id, school_major.school_id
    for _attempt in range(APPLY_ATTEMPTS):
        application = _take_slot(batch, school_id, major_id)
        if application is not None:
            break
    else:
        school = db.session.get(School, school_id)
        raise _limit_error(school_limit(batch, school), school.kind)
    audit.record(
        actor,
        "batch_application.create",
        application,
        after={"batch_id": batch_id, "school_major_id": major_id, "status": "submitted"},
    )
    return application


def _take_slot(batch: Batch, school_id: int, major_id: int) -> BatchApplication | None:
    """Insert the application in the school's first free slot; None when a concurrent request
    took that slot first (the unit of work is rolled back). Raises InvalidState, Conflict or
    BatchLimitReached."""
    school = _lock_school(school_id)
    if school.status != "approved":
        raise InvalidState(str(_l("The school must be approved before it applies.")))
    taken = set(
        db.session.scalars(
            select(BatchApplication.slot).where(
                BatchApplication.batch_id == batch.id, BatchApplication.school_id == school.id
            )
        )
    )
    dup = db.session.scalar(
        select(BatchApplication.id).where(
            BatchApplication.batch_id == batch.id, BatchApplication.school_major_id == major_id
        )
    )
    if dup is not None:
        message = str(_l("This major has already been applied to this batch."))
        raise Conflict(message, {"school_major_id": message})
    limit = school_limit(batch, school)
    free = [n for n in range(1, limit + 1) if n not in taken]
    if not free:
        raise _limit_error(limit, school.kind)
    application = BatchApplication(
        batch_id=batch.id, school_id=school.id, school_major_id=major_id, slot=free[0]
    )
    db.session.add(application)
    try:
        db.session.flush()
    except IntegrityError:
        # Another request took this slot (or applied this major) meanwhile: read again.
        db.session.rollback()
        return None
    return application


def school_limit(batch: Batch, school: School) -> int:
    """The school's limit in the batch: its kind's limit plus any exception granted to it."""
    extra = db.session.scalar(
        select(LimitException.extra).where(
            LimitException.batch_id == batch.id, LimitException.school_id == school.id
        )
    )
    return batch.limit_for(school.kind) + (extra or 0)


def _limit_error(limit: int, kind: str) -> BatchLimitReached:
    if kind == "technician_college":
        message = _l(
            "A technician college may apply at most %(n)s majors per batch; this school has "
            "reached the limit.",
            n=limit,
        )
    else:
        message = _l(
            "A technical school other than a technician college may apply at most %(n)s majors "
            "per batch; this school has reached the limit.",
            n=limit,
        )
    return BatchLimitReached(str(message), {"school_major_id": str(message)})


def withdraw_application(actor, application: BatchApplication) -> None:
    """The school withdraws an undecided application; raises Forbidden or InvalidState."""
    if actor.role != "school" or not application.school.is_member(actor):
        raise Forbidden(str(_l("Only the school's own staff withdraw its applications.")))
    if application.status not in ("submitted", "returned"):
        raise InvalidState(str(_l("Only an application awaiting a decision can be withdrawn.")))
    audit.record(
        actor,
        "batch_application.withdraw",
        application,
        before={"status": application.status, "school_major_id": application.school_major_id},
    )
    db.session.delete(application)
    db.session.flush()


def _reason_required(reason: str | None, message) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(str(message), {"reason": str(message)})
    return reason


def recommend(actor, application: BatchApplication, decision: str, reason: str | None):
    """The league recommends an application to the region, or returns it with a reason.

    Raises Forbidden (not the school's league), ValidationFailed or InvalidState.
    """
    if not application.can_recommend(actor):
        raise Forbidden(str(_l("Only administrators of the school's league recommend.")))
    if decision not in ("recommend", "return"):
        message = str(_l("Choose recommend or return."))
        raise ValidationFailed(message, {"decision": message})
    if decision == "return":
        reason = _reason_required(reason, _l("Give the reason for returning."))
    else:
        reason = (reason or "").strip() or None
    if application.status != "submitted":
        raise InvalidState(str(_l("Only an application awaiting the league can be recommended.")))
    before = {"status": application.status}
    application.status = "recommended" if decision == "recommend" else "returned"
    application.recommendation_reason = reason
    application.recommended_at = utcnow()
    application.recommended_by_id = actor.id
    db.session.flush()
    audit.record(
        actor,
        f"batch_application.{decision}",
        application,
        before=before,
        after={"status": application.status, "reason": reason},
    )
    return application


def decide(actor, application: BatchApplication, decision: str, reason: str | None):
    """The region selects or rejects a recommended application (a reason is required to
    reject). Raises Forbidden, ValidationFailed or InvalidState (not recommended, or the
    batch's selection already published)."""
    if not application.can_decide(actor):
        raise Forbidden(str(_l("Only the region administrator selects.")))
    reason = (reason or "").strip() or None
    if decision not in ("select", "reject"):
        message = str(_l("Choose select or reject."))
        raise ValidationFailed(message, {"decision": message})
    if decision == "reject" and not reason:
        message = str(_l("Give the reason for rejecting."))
        raise ValidationFailed(message, {"reason": message})
    if application.status != "recommended":
        raise InvalidState(str(_l("Only an application its league recommended can be decided.")))
    if application.batch.notice_published_at is not None:
        raise InvalidState(str(_l("This batch's selection has already been published.")))
    before = {"status": application.status, "reason": application.reason}
    application.status = "selected" if decision == "select" else "rejected"
    application.reason = reason
    application.decided_at = utcnow()
    application.decided_by_id = actor.id
    db.session.flush()
    audit.record(
        actor,
        f"batch_application.{decision}",
        application,
        before=before,
        after={"status": application.status, "reason": reason},
    )
    return application


def open_objections(batch: Batch) -> int:
    """How many objections to the batch's selection await an answer."""
    return int(
        db.session.scalar(
            select(func.count(Objection.id)).where(
                Objection.batch_id == batch.id, Objection.status == "open"
            )
        )
        or 0
    )


def selection_final(batch: Batch, today: date) -> bool:
    """The selection is final once the notice is over and every objection is answered."""
    return batch.notice_over(today) and open_objections(batch) == 0


def publish_notice(actor, batch: Batch, days: int | None, today: date) -> Batch:
    """Publish the batch's selection for a public notice of `days` working days (default 5).

    Raises Forbidden, ValidationFailed (days out of range) or InvalidState (nothing selected,
    or already published).
    """
    _require_region_admin(actor)
    days = NOTICE_DAYS if days is None else days
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 30:
        message = str(_l("Give from 1 to 30 working days."))
        raise ValidationFailed(message, {"days": message})
    if batch.notice_published_at is not None:
        raise InvalidState(str(_l("This batch's selection has already been published.")))
    selected = db.session.scalar(
        select(func.count(BatchApplication.id)).where(
            BatchApplication.batch_id == batch.id,
            BatchApplication.status.in_(SELECTED_STATUSES),
        )
    )
    if not selected:
        raise InvalidState(str(_l("Select at least one major before publishing the notice.")))
    batch.notice_starts_on = today
    batch.notice_ends_on = add_working_days(today, days)
    batch.notice_published_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        "batch.notice",
        batch,
        after={
            "days": days,
            "starts_on": batch.notice_starts_on,
            "ends_on": batch.notice_ends_on,
            "selected": selected,
        },
    )
    return batch


def lodge_objection(actor, application: BatchApplication, reason: str | None, today: date):
    """Any signed-in user objects to a selection while its notice runs.

    Raises Forbidden (not signed in), ValidationFailed (no reason) or InvalidState.
    """
    if not (actor and getattr(actor, "is_authenticated", False)):
        raise Forbidden(str(_l("Sign in to lodge an objection.")))
    reason = _reason_required(reason, _l("Give the reason for the objection."))
    if len(reason) > 2000:
        message = str(_l("At most 2000 characters."))
        raise ValidationFailed(message, {"reason": message})
    if not application.batch.notice_running(today):
        raise InvalidState(str(_l("Objections are taken only while the notice runs.")))
    if application.status not in SELECTED_STATUSES:
        raise InvalidState(str(_l("Only a selected major can be objected to.")))
    objection = Objection(
        batch_id=application.batch_id,
        application_id=application.id,
        lodged_by_id=actor.id,
        reason=reason,
        status="open",
    )
    db.session.add(objection)
    db.session.flush()
    audit.record(
        actor,
        "objection.create",
        objection,
        after={"application_id": application.id, "reason": reason},
    )
    return objection


def answer_objection(actor, objection: Objection, outcome: str, answer: str | None):
    """The region upholds an objection (the selection is withdrawn with the answer as its
    reason) or dismisses it. Raises Forbidden, ValidationFailed or InvalidState."""
    _require_region_admin(actor)
    if outcome not in ("upheld", "dismissed"):
        message = str(_l("Choose upheld or dismissed."))
        raise ValidationFailed(message, {"outcome": message})
    answer = _reason_required(answer, _l("Give the answer to the objection."))
    if objection.status != "open":
        raise InvalidState(str(_l("This objection has already been answered.")))
    objection.status = outcome
    objection.answer = answer
    objection.answered_at = utcnow()
    objection.answered_by_id = actor.id
    application = objection.application
    if outcome == "upheld" and application.status in SELECTED_STATUSES:
        before = {"status": application.status, "reason": application.reason}
        application.status = "withdrawn"
        application.reason = answer
        audit.record(
            actor,
            "batch_application.withdraw_selection",
            application,
            before=before,
            after={"status": "withdrawn", "reason": answer, "objection_id": objection.id},
        )
    db.session.flush()
    audit.record(
        actor,
        "objection.answer",
        objection,
        before={"status": "open"},
        after={"status": outcome, "answer": answer},
    )
    return objection


def grant_limit_exception(actor, batch: Batch, school: School, extra: int, reason: str | None):
    """Allow a school `extra` majors above the batch's limit, with a recorded reason.

    Raises Forbidden or ValidationFailed.
    """
    _require_region_admin(actor)
    if not isinstance(extra, int) or isinstance(extra, bool) or not 1 <= extra <= 10:
        message = str(_l("Allow from 1 to 10 more majors."))
        raise ValidationFailed(message, {"extra": message})
    reason = _reason_required(reason, _l("Give the reason for the exception."))
    row = db.session.scalar(
        select(LimitException).where(
            LimitException.batch_id == batch.id, LimitException.school_id == school.id
        )
    )
    before = {"extra": row.extra, "reason": row.reason} if row else None
    row = row or LimitException(batch_id=batch.id, school_id=school.id)
    row.extra, row.reason, row.granted_by_id = extra, reason, actor.id
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor,
        "limit_exception.grant",
        row,
        before=before,
        after={"batch_id": batch.id, "school_id": school.id, "extra": extra, "reason": reason},
    )
    return row


def advance_stage(actor, application: BatchApplication, today: date) -> BatchApplication:
    """Move a finally selected major to its next stage; raises Forbidden or InvalidState."""
    if not application.can_advance(actor):
        raise Forbidden(str(_l("Only administrators of the school's league decide.")))
    nxt = NEXT_STAGE.get(application.status)
    if nxt is None:
        raise InvalidState(str(_l("This major has no further stage.")))
    if not selection_final(application.batch, today):
        raise InvalidState(str(_l("The selection is not final until its public notice ends.")))
    check_stage(application, nxt)
    before = {"status": application.status}
    application.status = nxt
    db.session.flush()
    audit.record(
        actor, "batch_application.advance", application, before=before, after={"status": nxt}
    )
    return application


# --- graduate outcomes -------------------------------------------------------------------

OUTCOME_FIGURES = ("cohort", "certified_route", "certified_exam", "employed", "employed_partner")


def major_finally_selected(school_major_id: int, today: date) -> bool:
    """True when the major's selection in some batch is final (notice over, all answered)."""
    from app.programme.queries import final_selection

    return (
        db.session.scalar(
            select(BatchApplication.id)
            .join(Batch, Batch.id == BatchApplication.batch_id)
            .where(BatchApplication.school_major_id == school_major_id, final_selection(today))
            .limit(1)
        )
        is not None
    )


def save_outcome(actor, school_major: SchoolMajor, data: dict[str, Any], today: date):
    """Record (or correct) a major's figures for a graduating year.

    Raises Forbidden (not the school's staff) or ValidationFailed naming the field.
    """
    if actor.role != "school" or not school_major.school.is_member(actor):
        raise Forbidden(str(_l("Only the school's own staff return its figures.")))
    values = {f: int(data.get(f) or 0) for f in OUTCOME_FIGURES}
    year = data.get("year")
    errors: dict[str, str] = {}
    if not isinstance(year, int) or not 2000 <= year <= today.year:
        errors["year"] = str(_l("Give a graduating year up to this year."))
    for field, value in values.items():
        if value < 0:
            errors[field] = str(_l("A figure cannot be negative."))
    if values["certified_route"] + values["certified_exam"] > values["cohort"]:
        errors["certified_exam"] = str(_l("More certified than graduated."))
    if values["employed"] > values["cohort"]:
        errors["employed"] = str(_l("More employed than graduated."))
    if values["employed_partner"] > values["employed"]:
        errors["employed_partner"] = str(_l("More employed at partners than employed."))
    if values["certified_route"] and not major_finally_selected(school_major.id, today):
        errors["certified_route"] = str(
            _l("Only a selected integrated major certifies by the integrated-major route.")
        )
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors)
    row = db.session.scalar(
        select(GraduateOutcome).where(
            GraduateOutcome.school_major_id == school_major.id, GraduateOutcome.year == year
        )
    )
    before = _values(row, OUTCOME_FIGURES) if row else None
    row = row or GraduateOutcome(school_major_id=school_major.id, year=year)
    for field, value in values.items():
        setattr(row, field, value)
    row.recorded_by_id = actor.id
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor,
        "graduate_outcome.update" if before else "graduate_outcome.create",
        row,
        before=before,
        after={"year": year, **values},
    )
    return row


# --- targets ------------------------------------------------------------------------------


def set_targets(actor, values: dict[str, int]) -> list[Target]:
    """Change the programme's targets; raises Forbidden or ValidationFailed."""
    _require_region_admin(actor)
    rows = {t.key: t for t in db.session.scalars(select(Target))}
    changed = []
    for key in TARGET_KEYS:
        if key not in values or values[key] is None:
            continue
        value = int(values[key])
        if value < 0:
            message = str(_l("A target cannot be negative."))
            raise ValidationFailed(message, {key: message})
        target = rows.get(key) or Target(key=key, value=0)
        if target.id is not None and target.value == value:
            continue
        before = {"value": target.value} if target.id else None
        target.value = value
        db.session.add(target)
        db.session.flush()
        audit.record(actor, "target.update", target, before=before, after={key: value})
        changed.append(target)
    return changed


# --- teacher development ------------------------------------------------------------------


def _teacher_admin(actor, teacher: Teacher) -> None:
    if not (actor and actor.is_admin and actor.administers_region(teacher.region_code)):
        raise Forbidden(str(_l("Only administrators of the teacher's league may do this.")))


RESEARCH_BASE_FIELDS = ("name", "region_code", "organisation", "description", "active")


def save_research_base(actor, data: dict[str, Any], base: ResearchBase | None = None):
    """Create or change a teacher research base; raises Forbidden or Conflict."""
    _require_region_admin(actor)
    before = _values(base, RESEARCH_BASE_FIELDS) if base else None
    base = base or ResearchBase()
    for field in RESEARCH_BASE_FIELDS[:-1]:
        setattr(base, field, data.get(field) or None)
    base.active = bool(data.get("active", True))
    db.session.add(base)
    _flush_or_conflict(str(_l("A research base with this name exists already.")), "name")
    action = "research_base.update" if before else "research_base.create"
    audit.record(actor, action, base, before=before, after=_values(base, RESEARCH_BASE_FIELDS))
    return base


def retire_research_base(actor, base: ResearchBase) -> str:
    """Delete an unused research base, or retire (deactivate) one that training records name.

    Returns "deleted" or "retired"; raises Forbidden or InvalidState (already retired).
    """
    _require_region_admin(actor)
    used = db.session.scalar(
        select(func.count(TrainingRecord.id)).where(TrainingRecord.research_base_id == base.id)
    )
    return _retire(actor, base, "research_base", RESEARCH_BASE_FIELDS, bool(used))


def _retire(actor, row, name: str, fields: tuple[str, ...], referenced: bool) -> str:
    """Deactivate a referenced row, delete an unreferenced one; audited either way."""
    before = _values(row, fields)
    if referenced:
        if not row.active:
            raise InvalidState(str(_l("This record has already been retired.")))
        row.active = False
        db.session.flush()
        audit.record(actor, f"{name}.retire", row, before=before, after={"active": False})
        return "retired"
    audit.record(actor, f"{name}.delete", row, before=before)
    db.session.delete(row)
    db.session.flush()
    return "deleted"


def add_training(actor, teacher: Teacher, data: dict[str, Any]) -> TrainingRecord:
    """Record a completed training course; raises Forbidden or ValidationFailed."""
    _teacher_admin(actor, teacher)
    base_id = data.get("research_base_id") or None
    base = db.session.get(ResearchBase, base_id) if base_id else None
    if base_id and (base is None or not base.active):
        message = str(_l("Choose a research base in use."))
        raise ValidationFailed(message, {"research_base_id": message})
    record = TrainingRecord(
        teacher_id=teacher.id,
        research_base_id=base_id,
        course=data["course"],
        hours=data["hours"],
        certificate_no=data.get("certificate_no") or None,
        completed_on=data["completed_on"],
    )
    db.session.add(record)
    db.session.flush()
    fields = ("teacher_id", "research_base_id", "course", "hours", "certificate_no", "completed_on")
    audit.record(actor, "training.create", record, after=_values(record, fields))
    return record


def set_teacher_status(actor, teacher: Teacher, status: str) -> TeacherStatus:
    """Set a teacher's integrated-teacher status; raises Forbidden or ValidationFailed."""
    _teacher_admin(actor, teacher)
    if status not in TEACHER_STATUSES:
        message = str(_l("Choose none, trained or certified."))
        raise ValidationFailed(message, {"status": message})
    row = db.session.get(TeacherStatus, teacher.id)
    before = {"status": row.status if row else "none"}
    if row is None:
        row = TeacherStatus(teacher_id=teacher.id, status=status)
        db.session.add(row)
    row.status = status
    row.updated_by_id = actor.id
    db.session.flush()
    if before["status"] != status:
        audit.record(actor, "teacher_status.update", row, before=before, after={"status": status})
    return row


def set_teaching_hours(actor, teacher: Teacher, data: dict[str, Any]) -> TeachingHours:
    """Record a teacher's hours in a term (replacing that term's figures); raises Forbidden."""
    if not teacher.school.can_edit(actor):
        raise Forbidden(str(_l("Only the school's staff and administrators record hours.")))
    row = db.session.scalar(
        select(TeachingHours).where(
            TeachingHours.teacher_id == teacher.id, TeachingHours.term == data["term"]
        )
    )
    fields = ("term", "ordinary_hours", "integrated_hours")
    before = _values(row, fields) if row else None
    row = row or TeachingHours(teacher_id=teacher.id, term=data["term"])
    row.ordinary_hours = data["ordinary_hours"]
    row.integrated_hours = data["integrated_hours"]
    db.session.add(row)
    db.session.flush()
    after = _values(row, fields)
    if before != after:
        audit.record(actor, "teaching_hours.save", row, before=before, after=after)
    return row


PART_TIMER_FIELDS = (
    "name",
    "enterprise_id",
    "school_id",
    "skill_title",
    "occupation_code",
    "since",
    "active",
)


def _check_part_timer(actor, data: dict[str, Any]) -> None:
    """The school must be the actor's to edit, the enterprise approved, the occupation known."""
    school = db.session.get(School, data.get("school_id") or 0)
    if school is None or not school.can_edit(actor):
        raise Forbidden(str(_l("You may only register part-time teachers for your school.")))
    enterprise = db.session.get(Enterprise, data.get("enterprise_id") or 0)
    if enterprise is None or enterprise.status != "approved":
        message = str(_l("Choose an approved enterprise."))
        raise ValidationFailed(message, {"enterprise_id": message})
    code = data.get("occupation_code") or None
    if code and db.session.get(Occupation, code) is None:
        message = str(_l("Choose an occupation from the list."))
        raise ValidationFailed(message, {"occupation_code": message})


def save_part_timer(
    actor, data: dict[str, Any], row: PartTimeTeacher | None = None
) -> PartTimeTeacher:
    """Register enterprise talent as a part-time integrated teacher, or change the record.

    Raises Forbidden (not the actor's school, before or after) or ValidationFailed.
    """
    if row is not None and not row.can_edit(actor):
        raise Forbidden(str(_l("You may only register part-time teachers for your school.")))
    _check_part_timer(actor, data)
    before = _values(row, PART_TIMER_FIELDS) if row else None
    row = row or PartTimeTeacher()
    for field in PART_TIMER_FIELDS[:-1]:
        setattr(row, field, data.get(field) or None)
    row.active = bool(data.get("active", True))
    db.session.add(row)
    db.session.flush()
    action = "part_time_teacher.update" if before else "part_time_teacher.create"
    audit.record(actor, action, row, before=before, after=_values(row, PART_TIMER_FIELDS))
    return row


def register_part_timer(actor, data: dict[str, Any]) -> PartTimeTeacher:
    """Register enterprise talent as a part-time integrated teacher; raises Forbidden or
    ValidationFailed."""
    return save_part_timer(actor, data)


def retire_part_timer(actor, row: PartTimeTeacher) -> PartTimeTeacher:
    """Mark a part-time teacher as no longer teaching (the record stays for the history).

    Raises Forbidden or InvalidState (already inactive).
    """
    if not row.can_edit(actor):
        raise Forbidden(str(_l("You may only register part-time teachers for your school.")))
    _retire(actor, row, "part_time_teacher", PART_TIMER_FIELDS, referenced=True)
    return row


# --- evaluations --------------------------------------------------------------------------


def save_indicator(actor, data: dict[str, Any], indicator: Indicator | None = None) -> Indicator:
    """Create or change an evaluation indicator; raises Forbidden or Conflict."""
    _require_region_admin(actor)
    fields = ("category", "name", "weight", "active")
    before = _values(indicator, fields) if indicator else None
    indicator = indicator or Indicator()
    for field in fields:
        setattr(indicator, field, data[field])
    indicator.name = (indicator.name or "").strip()
    db.session.add(indicator)
    _flush_or_conflict(str(_l("This category already has an indicator with this name.")), "name")
    action = "indicator.update" if before else "indicator.create"
    audit.record(actor, action, indicator, before=before, after=_values(indicator, fields))
    return indicator


def retire_indicator(actor, indicator: Indicator) -> str:
    """Delete an unused indicator, or take one that scores use out of use.

    Returns "deleted" or "retired"; raises Forbidden or InvalidState (already out of use).
    """
    _require_region_admin(actor)
    used = db.session.scalar(
        select(func.count(NominationScore.id)).where(NominationScore.indicator_id == indicator.id)
    )
    fields = ("category", "name", "weight", "active")
    return _retire(actor, indicator, "indicator", fields, bool(used))


def nominate(actor, data: dict[str, Any]) -> Nomination:
    """A school nominates a classroom, course or major; raises Forbidden or ValidationFailed."""
    school = db.session.get(School, data["school_id"])
    if school is None or not school.can_edit(actor):
        raise Forbidden(str(_l("You may only nominate for your own school.")))
    major_id = data.get("school_major_id") or None
    if major_id:
        major = db.session.get(SchoolMajor, major_id)
        if major is None or major.school_id != school.id:
            message = str(_l("Choose one of the school's integrated majors."))
            raise ValidationFailed(message, {"school_major_id": message})
    if data["category"] == "demonstration_major" and not major_id:
        message = str(_l("A demonstration major nomination names the major."))
        raise ValidationFailed(message, {"school_major_id": message})
    nomination = Nomination(
        category=data["category"],
        school_id=school.id,
        school_major_id=major_id,
        title=data["title"],
        description=data.get("description") or None,
    )
    db.session.add(nomination)
    db.session.flush()
    audit.record(
        actor,
        "nomination.create",
        nomination,
        after=_values(nomination, ("category", "school_id", "school_major_id", "title")),
    )
    return nomination


def weighted_total(scores: dict[int, int], indicators: list[Indicator]) -> float | None:
    """Σ weight × score / Σ weight over the indicators scored (None when none is)."""
    scored = [(i.weight, scores[i.id]) for i in indicators if i.id in scores]
    weight = sum(w for w, _ in scored)
    if not weight:
        return None
    return round(sum(w * s for w, s in scored) / weight, 2)


def score_nomination(actor, nomination: Nomination, scores: dict[int, int]) -> Nomination:
    """Score a nomination on every active indicator of its category.

    Raises Forbidden, ValidationFailed or InvalidState (already published).
    """
    _require_region_admin(actor)
    if nomination.status == "published":
        raise InvalidState(str(_l("Published results cannot be scored again.")))
    indicators = list(
        db.session.scalars(
            select(Indicator).where(
                Indicator.category == nomination.category, Indicator.active.is_(True)
            )
        )
    )
    if not indicators:
        raise InvalidState(str(_l("Define the indicators of this category first.")))
    errors = {}
    for indicator in indicators:
        value = scores.get(indicator.id)
        if value is None or not 0 <= value <= 100:
            errors[f"indicator_{indicator.id}"] = str(_l("Give a score from 0 to 100."))
    if errors:
        raise ValidationFailed(str(_l("Score every indicator from 0 to 100.")), errors)
    existing = {s.indicator_id: s for s in nomination.scores}
    for indicator in indicators:
        row = existing.get(indicator.id) or NominationScore(indicator_id=indicator.id)
        row.score = scores[indicator.id]
        row.scorer_id = actor.id
        if row.id is None:
            nomination.scores.append(row)
    before = {"status": nomination.status, "total_score": nomination.total_score}
    nomination.total_score = weighted_total(scores, indicators)
    nomination.status = "scored"
    db.session.flush()
    audit.record(
        actor,
        "nomination.score",
        nomination,
        before=before,
        after={"status": "scored", "total_score": nomination.total_score, "scores": str(scores)},
    )
    return nomination


def publish_nomination(actor, nomination: Nomination) -> Nomination:
    """Publish a scored nomination on the school's page; raises Forbidden or InvalidState."""
    _require_region_admin(actor)
    if nomination.status != "scored":
        raise InvalidState(str(_l("Only a scored nomination can be published.")))
    nomination.status = "published"
    nomination.published_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        "nomination.publish",
        nomination,
        before={"status": "scored"},
        after={"status": "published", "total_score": nomination.total_score},
    )
    return nomination


# --- seed ---------------------------------------------------------------------------------

PLAN_PHASES = (
    (1, "第一阶段", date(2022, 4, 1), date(2023, 7, 31)),
    (2, "第二阶段", date(2023, 9, 1), date(2024, 12, 31)),
    (3, "第三阶段", date(2024, 7, 1), date(2025, 7, 31)),
)
PLAN_TARGETS = {"majors": 20, "schools": 10, "teachers": 200}


def seed_plan() -> dict[str, int]:
    """Create what the plan states when missing: its three phases (a batch each) and its
    targets (20 majors, 10 schools, 200 teachers by the end of the 14th five-year plan).
    The per-school limits (3 / 2) are the batches' defaults. Research bases and evaluation
    indicators are the region's to choose: the plan names none."""
    created = {"phases": 0, "batches": 0, "targets": 0}
    for number, name, starts, ends in PLAN_PHASES:
        phase = db.session.scalar(select(Phase).where(Phase.number == number))
        if phase is None:
            phase = Phase(number=number, name=name, starts_on=starts, ends_on=ends)
            db.session.add(phase)
            db.session.flush()
            created["phases"] += 1
        has_batch = db.session.scalar(
            select(func.count(Batch.id)).where(Batch.phase_id == phase.id)
        )
        if not has_batch:
            db.session.add(
                Batch(phase_id=phase.id, name=f"{name}第一批", opens_on=starts, closes_on=ends)
            )
            created["batches"] += 1
    existing = set(db.session.scalars(select(Target.key)))
    for key, value in PLAN_TARGETS.items():
        if key not in existing:
            db.session.add(Target(key=key, value=value, due_on=date(2025, 12, 31)))
            created["targets"] += 1
    db.session.flush()
    return created


def get_or_404(model, ident: int):
    """The row or NotFound (for services called from the CLI)."""
    row = db.session.get(model, ident)
    if row is None:
        raise NotFound(str(_l("Not found.")))
    return row
