"""Factories for the resources domain's tests."""

import io
import tempfile
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app.common.time import utcnow
from app.extensions import db
from tests.helpers import make_host

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_UPLOADS: dict[str, str] = {}


def use_temp_uploads() -> str:
    """Point UPLOAD_FOLDER at a temporary folder (once per session) unless a test set one."""
    folder = current_app.config["UPLOAD_FOLDER"]
    if "pytest" in folder or folder.startswith(tempfile.gettempdir()):
        return folder
    _UPLOADS.setdefault("dir", tempfile.mkdtemp(prefix="gongxue-uploads-"))
    current_app.config["UPLOAD_FOLDER"] = _UPLOADS["dir"]
    return _UPLOADS["dir"]


def make_school_major(school, level: str = "advanced"):
    """An integrated major of the school (the first catalogue major not yet used)."""
    from app.reference.models import Major
    from app.registry.models import SchoolMajor

    used = select(SchoolMajor.major_id).where(
        SchoolMajor.school_id == school.id, SchoolMajor.level == level
    )
    major = db.session.scalars(
        select(Major).where(Major.id.not_in(used)).order_by(Major.id)
    ).first()
    row = SchoolMajor(school_id=school.id, major_id=major.id, level=level, cohort_size=30)
    db.session.add(row)
    db.session.commit()
    return row


def make_item(school, *, status: str = "draft", partners=(), kind: str = "textbook", title=None):
    """A resource item of a new major of the school."""
    from app.resources.models import ResourceItem

    item = ResourceItem(
        school_major_id=make_school_major(school).id,
        kind=kind,
        title=title or "数控车削加工工作页",
        status=status,
        version="1.0",
        authors="张老师, 王工程师",
    )
    item.partners = list(partners)
    db.session.add(item)
    db.session.commit()
    return item


def add_pdf(item, user=None):
    """Store a small PDF as the item's next version."""
    from app.resources import services

    use_temp_uploads()
    row = services.add_file(user or _anyone(), item, io.BytesIO(PDF), "教材.pdf")
    db.session.commit()
    return row


def _anyone():
    from app.auth.models import User

    return db.session.scalars(select(User).order_by(User.id)).first()


def make_venue(enterprise, *, capacity: int = 30, name: str = "数控实训基地"):
    """A venue owned by the enterprise."""
    from app.resources.models import Venue

    venue = Venue(
        name=name,
        kind="public_training_base",
        owner_kind="enterprise",
        enterprise_id=enterprise.id,
        region_code=enterprise.region_code,
        capacity=capacity,
        equipment="数控车床 10 台",
    )
    db.session.add(venue)
    db.session.commit()
    return venue


def slot(days: int = 3, hour: int = 1, hours: int = 2) -> tuple[datetime, datetime]:
    """A future [start, end) in UTC."""
    start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=days, hours=hour)
    return start, start + timedelta(hours=hours)


def make_booking(venue, school, *, status: str = "pending", days: int = 3):
    """A booking of the venue by the school."""
    from app.resources.models import Booking

    start, end = slot(days)
    booking = Booking(
        venue_id=venue.id,
        school_id=school.id,
        starts_at=start,
        ends_at=end,
        purpose="实训课",
        headcount=10,
        status=status,
    )
    db.session.add(booking)
    db.session.commit()
    return booking


def make_programme(enterprise, *, kind: str = "high_skill", host=None):
    """A training programme at a (new) training station of the enterprise."""
    from app.resources.models import TrainingProgramme

    host = host or make_host(enterprise, kind="training_station", name="培训工作站")
    programme = TrainingProgramme(
        host_id=host.id,
        kind=kind,
        title="数控车工高技能培训",
        occupation_code="6-18-01-01",
        starts_on=date(2030, 3, 1),
        ends_on=date(2030, 9, 1),
    )
    db.session.add(programme)
    db.session.commit()
    return programme


def make_trainee(programme, name: str = "赵学员"):
    """A trainee of the programme."""
    from app.resources.models import Trainee

    trainee = Trainee(programme_id=programme.id, name=name, outcome="in_training")
    db.session.add(trainee)
    db.session.commit()
    return trainee


def make_visit(school, *, actions: int = 1):
    """A supervision visit of the school with open actions."""
    from app.resources.models import SupervisionAction, SupervisionVisit

    visit = SupervisionVisit(school_id=school.id, visited_on=date(2030, 1, 10), findings="场地不足")
    visit.actions = [
        SupervisionAction(description=f"整改 {i}", due_on=date(2030, 2, 1), status="open")
        for i in range(actions)
    ]
    db.session.add(visit)
    db.session.commit()
    return visit


def make_pairing(enterprise, school_major):
    """An active pairing of the school major with an offer of a host of the enterprise."""
    from app.cooperation.models import Offer, Pairing

    host = make_host(enterprise, name="结对车间")
    offer = Offer(
        host_id=host.id,
        mode="linkage",
        slots=2,
        slots_taken=1,
        status="open",
        starts_on=date(2030, 1, 1),
        ends_on=date(2030, 12, 31),
    )
    db.session.add(offer)
    db.session.flush()
    pairing = Pairing(
        school_major_id=school_major.id,
        offer_id=offer.id,
        status="active",
        started_on=date(2030, 1, 1),
    )
    db.session.add(pairing)
    db.session.commit()
    return pairing
