"""Read queries of match rounds: rounds in a user's scope, a round's matches, my matches."""

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from app.cooperation.models import Application, Offer, PairingRequest, Placement
from app.registry.models import Host, SchoolMajor, Teacher
from app.rounds.models import Match, MatchRound


def visible_rounds(user, kind: str | None = None, status: str | None = None) -> Select:
    """Rounds the administrator may see, newest first, optionally filtered."""
    stmt = select(MatchRound)
    if user.role != "region_admin":
        stmt = stmt.where(MatchRound.region_code == user.region_code)
    if kind:
        stmt = stmt.where(MatchRound.kind == kind)
    if status:
        stmt = stmt.where(MatchRound.status == status)
    return stmt.order_by(MatchRound.id.desc())


def with_parties(stmt: Select) -> Select:
    """Eager-load both sides of the matches (no N+1 on list pages)."""
    return stmt.options(
        selectinload(Match.round),
        selectinload(Match.application).selectinload(Application.teacher),
        selectinload(Match.placement).selectinload(Placement.host).selectinload(Host.enterprise),
        selectinload(Match.pairing_request)
        .selectinload(PairingRequest.school_major)
        .selectinload(SchoolMajor.school),
        selectinload(Match.pairing_request)
        .selectinload(PairingRequest.school_major)
        .selectinload(SchoolMajor.major),
        selectinload(Match.offer).selectinload(Offer.host).selectinload(Host.enterprise),
    )


def round_matches(round_: MatchRound, status: str | None = None) -> Select:
    """A round's matches, best score first."""
    stmt = select(Match).where(Match.round_id == round_.id)
    if status:
        stmt = stmt.where(Match.status == status)
    return with_parties(stmt.order_by(Match.excluded, Match.score.desc(), Match.id))


def my_matches(user, status: str | None = None, round_id: int | None = None) -> Select:
    """Published matches where the user answers for one side (teacher, school, enterprise)."""
    stmt = select(Match).where(Match.status != "preview")
    if user.role == "teacher":
        teacher_apps = (
            select(Application.id)
            .join(Teacher, Application.teacher_id == Teacher.id)
            .where(Teacher.user_id == user.id)
        )
        stmt = stmt.where(Match.application_id.in_(teacher_apps))
    elif user.role == "school":
        requests = (
            select(PairingRequest.id)
            .join(SchoolMajor, PairingRequest.school_major_id == SchoolMajor.id)
            .where(SchoolMajor.school_id == user.school_id)
        )
        stmt = stmt.where(Match.pairing_request_id.in_(requests))
    elif user.role == "enterprise":
        placements = (
            select(Placement.id)
            .join(Host, Placement.host_id == Host.id)
            .where(Host.enterprise_id == user.enterprise_id)
        )
        offers = (
            select(Offer.id)
            .join(Host, Offer.host_id == Host.id)
            .where(Host.enterprise_id == user.enterprise_id)
        )
        stmt = stmt.where(or_(Match.placement_id.in_(placements), Match.offer_id.in_(offers)))
    else:
        rounds = visible_rounds(user).with_only_columns(MatchRound.id).order_by(None)
        stmt = select(Match).where(Match.round_id.in_(rounds))
    if status:
        stmt = stmt.where(Match.status == status)
    if round_id:
        stmt = stmt.where(Match.round_id == round_id)
    return with_parties(stmt.order_by(Match.id.desc()))
