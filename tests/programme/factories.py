"""Records for the programme tests."""

from datetime import date, timedelta

from sqlalchemy import select

from app.common.time import local_today, utcnow
from app.extensions import db
from app.programme.models import (
    Batch,
    BatchApplication,
    Indicator,
    PartTimeTeacher,
    Phase,
    ResearchBase,
    TeacherStatus,
)
from app.reference.models import Major
from app.registry.models import SchoolMajor, Teacher
from tests.helpers import unique


def today() -> date:
    """The platform's day (Beijing)."""
    return local_today()


def make_phase(number: int = 1) -> Phase:
    """A phase around today (reused when the number exists)."""
    phase = db.session.scalar(select(Phase).where(Phase.number == number))
    if phase is None:
        phase = Phase(
            number=number,
            name=f"第{number}阶段",
            starts_on=today() - timedelta(days=100),
            ends_on=today() + timedelta(days=300),
        )
        db.session.add(phase)
        db.session.commit()
    return phase


def make_batch(phase: Phase | None = None, *, open_: bool = True, **extra) -> Batch:
    """An open (or closed) batch."""
    phase = phase or make_phase()
    start = today() - timedelta(days=5) if open_ else today() - timedelta(days=50)
    end = today() + timedelta(days=30) if open_ else today() - timedelta(days=20)
    batch = Batch(phase_id=phase.id, name=unique("批次"), opens_on=start, closes_on=end, **extra)
    db.session.add(batch)
    db.session.commit()
    return batch


_major_offset = {"n": 0}


def make_major(school, level: str = "advanced") -> SchoolMajor:
    """A new integrated major of the school (a different catalogue major each call)."""
    _major_offset["n"] += 1
    total = db.session.scalar(select(db.func.count(Major.id)))
    offset = _major_offset["n"] % total
    major = db.session.scalars(select(Major).order_by(Major.id).offset(offset)).first()
    row = SchoolMajor(school_id=school.id, major_id=major.id, level=level, cohort_size=40)
    existing = db.session.scalar(
        select(SchoolMajor).where(
            SchoolMajor.school_id == school.id,
            SchoolMajor.major_id == major.id,
            SchoolMajor.level == level,
        )
    )
    if existing:
        return make_major(school, level)
    db.session.add(row)
    db.session.commit()
    return row


def make_application(batch, school_major, status: str = "submitted") -> BatchApplication:
    """An application inserted directly (bypassing limits) in the given status."""
    taken = db.session.scalars(
        select(BatchApplication.slot).where(
            BatchApplication.batch_id == batch.id,
            BatchApplication.school_id == school_major.school_id,
        )
    ).all()
    row = BatchApplication(
        batch_id=batch.id,
        school_id=school_major.school_id,
        school_major_id=school_major.id,
        slot=max(taken, default=0) + 1,
        status=status,
    )
    db.session.add(row)
    db.session.commit()
    return row


def make_noticed_batch(school, *, ended: bool = False) -> Batch:
    """A closed batch with one selected major of the school, its notice running (or ended)."""
    batch = make_batch(open_=False)
    make_application(batch, make_major(school), "selected")
    start = today() - timedelta(days=20 if ended else 1)
    batch.notice_starts_on = start
    batch.notice_ends_on = start + timedelta(days=7 if ended else 10)
    batch.notice_published_at = utcnow()
    db.session.commit()
    return batch


def make_teacher(school, name: str | None = None, status: str | None = None) -> Teacher:
    """A teacher of the school, optionally with an integrated-teacher status."""
    teacher = Teacher(school_id=school.id, name=name or unique("教师"))
    db.session.add(teacher)
    db.session.commit()
    if status:
        db.session.add(TeacherStatus(teacher_id=teacher.id, status=status))
        db.session.commit()
    return teacher


def make_research_base(region_code: str = "150100", name: str | None = None) -> ResearchBase:
    """A teacher research base in the league."""
    base = ResearchBase(name=name or unique("研修基地"), region_code=region_code)
    db.session.add(base)
    db.session.commit()
    return base


def make_indicator(category: str = "quality_classroom", weight: int = 10, name=None) -> Indicator:
    """An evaluation indicator in use."""
    row = Indicator(category=category, name=name or unique("指标"), weight=weight)
    db.session.add(row)
    db.session.commit()
    return row


def make_part_timer(school, enterprise, name: str | None = None) -> PartTimeTeacher:
    """Enterprise talent teaching part-time at the school."""
    row = PartTimeTeacher(
        name=name or unique("师傅"),
        enterprise_id=enterprise.id,
        school_id=school.id,
        skill_title="高级技师",
        since=today() - timedelta(days=30),
    )
    db.session.add(row)
    db.session.commit()
    return row
