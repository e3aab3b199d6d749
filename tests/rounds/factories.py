"""Records for match-round tests, created directly with the models."""

from datetime import date, timedelta

from sqlalchemy import select, update

from app.common.time import utcnow
from app.cooperation.models import (
    Application,
    ApplicationChoice,
    Offer,
    PairingRequest,
    Placement,
)
from app.extensions import db
from app.reference.models import Major, Occupation
from app.registry.models import SchoolMajor, Teacher
from app.rounds.models import MatchRound
from tests.helpers import make_user, unique

START, END = date(2026, 3, 1), date(2026, 6, 30)
CNC = "6-18-01-01"


def _occupations(codes) -> list[Occupation]:
    return [db.session.get(Occupation, c) for c in codes]


def make_teacher(school, *, user=None, occupations=(CNC,), confirmed=True, name=None) -> Teacher:
    """A teacher profile (with an account unless given one), confirmed by default."""
    user = user or make_user("teacher", school=school)
    teacher = Teacher(
        user_id=user.id,
        school_id=school.id,
        name=name or unique("教师"),
        title="讲师",
        confirmed_at=utcnow() if confirmed else None,
        occupations=_occupations(occupations),
    )
    db.session.add(teacher)
    db.session.commit()
    return teacher


def make_placement(host, *, seats=1, occupations=(CNC,), status="open", start=START, end=END):
    """An open placement of the host."""
    placement = Placement(
        host_id=host.id,
        title=unique("岗位"),
        seats=seats,
        seats_taken=0,
        status=status,
        starts_on=start,
        ends_on=end,
        occupations=_occupations(occupations),
    )
    db.session.add(placement)
    db.session.commit()
    return placement


def make_application(teacher, placements, *, status="endorsed", start=START, end=END):
    """An application with the placements as ranked choices (1 = first)."""
    application = Application(teacher_id=teacher.id, status=status, starts_on=start, ends_on=end)
    application.choices = [
        ApplicationChoice(placement_id=p.id, rank=i) for i, p in enumerate(placements, 1)
    ]
    db.session.add(application)
    db.session.commit()
    return application


def make_school_major(school) -> SchoolMajor:
    """An integrated major of the school (a fresh catalogue major each time)."""
    majors = db.session.scalars(select(Major).order_by(Major.id)).all()
    used = set(
        db.session.scalars(select(SchoolMajor.major_id).where(SchoolMajor.school_id == school.id))
    )
    major = next(m for m in majors if m.id not in used)
    row = SchoolMajor(school_id=school.id, major_id=major.id, level="advanced", cohort_size=40)
    db.session.add(row)
    db.session.commit()
    return row


def make_pairing_request(
    school_major,
    *,
    wanted=1,
    occupations=(CNC,),
    status="submitted",
    modes=(),
    regions=(),
    start=START,
    end=END,
) -> PairingRequest:
    """A pairing request of the major."""
    request = PairingRequest(
        school_major_id=school_major.id,
        wanted=wanted,
        status=status,
        preferred_modes=list(modes),
        preferred_region_codes=list(regions),
        starts_on=start,
        ends_on=end,
        occupations=_occupations(occupations),
    )
    db.session.add(request)
    db.session.commit()
    return request


def make_offer(
    host, *, slots=1, mode="linkage", occupations=(CNC,), status="open", start=START, end=END
) -> Offer:
    """An open cooperation offer on the host."""
    offer = Offer(
        host_id=host.id,
        mode=mode,
        slots=slots,
        slots_taken=0,
        status=status,
        starts_on=start,
        ends_on=end,
        occupations=_occupations(occupations),
    )
    db.session.add(offer)
    db.session.commit()
    return offer


def make_round(actor, *, kind="placement", region_code=None, mode="optimal", days=14):
    """A draft round created through the service."""
    from app.rounds import services

    round_ = services.create_round(
        actor, kind, region_code, mode, {}, utcnow() + timedelta(days=days)
    )
    db.session.commit()
    return round_


def pass_deadline(round_) -> None:
    """Move the round's deadline into the past."""
    db.session.execute(
        update(MatchRound)
        .where(MatchRound.id == round_.id)
        .values(deadline=utcnow() - timedelta(hours=1))
    )
    db.session.commit()
    db.session.expire_all()


def placement_setup(world, *, teachers=2, seats=1):
    """`teachers` confirmed teachers of the world's school (the first is the world's teacher
    account) applying for one placement of the world's host with `seats` seats."""
    placement = make_placement(world.host, seats=seats)
    people = [make_teacher(world.school, user=world.users["teacher"])]
    people += [make_teacher(world.school) for _ in range(teachers - 1)]
    apps = [make_application(t, [placement]) for t in people]
    return placement, people, apps
