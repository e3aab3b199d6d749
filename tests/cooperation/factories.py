"""Records for the cooperation and notification tests (committed, like tests/helpers.py)."""

from datetime import date, timedelta

from sqlalchemy import select

from app.common.time import local_today, utcnow
from app.cooperation.models import (
    Application,
    ApplicationChoice,
    Offer,
    Pairing,
    PairingRequest,
    Placement,
    Practice,
    PracticeEntry,
    Proposal,
)
from app.extensions import db
from app.reference.models import Major, Occupation
from app.registry.models import SchoolMajor, Teacher
from tests.helpers import make_user, unique

TURNER = "6-18-01-01"
START = date(2026, 3, 1)
END = date(2026, 6, 30)


def occupations(*codes: str) -> list[Occupation]:
    """Occupation rows for codes."""
    return [db.session.get(Occupation, c) for c in codes or (TURNER,)]


def make_teacher(school, *, user=None, confirmed: bool = True, name: str | None = None):
    """A teacher profile (confirmed by default) with a fresh teacher account unless given;
    the account's existing profile when it has one."""
    user = user or make_user("teacher")
    existing = db.session.scalar(select(Teacher).filter_by(user_id=user.id))
    if existing is not None:
        return existing
    teacher = Teacher(
        user_id=user.id,
        school=school,
        name=name or unique("教师"),
        title="讲师",
        occupations=occupations(TURNER),
        confirmed_at=utcnow() if confirmed else None,
    )
    db.session.add(teacher)
    db.session.commit()
    return teacher


def make_placement(
    host, *, seats: int = 3, status: str = "open", starts_on=START, ends_on=END, codes=(TURNER,)
):
    """A placement at the host."""
    placement = Placement(
        host=host,
        title=host.name,
        seats=seats,
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
        occupations=occupations(*codes),
        requirements="熟悉数控车床",
    )
    db.session.add(placement)
    db.session.commit()
    return placement


def make_offer(host, *, slots: int = 2, status: str = "open", mode: str = "linkage"):
    """A cooperation offer at the host."""
    offer = Offer(
        host=host,
        mode=mode,
        slots=slots,
        starts_on=START,
        ends_on=END,
        status=status,
        occupations=occupations(TURNER),
        description="校企联动",
    )
    db.session.add(offer)
    db.session.commit()
    return offer


def make_application(teacher, placements, *, status: str = "endorsed"):
    """An application of the teacher with ranked placements."""
    application = Application(teacher=teacher, starts_on=START, ends_on=END, status=status)
    for rank, placement in enumerate(placements, start=1):
        application.choices.append(ApplicationChoice(placement=placement, rank=rank))
    db.session.add(application)
    db.session.commit()
    return application


def make_practice(teacher, placement, *, days: int = 0, confirmed: bool = False, status="ongoing"):
    """A practice stint with `days` logged days ending yesterday."""
    application = make_application(teacher, [placement], status="matched")
    start = local_today() - timedelta(days=max(days, 1) + 1)
    practice = Practice(
        teacher_id=teacher.id,
        placement_id=placement.id,
        application_id=application.id,
        started_on=start,
        status=status,
    )
    for offset in range(days):
        practice.entries.append(
            PracticeEntry(
                on_date=start + timedelta(days=offset), description="车削", confirmed=confirmed
            )
        )
    practice.days_confirmed = days if confirmed else 0
    if status == "completed":
        practice.ended_on = start + timedelta(days=max(days - 1, 0))
        practice.confirmed_at = utcnow()
    db.session.add(practice)
    db.session.commit()
    return practice


def first_major() -> Major:
    """The first catalogue major."""
    return db.session.scalar(select(Major).order_by(Major.id))


def make_school_major(school, *, level: str = "advanced", major=None):
    """An integrated major of the school (the existing one when already registered)."""
    major = major or first_major()
    row = db.session.scalar(
        select(SchoolMajor).filter_by(school_id=school.id, major_id=major.id, level=level)
    )
    if row is not None:
        return row
    row = SchoolMajor(school=school, major=major, level=level, cohort_size=40)
    db.session.add(row)
    db.session.commit()
    return row


def make_pairing_request(school_major, *, status: str = "submitted"):
    """A pairing request of the major."""
    row = PairingRequest(
        school_major=school_major,
        starts_on=START,
        ends_on=END,
        wanted=1,
        status=status,
        occupations=occupations(TURNER),
        preferred_modes=["linkage"],
        preferred_region_codes=[],
    )
    db.session.add(row)
    db.session.commit()
    return row


def make_pairing(school_major, offer, *, status: str = "active"):
    """An agreed pairing of the major with the offer."""
    row = Pairing(school_major=school_major, offer=offer, started_on=START, status=status)
    db.session.add(row)
    db.session.commit()
    return row


def make_proposal(school_major, offer, *, direction: str = "to_offer", status: str = "pending"):
    """A proposal of the major to the offer (by the school unless direction is to_request)."""
    row = Proposal(
        direction=direction,
        school_major=school_major,
        offer=offer,
        status=status,
        note="希望合作",
    )
    db.session.add(row)
    db.session.commit()
    return row


SCAN = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_agreement(pairing, *, with_scan: bool = True, title: str = "结对合作协议"):
    """A pending agreement of the pairing (school and enterprise), with a signed scan."""
    import io

    from app.common.time import local_today
    from app.cooperation import services
    from tests.resources.factories import use_temp_uploads

    use_temp_uploads()
    school_user = make_user("school", school=pairing.school_major.school)
    today = local_today()
    row = services.create_agreement(
        school_user,
        {
            "subject": "pairing",
            "subject_id": pairing.id,
            "title": title,
            "starts_on": today,
            "ends_on": today + timedelta(days=365),
            "terms": "双方共同培养学生",
        },
    )
    if with_scan:
        services.upload_agreement_file(school_user, row, io.BytesIO(SCAN), "signed.pdf")
    db.session.commit()
    return row


def make_feedback(practice, author, scores: dict | None = None, comment: str | None = None):
    """The teacher's rating of the completed practice's placement."""
    from app.cooperation import services

    row = services.submit_feedback(
        author,
        {
            "occasion": "placement",
            "subject_id": practice.id,
            "scores": scores or {"guidance": 5, "learning": 4, "conditions": 4},
            "comment": comment,
        },
    )
    db.session.commit()
    return row
