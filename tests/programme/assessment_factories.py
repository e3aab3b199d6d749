"""Records for the assessment tests: a finally selected major under construction, assessors,
indicators and assessments inserted directly."""

from datetime import timedelta

from app.common.time import utcnow
from app.extensions import db
from app.programme.models import Assessment, AssessmentAssessor, GraduateOutcome, Indicator
from tests.helpers import make_user, unique
from tests.programme.factories import make_application, make_batch, make_major, today


def make_built(school, status: str = "under_construction", threshold: float | None = None):
    """An application of the school, finally selected (notice ended), in the given stage."""
    batch = make_batch(open_=False, demonstration_threshold=threshold)
    application = make_application(batch, make_major(school), status)
    batch.notice_starts_on = today() - timedelta(days=20)
    batch.notice_ends_on = today() - timedelta(days=10)
    batch.notice_published_at = utcnow()
    db.session.commit()
    return application


def make_assessors(n: int = 3, role: str = "teacher") -> list:
    """n accounts with no tie to any school or enterprise."""
    return [make_user(role, name=unique("专家")) for _ in range(n)]


def make_indicators(weights=(40, 30, 30)) -> list[Indicator]:
    """Published demonstration-major indicators with the given weights (others retired)."""
    for row in db.session.scalars(db.select(Indicator)):
        row.active = False
    rows = [
        Indicator(category="demonstration_major", name=unique("考核指标"), weight=w)
        for w in weights
    ]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def make_assessment(application, users, status: str = "open", **extra) -> Assessment:
    """An assessment with the users on its panel (inserted directly)."""
    row = Assessment(application_id=application.id, status=status, **extra)
    row.assessors = [AssessmentAssessor(user_id=u.id) for u in users]
    db.session.add(row)
    db.session.commit()
    return row


def make_outcome(school_major, year: int, cohort: int = 40, **figures) -> GraduateOutcome:
    """A graduate-outcome return."""
    row = GraduateOutcome(school_major_id=school_major.id, year=year, cohort=cohort, **figures)
    db.session.add(row)
    db.session.commit()
    return row
