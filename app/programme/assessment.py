"""Assessment of integrated-major construction (考核验收): the region opens an assessment of a
selected major with a panel of at least three assessors free of conflicts, each assessor scores
the published demonstration-major indicators, the mean of the assessors' totals is kept, and the
region concludes it as passed or not passed. Stage changes to "assessed" and "demonstration" are
gated on it. State changes flush, never commit; each is audited."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select, union_all
from sqlalchemy.orm import selectinload

from app.common import audit
from app.common.errors import Forbidden, InvalidState, ValidationFailed
from app.common.time import utcnow
from app.extensions import db
from app.programme.models import (
    ASSESSMENT_CATEGORY,
    ASSESSMENT_RESULTS,
    MIN_ASSESSORS,
    Assessment,
    AssessmentAssessor,
    AssessmentScore,
    Batch,
    BatchApplication,
    Indicator,
    PartTimeTeacher,
)
from app.registry.models import School, SchoolMajor

#: Stages in which a major may be assessed: during construction, and once assessed (to be
#: assessed again for demonstration).
ASSESSABLE_STAGES = ("under_construction", "assessed")
NOTE_MAX = 2000


def _fail(field: str, message) -> ValidationFailed:
    return ValidationFailed(str(message), {field: str(message)})


def _require_region_admin(actor) -> None:
    if not (actor and getattr(actor, "is_authenticated", False) and actor.is_region_admin):
        raise Forbidden(str(_l("Only the region administrator organises assessments.")))


# --- who may sit on a panel ---------------------------------------------------------------


def partner_enterprise_ids(school_id: int) -> set[int]:
    """Enterprises in an active relation with the school: an active pairing, proposed or
    confirmed match, endorsed application or ongoing practice (as the privacy policy counts
    partners), an active agreement, or a part-time teacher still teaching at the school."""
    from app.common.privacy import school_relation_selects
    from app.cooperation.models import Agreement

    selects = [s.where(s.selected_columns[0] == school_id) for s in school_relation_selects()]
    ids = {row[1] for row in db.session.execute(union_all(*selects)) if row[1] is not None}
    ids |= set(
        db.session.scalars(
            select(Agreement.enterprise_id).where(
                Agreement.school_id == school_id,
                Agreement.state == "active",
                Agreement.enterprise_id.is_not(None),
            )
        )
    )
    ids |= set(
        db.session.scalars(
            select(PartTimeTeacher.enterprise_id).where(
                PartTimeTeacher.school_id == school_id, PartTimeTeacher.active.is_(True)
            )
        )
    )
    return ids


def conflict_of(user, school: School, partners: set[int]) -> str | None:
    """Why the account may not assess the school's major (None when it may)."""
    from app.registry.models import Teacher

    if user.school_id == school.id:
        return str(_l("%(name)s belongs to the school being assessed.", name=user.name))
    if user.role == "teacher":
        teaches = db.session.scalar(
            select(Teacher.id).where(Teacher.user_id == user.id, Teacher.school_id == school.id)
        )
        if teaches is not None:
            return str(_l("%(name)s belongs to the school being assessed.", name=user.name))
    if user.enterprise_id is not None and user.enterprise_id in partners:
        return str(
            _l(
                "%(name)s works for an enterprise in an active partnership with the school.",
                name=user.name,
            )
        )
    return None


# --- opening ------------------------------------------------------------------------------


def open_assessment(actor, application: BatchApplication, assessors: list, today: date):
    """Open an assessment of a finally selected major under construction (or assessed) and
    appoint its panel; notifies each assessor.

    Raises Forbidden (not the region administrator), InvalidState (wrong stage, selection not
    final, an assessment already open) or ValidationFailed (field `assessors`: fewer than
    three distinct active accounts, or a conflicted one).
    """
    from app.programme.services import selection_final

    _require_region_admin(actor)
    application = db.session.execute(
        select(BatchApplication).where(BatchApplication.id == application.id).with_for_update()
    ).scalar_one()
    if application.status not in ASSESSABLE_STAGES:
        raise InvalidState(
            str(_l("Only a major under construction (or assessed) can be assessed."))
        )
    if not selection_final(application.batch, today):
        raise InvalidState(str(_l("The selection is not final until its public notice ends.")))
    if open_assessment_of(application.id) is not None:
        raise InvalidState(str(_l("This major already has an assessment in progress.")))
    panel = _check_panel(application.school, assessors)
    assessment = Assessment(application_id=application.id, status="open", opened_by_id=actor.id)
    assessment.assessors = [AssessmentAssessor(user_id=u.id) for u in panel]
    db.session.add(assessment)
    db.session.flush()
    audit.record(
        actor,
        "assessment.open",
        assessment,
        after={
            "application_id": application.id,
            "school_major_id": application.school_major_id,
            "assessors": [u.email for u in panel],
        },
    )
    for user in panel:
        audit.record(actor, "assessment.appoint", assessment, after={"user": user.email})
    _notify_panel(assessment, panel)
    return assessment


def _check_panel(school: School, assessors: list) -> list:
    """Distinct active accounts, at least MIN_ASSESSORS, none conflicted; ValidationFailed."""
    seen: dict[int, Any] = {}
    for user in assessors:
        if user is not None:
            seen.setdefault(user.id, user)
    panel = list(seen.values())
    inactive = [u for u in panel if not u.active]
    if inactive:
        raise _fail("assessors", _l("%(name)s's account is closed.", name=inactive[0].name))
    if len(panel) < MIN_ASSESSORS:
        raise _fail(
            "assessors",
            _l("Appoint at least %(n)s different assessors.", n=MIN_ASSESSORS),
        )
    partners = partner_enterprise_ids(school.id)
    for user in panel:
        reason = conflict_of(user, school, partners)
        if reason:
            raise _fail("assessors", reason)
    return panel


def _notify_panel(assessment: Assessment, panel: list) -> None:
    from app.notifications.services import notify

    application = assessment.application
    notify(
        panel,
        "assessment_appointed",
        {"school": application.school.name, "major": application.school_major.major.name},
        _link("programme.assessment_score", assessment_id=assessment.id),
    )


def _link(endpoint: str, **values) -> str | None:
    from flask import url_for

    try:
        return url_for(endpoint, **values)
    except RuntimeError:
        return None


def open_assessment_of(application_id: int) -> Assessment | None:
    """The application's assessment in progress, if any."""
    return db.session.scalar(
        select(Assessment).where(
            Assessment.application_id == application_id, Assessment.status == "open"
        )
    )


# --- scoring ------------------------------------------------------------------------------


def published_indicators() -> list[Indicator]:
    """The indicators an assessment is scored on: the demonstration-major set in use."""
    stmt = select(Indicator).where(
        Indicator.category == ASSESSMENT_CATEGORY, Indicator.active.is_(True)
    )
    return list(db.session.scalars(stmt.order_by(Indicator.id)))


def assessor_total(scores: dict[int, int], indicators: list[Indicator]) -> float | None:
    """100 × Σ points / Σ weights over the indicators: 0–100 whatever the weights add up to."""
    weight = sum(i.weight for i in indicators)
    if not weight or any(i.id not in scores for i in indicators):
        return None
    return round(100 * sum(scores[i.id] for i in indicators) / weight, 2)


def mean_of(totals: list[float]) -> float | None:
    """The mean of the submitted totals, once at least MIN_ASSESSORS have submitted."""
    if len(totals) < MIN_ASSESSORS:
        return None
    return round(sum(totals) / len(totals), 2)


def score_errors(raw: dict[int, Any], indicators: list[Indicator]) -> dict[str, str]:
    """Field (`indicator_<id>`) → message for every missing or out-of-range score."""
    errors: dict[str, str] = {}
    for indicator in indicators:
        value = raw.get(indicator.id)
        valid = isinstance(value, int) and not isinstance(value, bool)
        if not valid or not 0 <= value <= indicator.weight:
            errors[f"indicator_{indicator.id}"] = str(
                _l(
                    "Give %(name)s a whole number of points from 0 to %(max)s.",
                    name=indicator.name,
                    max=indicator.weight,
                )
            )
    return errors


def submit_scores(actor, assessment: Assessment, raw: dict[int, Any]) -> AssessmentAssessor:
    """An assessor scores every published indicator (0 to its weight, whole points); a later
    submission replaces the earlier one until the assessment is concluded. Recomputes the mean.

    Raises Forbidden (not on the panel), InvalidState (concluded, or no indicators) or
    ValidationFailed (fields `indicator_<id>`, or `scores` for an unknown indicator).
    """
    seat = assessment.assessor_of(actor)
    if seat is None:
        raise Forbidden(str(_l("Only the assessment's panel scores it.")))
    if assessment.status != "open":
        raise InvalidState(str(_l("This assessment has been concluded.")))
    indicators = published_indicators()
    if not indicators:
        raise InvalidState(str(_l("The region has not published the indicators yet.")))
    known = {i.id for i in indicators}
    unknown = [k for k in raw if k not in known]
    if unknown:
        raise _fail("scores", _l("Score only the published indicators."))
    errors = score_errors(raw, indicators)
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors)
    before = {"total": seat.total} if seat.submitted_at else None
    existing = {s.indicator_id: s for s in seat.scores}
    for indicator in indicators:
        row = existing.pop(indicator.id, None) or AssessmentScore(indicator_id=indicator.id)
        row.score = raw[indicator.id]
        if row.id is None:
            seat.scores.append(row)
    for stale in existing.values():  # an indicator taken out of use since the last submission
        seat.scores.remove(stale)
    seat.total = assessor_total(raw, indicators)
    seat.submitted_at = utcnow()
    db.session.flush()
    assessment.mean_score = mean_of(
        [
            a.total
            for a in assessment.assessors
            if a.submitted_at is not None and a.total is not None
        ]
    )
    db.session.flush()
    audit.record(
        actor,
        "assessment.score",
        assessment,
        before=before,
        after={
            "total": seat.total,
            "scores": [f"{i.name}: {raw[i.id]}/{i.weight}" for i in indicators],
            "mean_score": assessment.mean_score,
        },
    )
    return seat


def submitted_count(assessment: Assessment) -> int:
    """How many assessors have submitted their scores."""
    return sum(1 for a in assessment.assessors if a.submitted_at is not None)


# --- conclusion ---------------------------------------------------------------------------


def conclude(actor, assessment: Assessment, result: str | None, note: str | None) -> Assessment:
    """The region concludes an assessment as passed or not passed, with a note; notifies every
    member of the school.

    Raises Forbidden, ValidationFailed (fields `result`, `note`) or InvalidState (concluded
    already, or fewer than three assessors have submitted).
    """
    _require_region_admin(actor)
    if result not in ASSESSMENT_RESULTS:
        raise _fail("result", _l("Choose passed or not passed."))
    note = (note or "").strip()
    if not note:
        raise _fail("note", _l("Give a note on the conclusion."))
    if len(note) > NOTE_MAX:
        raise _fail("note", _l("At most %(n)s characters.", n=NOTE_MAX))
    if assessment.status != "open":
        raise InvalidState(str(_l("This assessment has already been concluded.")))
    if submitted_count(assessment) < MIN_ASSESSORS or assessment.mean_score is None:
        raise InvalidState(
            str(
                _l(
                    "At least %(n)s assessors must submit their scores before the conclusion.",
                    n=MIN_ASSESSORS,
                )
            )
        )
    assessment.status = "concluded"
    assessment.result = result
    assessment.note = note
    assessment.concluded_at = utcnow()
    assessment.concluded_by_id = actor.id
    db.session.flush()
    audit.record(
        actor,
        "assessment.conclude",
        assessment,
        before={"status": "open"},
        after={
            "status": "concluded",
            "result": result,
            "mean_score": assessment.mean_score,
            "note": note,
        },
    )
    _notify_school(assessment)
    return assessment


def _notify_school(assessment: Assessment) -> None:
    from app.notifications.services import notify, organisation_accounts

    application = assessment.application
    kind = "assessment_passed" if assessment.result == "passed" else "assessment_not_passed"
    notify(
        organisation_accounts(application.school),
        kind,
        {
            "major": application.school_major.major.name,
            "mean": f"{assessment.mean_score:.2f}",
            "note": assessment.note or "",
        },
        _link("programme.assessment_detail", assessment_id=assessment.id),
    )


# --- gating of the construction stages ----------------------------------------------------


def latest_passed(application_id: int) -> Assessment | None:
    """The application's most recently concluded assessment that passed, if any."""
    return db.session.scalar(
        select(Assessment)
        .where(
            Assessment.application_id == application_id,
            Assessment.status == "concluded",
            Assessment.result == "passed",
        )
        .order_by(Assessment.concluded_at.desc(), Assessment.id.desc())
        .limit(1)
    )


def check_stage(application: BatchApplication, stage: str) -> None:
    """Refuse (InvalidState) a move to "assessed" without a passed assessment, and to
    "demonstration" without a passed one whose mean reaches the batch's threshold."""
    if stage not in ("assessed", "demonstration"):
        return
    passed = latest_passed(application.id)
    if passed is None:
        raise InvalidState(
            str(_l("A major becomes assessed only after an assessment concluded as passed."))
        )
    if stage == "demonstration":
        threshold = application.batch.demonstration_threshold
        if threshold is None:
            raise InvalidState(
                str(_l("Set the batch's demonstration threshold before naming demonstrations."))
            )
        if passed.mean_score is None or passed.mean_score < threshold:
            raise InvalidState(
                str(
                    _l(
                        "The assessment's mean score %(mean)s is below the batch's "
                        "demonstration threshold %(threshold)s.",
                        mean=f"{passed.mean_score or 0:.2f}",
                        threshold=f"{threshold:g}",
                    )
                )
            )


def check_threshold(value: Any) -> float | None:
    """A demonstration threshold from 0 to 100 (or None); ValidationFailed otherwise."""
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        number = -1.0
    if isinstance(value, (bool, str)) or not 0 <= number <= 100:
        raise _fail("demonstration_threshold", _l("Give a threshold from 0 to 100."))
    return round(number, 2)


def set_threshold(actor, batch: Batch, value: Any) -> Batch:
    """The region sets (or clears, with None) a batch's demonstration threshold (0–100).

    Raises Forbidden or ValidationFailed (field `demonstration_threshold`).
    """
    _require_region_admin(actor)
    threshold = check_threshold(value)
    before = {"demonstration_threshold": batch.demonstration_threshold}
    batch.demonstration_threshold = threshold
    db.session.flush()
    audit.record(
        actor, "batch.threshold", batch, before=before, after={"demonstration_threshold": threshold}
    )
    return batch


# --- lists --------------------------------------------------------------------------------


@dataclass
class AssessmentFilters:
    """Filters of the assessment list."""

    status: str | None = None
    result: str | None = None
    batch_id: int | None = None
    region_code: str | None = None
    q: str | None = None


def assessments(user, filters: AssessmentFilters | None = None, mine: bool = False) -> Select:
    """Assessments the user may see, newest first: the region all, a league administrator its
    league's, an assessor those it sits on, a school its own concluded ones (mine=True: only
    those the user sits on)."""
    from app.reference.models import Major

    filters = filters or AssessmentFilters()
    seat = select(AssessmentAssessor.assessment_id).where(AssessmentAssessor.user_id == user.id)
    stmt = (
        select(Assessment)
        .join(BatchApplication, BatchApplication.id == Assessment.application_id)
        .join(School, School.id == BatchApplication.school_id)
        .options(
            selectinload(Assessment.application).selectinload(BatchApplication.school),
            selectinload(Assessment.application)
            .selectinload(BatchApplication.school_major)
            .selectinload(SchoolMajor.major),
            selectinload(Assessment.application).selectinload(BatchApplication.batch),
            selectinload(Assessment.assessors),
        )
    )
    if mine:
        stmt = stmt.where(Assessment.id.in_(seat))
    elif user.role == "region_admin":
        pass
    elif user.role == "league_admin":
        stmt = stmt.where(or_(School.region_code == user.region_code, Assessment.id.in_(seat)))
    elif user.role == "school" and user.school_id:
        stmt = stmt.where(
            or_(
                (School.id == user.school_id) & (Assessment.status == "concluded"),
                Assessment.id.in_(seat),
            )
        )
    else:
        stmt = stmt.where(Assessment.id.in_(seat))
    if filters.status:
        stmt = stmt.where(Assessment.status == filters.status)
    if filters.result:
        stmt = stmt.where(Assessment.result == filters.result)
    if filters.batch_id:
        stmt = stmt.where(BatchApplication.batch_id == filters.batch_id)
    if filters.region_code:
        stmt = stmt.where(School.region_code == filters.region_code)
    if filters.q:
        like = f"%{filters.q}%"
        majors = select(SchoolMajor.id).join(Major, Major.id == SchoolMajor.major_id)
        stmt = stmt.where(
            or_(
                School.name.ilike(like),
                BatchApplication.school_major_id.in_(majors.where(Major.name.ilike(like))),
            )
        )
    return stmt.order_by(Assessment.created_at.desc(), Assessment.id.desc())


def is_assessor(user) -> bool:
    """True when the account sits on at least one assessment panel."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return (
        db.session.scalar(
            select(AssessmentAssessor.id).where(AssessmentAssessor.user_id == user.id).limit(1)
        )
        is not None
    )
