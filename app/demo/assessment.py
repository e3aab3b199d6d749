"""Demo assessments of construction on top of the demo programme: one concluded (passed, its
major assessed, its batch given a demonstration threshold the mean reaches) and one in progress
in which the demo teacher sits on the panel and has yet to score. Assessors are demo teachers of
other schools, so no panel has a conflict. Invented, deterministic, labelled as demo data."""

import math
import random
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from app.auth.models import User
from app.common import audit
from app.common.models import AuditEvent
from app.common.time import utcnow
from app.demo import data
from app.extensions import db
from app.programme.assessment import (
    assessor_total,
    conflict_of,
    mean_of,
    partner_enterprise_ids,
    published_indicators,
)
from app.programme.models import (
    Assessment,
    AssessmentAssessor,
    AssessmentScore,
    BatchApplication,
)
from app.registry.models import Teacher

SEED = 20261201
MARKER = "demo.assessment"
NOTE = "演示数据：专家组现场查看了一体化课程实施与校企合作材料，建设任务完成，同意通过验收。"
DEMO_THRESHOLD = 85.0


@dataclass
class AssessmentResult:
    """What the assessment seed created."""

    created: bool
    counts: dict[str, int] = field(default_factory=dict)


def assessment_present() -> bool:
    """True when the demo assessments were seeded (their audit marker exists)."""
    return db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == MARKER)) is not None


def _candidates(application: BatchApplication, exclude: set[int]) -> list[User]:
    """Demo teacher accounts of other schools, free of any conflict with the school."""
    partners = partner_enterprise_ids(application.school_id)
    users = db.session.scalars(
        select(User)
        .join(Teacher, Teacher.user_id == User.id)
        .where(
            User.role == "teacher",
            User.active.is_(True),
            Teacher.school_id != application.school_id,
            User.id.not_in(exclude or {0}),
        )
        .order_by(User.id)
        .limit(40)
    )
    return [u for u in users if conflict_of(u, application.school, partners) is None]


def seed_assessments() -> AssessmentResult:
    """Add the two demo assessments once (flushes, the caller commits); nothing when present
    or when the demo programme has no major to assess."""
    if assessment_present():
        return AssessmentResult(created=False)
    admin = db.session.scalar(select(User).where(User.email == data.REGION_ADMIN_EMAIL))
    teacher = db.session.scalar(select(User).where(User.email == data.TEACHER_EMAIL))
    indicators = published_indicators()
    stages = {
        status: list(
            db.session.scalars(
                select(BatchApplication)
                .where(BatchApplication.status == status)
                .order_by(BatchApplication.id)
            )
        )
        for status in ("assessed", "under_construction")
    }
    if admin is None or not indicators or not stages["assessed"]:
        return AssessmentResult(created=False)
    rng = random.Random(SEED)
    teacher_school = db.session.scalar(
        select(Teacher.school_id).where(Teacher.user_id == (teacher.id if teacher else -1))
    )
    building = [a for a in stages["under_construction"] if a.school_id != teacher_school]
    counts = {"assessments": 0, "assessments_concluded": 0}
    concluded = _assessment(rng, admin, stages["assessed"][0], indicators, [], submitted=3)
    concluded.status, concluded.result, concluded.note = "concluded", "passed", NOTE
    concluded.concluded_at = utcnow() - timedelta(days=30)
    concluded.concluded_by_id = admin.id
    concluded.created_at = concluded.concluded_at - timedelta(days=21)
    batch = concluded.application.batch
    if batch.demonstration_threshold is None:  # reached, so the major may become a demonstration
        batch.demonstration_threshold = min(DEMO_THRESHOLD, math.floor(concluded.mean_score))
    counts["assessments"] += 1
    counts["assessments_concluded"] += 1
    if building:
        seated = [teacher] if teacher is not None else []
        _assessment(rng, admin, building[0], indicators, seated, submitted=2)
        counts["assessments"] += 1
    db.session.flush()
    audit.record(None, MARKER, admin, after=counts)
    return AssessmentResult(created=True, counts=counts)


def _assessment(rng, admin, application, indicators, seated: list, submitted: int) -> Assessment:
    """An assessment with a panel of three (the seated first, unscored) and `submitted`
    assessors' scores, high enough to pass."""
    others = _candidates(application, {u.id for u in seated})
    panel = [*seated, *rng.sample(others, 3 - len(seated))]
    row = Assessment(application_id=application.id, status="open", opened_by_id=admin.id)
    totals = []
    for n, user in enumerate(panel):
        seat = AssessmentAssessor(user_id=user.id)
        if user not in seated and len(totals) < submitted:
            points = {i.id: round(i.weight * rng.uniform(0.8, 0.97)) for i in indicators}
            seat.scores = [AssessmentScore(indicator_id=k, score=v) for k, v in points.items()]
            seat.total = assessor_total(points, indicators)
            seat.submitted_at = utcnow() - timedelta(days=35 - n)
            row.created_at = utcnow() - timedelta(days=45)
            totals.append(seat.total)
        row.assessors.append(seat)
    row.mean_score = mean_of(totals)
    db.session.add(row)
    db.session.flush()
    return row
