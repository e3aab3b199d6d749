"""Read queries of the resources domain: what each user may list."""

from datetime import datetime

from sqlalchemy import Select, and_, exists, false, or_, select, true
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.registry.models import Enterprise, Host, School, SchoolMajor
from app.resources.models import (
    Booking,
    Certification,
    ResourceItem,
    ReviewPanelMember,
    SupervisionVisit,
    TrainingProgramme,
    Venue,
    is_reviewer,
    resource_item_enterprise,
)


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _region_clause(user, column):
    if user.role == "region_admin":
        return true()
    if user.role == "league_admin":
        return column == user.region_code
    return false()


def visible_items(user, q=None, kind=None, status=None, school_major_id=None) -> Select:
    """Items the user may see: approved ones, own school's, partners', league's, review's."""
    partner = exists().where(
        resource_item_enterprise.c.item_id == ResourceItem.id,
        resource_item_enterprise.c.enterprise_id == user.enterprise_id,
    )
    stmt = (
        select(ResourceItem)
        .join(SchoolMajor, SchoolMajor.id == ResourceItem.school_major_id)
        .join(School, School.id == SchoolMajor.school_id)
        .options(
            selectinload(ResourceItem.school_major).selectinload(SchoolMajor.school),
            selectinload(ResourceItem.school_major).selectinload(SchoolMajor.major),
            selectinload(ResourceItem.partners),
        )
    )
    rules = [ResourceItem.status == "approved", _region_clause(user, School.region_code)]
    if user.role in ("school", "teacher") and user.school_id:
        rules.append(School.id == user.school_id)
    if user.role == "enterprise" and user.enterprise_id:
        rules.append(partner)
    if is_reviewer(user):
        rules.append(ResourceItem.status.in_(("submitted", "under_review", "returned", "rejected")))
    stmt = stmt.where(or_(*rules))
    if q:
        stmt = stmt.where(
            or_(
                ResourceItem.title.ilike(_like(q), escape="\\"),
                ResourceItem.authors.ilike(_like(q), escape="\\"),
            )
        )
    if kind:
        stmt = stmt.where(ResourceItem.kind == kind)
    if status:
        stmt = stmt.where(ResourceItem.status == status)
    if school_major_id:
        stmt = stmt.where(ResourceItem.school_major_id == school_major_id)
    return stmt.order_by(ResourceItem.updated_at.desc(), ResourceItem.id.desc())


def review_queue(user) -> Select:
    """Items waiting for the panel (not the reviewer's own school's or partners')."""
    stmt = visible_items(user).where(ResourceItem.status.in_(("submitted", "under_review")))
    if user.school_id:
        stmt = stmt.where(School.id != user.school_id)
    return stmt


def panel_members() -> list[ReviewPanelMember]:
    """The review panel, by appointment."""
    return list(
        db.session.scalars(
            select(ReviewPanelMember)
            .options(selectinload(ReviewPanelMember.user))
            .order_by(ReviewPanelMember.id)
        )
    )


def school_majors_of(user) -> list[SchoolMajor]:
    """Active integrated majors of the user's school."""
    if not user.school_id:
        return []
    return list(
        db.session.scalars(
            select(SchoolMajor)
            .options(selectinload(SchoolMajor.major))
            .where(SchoolMajor.school_id == user.school_id, SchoolMajor.active)
            .order_by(SchoolMajor.id)
        )
    )


def approved_enterprises() -> list[tuple[int, str]]:
    """(id, name) of approved enterprises for partner choices."""
    rows = db.session.execute(
        select(Enterprise.id, Enterprise.name)
        .where(Enterprise.status == "approved")
        .order_by(Enterprise.name)
        .limit(2000)
    )
    return [(r.id, r.name) for r in rows]


def venues(q=None, kind=None, region_code=None, owner=None) -> Select:
    """Active venues with search and filters (`owner` = (kind, id) of the user's organisation)."""
    stmt = select(Venue).options(
        selectinload(Venue.enterprise), selectinload(Venue.school), selectinload(Venue.region)
    )
    stmt = stmt.where(Venue.active)
    if q:
        stmt = stmt.where(
            or_(
                Venue.name.ilike(_like(q), escape="\\"),
                Venue.equipment.ilike(_like(q), escape="\\"),
            )
        )
    if kind:
        stmt = stmt.where(Venue.kind == kind)
    if region_code:
        stmt = stmt.where(Venue.region_code == region_code)
    return stmt.order_by(Venue.region_code, Venue.name, Venue.id)


def bookings_between(venue: Venue, start: datetime, end: datetime) -> list[Booking]:
    """Active bookings of the venue overlapping [start, end)."""
    return list(
        db.session.scalars(
            select(Booking)
            .options(selectinload(Booking.school))
            .where(
                Booking.venue_id == venue.id,
                Booking.status.in_(("pending", "confirmed")),
                Booking.starts_at < end,
                Booking.ends_at > start,
            )
            .order_by(Booking.starts_at)
        )
    )


def bookings_for(user, status=None) -> Select:
    """Bookings the user made (school) or must decide on (venue managers)."""
    stmt = (
        select(Booking)
        .join(Venue, Venue.id == Booking.venue_id)
        .options(selectinload(Booking.venue), selectinload(Booking.school))
    )
    rules = [_region_clause(user, Venue.region_code)]
    if user.role == "school" and user.school_id:
        rules += [Booking.school_id == user.school_id, Venue.school_id == user.school_id]
    if user.role == "enterprise" and user.enterprise_id:
        rules.append(Venue.enterprise_id == user.enterprise_id)
    stmt = stmt.where(or_(*rules))
    if status:
        stmt = stmt.where(Booking.status == status)
    return stmt.order_by(Booking.starts_at.desc(), Booking.id.desc())


def trainings(user, q=None, kind=None, host_id=None) -> Select:
    """Programmes at hosts of approved enterprises (and those the user manages)."""
    stmt = (
        select(TrainingProgramme)
        .join(Host, Host.id == TrainingProgramme.host_id)
        .join(Enterprise, Enterprise.id == Host.enterprise_id)
        .options(
            selectinload(TrainingProgramme.host).selectinload(Host.enterprise),
            selectinload(TrainingProgramme.occupation),
            selectinload(TrainingProgramme.partner_school),
        )
    )
    rules = [Enterprise.status == "approved"]
    if getattr(user, "is_authenticated", False):
        rules.append(_region_clause(user, Enterprise.region_code))
        if user.role == "enterprise" and user.enterprise_id:
            rules.append(Enterprise.id == user.enterprise_id)
    stmt = stmt.where(or_(*rules))
    if q:
        stmt = stmt.where(TrainingProgramme.title.ilike(_like(q), escape="\\"))
    if kind:
        stmt = stmt.where(TrainingProgramme.kind == kind)
    if host_id:
        stmt = stmt.where(TrainingProgramme.host_id == host_id)
    return stmt.order_by(TrainingProgramme.starts_on.desc(), TrainingProgramme.id.desc())


def host_programmes(host_ids: list[int]) -> dict[int, list[TrainingProgramme]]:
    """Programmes of these hosts, by host id."""
    if not host_ids:
        return {}
    rows = db.session.scalars(
        select(TrainingProgramme)
        .options(selectinload(TrainingProgramme.occupation))
        .where(TrainingProgramme.host_id.in_(host_ids))
        .order_by(TrainingProgramme.starts_on.desc())
    )
    grouped: dict[int, list[TrainingProgramme]] = {}
    for row in rows:
        grouped.setdefault(row.host_id, []).append(row)
    return grouped


def managed_hosts(user) -> list[Host]:
    """Active training stations and master studios the user may manage."""
    stmt = select(Host).where(
        Host.kind.in_(("training_station", "master_studio")), Host.retired_at.is_(None)
    )
    if user.role == "enterprise":
        stmt = stmt.where(Host.enterprise_id == (user.enterprise_id or -1))
    elif user.role == "league_admin":
        stmt = stmt.where(Host.region_code == user.region_code)
    elif user.role != "region_admin":
        return []
    return list(db.session.scalars(stmt.order_by(Host.name).limit(2000)))


def certifications(user, q=None, level=None, outcome=None, school_major_id=None) -> Select:
    """Certifications the user may see."""
    stmt = (
        select(Certification)
        .join(SchoolMajor, SchoolMajor.id == Certification.school_major_id)
        .join(School, School.id == SchoolMajor.school_id)
        .options(
            selectinload(Certification.school_major).selectinload(SchoolMajor.school),
            selectinload(Certification.school_major).selectinload(SchoolMajor.major),
            selectinload(Certification.occupation),
            selectinload(Certification.enterprise),
        )
    )
    rules = [_region_clause(user, School.region_code)]
    if user.role == "school" and user.school_id:
        rules.append(School.id == user.school_id)
    if user.role == "enterprise" and user.enterprise_id:
        rules.append(Certification.enterprise_id == user.enterprise_id)
    stmt = stmt.where(or_(*rules))
    if q:
        stmt = stmt.where(Certification.graduate_name.ilike(_like(q), escape="\\"))
    if level:
        stmt = stmt.where(Certification.level == level)
    if outcome:
        stmt = stmt.where(Certification.outcome == outcome)
    if school_major_id:
        stmt = stmt.where(Certification.school_major_id == school_major_id)
    return stmt.order_by(Certification.certified_on.desc(), Certification.id.desc())


def certifiable_majors(user) -> list[SchoolMajor]:
    """Majors the user may certify for: the school's own, or an enterprise's paired ones."""
    if user.role == "school":
        return school_majors_of(user)
    if user.role != "enterprise" or not user.enterprise_id:
        return []
    from app.cooperation.models import Offer, Pairing

    stmt = (
        select(SchoolMajor)
        .options(selectinload(SchoolMajor.major), selectinload(SchoolMajor.school))
        .where(
            exists().where(
                and_(
                    Pairing.school_major_id == SchoolMajor.id,
                    Pairing.status == "active",
                    Offer.id == Pairing.offer_id,
                    Host.id == Offer.host_id,
                    Host.enterprise_id == user.enterprise_id,
                )
            )
        )
        .order_by(SchoolMajor.id)
    )
    return list(db.session.scalars(stmt))


def visits(user, school_id=None, status=None) -> Select:
    """Supervision visits the user may see."""
    from app.resources.models import SupervisionAction

    stmt = (
        select(SupervisionVisit)
        .join(School, School.id == SupervisionVisit.school_id)
        .options(selectinload(SupervisionVisit.school), selectinload(SupervisionVisit.actions))
    )
    rules = [_region_clause(user, School.region_code)]
    if user.role == "school" and user.school_id:
        rules.append(School.id == user.school_id)
    stmt = stmt.where(or_(*rules))
    if school_id:
        stmt = stmt.where(SupervisionVisit.school_id == school_id)
    if status:
        stmt = stmt.where(
            exists().where(
                SupervisionAction.visit_id == SupervisionVisit.id,
                SupervisionAction.status == status,
            )
        )
    return stmt.order_by(SupervisionVisit.visited_on.desc(), SupervisionVisit.id.desc())


def supervised_schools(user) -> list[tuple[int, str]]:
    """(id, name) of approved schools the administrator supervises."""
    stmt = select(School.id, School.name).where(_region_clause(user, School.region_code))
    return [(r.id, r.name) for r in db.session.execute(stmt.order_by(School.name).limit(2000))]
