"""Read queries of match rounds: rounds in a user's scope, a round's matches, my matches."""

from math import ceil
from typing import Any

from sqlalchemy import Integer, Select, case, func, or_, select
from sqlalchemy.orm import selectinload

from app.cooperation.models import Application, Offer, PairingRequest, Placement
from app.extensions import db
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


def round_counts(round_: MatchRound) -> dict[str, Any]:
    """How many matches the round holds (by status, locked, excluded) and left unmatched."""
    rows = db.session.execute(
        select(
            Match.status,
            func.count(),
            func.sum(_flag(Match.locked)),
            func.sum(_flag(Match.excluded)),
        )
        .where(Match.round_id == round_.id)
        .group_by(Match.status)
    ).all()
    by_status = {status: count for status, count, _l, _e in rows}
    return {
        "matches": sum(by_status.values()),
        "by_status": by_status,
        "locked": sum(int(locked or 0) for _s, _c, locked, _e in rows),
        "excluded": sum(int(excluded or 0) for _s, _c, _l, excluded in rows),
        "unmatched": len((round_.analysis or {}).get("unmatched", [])),
    }


def _flag(column):
    return case((column.is_(True), 1), else_=0).cast(Integer)


def analysis_summary(round_: MatchRound, top: int) -> dict[str, Any] | None:
    """The round's bottleneck figures with host and occupation lists cut at `top`."""
    analysis = round_.analysis
    if analysis is None:
        return None
    hosts = analysis.get("bottleneck_hosts", [])
    groups = analysis.get("bottleneck_occupations", [])
    return {
        "unserved_demand": analysis.get("unserved_demand", 0),
        "no_candidate_demand": analysis.get("no_candidate_demand", 0),
        "bottleneck_hosts": hosts[:top],
        "bottleneck_hosts_total": len(hosts),
        "bottleneck_occupations": groups[:top],
        "bottleneck_occupations_total": len(groups),
    }


def unmatched_page(
    round_: MatchRound, page: int, per_page: int, reason: str | None = None
) -> dict[str, Any]:
    """{"items", "page", "per_page", "pages", "total"} of the round's unmatched applicants."""
    rows = (round_.analysis or {}).get("unmatched", [])
    if reason:
        rows = [u for u in rows if u.get("reason") == reason]
    start = (page - 1) * per_page
    return {
        "items": rows[start : start + per_page],
        "page": page,
        "per_page": per_page,
        "pages": ceil(len(rows) / per_page) if rows else 0,
        "total": len(rows),
    }


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
