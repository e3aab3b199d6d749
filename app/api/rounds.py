"""Match rounds and matches in the JSON API."""

from typing import Any

from flask import url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.api import bp
from app.api.auth import api_login_required, api_roles
from app.api.docs import operation
from app.api.helpers import (
    MAX_ID,
    api_user,
    arg,
    get_or_404,
    json_object,
    page_args,
    page_of,
    validated,
    writable,
)
from app.api.openapi import EXTRA_SCHEMAS, QUERY_PARAMETERS
from app.api.schemas import INTEGER, STRING, _text
from app.common.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.rounds import jobs, queries, services
from app.rounds.forms import ReasonForm, RoundForm, parse_deadline
from app.rounds.models import (
    MATCH_STATUSES,
    ROUND_KINDS,
    ROUND_MODES,
    ROUND_STATUSES,
    UNMATCHED_REASONS,
    Match,
    MatchRound,
)

ADMINS = ("league_admin", "region_admin")
SIDES = ("teacher", "school", "enterprise")
ROUND_INPUT: dict[str, dict] = {
    "kind": _text(enum=list(ROUND_KINDS)),
    "region_code": _text(6, "A league's code, or null for the whole region.", nullable=True),
    "mode": _text(enum=list(ROUND_MODES), description="Defaults to optimal."),
    "weights": {
        "type": "object",
        "description": "Criterion weights (occupation, distance, mode, period, capacity, "
        "choice): non-negative numbers, not all zero; missing ones keep their defaults.",
        "additionalProperties": {"type": "number", "minimum": 0},
    },
    "deadline": _text(40, "ISO date (end of that day, Beijing time) or ISO date-time."),
    "parent_id": {"type": INTEGER, "nullable": True, "description": "Round this one follows up."},
}
ROUND_REQUIRED = ["kind", "deadline"]
REASON_INPUT: dict[str, dict] = {"reason": _text(2000)}


def _schemas() -> dict[str, dict]:
    integer, text, number = {"type": INTEGER}, {"type": STRING}, {"type": "number"}
    nullable_int = {"type": INTEGER, "nullable": True}
    moment = {"type": STRING, "format": "date-time", "nullable": True}
    criterion = {
        "type": "object",
        "properties": {
            "criterion": text,
            "points": integer,
            "weight": number,
            "explanation": {"type": STRING, "description": "Chinese explanation."},
        },
    }
    match = {
        "id": integer,
        "round_id": integer,
        "kind": {"type": STRING, "enum": list(ROUND_KINDS)},
        "status": {"type": STRING, "enum": list(MATCH_STATUSES)},
        "score": integer,
        "breakdown": {"type": "array", "items": criterion},
        "application_id": nullable_int,
        "placement_id": nullable_int,
        "pairing_request_id": nullable_int,
        "offer_id": nullable_int,
        "applicant": text,
        "host": text,
        "locked": {"type": "boolean"},
        "excluded": {"type": "boolean"},
        "decision_reason": {"type": STRING, "nullable": True},
        "applicant_accepted_at": moment,
        "host_accepted_at": moment,
        "declined_at": moment,
        "deadline": moment,
    }
    round_ = {
        "id": integer,
        "kind": {"type": STRING, "enum": list(ROUND_KINDS)},
        "region_code": {"type": STRING, "nullable": True},
        "mode": {"type": STRING, "enum": list(ROUND_MODES)},
        "weights": {"type": "object", "additionalProperties": number},
        "deadline": moment,
        "status": {"type": STRING, "enum": list(ROUND_STATUSES)},
        "progress": integer,
        "metrics": {"type": "object", "nullable": True},
        "error": {"type": STRING, "nullable": True},
        "parent_id": nullable_int,
        "run_at": moment,
        "published_at": moment,
        "created_at": moment,
    }
    unmatched = {
        "type": "object",
        "properties": {
            "application_id": integer,
            "pairing_request_id": integer,
            "label": text,
            "reason": {"type": STRING, "enum": list(UNMATCHED_REASONS)},
            "causes": {"type": "array", "items": text},
        },
    }
    counts = {
        "type": "object",
        "description": "How many matches the round holds, by status, and how many applicants "
        "it left unmatched.",
        "properties": {
            "matches": integer,
            "by_status": {"type": "object", "additionalProperties": integer},
            "locked": integer,
            "excluded": integer,
            "unmatched": integer,
        },
    }
    summary = {
        "type": "object",
        "nullable": True,
        "description": f"Bottleneck figures; host and occupation lists cut at {ANALYSIS_TOP}.",
        "properties": {
            "unserved_demand": integer,
            "no_candidate_demand": integer,
            "bottleneck_hosts": {"type": "array", "items": {"type": "object"}},
            "bottleneck_hosts_total": integer,
            "bottleneck_occupations": {"type": "array", "items": {"type": "object"}},
            "bottleneck_occupations_total": integer,
        },
    }
    detail = {**round_, "counts": counts, "analysis": summary}
    page = {"page": integer, "per_page": integer, "pages": integer, "total": integer}
    return {
        "RoundCreate": {"type": "object", "properties": ROUND_INPUT, "required": ROUND_REQUIRED},
        "Round": {"type": "object", "properties": round_, "required": ["id", "kind", "status"]},
        "RoundDetail": {"type": "object", "properties": detail, "required": ["id", "counts"]},
        "RoundList": {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Round"}},
                **page,
            },
        },
        "Match": {"type": "object", "properties": match, "required": ["id", "status", "score"]},
        "MatchList": {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Match"}},
                **page,
            },
        },
        "UnmatchedList": {
            "type": "object",
            "properties": {"items": {"type": "array", "items": unmatched}, **page},
        },
        "ReasonRequest": {"type": "object", "properties": REASON_INPUT, "required": ["reason"]},
    }


ANALYSIS_TOP = 50
EXTRA_SCHEMAS.update(_schemas())
QUERY_PARAMETERS.setdefault(
    "match_status",
    {
        "name": "status",
        "schema": {"type": "string", "enum": list(MATCH_STATUSES)},
        "description": "Only matches in this status.",
    },
)
QUERY_PARAMETERS.setdefault(
    "unmatched_reason",
    {
        "name": "reason",
        "schema": {"type": "string", "enum": list(UNMATCHED_REASONS)},
        "description": "Only applicants left unmatched for this reason.",
    },
)
QUERY_PARAMETERS.setdefault(
    "round_id",
    {"schema": {"type": "integer", "minimum": 1}, "description": "Only this round's matches."},
)


def _iso(moment) -> str | None:
    if moment is None:
        return None
    return services._aware(moment).isoformat()


def round_json(round_: MatchRound) -> dict[str, Any]:
    """A round without its matches."""
    return {
        "id": round_.id,
        "kind": round_.kind,
        "region_code": round_.region_code,
        "mode": round_.mode,
        "weights": round_.weights,
        "deadline": _iso(round_.deadline),
        "status": round_.status,
        "progress": round_.progress,
        "metrics": round_.metrics,
        "error": round_.error,
        "parent_id": round_.parent_id,
        "run_at": _iso(round_.run_at),
        "published_at": _iso(round_.published_at),
        "created_at": _iso(round_.created_at),
    }


def match_json(match: Match) -> dict[str, Any]:
    """A match with its score breakdown and both sides."""
    params = services.match_params(match)
    return {
        "id": match.id,
        "round_id": match.round_id,
        "kind": match.kind,
        "status": match.status,
        "score": match.score,
        "breakdown": match.breakdown,
        "application_id": match.application_id,
        "placement_id": match.placement_id,
        "pairing_request_id": match.pairing_request_id,
        "offer_id": match.offer_id,
        "applicant": params["applicant"],
        "host": params["host"],
        "locked": match.locked,
        "excluded": match.excluded,
        "decision_reason": match.decision_reason,
        "applicant_accepted_at": _iso(match.applicant_accepted_at),
        "host_accepted_at": _iso(match.host_accepted_at),
        "declined_at": _iso(match.declined_at),
        "deadline": _iso(match.round.deadline),
    }


def round_detail_json(round_: MatchRound) -> dict[str, Any]:
    """A round with its metrics, counts and bottleneck summary; never its lists of matches."""
    return {
        **round_json(round_),
        "counts": queries.round_counts(round_),
        "analysis": queries.analysis_summary(round_, ANALYSIS_TOP),
    }


def _expire() -> None:
    if services.expire_overdue():
        db.session.commit()


def _round(round_id: int) -> MatchRound:
    round_ = get_or_404(MatchRound, round_id)
    if not round_.can_view(api_user()):
        raise NotFound(_("Not found."))
    return round_


def _match(match_id: int) -> Match:
    match = get_or_404(Match, match_id)
    if not services.can_view_match(api_user(), match):
        raise NotFound(_("Not found."))
    return match


def _reason() -> str:
    data = validated(ReasonForm, writable(json_object(), REASON_INPUT))
    return data["reason"]


@bp.post("/rounds")
@operation(
    "Open a match round",
    tag="rounds",
    body="RoundCreate",
    responses={201: "Round", 403: None},
)
@api_roles(*ADMINS)
def create_round() -> ResponseReturnValue:
    """Open a draft round over the whole region (region_code null) or one league."""
    payload = json_object()
    data = writable(payload, ROUND_INPUT)
    form = {
        "kind": data.get("kind"),
        "region_code": data.get("region_code") or "",
        "mode": data.get("mode") or "optimal",
        "deadline": data.get("deadline"),
    }
    validated(RoundForm, form)
    parent = None
    if data.get("parent_id") is not None:
        parent_id = data["parent_id"]
        if not 0 < parent_id <= MAX_ID:
            raise ValidationFailed(_("Unknown round."), {"parent_id": _("Unknown round.")})
        parent = db.session.get(MatchRound, parent_id)
        if parent is None or not parent.can_view(api_user()):
            raise ValidationFailed(_("Unknown round."), {"parent_id": _("Unknown round.")})
    round_ = services.create_round(
        api_user(),
        form["kind"],
        form["region_code"] or None,
        form["mode"],
        payload.get("weights"),
        parse_deadline(form["deadline"]),
        parent=parent,
    )
    db.session.commit()
    return round_json(round_), 201, {"Location": url_for("api.round_detail", id=round_.id)}


@bp.get("/rounds")
@operation(
    "Match rounds in your scope (filters: kind, status)",
    tag="rounds",
    responses={200: "RoundList"},
    query=("page", "per_page"),
)
@api_roles(*ADMINS)
def round_list() -> ResponseReturnValue:
    """Rounds the administrator may see, newest first; ?kind= and ?status= filter."""
    _expire()
    kind = arg("kind") if arg("kind") in ROUND_KINDS else None
    status = arg("status") if arg("status") in ROUND_STATUSES else None
    return page_of(queries.visible_rounds(api_user(), kind, status), round_json)


@bp.get("/rounds/<int:id>")
@operation(
    "A round with its metrics and counts (its matches: /rounds/{id}/matches)",
    tag="rounds",
    responses={200: "RoundDetail"},
)
@api_roles(*ADMINS)
def round_detail(id: int) -> ResponseReturnValue:
    """The round, its metrics, match counts by status and a bottleneck summary."""
    _expire()
    return round_detail_json(_round(id))


@bp.get("/rounds/<int:id>/matches")
@operation(
    "A round's matches, best score first (filter: status)",
    tag="rounds",
    responses={200: "MatchList", 422: None},
    query=("match_status", "page", "per_page"),
)
@api_roles(*ADMINS)
def round_match_list(id: int) -> ResponseReturnValue:
    """The round's matches, paginated; ?status= keeps one status."""
    _expire()
    round_ = _round(id)
    status = arg("status")
    if status is not None and status not in MATCH_STATUSES:
        raise ValidationFailed(_("Unknown status."), {"status": _("Unknown status.")})
    return page_of(queries.round_matches(round_, status), match_json)


@bp.get("/rounds/<int:id>/unmatched")
@operation(
    "Applicants the round left unmatched, with reasons (filter: reason)",
    tag="rounds",
    responses={200: "UnmatchedList", 422: None},
    query=("unmatched_reason", "page", "per_page"),
)
@api_roles(*ADMINS)
def round_unmatched_list(id: int) -> ResponseReturnValue:
    """The round's unmatched applicants and why, paginated; ?reason= keeps one reason."""
    round_ = _round(id)
    reason = arg("reason")
    if reason is not None and reason not in UNMATCHED_REASONS:
        raise ValidationFailed(_("Unknown reason."), {"reason": _("Unknown reason.")})
    page, per_page = page_args()
    return queries.unmatched_page(round_, page, per_page, reason)


@bp.post("/rounds/<int:id>/run")
@operation(
    "Run the round and return the preview (202 when queued in the background)",
    tag="rounds",
    responses={200: "RoundDetail", 202: "Round", 409: None, 500: None},
)
@api_roles(*ADMINS)
def run_round(id: int) -> ResponseReturnValue:
    """Solve in the round's mode and the other one; replaces the unlocked preview."""
    round_ = _round(id)
    if jobs.start(round_, api_user()):
        return round_json(round_), 202
    db.session.expire_all()
    return round_detail_json(_round(id))


@bp.post("/rounds/<int:id>/publish")
@operation(
    "Publish the preview: proposals go to both sides",
    tag="rounds",
    responses={200: "RoundDetail", 409: None},
)
@api_roles(*ADMINS)
def publish_round(id: int) -> ResponseReturnValue:
    """Preview → proposed; the round becomes read-only history (again: 409)."""
    round_ = _round(id)
    services.publish_round(api_user(), round_)
    db.session.commit()
    return round_detail_json(round_)


@bp.post("/rounds/<int:id>/matches/<int:match_id>/lock")
@operation(
    "Lock a preview pair with a reason",
    tag="rounds",
    body="ReasonRequest",
    responses={200: "Match", 409: None},
)
@api_roles(*ADMINS)
def lock_match(id: int, match_id: int) -> ResponseReturnValue:
    """Locked pairs stay in every re-run of the round and keep their place."""
    return _decide(id, match_id, services.lock_match)


@bp.post("/rounds/<int:id>/matches/<int:match_id>/exclude")
@operation(
    "Exclude a preview pair with a reason",
    tag="rounds",
    body="ReasonRequest",
    responses={200: "Match", 409: None},
)
@api_roles(*ADMINS)
def exclude_match(id: int, match_id: int) -> ResponseReturnValue:
    """Excluded pairs are never proposed in this round."""
    return _decide(id, match_id, services.exclude_match)


def _decide(round_id: int, match_id: int, service) -> ResponseReturnValue:
    match = _match(match_id)
    if match.round_id != round_id:
        raise NotFound(_("Not found."))
    if not match.round.can_edit(api_user()):
        raise Forbidden(_("You may not change this round."))
    service(api_user(), match, _reason())
    db.session.commit()
    return match_json(match)


@bp.get("/matches")
@operation(
    "Matches: a round's (administrators) or your own",
    tag="matches",
    responses={200: "MatchList"},
    query=("round_id", "page", "per_page"),
)
@api_login_required
def match_list() -> ResponseReturnValue:
    """Administrators: the matches of rounds they see; others: published matches they answer."""
    _expire()
    user = api_user()
    raw = arg("round_id")
    round_id = int(raw) if raw and raw.isdigit() and 0 < int(raw) <= MAX_ID else None
    if raw and round_id is None:
        raise ValidationFailed(_("Unknown round."), {"round_id": _("Unknown round.")})
    if user.role in ADMINS and round_id is not None:
        return page_of(queries.round_matches(_round(round_id)), match_json)
    if user.role not in (*ADMINS, *SIDES):
        raise Forbidden(_("Your role may not do this."))
    return page_of(queries.my_matches(user, round_id=round_id), match_json)


@bp.post("/matches/<int:id>/accept")
@operation(
    "Accept a proposed match for your side",
    tag="matches",
    responses={200: "Match", 409: None},
)
@api_roles(*SIDES)
def accept_match(id: int) -> ResponseReturnValue:
    """Both sides accepted → confirmed: the place is claimed (409 when none is left)."""
    _expire()
    match = _match(id)
    services.accept_match(api_user(), match)
    db.session.commit()
    return match_json(match)


@bp.post("/matches/<int:id>/decline")
@operation(
    "Decline a proposed match with a reason",
    tag="matches",
    body="ReasonRequest",
    responses={200: "Match", 409: None},
)
@api_roles(*SIDES)
def decline_match(id: int) -> ResponseReturnValue:
    """The held place is offered again in follow-up rounds; the pair never again."""
    _expire()
    match = _match(id)
    services.decline_match(api_user(), match, _reason())
    db.session.commit()
    return match_json(match)
