"""Construction of selected integrated majors (建设进度): the five milestones a finally selected
major records with their evidence files, the progress list of selected majors and the
dashboard's construction figures. Services flush, never commit; every change is audited."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.common import audit, audit_labels
from app.common.errors import Conflict, Forbidden, InvalidState, ValidationFailed
from app.common.exports import Column
from app.common.time import local_today
from app.extensions import db
from app.programme.forms import APPLICATION_STATUS_LABELS
from app.programme.models import (
    MILESTONE_KINDS,
    SELECTED_STATUSES,
    Batch,
    BatchApplication,
    Milestone,
    MilestoneFile,
    Phase,
)
from app.programme.queries import _like, final_selection, scope_of
from app.reference.models import Region
from app.registry.models import School, SchoolMajor
from app.resources import storage

#: The plan's words for each milestone (translated; zh_Hans_CN gives the plan's own terms).
MILESTONE_LABELS = {
    "curriculum": _l("Curriculum built to the national standard"),
    "venue": _l("Integrated teaching venue ready"),
    "teachers_trained": _l("Teacher training completed"),
    "resources_reviewed": _l("Teaching resource package reviewed"),
    "first_cohort": _l("First cohort enrolled"),
}
#: Progress filter of the list: none recorded, some, all five.
PROGRESS_LABELS = {
    "none": _l("Not started"),
    "partial": _l("Some done"),
    "complete": _l("All five done"),
}
NOTE_MAX = 2000
#: Evidence files a milestone may hold in all.
MAX_FILES_PER_MILESTONE = 10
#: No milestone is dated before this day (a mistyped year is refused).
EARLIEST_DAY = date(2000, 1, 1)

audit_labels.RECORD_LABELS.update(
    {
        "Milestone": _l("Construction milestone"),
        "milestone": _l("Construction milestone"),
    }
)
audit_labels.VERB_LABELS.setdefault("record", _l("recorded"))
audit_labels.VERB_LABELS.setdefault("evidence", _l("evidence added"))


def milestone_label(kind: str) -> str:
    """A milestone kind in words."""
    return str(MILESTONE_LABELS.get(kind, kind))


# --- who may do what ----------------------------------------------------------------------


def accepts_milestones(application: BatchApplication, today: date) -> bool:
    """True when the major is finally selected: selected (or later), its batch's notice over
    and every objection answered."""
    from app.programme.services import selection_final

    return application.status in SELECTED_STATUSES and selection_final(application.batch, today)


def can_record(user, application: BatchApplication) -> bool:
    """Only members of the major's own school record its milestones."""
    return bool(user and getattr(user, "is_authenticated", False)) and (
        application.school.is_member(user)
    )


# --- recording ----------------------------------------------------------------------------


@dataclass
class Upload:
    """One evidence file as received: its stream and the name the user gave it."""

    stream: IO[bytes]
    filename: str | None


def _check(kind: Any, achieved_on: Any, note: Any, today: date) -> str | None:
    """Field errors of a milestone's values (ValidationFailed naming each field)."""
    errors: dict[str, str] = {}
    if kind not in MILESTONE_KINDS:
        errors["kind"] = str(_l("Choose one of the five milestones."))
    if not isinstance(achieved_on, date):
        errors["achieved_on"] = str(_l("Give the day the milestone was reached."))
    elif achieved_on > today:
        errors["achieved_on"] = str(_l("The day cannot be in the future (Beijing time)."))
    elif achieved_on < EARLIEST_DAY:
        errors["achieved_on"] = str(_l("Give a day from the year 2000 on."))
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        errors["note"] = str(_l("At most %(n)s characters.", n=NOTE_MAX))
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors)
    return note


def _league_admins(region_code: str) -> list:
    from app.auth.models import User

    stmt = select(User).where(
        User.role == "league_admin", User.region_code == region_code, User.active.is_(True)
    )
    return list(db.session.scalars(stmt.order_by(User.id)))


def _notify_league(application: BatchApplication, milestone: Milestone) -> None:
    """Tell the administrators of the school's league that a milestone was recorded."""
    from app.notifications.services import notify

    notify(
        _league_admins(application.school.region_code),
        "milestone_recorded",
        {
            "school": application.school.name,
            "major": application.school_major.major.name,
            "milestone": milestone_label(milestone.kind),
            "achieved_on": milestone.achieved_on.isoformat(),
        },
        link=f"/programme/construction/{application.id}",
    )


def record_milestone(
    actor,
    application: BatchApplication,
    data: dict[str, Any],
    uploads: Iterable[Upload] = (),
    today: date | None = None,
) -> tuple[Milestone, bool]:
    """Record a milestone of a finally selected major (or correct its day and note), adding
    any evidence files; returns (milestone, created).

    Raises Forbidden (not the school's member), ValidationFailed naming the field (kind,
    achieved_on, note, files), InvalidState (the major is not finally selected), Conflict or
    storage.TooLarge. Files already written are removed when anything fails.
    """
    today = today or local_today()
    if not can_record(actor, application):
        raise Forbidden(str(_l("Only the school's own staff record its construction.")))
    kind, achieved_on = data.get("kind"), data.get("achieved_on")
    note = _check(kind, achieved_on, data.get("note"), today)
    if not accepts_milestones(application, today):
        raise InvalidState(
            str(_l("Only a finally selected integrated major records construction milestones."))
        )
    uploads = [u for u in uploads if u is not None and (u.filename or "").strip()]
    milestone = db.session.scalar(
        select(Milestone).where(Milestone.application_id == application.id, Milestone.kind == kind)
    )
    created = milestone is None
    held = 0 if created else len(milestone.files)
    if held + len(uploads) > MAX_FILES_PER_MILESTONE:
        message = str(_l("At most %(n)s evidence files per milestone.", n=MAX_FILES_PER_MILESTONE))
        raise ValidationFailed(message, {"files": message})
    before = None if created else {"achieved_on": milestone.achieved_on, "note": milestone.note}
    if created:
        milestone = Milestone(application_id=application.id, kind=kind)
        db.session.add(milestone)
    milestone.achieved_on, milestone.note, milestone.recorded_by_id = achieved_on, note, actor.id
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        message = str(_l("This milestone was recorded at the same time; reload and try again."))
        raise Conflict(message, {"kind": message}) from exc
    after = {"kind": kind, "achieved_on": achieved_on, "note": note}
    if created or before != {"achieved_on": achieved_on, "note": note}:
        audit.record(
            actor,
            "milestone.record" if created else "milestone.update",
            milestone,
            before=before,
            after={**after, "application_id": application.id},
        )
    _store_evidence(actor, milestone, uploads)
    if created:
        _notify_league(application, milestone)
    return milestone, created


def _store_evidence(actor, milestone: Milestone, uploads: list[Upload]) -> None:
    """Write each upload (checked by name, content and size) and add its row; on any failure
    the files written so far are removed and the error raised."""
    written: list[str] = []
    try:
        for upload in uploads:
            stored = storage.save(upload.stream, upload.filename)
            written.append(stored.stored_name)
            row = MilestoneFile(
                milestone=milestone,
                original_name=stored.original_name,
                stored_name=stored.stored_name,
                file_type=stored.file_type,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                uploaded_by_id=actor.id,
            )
            db.session.add(row)
            db.session.flush()
            audit.record(
                actor,
                "milestone.evidence",
                milestone,
                after={"file_id": row.id, "name": stored.original_name, "size": stored.size},
            )
    except BaseException as exc:
        for name in written:
            storage.remove(name)
        if isinstance(exc, ValidationFailed) and "file" in (exc.fields or {}):
            raise ValidationFailed(exc.message, {"files": exc.message}) from exc
        raise


# --- reading ------------------------------------------------------------------------------


def milestones_of(application: BatchApplication) -> dict[str, Milestone]:
    """The application's recorded milestones by kind, with their files (two queries)."""
    stmt = (
        select(Milestone)
        .options(selectinload(Milestone.files))
        .where(Milestone.application_id == application.id)
    )
    return {m.kind: m for m in db.session.scalars(stmt)}


def evidence_file(application: BatchApplication, file_id: int) -> MilestoneFile | None:
    """The evidence file when it belongs to one of the application's milestones, else None."""
    return db.session.scalar(
        select(MilestoneFile)
        .join(Milestone, Milestone.id == MilestoneFile.milestone_id)
        .where(MilestoneFile.id == file_id, Milestone.application_id == application.id)
    )


def progress_subquery():
    """application_id → milestones done and the day of each kind, in one grouped query."""
    return (
        select(
            Milestone.application_id.label("application_id"),
            func.count(Milestone.id).label("done"),
            *(
                func.max(case((Milestone.kind == kind, Milestone.achieved_on))).label(kind)
                for kind in MILESTONE_KINDS
            ),
        )
        .group_by(Milestone.application_id)
        .subquery()
    )


@dataclass(frozen=True)
class ConstructionFilters:
    """Filters of the construction-progress list (all optional)."""

    region_code: str | None = None
    phase_id: int | None = None
    batch_id: int | None = None
    status: str | None = None
    progress: str | None = None
    q: str | None = None


def progress_list(user, filters: ConstructionFilters, today: date | None = None) -> Select:
    """Rows (BatchApplication, done, one day per kind) of finally selected majors in the
    user's scope: a school its own, a league administrator its league, the region all."""
    sub = progress_subquery()
    done = func.coalesce(sub.c.done, 0)
    stmt = (
        select(BatchApplication, done.label("done"), *(sub.c[k] for k in MILESTONE_KINDS))
        .join(School, School.id == BatchApplication.school_id)
        .join(Batch, Batch.id == BatchApplication.batch_id)
        .outerjoin(sub, sub.c.application_id == BatchApplication.id)
        .where(final_selection(today))
        .options(
            selectinload(BatchApplication.school).selectinload(School.region),
            selectinload(BatchApplication.school_major).selectinload(SchoolMajor.major),
            selectinload(BatchApplication.batch).selectinload(Batch.phase),
        )
    )
    if user.role == "school":
        stmt = stmt.where(BatchApplication.school_id == (user.school_id or -1))
    elif scope_of(user):
        stmt = stmt.where(School.region_code == scope_of(user))
    if filters.region_code:
        stmt = stmt.where(School.region_code == filters.region_code)
    if filters.phase_id:
        stmt = stmt.where(Batch.phase_id == filters.phase_id)
    if filters.batch_id:
        stmt = stmt.where(BatchApplication.batch_id == filters.batch_id)
    if filters.status in SELECTED_STATUSES:
        stmt = stmt.where(BatchApplication.status == filters.status)
    if filters.progress == "none":
        stmt = stmt.where(done == 0)
    elif filters.progress == "partial":
        stmt = stmt.where(done > 0, done < len(MILESTONE_KINDS))
    elif filters.progress == "complete":
        stmt = stmt.where(done >= len(MILESTONE_KINDS))
    if filters.q:
        stmt = stmt.where(School.name.ilike(_like(filters.q), escape="\\"))
    return stmt.order_by(School.region_code, School.name, BatchApplication.id)


def _figures(key, scope: str | None) -> dict[Any, dict[str, int]]:
    """key value → selected majors, milestones done, majors with all five, in one query."""
    sub = progress_subquery()
    done = func.coalesce(sub.c.done, 0)
    stmt = (
        select(
            key,
            func.count(BatchApplication.id),
            func.coalesce(func.sum(done), 0),
            func.coalesce(func.sum(case((done >= len(MILESTONE_KINDS), 1), else_=0)), 0),
        )
        .join(School, School.id == BatchApplication.school_id)
        .join(Batch, Batch.id == BatchApplication.batch_id)
        .outerjoin(sub, sub.c.application_id == BatchApplication.id)
        .where(final_selection())
        .group_by(key)
    )
    if scope:
        stmt = stmt.where(School.region_code == scope)
    return {
        k: {"majors": int(m), "milestones": int(n), "complete": int(c)}
        for k, m, n, c in db.session.execute(stmt)
    }


def _share(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def dashboard_figures(scope: str | None) -> dict[str, Any]:
    """Construction progress by league and by phase: finally selected majors, milestones
    done (of five per major) and majors with all five done; grouped queries only."""
    empty = {"majors": 0, "milestones": 0, "complete": 0}
    leagues = select(Region).order_by(Region.code)
    if scope:
        leagues = leagues.where(Region.code == scope)
    by_league = _figures(School.region_code, scope)
    by_phase = _figures(Batch.phase_id, scope)
    total = {k: sum(v[k] for v in by_league.values()) for k in empty}
    per_major = len(MILESTONE_KINDS)
    total["percent"] = _share(total["milestones"], total["majors"] * per_major)
    return {
        "milestones_per_major": per_major,
        "total": total,
        "by_league": [
            {"region_code": r.code, "name": r.name, **by_league.get(r.code, empty)}
            for r in db.session.scalars(leagues)
        ],
        "by_phase": [
            {"phase_id": p.id, "number": p.number, "name": p.name, **by_phase.get(p.id, empty)}
            for p in db.session.scalars(select(Phase).order_by(Phase.number))
        ],
    }


# --- export -------------------------------------------------------------------------------


def _status(row) -> str:
    return str(APPLICATION_STATUS_LABELS.get(row[0].status, row[0].status))


PROGRESS_COLUMNS = [
    Column(_l("Id"), lambda r: r[0].id),
    Column(_l("Batch"), lambda r: r[0].batch.name),
    Column(_l("Phase"), lambda r: r[0].batch.phase.name),
    Column(_l("School"), lambda r: r[0].school.name),
    Column(_l("League or city"), lambda r: r[0].school.region.name),
    Column(_l("Integrated major"), lambda r: r[0].school_major.major.name),
    Column(_l("Status"), _status),
    Column(_l("Milestones done"), lambda r: int(r.done)),
    *(
        Column(MILESTONE_LABELS[kind], lambda r, kind=kind: getattr(r, kind))
        for kind in MILESTONE_KINDS
    ),
]
