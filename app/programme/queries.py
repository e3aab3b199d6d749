"""Read queries of the programme: list pages (each a select statement the page paginates and
the export streams) and the dashboard's figures, scoped to a league for league administrators."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, and_, distinct, func, or_, select
from sqlalchemy.orm import selectinload

from app.common.cache import cached, watch
from app.common.models import AuditEvent
from app.common.time import local_midnight, local_today
from app.cooperation.models import Pairing, Placement, Practice
from app.extensions import db
from app.programme.models import (
    QUALIFIED_STATUSES,
    SELECTED_STATUSES,
    Batch,
    BatchApplication,
    GraduateOutcome,
    LimitException,
    Milestone,
    Nomination,
    Objection,
    PartTimeTeacher,
    Phase,
    ResearchBase,
    Target,
    TeacherStatus,
    TeachingHours,
    TrainingRecord,
)
from app.reference.models import Region
from app.registry.models import Enterprise, Host, School, SchoolMajor, Teacher
from app.rounds.models import MatchRound


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def scope_of(user) -> str | None:
    """The league a user's figures are limited to (None: the whole region)."""
    if user is not None and getattr(user, "role", None) == "league_admin":
        return user.region_code
    return None


# --- batches ------------------------------------------------------------------------------


def batches(phase_id: int | None = None) -> Select:
    """Batches, newest first, with their phase."""
    stmt = select(Batch).options(selectinload(Batch.phase))
    if phase_id:
        stmt = stmt.where(Batch.phase_id == phase_id)
    return stmt.order_by(Batch.opens_on.desc(), Batch.id.desc())


@dataclass(frozen=True)
class ApplicationFilters:
    """Filters of the batch-application list (all optional)."""

    batch_id: int | None = None
    phase_id: int | None = None
    status: str | None = None
    region_code: str | None = None
    school_id: int | None = None
    q: str | None = None


def applications(user, filters: ApplicationFilters) -> Select:
    """Batch applications the user may see: a school its own, an admin those of its league."""
    stmt = (
        select(BatchApplication)
        .join(School, School.id == BatchApplication.school_id)
        .join(Batch, Batch.id == BatchApplication.batch_id)
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
    if filters.batch_id:
        stmt = stmt.where(BatchApplication.batch_id == filters.batch_id)
    if filters.phase_id:
        stmt = stmt.where(Batch.phase_id == filters.phase_id)
    if filters.status == "selected_all":
        stmt = stmt.where(BatchApplication.status.in_(SELECTED_STATUSES))
    elif filters.status:
        stmt = stmt.where(BatchApplication.status == filters.status)
    if filters.region_code:
        stmt = stmt.where(School.region_code == filters.region_code)
    if filters.school_id:
        stmt = stmt.where(BatchApplication.school_id == filters.school_id)
    if filters.q:
        stmt = stmt.where(School.name.ilike(_like(filters.q), escape="\\"))
    return stmt.order_by(Batch.opens_on.desc(), School.name, BatchApplication.id)


def notices() -> Select:
    """Batches whose selection has been published for public notice, newest first."""
    return (
        select(Batch)
        .options(selectinload(Batch.phase))
        .where(Batch.notice_published_at.is_not(None))
        .order_by(Batch.notice_starts_on.desc(), Batch.id.desc())
    )


def noticed_selection(batch: Batch) -> list[BatchApplication]:
    """The batch's selected majors (and withdrawn selections) as the public notice lists them."""
    stmt = (
        select(BatchApplication)
        .join(School, School.id == BatchApplication.school_id)
        .options(
            selectinload(BatchApplication.school).selectinload(School.region),
            selectinload(BatchApplication.school_major).selectinload(SchoolMajor.major),
        )
        .where(
            BatchApplication.batch_id == batch.id,
            BatchApplication.status.in_((*SELECTED_STATUSES, "withdrawn")),
        )
        .order_by(School.region_code, School.name, BatchApplication.id)
    )
    return list(db.session.scalars(stmt))


def objections(user, status: str | None = None, batch_id: int | None = None) -> Select:
    """Objections: the region administrator sees all, a league administrator its league's."""
    stmt = (
        select(Objection)
        .join(BatchApplication, BatchApplication.id == Objection.application_id)
        .join(School, School.id == BatchApplication.school_id)
        .options(
            selectinload(Objection.batch),
            selectinload(Objection.application)
            .selectinload(BatchApplication.school_major)
            .selectinload(SchoolMajor.major),
            selectinload(Objection.application).selectinload(BatchApplication.school),
        )
    )
    if scope_of(user):
        stmt = stmt.where(School.region_code == scope_of(user))
    if status:
        stmt = stmt.where(Objection.status == status)
    if batch_id:
        stmt = stmt.where(Objection.batch_id == batch_id)
    return stmt.order_by(Objection.created_at.desc(), Objection.id.desc())


def outcomes(user, year: int | None = None) -> Select:
    """Graduate outcomes: a school its own, an administrator those of its league."""
    stmt = (
        select(GraduateOutcome)
        .join(SchoolMajor, SchoolMajor.id == GraduateOutcome.school_major_id)
        .join(School, School.id == SchoolMajor.school_id)
        .options(
            selectinload(GraduateOutcome.school_major).selectinload(SchoolMajor.major),
            selectinload(GraduateOutcome.school_major)
            .selectinload(SchoolMajor.school)
            .selectinload(School.region),
        )
    )
    if user.role == "school":
        stmt = stmt.where(School.id == (user.school_id or -1))
    elif scope_of(user):
        stmt = stmt.where(School.region_code == scope_of(user))
    if year:
        stmt = stmt.where(GraduateOutcome.year == year)
    return stmt.order_by(GraduateOutcome.year.desc(), School.name, GraduateOutcome.id)


OUTCOME_SUMS = ("cohort", "certified_route", "certified_exam", "employed", "employed_partner")


def _outcome_totals(key, scope: str | None, year: int) -> dict[Any, dict[str, int]]:
    """key value → summed figures of the year, in one grouped query."""
    stmt = (
        select(key, *(func.sum(getattr(GraduateOutcome, f)) for f in OUTCOME_SUMS))
        .join(SchoolMajor, SchoolMajor.id == GraduateOutcome.school_major_id)
        .join(School, School.id == SchoolMajor.school_id)
        .where(GraduateOutcome.year == year)
        .group_by(key)
    )
    if scope:
        stmt = stmt.where(School.region_code == scope)
    return {
        row[0]: {f: int(v or 0) for f, v in zip(OUTCOME_SUMS, row[1:], strict=True)}
        for row in db.session.execute(stmt)
    }


def _outcomes(scope: str | None) -> dict[str, Any]:
    """Graduate outcomes of the latest returned year against the year before, by league and
    by catalogue major."""
    latest = db.session.scalar(select(func.max(GraduateOutcome.year)))
    if latest is None:
        return {"year": None, "previous_year": None, "by_league": [], "by_major": []}
    empty = dict.fromkeys(OUTCOME_SUMS, 0)
    names = {r.code: r.name for r in db.session.scalars(select(Region))}
    from app.reference.models import Major

    result: dict[str, Any] = {"year": latest, "previous_year": latest - 1}
    for name, key, label in (
        ("by_league", School.region_code, lambda k: names.get(k, k)),
        ("by_major", SchoolMajor.major_id, None),
    ):
        now, before = _outcome_totals(key, scope, latest), _outcome_totals(key, scope, latest - 1)
        majors = (
            {m.id: m.name for m in db.session.scalars(select(Major).where(Major.id.in_(now)))}
            if label is None
            else {}
        )
        result[name] = [
            {
                "key": k,
                "name": label(k) if label else majors.get(k, str(k)),
                "year": now[k],
                "previous": before.get(k, empty),
            }
            for k in sorted(now, key=lambda k: str(k))
        ]
    return result


def limit_exceptions(batch: Batch) -> list[LimitException]:
    """The batch's per-school exceptions to its limit."""
    stmt = (
        select(LimitException)
        .options(selectinload(LimitException.school))
        .where(LimitException.batch_id == batch.id)
        .order_by(LimitException.id)
    )
    return list(db.session.scalars(stmt))


def applicable_majors(school_id: int, batch: Batch) -> list[SchoolMajor]:
    """The school's active integrated majors not yet applied to the batch."""
    applied = select(BatchApplication.school_major_id).where(BatchApplication.batch_id == batch.id)
    stmt = (
        select(SchoolMajor)
        .options(selectinload(SchoolMajor.major))
        .where(
            SchoolMajor.school_id == school_id,
            SchoolMajor.active.is_(True),
            SchoolMajor.id.not_in(applied),
        )
        .order_by(SchoolMajor.id)
    )
    return list(db.session.scalars(stmt))


# --- teachers -----------------------------------------------------------------------------


def practice_cutoff(today: date | None = None) -> date:
    """The first day of the practice rule's window (PRACTICE_RULE_YEARS back from today)."""
    today = today or local_today()
    years = current_app.config["PRACTICE_RULE_YEARS"]
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def practice_days_subquery(today: date | None = None):
    """teacher_id → confirmed practice days within the rule's window."""
    cutoff = practice_cutoff(today)
    return (
        select(Practice.teacher_id, func.sum(Practice.days_confirmed).label("days"))
        .where(func.coalesce(Practice.ended_on, Practice.started_on) >= cutoff)
        .group_by(Practice.teacher_id)
        .subquery()
    )


@dataclass(frozen=True)
class TeacherFilters:
    """Filters of the teacher-development list."""

    q: str | None = None
    region_code: str | None = None
    school_id: int | None = None
    status: str | None = None
    practice: str | None = None


def teachers(user, filters: TeacherFilters, today: date | None = None) -> Select:
    """Rows (Teacher, status, practice days, training hours) in the user's scope."""
    days = practice_days_subquery(today)
    hours = (
        select(TrainingRecord.teacher_id, func.sum(TrainingRecord.hours).label("hours"))
        .group_by(TrainingRecord.teacher_id)
        .subquery()
    )
    status = func.coalesce(TeacherStatus.status, "none")
    stmt = (
        select(
            Teacher,
            status.label("status"),
            func.coalesce(days.c.days, 0).label("practice_days"),
            func.coalesce(hours.c.hours, 0).label("training_hours"),
        )
        .join(School, School.id == Teacher.school_id)
        .outerjoin(TeacherStatus, TeacherStatus.teacher_id == Teacher.id)
        .outerjoin(days, days.c.teacher_id == Teacher.id)
        .outerjoin(hours, hours.c.teacher_id == Teacher.id)
        .options(selectinload(Teacher.school).selectinload(School.region))
    )
    if user.role == "school":
        stmt = stmt.where(Teacher.school_id == (user.school_id or -1))
    elif scope_of(user):
        stmt = stmt.where(School.region_code == scope_of(user))
    if filters.q:
        stmt = stmt.where(Teacher.name.ilike(_like(filters.q), escape="\\"))
    if filters.region_code:
        stmt = stmt.where(School.region_code == filters.region_code)
    if filters.school_id:
        stmt = stmt.where(Teacher.school_id == filters.school_id)
    if filters.status == "qualified":
        stmt = stmt.where(status.in_(QUALIFIED_STATUSES))
    elif filters.status:
        stmt = stmt.where(status == filters.status)
    rule = current_app.config["PRACTICE_RULE_DAYS"]
    if filters.practice == "meeting":
        stmt = stmt.where(func.coalesce(days.c.days, 0) >= rule)
    elif filters.practice == "short":
        stmt = stmt.where(func.coalesce(days.c.days, 0) < rule)
    return stmt.order_by(School.name, Teacher.name, Teacher.id)


def workload(user, term: str | None, region_code: str | None = None) -> Select:
    """Rows (TeachingHours, weighted) where integrated hours count FACTOR times."""
    factor = integrated_factor()
    weighted = TeachingHours.ordinary_hours + TeachingHours.integrated_hours * factor
    stmt = (
        select(TeachingHours, weighted.label("weighted"))
        .join(Teacher, Teacher.id == TeachingHours.teacher_id)
        .join(School, School.id == Teacher.school_id)
        .options(selectinload(TeachingHours.teacher).selectinload(Teacher.school))
    )
    if user.role == "school":
        stmt = stmt.where(Teacher.school_id == (user.school_id or -1))
    elif scope_of(user):
        stmt = stmt.where(School.region_code == scope_of(user))
    if term:
        stmt = stmt.where(TeachingHours.term == term)
    if region_code:
        stmt = stmt.where(School.region_code == region_code)
    return stmt.order_by(TeachingHours.term.desc(), School.name, Teacher.name)


def integrated_factor() -> float:
    """How much an integrated-major teaching hour counts (1.4 by default)."""
    return float(current_app.config.get("INTEGRATED_HOURS_FACTOR", 1.4))


def training_records(teacher_id: int) -> list[TrainingRecord]:
    """A teacher's training records, newest first."""
    stmt = (
        select(TrainingRecord)
        .options(selectinload(TrainingRecord.research_base))
        .where(TrainingRecord.teacher_id == teacher_id)
        .order_by(TrainingRecord.completed_on.desc(), TrainingRecord.id.desc())
    )
    return list(db.session.scalars(stmt))


def part_timers(user, q: str | None = None, active: str | None = None) -> Select:
    """Part-time integrated teachers in the user's scope (active: "yes" or "no")."""
    stmt = (
        select(PartTimeTeacher)
        .join(School, School.id == PartTimeTeacher.school_id)
        .options(
            selectinload(PartTimeTeacher.school),
            selectinload(PartTimeTeacher.enterprise),
            selectinload(PartTimeTeacher.occupation),
        )
    )
    if user.role == "school":
        stmt = stmt.where(PartTimeTeacher.school_id == (user.school_id or -1))
    elif scope_of(user):
        stmt = stmt.where(School.region_code == scope_of(user))
    if q:
        stmt = stmt.where(PartTimeTeacher.name.ilike(_like(q), escape="\\"))
    if active in ("yes", "no"):
        stmt = stmt.where(PartTimeTeacher.active.is_(active == "yes"))
    return stmt.order_by(PartTimeTeacher.active.desc(), School.name, PartTimeTeacher.name)


def research_bases() -> Select:
    """Rows (ResearchBase, training records naming it), bases in use first."""
    used = (
        select(TrainingRecord.research_base_id, func.count(TrainingRecord.id).label("records"))
        .group_by(TrainingRecord.research_base_id)
        .subquery()
    )
    return (
        select(ResearchBase, func.coalesce(used.c.records, 0).label("records"))
        .outerjoin(used, used.c.research_base_id == ResearchBase.id)
        .options(selectinload(ResearchBase.region))
        .order_by(ResearchBase.active.desc(), ResearchBase.name)
    )


# --- evaluations --------------------------------------------------------------------------


def nominations(user, category: str | None = None, status: str | None = None) -> Select:
    """Nominations: a school its own, administrators those of their scope."""
    stmt = (
        select(Nomination)
        .join(School, School.id == Nomination.school_id)
        .options(selectinload(Nomination.school), selectinload(Nomination.school_major))
    )
    if user.role == "school":
        stmt = stmt.where(Nomination.school_id == (user.school_id or -1))
    elif scope_of(user):
        stmt = stmt.where(School.region_code == scope_of(user))
    if category:
        stmt = stmt.where(Nomination.category == category)
    if status:
        stmt = stmt.where(Nomination.status == status)
    return stmt.order_by(Nomination.created_at.desc(), Nomination.id.desc())


def published_results(school_id: int) -> list[Nomination]:
    """A school's published evaluation results, best first."""
    stmt = (
        select(Nomination)
        .where(Nomination.school_id == school_id, Nomination.status == "published")
        .order_by(Nomination.category, Nomination.total_score.desc())
    )
    return list(db.session.scalars(stmt))


# --- integrated majors and placements (records behind dashboard figures) ------------------


def _active_pairing():
    return select(Pairing.id).where(
        Pairing.school_major_id == SchoolMajor.id, Pairing.status == "active"
    )


def integrated_majors(user, paired: str | None = None, region_code: str | None = None) -> Select:
    """Active integrated majors of approved schools, with whether an active pairing exists."""
    has_pairing = _active_pairing().exists()
    stmt = (
        select(SchoolMajor, has_pairing.label("paired"))
        .join(School, School.id == SchoolMajor.school_id)
        .where(SchoolMajor.active.is_(True), School.status == "approved")
        .options(selectinload(SchoolMajor.school), selectinload(SchoolMajor.major))
    )
    scope = scope_of(user) or region_code
    if scope:
        stmt = stmt.where(School.region_code == scope)
    if paired == "yes":
        stmt = stmt.where(has_pairing)
    elif paired == "no":
        stmt = stmt.where(~has_pairing)
    return stmt.order_by(School.name, SchoolMajor.id)


def placements(user, region_code: str | None = None) -> Select:
    """Published placements (open or closed) with their seats taken."""
    stmt = (
        select(Placement)
        .where(Placement.status.in_(("open", "closed")))
        .options(selectinload(Placement.host).selectinload(Host.enterprise))
    )
    scope = scope_of(user) or region_code
    if scope:
        stmt = stmt.where(Placement.host_id.in_(select(Host.id).where(Host.region_code == scope)))
    # ix_placement_starts_on_id covers the order and the filters: deep pages walk the index
    return stmt.order_by(Placement.starts_on.desc(), Placement.id)


# --- audit log ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    """Search and filters of the audit log."""

    actor: str | None = None
    action: str | None = None
    target: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def _shanghai_day_start(day: date) -> datetime:
    """Midnight in Asia/Shanghai as an aware UTC datetime."""
    return local_midnight(day)


def audit_actions() -> list[str]:
    """The action codes the log holds, for the action filter."""
    return list(db.session.scalars(select(AuditEvent.action).distinct()))


def audit_events(filters: AuditFilters) -> Select:
    """Audit events, newest first; dates are days in Asia/Shanghai."""
    stmt = select(AuditEvent)
    if filters.actor:
        stmt = stmt.where(AuditEvent.actor_email.ilike(_like(filters.actor), escape="\\"))
    if filters.action:
        stmt = stmt.where(AuditEvent.action.ilike(_like(filters.action), escape="\\"))
    if filters.target:
        kind, _sep, ident = filters.target.partition(":")
        clause = AuditEvent.target_type.ilike(_like(kind.strip()), escape="\\")
        if ident.strip():
            clause = and_(clause, AuditEvent.target_id == ident.strip())
        stmt = stmt.where(or_(clause, AuditEvent.target_id == filters.target.strip()))
    if filters.date_from:
        stmt = stmt.where(AuditEvent.at >= _shanghai_day_start(filters.date_from))
    if filters.date_to:
        stmt = stmt.where(AuditEvent.at < _shanghai_day_start(filters.date_to + timedelta(days=1)))
    return stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


# --- dashboard ----------------------------------------------------------------------------


def _count(stmt) -> int:
    return int(db.session.scalar(stmt) or 0)


def final_selection(today: date | None = None):
    """Condition on BatchApplication joined with Batch: selected (or further), and the batch's
    public notice is over with every objection answered. Computed on read everywhere."""
    today = today or local_today()
    pending = (
        select(Objection.id)
        .where(Objection.batch_id == Batch.id, Objection.status == "open")
        .exists()
    )
    return and_(
        BatchApplication.status.in_(SELECTED_STATUSES),
        Batch.notice_ends_on.is_not(None),
        Batch.notice_ends_on < today,
        ~pending,
    )


def _selected(scope: str | None, phase_id: int | None = None):
    stmt = (
        select(BatchApplication)
        .join(School, School.id == BatchApplication.school_id)
        .join(Batch, Batch.id == BatchApplication.batch_id)
        .where(final_selection())
    )
    if scope:
        stmt = stmt.where(School.region_code == scope)
    if phase_id:
        stmt = stmt.where(Batch.phase_id == phase_id)
    return stmt.subquery()


def actual_majors(scope: str | None, phase_id: int | None = None) -> int:
    """Distinct integrated majors selected (or further) in any batch."""
    sub = _selected(scope, phase_id)
    return _count(select(func.count(distinct(sub.c.school_major_id))))


def actual_schools(scope: str | None, phase_id: int | None = None) -> int:
    """Distinct schools with at least one selected major."""
    sub = _selected(scope, phase_id)
    return _count(select(func.count(distinct(sub.c.school_id))))


def actual_teachers(scope: str | None) -> int:
    """Teachers whose integrated-teacher status is trained or certified."""
    stmt = (
        select(func.count(TeacherStatus.teacher_id))
        .join(Teacher, Teacher.id == TeacherStatus.teacher_id)
        .join(School, School.id == Teacher.school_id)
        .where(TeacherStatus.status.in_(QUALIFIED_STATUSES))
    )
    if scope:
        stmt = stmt.where(School.region_code == scope)
    return _count(stmt)


def _share(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _targets(scope: str | None) -> dict[str, dict[str, Any]]:
    values = {t.key: t.value for t in db.session.scalars(select(Target))}
    actual = {
        "majors": actual_majors(scope),
        "schools": actual_schools(scope),
        "teachers": actual_teachers(scope),
    }
    return {
        key: {
            "target": values.get(key, 0),
            "actual": actual[key],
            "percent": _share(actual[key], values.get(key, 0)),
        }
        for key in ("majors", "schools", "teachers")
    }


def _selected_counts(key, scope: str | None) -> dict[Any, tuple[int, int]]:
    """key value → (distinct selected majors, distinct schools), in one grouped query."""
    stmt = (
        select(
            key,
            func.count(distinct(BatchApplication.school_major_id)),
            func.count(distinct(BatchApplication.school_id)),
        )
        .join(School, School.id == BatchApplication.school_id)
        .join(Batch, Batch.id == BatchApplication.batch_id)
        .where(final_selection())
        .group_by(key)
    )
    if scope:
        stmt = stmt.where(School.region_code == scope)
    return {k: (int(m), int(n)) for k, m, n in db.session.execute(stmt)}


def _qualified_by_league(scope: str | None) -> dict[str, int]:
    stmt = (
        select(School.region_code, func.count(TeacherStatus.teacher_id))
        .join(Teacher, Teacher.id == TeacherStatus.teacher_id)
        .join(School, School.id == Teacher.school_id)
        .where(TeacherStatus.status.in_(QUALIFIED_STATUSES))
        .group_by(School.region_code)
    )
    if scope:
        stmt = stmt.where(School.region_code == scope)
    return {code: int(n) for code, n in db.session.execute(stmt)}


def _by_league(scope: str | None) -> list[dict[str, Any]]:
    leagues = select(Region).order_by(Region.code)
    if scope:
        leagues = leagues.where(Region.code == scope)
    selected = _selected_counts(School.region_code, scope)
    teachers_by = _qualified_by_league(scope)
    return [
        {
            "region_code": r.code,
            "name": r.name,
            "majors": selected.get(r.code, (0, 0))[0],
            "schools": selected.get(r.code, (0, 0))[1],
            "teachers": teachers_by.get(r.code, 0),
        }
        for r in db.session.scalars(leagues)
    ]


def _by_phase(scope: str | None) -> list[dict[str, Any]]:
    applied = (
        select(Batch.phase_id, func.count(BatchApplication.id))
        .join(Batch, Batch.id == BatchApplication.batch_id)
        .join(School, School.id == BatchApplication.school_id)
        .group_by(Batch.phase_id)
    )
    if scope:
        applied = applied.where(School.region_code == scope)
    applications = {k: int(n) for k, n in db.session.execute(applied)}
    selected = _selected_counts(Batch.phase_id, scope)
    return [
        {
            "phase_id": phase.id,
            "number": phase.number,
            "name": phase.name,
            "starts_on": phase.starts_on.isoformat(),
            "ends_on": phase.ends_on.isoformat(),
            "applications": applications.get(phase.id, 0),
            "majors": selected.get(phase.id, (0, 0))[0],
            "schools": selected.get(phase.id, (0, 0))[1],
        }
        for phase in db.session.scalars(select(Phase).order_by(Phase.number))
    ]


def _pairing(scope: str | None) -> dict[str, Any]:
    total = _count(
        select(func.count()).select_from(integrated_majors(None, None, scope).subquery())
    )
    paired = _count(
        select(func.count()).select_from(integrated_majors(None, "yes", scope).subquery())
    )
    return {"majors": total, "paired": paired, "percent": _share(paired, total)}


def _placements(scope: str | None) -> dict[str, Any]:
    sub = placements(None, scope).subquery()
    seats, taken = db.session.execute(
        select(
            func.coalesce(func.sum(sub.c.seats), 0), func.coalesce(func.sum(sub.c.seats_taken), 0)
        )
    ).one()
    return {"seats": int(seats), "taken": int(taken), "percent": _share(int(taken), int(seats))}


def _practice_rule(scope: str | None) -> dict[str, Any]:
    class _Scoped:
        role = "league_admin" if scope else "region_admin"
        region_code = scope

    everyone = teachers(_Scoped, TeacherFilters()).subquery()
    meeting = teachers(_Scoped, TeacherFilters(practice="meeting")).subquery()
    total = _count(select(func.count()).select_from(everyone))
    ok = _count(select(func.count()).select_from(meeting))
    return {
        "teachers": total,
        "meeting": ok,
        "percent": _share(ok, total),
        "rule_days": current_app.config["PRACTICE_RULE_DAYS"],
        "rule_years": current_app.config["PRACTICE_RULE_YEARS"],
    }


def _rounds(scope: str | None) -> list[dict[str, Any]]:
    stmt = select(MatchRound).where(MatchRound.status == "published")
    if scope:
        stmt = stmt.where(or_(MatchRound.region_code == scope, MatchRound.region_code.is_(None)))
    stmt = stmt.order_by(MatchRound.published_at, MatchRound.id)
    return [
        {
            "id": r.id,
            "kind": r.kind,
            "region_code": r.region_code,
            "published_at": r.published_at.isoformat() if r.published_at else None,
            "metrics": {
                k: v for k, v in (r.metrics or {}).items() if isinstance(v, (int, float, str))
            },
            "result": _round_result(r.metrics or {}),
        }
        for r in db.session.scalars(stmt)
    ]


def _round_result(metrics: dict[str, Any]) -> dict[str, Any]:
    """The published mode's figures: matched of demand, share, mean score, blocking pairs."""
    chosen = metrics.get(metrics.get("mode") or "") or {}
    return {
        "matched": chosen.get("matched", 0),
        "demand": metrics.get("demand", 0),
        "share": chosen.get("share", 0.0),
        "mean_score": chosen.get("mean_score", 0.0),
        "blocking_pairs": chosen.get("blocking_pairs", 0),
    }


#: Everything the dashboard's figures are computed from: a change to any of these drops them.
watch(
    "dashboard",
    Target,
    Phase,
    Batch,
    BatchApplication,
    Objection,
    Region,
    School,
    SchoolMajor,
    Teacher,
    TeacherStatus,
    TrainingRecord,
    Pairing,
    Placement,
    Host,
    Enterprise,
    Practice,
    MatchRound,
    GraduateOutcome,
    Milestone,
)


def dashboard(user) -> dict[str, Any]:
    """Every figure of the targets dashboard for the user's scope (cached per scope and day,
    dropped when any record it counts changes)."""
    scope = scope_of(user)
    key = f"{scope or 'region'}:{local_today().isoformat()}"
    return cached("dashboard", key, lambda: _dashboard(scope))


def _dashboard(scope: str | None) -> dict[str, Any]:
    return {
        "scope": scope,
        "targets": _targets(scope),
        "by_league": _by_league(scope),
        "by_phase": _by_phase(scope),
        "pairing": _pairing(scope),
        "placements": _placements(scope),
        "practice_rule": _practice_rule(scope),
        "rounds": _rounds(scope),
        "outcomes": _outcomes(scope),
        "construction": _construction(scope),
    }


def _construction(scope: str | None) -> dict[str, Any]:
    """Construction progress of the finally selected majors (app/programme/construction.py)."""
    from app.programme.construction import dashboard_figures

    return dashboard_figures(scope)
