"""Cooperation API: school majors, teachers, offers, placements, pairing requests,
applications (endorse, return, withdraw, direct accept), pairings, practice and the ledger."""

from typing import Any

from flask import request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from app.api import bp
from app.api.auth import api_login_required, api_public, api_roles
from app.api.docs import operation
from app.api.helpers import (
    api_user,
    arg,
    json_object,
    keyed_page_of,
    page_of,
    validated,
    visible_or_404,
    wants_file,
    writable,
)
from app.api.openapi import EXTRA_SCHEMAS, QUERY_PARAMETERS
from app.api.schemas import ARRAY, INTEGER, STRING, type_errors
from app.common.errors import Forbidden, NotFound, ValidationFailed
from app.common.exports import export_response
from app.common.privacy import current_viewer, teacher_email_of
from app.cooperation import exports, queries, services
from app.cooperation.forms import (
    AgreementForm,
    ApplicationForm,
    OfferForm,
    PairingRequestForm,
    PlacementForm,
    PracticeEntryForm,
    ProposeMajorForm,
    ProposeOfferForm,
    ReasonForm,
    SchoolMajorForm,
    TeacherProfileForm,
)
from app.cooperation.models import (
    AGREEMENT_PARTIES,
    AGREEMENT_STATES,
    AGREEMENT_SUBJECTS,
    FEEDBACK_OCCASIONS,
    MODES,
    Agreement,
    Application,
    Feedback,
    Offer,
    Pairing,
    PairingRequest,
    Placement,
    Practice,
    Proposal,
    approved_enterprise_user,
)
from app.extensions import db
from app.registry.models import HOST_KINDS, TRAINING_LEVELS, Host, School, Teacher

ADMINS = ("league_admin", "region_admin")
PAGE = ("page", "per_page")
BROWSE = (*PAGE, "region_code", "occupation_code", "host_kind", "starts_on", "ends_on", "free_only")
DATE = {"type": STRING, "format": "date", "description": "ISO date YYYY-MM-DD."}
CODES = {"type": ARRAY, "items": {"type": STRING, "maxLength": 10}}
INT = {"type": INTEGER, "minimum": 1}


def _text(max_length: int, **extra) -> dict:
    return {"type": STRING, "maxLength": max_length, **extra}


POSTING = {
    "host_id": {**INT, "description": "One of your own active hosts (another's: 422)."},
    "occupation_codes": {**CODES, "minItems": 1},
    "starts_on": DATE,
    "ends_on": DATE,
    "status": _text(5, enum=["open", "draft"], description="open (default) or draft."),
}
OFFER_INPUT = {
    **POSTING,
    "mode": _text(30, enum=list(MODES)),
    "slots": {"type": INTEGER, "minimum": 1, "maximum": 1000},
    "description": _text(5000, nullable=True),
}
PLACEMENT_INPUT = {
    **POSTING,
    "seats": {"type": INTEGER, "minimum": 1, "maximum": 1000},
    "requirements": _text(5000, nullable=True),
}
MAJOR_INPUT = {
    "major_id": INT,
    "level": _text(20, enum=list(TRAINING_LEVELS)),
    "cohort_size": {"type": INTEGER, "minimum": 0, "maximum": 100000},
}
TEACHER_INPUT = {
    "school_id": INT,
    "name": _text(100),
    "occupation_codes": {**CODES, "minItems": 1},
    "title": _text(100, nullable=True),
}
PAIRING_REQUEST_INPUT = {
    "school_major_id": INT,
    "occupation_codes": {**CODES, "minItems": 1},
    "preferred_modes": {"type": ARRAY, "items": {"type": STRING, "enum": list(MODES)}},
    "preferred_region_codes": CODES,
    "starts_on": DATE,
    "ends_on": DATE,
    "wanted": {"type": INTEGER, "minimum": 1, "maximum": 20},
}
APPLICATION_INPUT = {
    "placement_ids": {
        "type": ARRAY,
        "items": {"type": INTEGER},
        "minItems": 1,
        "maxItems": 5,
        "description": "Placement ids, first choice first (at most 5, no duplicates).",
    },
    "starts_on": DATE,
    "ends_on": DATE,
}
REASON_INPUT = {"reason": _text(2000)}
AGREEMENT_INPUT = {
    "subject": _text(10, enum=list(AGREEMENT_SUBJECTS)),
    "subject_id": {**INT, "description": "The pairing, practice or programme of your side."},
    "title": _text(200),
    "starts_on": DATE,
    "ends_on": DATE,
    "terms": _text(20000),
}
FEEDBACK_INPUT = {
    "occasion": _text(15, enum=list(FEEDBACK_OCCASIONS)),
    "subject_id": {**INT, "description": "The practice (placement, practice) or the pairing."},
    "scores": {
        "type": "object",
        "additionalProperties": {"type": "integer", "minimum": 1, "maximum": 5},
        "description": "1–5 for every criterion of the occasion: placement: guidance, learning, "
        "conditions; practice: attitude, skill, contribution; pairing_year and pairing_end: "
        "communication, commitment, results.",
    },
    "comment": _text(2000, nullable=True),
}
FEEDBACK_UPDATE = {k: v for k, v in FEEDBACK_INPUT.items() if k in ("scores", "comment")}
PROPOSE_OFFER_INPUT = {
    "offer_id": {**INT, "description": "One of your own open offers (another's: 422)."},
    "note": _text(2000, nullable=True),
}
PROPOSE_MAJOR_INPUT = {
    "school_major_id": {**INT, "description": "One of your school's integrated majors."},
    "note": _text(2000, nullable=True),
}
ENTRY_INPUT = {"on_date": DATE, "description": _text(2000)}


# Serializers -------------------------------------------------------------------------------


def _period(obj) -> dict[str, str]:
    return {"starts_on": obj.starts_on.isoformat(), "ends_on": obj.ends_on.isoformat()}


def _time(value) -> str | None:
    return value.isoformat() if value else None


def _host_brief(host: Host) -> dict[str, Any]:
    return {
        "host_id": host.id,
        "host_name": host.name,
        "host_kind": host.kind,
        "enterprise_id": host.enterprise_id,
        "enterprise_name": host.enterprise.name,
        "region_code": host.region_code,
    }


def offer_json(offer: Offer) -> dict[str, Any]:
    """A cooperation offer."""
    return {
        "id": offer.id,
        "status": offer.status,
        **_host_brief(offer.host),
        "mode": offer.mode,
        "occupation_codes": [o.code for o in offer.occupations],
        "slots": offer.slots,
        "slots_taken": offer.slots_taken,
        **_period(offer),
        "description": offer.description,
    }


def placement_json(placement: Placement) -> dict[str, Any]:
    """A teacher-practice placement."""
    return {
        "id": placement.id,
        "status": placement.status,
        **_host_brief(placement.host),
        "occupation_codes": [o.code for o in placement.occupations],
        "seats": placement.seats,
        "seats_taken": placement.seats_taken,
        "free": placement.free,
        **_period(placement),
        "requirements": placement.requirements,
    }


def school_major_json(row) -> dict[str, Any]:
    """A school's integrated major."""
    return {
        "id": row.id,
        "school_id": row.school_id,
        "major_id": row.major_id,
        "major_name": row.major.name,
        "level": row.level,
        "cohort_size": row.cohort_size,
        "active": row.active,
    }


def teacher_json(teacher: Teacher) -> dict[str, Any]:
    """A teacher profile; `status` is pending until the school confirms it."""
    return {
        "id": teacher.id,
        "status": "confirmed" if teacher.confirmed else "pending",
        "user_id": teacher.user_id,
        "school_id": teacher.school_id,
        "name": teacher.name,
        "email": teacher_email_of(teacher),
        "occupation_codes": teacher.occupation_codes,
        "title": teacher.title,
        "confirmed_at": _time(teacher.confirmed_at),
    }


def pairing_request_json(row: PairingRequest) -> dict[str, Any]:
    """A school's pairing request with its school and major."""
    return {
        "id": row.id,
        "status": row.status,
        "school_major_id": row.school_major_id,
        "school_id": row.school_major.school_id,
        "school_name": row.school_major.school.name,
        "major_name": row.school_major.major.name,
        "region_code": row.school_major.school.region_code,
        "occupation_codes": [o.code for o in row.occupations],
        "preferred_modes": list(row.preferred_modes or []),
        "preferred_region_codes": list(row.preferred_region_codes or []),
        **_period(row),
        "wanted": row.wanted,
    }


def application_json(row: Application) -> dict[str, Any]:
    """A teacher's application; a host's side sees only the placements that are its own."""
    return {
        "id": row.id,
        "status": row.status,
        "teacher_id": row.teacher_id,
        "teacher_name": row.teacher.name,
        "school_id": row.teacher.school_id,
        "placement_ids": [c.placement_id for c in row.visible_choices(current_viewer())],
        **_period(row),
        "note": row.note,
        "endorsed_at": _time(row.endorsed_at),
    }


def pairing_json(row: Pairing) -> dict[str, Any]:
    """An agreed pairing of an integrated major with an enterprise host."""
    return {
        "id": row.id,
        "status": row.status,
        "school_major_id": row.school_major_id,
        "school_id": row.school_major.school_id,
        "school_name": row.school_major.school.name,
        "major_name": row.school_major.major.name,
        "offer_id": row.offer_id,
        **_host_brief(row.offer.host),
        "pairing_request_id": row.pairing_request_id,
        "started_on": row.started_on.isoformat(),
        "ended_on": row.ended_on.isoformat() if row.ended_on else None,
    }


def proposal_json(row: Proposal) -> dict[str, Any]:
    """A direct pairing proposal between an offer and a school's integrated major."""
    major = row.school_major
    return {
        "id": row.id,
        "direction": row.direction,
        "status": row.status,
        "offer_id": row.offer_id,
        **_host_brief(row.offer.host),
        "mode": row.offer.mode,
        "school_major_id": row.school_major_id,
        "school_id": major.school_id,
        "school_name": major.school.name,
        "major_name": major.major.name,
        "pairing_request_id": row.pairing_request_id,
        "note": row.note,
        "decision_reason": row.decision_reason,
        "decided_at": _time(row.decided_at),
        "pairing_id": row.pairing_id,
        "created_at": _time(row.created_at),
    }


def agreement_json(row: Agreement) -> dict[str, Any]:
    """An agreement version with its parties' confirmations."""
    return {
        "id": row.id,
        "subject": row.subject,
        "subject_id": getattr(row, f"{row.subject}_id"),
        "version": row.version,
        "previous_id": row.previous_id,
        "state": row.state,
        "title": row.title,
        "starts_on": row.starts_on.isoformat(),
        "ends_on": row.ends_on.isoformat(),
        "terms": row.terms,
        "school_id": row.school_id,
        "enterprise_id": row.enterprise_id,
        "teacher_id": row.teacher_id,
        "file_name": row.file_original_name,
        "file_size": row.file_size,
        "file_sha256": row.file_sha256,
        "activated_at": _time(row.activated_at),
        "parties": [{"party": p.party, "confirmed_at": _time(p.confirmed_at)} for p in row.parties],
    }


def feedback_json(row: Feedback) -> dict[str, Any]:
    """One's own answer (only its author ever sees it)."""
    return {
        "id": row.id,
        "occasion": row.occasion,
        "subject_id": row.practice_id or row.pairing_id,
        "side": row.side,
        "year": row.year,
        "host_id": row.host_id,
        "scores": dict(row.scores),
        "score": row.score,
        "comment": row.comment,
        "created_at": _time(row.created_at),
        "editable_until": _time(row.editable_until()),
    }


def _feedback_body(spec: dict[str, dict]) -> dict[str, Any]:
    """occasion/subject_id/comment type-checked; scores passed on to the service's checks."""
    payload = json_object()
    scores = payload.get("scores")
    rest = {k: v for k, v in payload.items() if k in spec and k != "scores"}
    data = writable(rest, spec)
    comment = data.get("comment")
    if isinstance(comment, str):
        message = None
        if len(comment) > 2000:
            message = _("At most 2000 characters.")
        else:
            try:
                comment.encode("utf-8")
            except UnicodeEncodeError:
                message = _("The text contains characters that cannot be stored.")
        if message:
            raise ValidationFailed(message, {"comment": message})
    if "scores" in spec:
        data["scores"] = scores
    return data


def practice_json(row: Practice) -> dict[str, Any]:
    """A practice stint with its logged days."""
    return {
        "id": row.id,
        "status": row.status,
        "teacher_id": row.teacher_id,
        "placement_id": row.placement_id,
        "application_id": row.application_id,
        "started_on": row.started_on.isoformat(),
        "ended_on": row.ended_on.isoformat() if row.ended_on else None,
        "days_logged": len(row.entries),
        "days_confirmed": row.days_confirmed,
        "entries": [e.as_dict() for e in row.entries],
    }


# Helpers -----------------------------------------------------------------------------------


def _body(spec: dict[str, dict]) -> dict[str, Any]:
    """The writable fields of the JSON body (placement_ids may hold whole numbers)."""
    payload = json_object()
    ids = payload.get("placement_ids") if "placement_ids" in spec else None
    if ids is not None and not (
        isinstance(ids, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
    ):
        message = _("Expected a list of placement ids.")
        raise ValidationFailed(message, {"placement_ids": message})
    rest = {k: v for k, v in payload.items() if k != "placement_ids"}
    errors = type_errors({k: v for k, v in rest.items() if k in spec}, spec)
    if errors:
        raise ValidationFailed(_("Some fields have the wrong type."), errors)
    data = writable(rest, spec)
    if ids is not None:
        data["placement_ids"] = ids
    return data


def _own_host_choices() -> list[tuple[int, str]]:
    user = api_user()
    if user.enterprise_id is None:
        return []
    stmt = select(Host.id, Host.name).where(
        Host.enterprise_id == user.enterprise_id, Host.retired_at.is_(None)
    )
    return [(r.id, r.name) for r in db.session.execute(stmt)]


def _created(payload: dict, endpoint: str, **values) -> ResponseReturnValue:
    db.session.commit()
    return payload, 201, {"Location": url_for(endpoint, **values)}


def _done(service, *args) -> None:
    service(api_user(), *args)
    db.session.commit()


def _date_arg(name: str):
    from datetime import date

    value = arg(name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        message = _("Give a date as YYYY-MM-DD.")
        raise ValidationFailed(message, {name: message}) from None


def _browse_filters() -> queries.BrowseFilters:
    return queries.BrowseFilters(
        region_code=arg("region_code"),
        occupation_code=arg("occupation_code"),
        host_kind=arg("host_kind"),
        starts_on=_date_arg("starts_on"),
        ends_on=_date_arg("ends_on"),
        free_only=arg("free_only") in ("1", "true", "yes"),
        mode=arg("mode"),
    )


# School majors and teachers ----------------------------------------------------------------


@bp.get("/schools/<int:id>/majors")
@operation("Integrated majors of a school", tag="cooperation", responses={200: "SchoolMajorList"})
@api_public
def school_major_list(id: int) -> ResponseReturnValue:
    """The integrated majors of a school visible to the caller."""
    school = visible_or_404(School, id)
    rows = queries.school_majors(school.id)
    return {
        "items": [school_major_json(r) for r in rows],
        "page": 1,
        "per_page": max(len(rows), 1),
        "pages": 1 if rows else 0,
        "total": len(rows),
    }


@bp.post("/schools/<int:id>/majors")
@operation(
    "Register an integrated major of the school",
    tag="cooperation",
    body="SchoolMajorCreate",
    responses={201: "SchoolMajor", 409: None},
)
@api_roles("school")
def create_school_major(id: int) -> ResponseReturnValue:
    """School staff register a catalogue major at a training level with its cohort size."""
    school = visible_or_404(School, id)
    if not school.is_member(api_user()):
        raise Forbidden(_("Only the school's staff register its majors."))
    data = validated(SchoolMajorForm, _body(MAJOR_INPUT))
    row = services.add_school_major(api_user(), school, data)
    return _created(school_major_json(row), "api.school_major_list", id=school.id)


@bp.post("/teachers")
@operation(
    "Create one's teacher profile (the school confirms it)",
    tag="cooperation",
    body="TeacherCreate",
    responses={201: "Teacher", 409: None},
)
@api_roles("teacher")
def create_teacher() -> ResponseReturnValue:
    """The teacher account's own profile; one per account."""
    schools = []
    school_id = json_object().get("school_id")
    if isinstance(school_id, int) and not isinstance(school_id, bool) and 0 < school_id < 2**31:
        school = db.session.get(School, school_id)
        if school is not None and school.status == "approved":
            schools = [(school.id, school.name)]
    data = validated(TeacherProfileForm, _body(TEACHER_INPUT), schools=schools)
    teacher = services.create_teacher_profile(api_user(), data)
    return _created(teacher_json(teacher), "api.teacher", id=teacher.id)


@bp.get("/teachers")
@operation(
    "Teachers: one's own profile, the school's, or the administrator's league's; pending first",
    tag="cooperation",
    responses={200: "TeacherList"},
    query=(*PAGE, "format"),
)
@api_roles("teacher", "school", *ADMINS)
def teacher_list() -> ResponseReturnValue:
    """The same teachers GET /teachers/{id} shows the caller (?format=csv|xlsx: as a file)."""
    fmt = wants_file()
    if fmt is not None:
        rows = exports.teacher_export_rows(api_user())
        return export_response(rows, exports.TEACHERS, "teachers", fmt)
    return page_of(queries.visible_teachers(api_user()), teacher_json, by_id=True)


@bp.get("/teachers/<int:id>")
@operation("A teacher profile", tag="cooperation", responses={200: "Teacher"})
@api_login_required
def teacher(id: int) -> ResponseReturnValue:
    """Visible to the teacher, the school's staff and its league's administrators."""
    return teacher_json(visible_or_404(Teacher, id))


@bp.post("/teachers/<int:id>/confirm")
@operation(
    "Confirm a teacher of one's school", tag="cooperation", responses={200: "Teacher", 409: None}
)
@api_roles("school")
def confirm_teacher(id: int) -> ResponseReturnValue:
    """School staff confirm that the teacher account belongs to their school."""
    row = visible_or_404(Teacher, id)
    _done(services.confirm_teacher, row)
    return teacher_json(row)


# Offers and placements ---------------------------------------------------------------------


@bp.get("/offers")
@operation(
    "Open cooperation offers",
    tag="cooperation",
    responses={200: "OfferList"},
    query=(*BROWSE, "mode"),
)
@api_public
def offer_list() -> ResponseReturnValue:
    """Open offers of approved enterprises, filtered like the page."""
    filters = _browse_filters()
    return keyed_page_of(lambda p, n: queries.offers_page(filters, p, n), offer_json)


@bp.post("/offers")
@operation(
    "Post a cooperation offer on one of your hosts",
    tag="cooperation",
    body="OfferCreate",
    responses={201: "Offer"},
)
@api_roles("enterprise")
def create_offer() -> ResponseReturnValue:
    """Opens the offer unless status is draft; another enterprise's host is 422 (host_id)."""
    data = validated(OfferForm, _body(OFFER_INPUT), hosts=_own_host_choices())
    offer = services.create_offer(api_user(), data)
    return _created(offer_json(offer), "api.offer", id=offer.id)


@bp.get("/offers/<int:id>")
@operation("A cooperation offer", tag="cooperation", responses={200: "Offer"})
@api_public
def offer(id: int) -> ResponseReturnValue:
    """Open offers are public; drafts only to their enterprise."""
    return offer_json(visible_or_404(Offer, id))


@bp.get("/placements")
@operation(
    "Open teacher-practice placements",
    tag="cooperation",
    responses={200: "PlacementList"},
    query=BROWSE,
)
@api_public
def placement_list() -> ResponseReturnValue:
    """Filters: league, occupation, host kind, period overlap, free seats only."""
    filters = _browse_filters()
    return keyed_page_of(lambda p, n: queries.placements_page(filters, p, n), placement_json)


@bp.post("/placements")
@operation(
    "Post a teacher-practice placement on one of your hosts",
    tag="cooperation",
    body="PlacementCreate",
    responses={201: "Placement"},
)
@api_roles("enterprise")
def create_placement() -> ResponseReturnValue:
    """Opens the placement unless status is draft; another enterprise's host is 422."""
    data = validated(PlacementForm, _body(PLACEMENT_INPUT), hosts=_own_host_choices())
    placement = services.create_placement(api_user(), data)
    return _created(placement_json(placement), "api.placement", id=placement.id)


@bp.get("/placements/<int:id>")
@operation("A placement", tag="cooperation", responses={200: "Placement"})
@api_public
def placement(id: int) -> ResponseReturnValue:
    """Open placements are public; drafts only to their enterprise."""
    return placement_json(visible_or_404(Placement, id))


def _posting_move(model, id: int, action: str, serialize) -> ResponseReturnValue:
    posting = visible_or_404(model, id)
    _done(services.change_posting, posting, action)
    return serialize(posting)


@bp.post("/offers/<int:id>/publish")
@operation("Open a draft offer", tag="cooperation", responses={200: "Offer", 409: None})
@api_roles("enterprise")
def publish_offer(id: int) -> ResponseReturnValue:
    """draft → open."""
    return _posting_move(Offer, id, "publish", offer_json)


@bp.post("/offers/<int:id>/close")
@operation("Close an open offer", tag="cooperation", responses={200: "Offer", 409: None})
@api_roles("enterprise")
def close_offer(id: int) -> ResponseReturnValue:
    """open → closed."""
    return _posting_move(Offer, id, "close", offer_json)


@bp.post("/placements/<int:id>/publish")
@operation("Open a draft placement", tag="cooperation", responses={200: "Placement", 409: None})
@api_roles("enterprise")
def publish_placement(id: int) -> ResponseReturnValue:
    """draft → open."""
    return _posting_move(Placement, id, "publish", placement_json)


@bp.post("/placements/<int:id>/close")
@operation("Close an open placement", tag="cooperation", responses={200: "Placement", 409: None})
@api_roles("enterprise")
def close_placement(id: int) -> ResponseReturnValue:
    """open → closed."""
    return _posting_move(Placement, id, "close", placement_json)


# Pairing requests and pairings -------------------------------------------------------------


@bp.get("/pairing-requests")
@operation(
    "Pairing requests: the school's own (administrators: their league's); for approved "
    "enterprises, the open ones",
    tag="cooperation",
    responses={200: "PairingRequestList"},
    query=(*PAGE, "region_code", "occupation_code", "mode", "starts_on", "ends_on"),
)
@api_roles("school", "enterprise", *ADMINS)
def pairing_request_list() -> ResponseReturnValue:
    """A school or administrator sees the same requests GET /pairing-requests/{id} shows,
    newest first; an approved enterprise browses requests still looking for partners
    (filters: league, occupation, mode, period), with school and major."""
    user = api_user()
    if user.role == "enterprise":
        if not approved_enterprise_user(user):
            raise Forbidden(_("Only approved enterprises browse pairing requests."))
        return page_of(queries.open_pairing_requests(_browse_filters()), pairing_request_json)
    return page_of(queries.visible_pairing_requests(user), pairing_request_json)


@bp.post("/pairing-requests")
@operation(
    "Request a workshop pairing for an integrated major",
    tag="cooperation",
    body="PairingRequestCreate",
    responses={201: "PairingRequest"},
)
@api_roles("school")
def create_pairing_request() -> ResponseReturnValue:
    """The major must be one of the caller's school (422 naming school_major_id otherwise)."""
    school_id = api_user().school_id or 0
    majors = [(m.id, m.major.name) for m in queries.school_majors(school_id)]
    data = validated(PairingRequestForm, _body(PAIRING_REQUEST_INPUT), majors=majors)
    row = services.create_pairing_request(api_user(), data)
    return _created(pairing_request_json(row), "api.pairing_request", id=row.id)


@bp.get("/pairing-requests/<int:id>")
@operation("A pairing request", tag="cooperation", responses={200: "PairingRequest"})
@api_login_required
def pairing_request(id: int) -> ResponseReturnValue:
    """Visible to the school's staff and its league's administrators."""
    return pairing_request_json(visible_or_404(PairingRequest, id))


@bp.post("/pairing-requests/<int:id>/withdraw")
@operation(
    "Withdraw a pairing request",
    tag="cooperation",
    responses={200: "PairingRequest", 409: None},
)
@api_roles("school")
def withdraw_pairing_request(id: int) -> ResponseReturnValue:
    """submitted/returned/endorsed → withdrawn."""
    row = visible_or_404(PairingRequest, id)
    _done(services.withdraw_pairing_request, row)
    return pairing_request_json(row)


@bp.get("/pairings")
@operation(
    "Pairings of the caller's school or enterprise",
    tag="cooperation",
    responses={200: "PairingList"},
    query=(*PAGE, "state"),
)
@api_roles("school", "enterprise", *ADMINS)
def pairing_list() -> ResponseReturnValue:
    """Active pairings by default; ?state=ended for ended ones."""
    state = "ended" if arg("state") == "ended" else "active"
    return page_of(queries.pairings_of(api_user(), state), pairing_json)


@bp.post("/pairings/<int:id>/end")
@operation("End an active pairing", tag="cooperation", responses={200: "Pairing", 409: None})
@api_roles("school", "enterprise")
def end_pairing(id: int) -> ResponseReturnValue:
    """Either partner ends the pairing."""
    row = visible_or_404(Pairing, id)
    _done(services.end_pairing, row)
    return pairing_json(row)


# Direct pairing proposals ------------------------------------------------------------------


def _own_open_offer_choices() -> list[tuple[int, str]]:
    user = api_user()
    return [(o.id, o.host.name) for o in queries.own_open_offers(user.enterprise_id or 0)]


def _own_major_choices() -> list[tuple[int, str]]:
    user = api_user()
    return [(m.id, m.major.name) for m in queries.school_majors(user.school_id or 0) if m.active]


@bp.post("/pairing-requests/<int:id>/proposals")
@operation(
    "Propose one of your open offers to a school's pairing request (enterprise)",
    tag="cooperation",
    body="ProposeOffer",
    responses={201: "Proposal", 409: None},
)
@api_roles("enterprise")
def propose_offer(id: int) -> ResponseReturnValue:
    """The school answers; an offer not yours, closed or full is 422 naming offer_id."""
    row = visible_or_404(PairingRequest, id)
    data = validated(ProposeOfferForm, _body(PROPOSE_OFFER_INPUT), offers=_own_open_offer_choices())
    proposal = services.propose_offer(api_user(), row, data)
    return _created(proposal_json(proposal), "api.proposal", id=proposal.id)


@bp.post("/offers/<int:id>/proposals")
@operation(
    "Propose one of your school's integrated majors to an open offer (school)",
    tag="cooperation",
    body="ProposeMajor",
    responses={201: "Proposal", 409: None},
)
@api_roles("school")
def propose_major(id: int) -> ResponseReturnValue:
    """The enterprise answers; a major not of your school is 422 naming school_major_id."""
    offer = visible_or_404(Offer, id)
    data = validated(ProposeMajorForm, _body(PROPOSE_MAJOR_INPUT), majors=_own_major_choices())
    proposal = services.propose_major(api_user(), offer, data)
    return _created(proposal_json(proposal), "api.proposal", id=proposal.id)


@bp.get("/proposals")
@operation(
    "Proposals the caller's school or enterprise sent and received",
    tag="cooperation",
    responses={200: "ProposalList"},
    query=(*PAGE, "box"),
)
@api_roles("school", "enterprise")
def proposal_list() -> ResponseReturnValue:
    """?box=sent|received narrows the list (?status=pending|accepted|declined too)."""
    box = arg("box")
    return page_of(
        queries.proposals_of(
            api_user(), box if box in ("sent", "received") else None, arg("status")
        ),
        proposal_json,
    )


@bp.get("/proposals/<int:id>")
@operation("A pairing proposal", tag="cooperation", responses={200: "Proposal"})
@api_login_required
def proposal(id: int) -> ResponseReturnValue:
    """Visible to both sides and to the administrators of either league."""
    return proposal_json(visible_or_404(Proposal, id))


@bp.post("/proposals/<int:id>/accept")
@operation(
    "Accept a proposal received (starts the pairing)",
    tag="cooperation",
    responses={200: "Proposal", 409: None},
)
@api_roles("school", "enterprise")
def accept_proposal(id: int) -> ResponseReturnValue:
    """Claims the offer's slot atomically; 409 no_place_left when every slot is taken."""
    row = visible_or_404(Proposal, id)
    _done(services.accept_proposal, row)
    db.session.refresh(row)
    return proposal_json(row)


@bp.post("/proposals/<int:id>/decline")
@operation(
    "Decline a proposal received, with a reason",
    tag="cooperation",
    body="ReasonRequest",
    responses={200: "Proposal", 409: None},
)
@api_roles("school", "enterprise")
def decline_proposal(id: int) -> ResponseReturnValue:
    """pending → declined; the proposing side reads the reason."""
    row = visible_or_404(Proposal, id)
    data = validated(ReasonForm, _body(REASON_INPUT))
    _done(services.decline_proposal, row, data["reason"])
    db.session.refresh(row)
    return proposal_json(row)


# Agreements --------------------------------------------------------------------------------


@bp.get("/agreements")
@operation(
    "Agreements of the caller's side (administrators: of their league)",
    tag="cooperation",
    responses={200: "AgreementList"},
    query=(*PAGE, "agreement_state", "when"),
)
@api_roles("school", "enterprise", "teacher", *ADMINS)
def agreement_list() -> ResponseReturnValue:
    """Newest first; ?agreement_state= narrows by state, ?when=ending|ended by end date."""
    stmt = queries.agreements_for(api_user(), arg("agreement_state"), arg("when"), services.today())
    return page_of(stmt, agreement_json)


@bp.post("/agreements")
@operation(
    "Record the agreement of a pairing, practice or training programme (or its next version)",
    tag="cooperation",
    body="AgreementCreate",
    responses={201: "Agreement", 409: None},
)
@api_roles("school", "enterprise")
def create_agreement() -> ResponseReturnValue:
    """Either side records it; with one in force, this is the next version (409 while a
    version still waits for confirmation)."""
    data = validated(AgreementForm, _body(AGREEMENT_INPUT))
    row = services.create_agreement(api_user(), data)
    return _created(agreement_json(row), "api.agreement", id=row.id)


@bp.get("/agreements/<int:id>")
@operation("An agreement version", tag="cooperation", responses={200: "Agreement"})
@api_login_required
def agreement(id: int) -> ResponseReturnValue:
    """Visible to the parties and the administrators of its league."""
    return agreement_json(visible_or_404(Agreement, id))


@bp.post("/agreements/<int:id>/files")
@operation(
    "Upload the signed and sealed scan (multipart field `file`: PDF, PNG or JPEG)",
    tag="cooperation",
    responses={200: "Agreement", 400: None, 409: None, 413: None, 422: None},
)
@api_roles("school", "enterprise")
def agreement_file_upload(id: int) -> ResponseReturnValue:
    """Checked by content and name; a new scan clears confirmations given so far."""
    row = visible_or_404(Agreement, id)
    upload = request.files.get("file")
    if upload is None:
        message = _("Send the file as multipart field `file`.")
        raise ValidationFailed(message, {"file": message})
    _done(services.upload_agreement_file, row, upload.stream, upload.filename)
    return agreement_json(row)


@bp.post("/agreements/<int:id>/confirm")
@operation(
    "Confirm an agreement version for one's side",
    tag="cooperation",
    responses={200: "Agreement", 409: None},
)
@api_roles("school", "enterprise", "teacher")
def confirm_agreement(id: int) -> ResponseReturnValue:
    """Confirmed by every party, the version comes into force and replaces the previous one."""
    row = visible_or_404(Agreement, id)
    _done(services.confirm_agreement, row)
    db.session.refresh(row)
    return agreement_json(row)


# Feedback ----------------------------------------------------------------------------------


@bp.get("/feedback")
@operation("One's own ratings", tag="cooperation", responses={200: "FeedbackList"}, query=PAGE)
@api_roles("teacher", "school", "enterprise")
def feedback_list() -> ResponseReturnValue:
    """The caller's answers, newest first (others' answers are never listed)."""
    return page_of(queries.feedback_of(api_user()), feedback_json)


@bp.post("/feedback")
@operation(
    "Rate a completed practice, its placement or a pairing (once per occasion)",
    tag="cooperation",
    body="FeedbackCreate",
    responses={201: "Feedback", 409: None},
)
@api_roles("teacher", "school", "enterprise")
def create_feedback() -> ResponseReturnValue:
    """placement: the teacher; practice: the enterprise; pairing_year (this year) and
    pairing_end (ended pairings): school and enterprise. 409 when already rated."""
    row = services.submit_feedback(api_user(), _feedback_body(FEEDBACK_INPUT))
    return _created(feedback_json(row), "api.feedback_item", id=row.id)


@bp.get("/feedback/<int:id>")
@operation("One of one's ratings", tag="cooperation", responses={200: "Feedback"})
@api_login_required
def feedback_item(id: int) -> ResponseReturnValue:
    """Only the author sees an answer."""
    return feedback_json(visible_or_404(Feedback, id))


@bp.put("/feedback/<int:id>")
@operation(
    "Change one's rating (within 14 days)",
    tag="cooperation",
    body="FeedbackUpdate",
    responses={200: "Feedback", 409: None},
)
@api_roles("teacher", "school", "enterprise")
def update_feedback(id: int) -> ResponseReturnValue:
    """409 after 14 days."""
    row = visible_or_404(Feedback, id)
    _done(services.update_feedback, row, _feedback_body(FEEDBACK_UPDATE))
    return feedback_json(row)


@bp.get("/feedback-report")
@operation(
    "Average ratings by league, occupation and occasion (administrators)",
    tag="cooperation",
    responses={200: "FeedbackReport"},
    query=(*PAGE, "region_code", "occupation_code"),
)
@api_roles(*ADMINS)
def feedback_report() -> ResponseReturnValue:
    """Averages and counts only; never individual comments."""
    from app.api.helpers import page_args

    page, per_page = page_args()
    result = queries.paginate_rows(
        queries.feedback_report(api_user(), arg("region_code"), arg("occupation_code")),
        page,
        per_page,
    )
    return {
        "items": [
            {
                "region_code": r.region_code,
                "occupation_code": r.occupation_code,
                "occasion": r.occasion,
                "answers": r.answers,
                "average": round(float(r.average), 2),
            }
            for r in result.items
        ],
        "page": page,
        "per_page": per_page,
        "pages": result.pages,
        "total": result.total,
    }


# Applications ------------------------------------------------------------------------------


@bp.get("/applications")
@operation(
    "Applications: the teacher's own, the school's teachers', an enterprise's endorsed "
    "applicants, or the administrator's league's",
    tag="cooperation",
    responses={200: "ApplicationList"},
    query=(*PAGE, "format"),
)
@api_roles("teacher", "school", "enterprise", *ADMINS)
def application_list() -> ResponseReturnValue:
    """What the caller's role follows; the same applications GET /applications/{id} shows."""
    fmt = wants_file()
    if fmt is not None:
        rows = exports.application_export_rows(api_user())
        return export_response(rows, exports.APPLICATIONS, "applications", fmt)
    user = api_user()
    stmt = queries.followed_applications(user)
    return page_of(stmt, application_json, by_id=user.is_admin)


@bp.post("/applications")
@operation(
    "Apply for enterprise practice with up to 5 ranked placements",
    tag="cooperation",
    body="ApplicationCreate",
    responses={201: "Application", 409: None},
)
@api_roles("teacher")
def create_application() -> ResponseReturnValue:
    """Needs a confirmed profile (409); bad choices or an end before the start are 422."""
    data = validated(ApplicationForm, _body(APPLICATION_INPUT))
    row = services.submit_application(api_user(), data)
    return _created(application_json(row), "api.application", id=row.id)


@bp.get("/applications/<int:id>")
@operation("An application", tag="cooperation", responses={200: "Application"})
@api_login_required
def application(id: int) -> ResponseReturnValue:
    """Visible to the teacher, the school, its league's admins and the chosen hosts' owners."""
    return application_json(visible_or_404(Application, id))


@bp.post("/applications/<int:id>/endorse")
@operation(
    "Endorse a teacher's application (school)",
    tag="cooperation",
    responses={200: "Application", 409: None},
)
@api_roles("school")
def endorse_application(id: int) -> ResponseReturnValue:
    """submitted → endorsed."""
    row = visible_or_404(Application, id)
    _done(services.endorse_application, row)
    return application_json(row)


@bp.post("/applications/<int:id>/return")
@operation(
    "Return a teacher's application with a reason (school)",
    tag="cooperation",
    body="ReasonRequest",
    responses={200: "Application", 409: None},
)
@api_roles("school")
def return_application(id: int) -> ResponseReturnValue:
    """submitted/endorsed → returned; the teacher reads the reason."""
    row = visible_or_404(Application, id)
    data = validated(ReasonForm, _body(REASON_INPUT))
    _done(services.return_application, row, data["reason"])
    return application_json(row)


@bp.post("/applications/<int:id>/withdraw")
@operation(
    "Withdraw one's application", tag="cooperation", responses={200: "Application", 409: None}
)
@api_roles("teacher")
def withdraw_application(id: int) -> ResponseReturnValue:
    """submitted/endorsed/returned → withdrawn."""
    row = visible_or_404(Application, id)
    _done(services.withdraw_application, row)
    return application_json(row)


@bp.post("/applications/<int:id>/accept")
@operation(
    "Accept an endorsed application directly (enterprise)",
    tag="cooperation",
    responses={200: "Practice", 409: None},
)
@api_roles("enterprise")
def accept_application(id: int) -> ResponseReturnValue:
    """Claims a seat of the first-ranked placement the caller owns and starts the practice;
    409 no_place_left when every seat is taken."""
    row = visible_or_404(Application, id)
    practice = services.accept_application(api_user(), row)
    db.session.commit()
    return practice_json(practice)


# Practice ----------------------------------------------------------------------------------


@bp.get("/practices")
@operation(
    "Practice stints: the teacher's own, the school's teachers', those at the enterprise's "
    "hosts, or the administrator's league's",
    tag="cooperation",
    responses={200: "PracticeList"},
    query=PAGE,
)
@api_roles("teacher", "school", "enterprise", *ADMINS)
def practice_list() -> ResponseReturnValue:
    """Ongoing first; the same stints GET /practices/{id} shows the caller."""
    user = api_user()
    teacher = services.teacher_of(user) if user.role == "teacher" else None
    stmt = queries.visible_practices(user, teacher.id if teacher else None)
    return page_of(stmt, practice_json)


@bp.get("/practices/<int:id>")
@operation("A practice stint", tag="cooperation", responses={200: "Practice"})
@api_login_required
def practice(id: int) -> ResponseReturnValue:
    """Visible to the teacher, the school, the host's enterprise and administrators."""
    return practice_json(visible_or_404(Practice, id))


@bp.post("/practices/<int:id>/entries")
@operation(
    "Log one day of practice (teacher)",
    tag="cooperation",
    body="PracticeEntryCreate",
    responses={201: "Practice", 409: None},
)
@api_roles("teacher")
def log_practice_day(id: int) -> ResponseReturnValue:
    """Not in the future, not before the stint, one entry per day."""
    row = visible_or_404(Practice, id)
    if not row.can_edit(api_user()):
        raise Forbidden(_("Only the teacher logs practice days."))
    data = validated(PracticeEntryForm, _body(ENTRY_INPUT))
    services.log_practice_day(api_user(), row, data)
    return _created(practice_json(row), "api.practice", id=row.id)


@bp.post("/practices/<int:id>/confirm")
@operation(
    "Confirm the logged days (enterprise)",
    tag="cooperation",
    responses={200: "Practice", 409: None},
)
@api_roles("enterprise")
def confirm_practice(id: int) -> ResponseReturnValue:
    """Confirms every logged, unconfirmed day."""
    row = visible_or_404(Practice, id)
    _done(services.confirm_practice_days, row)
    return practice_json(row)


@bp.post("/practices/<int:id>/complete")
@operation(
    "Complete the stint with its days confirmed (enterprise)",
    tag="cooperation",
    responses={200: "Practice", 409: None},
)
@api_roles("enterprise")
def complete_practice(id: int) -> ResponseReturnValue:
    """ongoing → completed; remaining logged days are confirmed."""
    row = visible_or_404(Practice, id)
    _done(services.complete_practice, row)
    return practice_json(row)


@bp.get("/practice-ledger")
@operation(
    "The teacher's practice days against the rule", tag="cooperation", responses={200: "Ledger"}
)
@api_roles("teacher")
def practice_ledger() -> ResponseReturnValue:
    """Confirmed days over the last PRACTICE_RULE_YEARS years and the shortfall."""
    teacher = services.teacher_of(api_user())
    if teacher is None:
        raise NotFound(_("Create your teacher profile first."))
    ledger = queries.ledger(teacher, services.today())
    return {
        "teacher_id": teacher.id,
        "since": ledger.since.isoformat(),
        "until": ledger.until.isoformat(),
        "years": ledger.years,
        "required_days": ledger.required,
        "days": ledger.days,
        "shortfall": ledger.shortfall,
        "stints": [
            {"practice_id": p.id, "status": p.status, "days_in_window": d} for p, d in ledger.stints
        ],
    }


@bp.get("/practice-compliance")
@operation(
    "Teachers behind the practice rule in the administrator's scope",
    tag="cooperation",
    responses={200: "ComplianceList"},
    query=(*PAGE, "school_id", "format"),
)
@api_roles(*ADMINS)
def practice_compliance() -> ResponseReturnValue:
    """League administrators see their league only (?format=csv|xlsx: every row as a file)."""
    from app.api.helpers import page_args  # noqa: I001

    school = arg("school_id")
    school_id = int(school) if school and school.isdigit() and len(school) < 10 else None
    fmt = wants_file()
    if fmt:
        stmt = queries.behind_rule(api_user(), services.today(), school_id, plain=True)
        return export_response(stmt, exports.COMPLIANCE, "practice-compliance", fmt)
    page, per_page = page_args()
    result = queries.behind_rule_page(api_user(), services.today(), school_id, page, per_page)
    required, _years = queries.rule()
    return {
        "items": [
            {
                "teacher_id": t.id,
                "name": t.name,
                "school_id": t.school_id,
                "school_name": t.school.name,
                "days": days,
                "shortfall": max(0, required - days),
            }
            for t, days in result.items
        ],
        "page": page,
        "per_page": per_page,
        "pages": result.pages,
        "total": result.total,
    }


# OpenAPI -----------------------------------------------------------------------------------


def _schema(properties: dict, required: list[str] | None = None) -> dict:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _list(name: str) -> dict:
    return _schema(
        {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "pages": {"type": "integer"},
            "total": {"type": "integer"},
        },
        ["items", "page", "pages", "total"],
    )


_integer = {"type": "integer"}
_string = {"type": "string"}
_nullable_text = {"type": "string", "nullable": True}
_host = {
    "host_id": _integer,
    "host_name": _string,
    "host_kind": {"type": "string", "enum": list(HOST_KINDS)},
    "enterprise_id": _integer,
    "enterprise_name": _string,
    "region_code": _string,
}
_status = {"type": "string"}
EXTRA_SCHEMAS.update(
    {
        "OfferCreate": _schema(
            OFFER_INPUT,
            ["host_id", "mode", "occupation_codes", "slots", "starts_on", "ends_on"],
        ),
        "Offer": _schema(
            {
                "id": _integer,
                "status": _status,
                **_host,
                **{k: v for k, v in OFFER_INPUT.items() if k not in ("status", "host_id")},
                "slots_taken": _integer,
            },
            ["id", "status"],
        ),
        "OfferList": _list("Offer"),
        "PlacementCreate": _schema(
            PLACEMENT_INPUT, ["host_id", "occupation_codes", "seats", "starts_on", "ends_on"]
        ),
        "Placement": _schema(
            {
                "id": _integer,
                "status": _status,
                **_host,
                **{k: v for k, v in PLACEMENT_INPUT.items() if k not in ("status", "host_id")},
                "seats_taken": _integer,
                "free": _integer,
            },
            ["id", "status"],
        ),
        "PlacementList": _list("Placement"),
        "SchoolMajorCreate": _schema(MAJOR_INPUT, ["major_id", "level", "cohort_size"]),
        "SchoolMajor": _schema(
            {
                "id": _integer,
                "school_id": _integer,
                **MAJOR_INPUT,
                "major_name": _string,
                "active": {"type": "boolean"},
            },
            ["id"],
        ),
        "SchoolMajorList": _list("SchoolMajor"),
        "TeacherCreate": _schema(TEACHER_INPUT, ["school_id", "name", "occupation_codes"]),
        "Teacher": _schema(
            {
                "id": _integer,
                "status": {"type": "string", "enum": ["pending", "confirmed"]},
                "user_id": {"type": "integer", "nullable": True},
                **TEACHER_INPUT,
                "email": {
                    "type": "string",
                    "nullable": True,
                    "description": "The account's email: to the teacher, the school's members "
                    "and its league's administrators (null otherwise).",
                },
                "confirmed_at": {"type": "string", "format": "date-time", "nullable": True},
            },
            ["id", "status"],
        ),
        "TeacherList": _list("Teacher"),
        "PairingRequestCreate": _schema(
            PAIRING_REQUEST_INPUT,
            ["school_major_id", "occupation_codes", "starts_on", "ends_on", "wanted"],
        ),
        "PairingRequest": _schema(
            {
                "id": _integer,
                "status": _status,
                **PAIRING_REQUEST_INPUT,
                "school_id": _integer,
                "school_name": _string,
                "major_name": _string,
                "region_code": _string,
            },
            ["id", "status"],
        ),
        "FeedbackCreate": _schema(FEEDBACK_INPUT, ["occasion", "subject_id", "scores"]),
        "FeedbackUpdate": _schema(FEEDBACK_UPDATE, ["scores"]),
        "Feedback": _schema(
            {
                "id": _integer,
                **FEEDBACK_INPUT,
                "side": _string,
                "year": {"type": "integer", "nullable": True},
                "host_id": _integer,
                "score": {"type": "number"},
                "created_at": {"type": "string", "format": "date-time", "nullable": True},
                "editable_until": {"type": "string", "format": "date-time", "nullable": True},
            },
            ["id", "occasion", "scores"],
        ),
        "FeedbackList": _list("Feedback"),
        "FeedbackReport": _schema(
            {
                "items": {
                    "type": "array",
                    "items": _schema(
                        {
                            "region_code": _string,
                            "occupation_code": {"type": "string", "nullable": True},
                            "occasion": {"type": "string", "enum": list(FEEDBACK_OCCASIONS)},
                            "answers": _integer,
                            "average": {"type": "number"},
                        }
                    ),
                },
                "page": _integer,
                "per_page": _integer,
                "pages": _integer,
                "total": _integer,
            },
            ["items", "total"],
        ),
        "AgreementCreate": _schema(
            AGREEMENT_INPUT, ["subject", "subject_id", "title", "starts_on", "ends_on", "terms"]
        ),
        "Agreement": _schema(
            {
                "id": _integer,
                **AGREEMENT_INPUT,
                "version": _integer,
                "previous_id": {"type": "integer", "nullable": True},
                "state": {"type": "string", "enum": list(AGREEMENT_STATES)},
                "school_id": {"type": "integer", "nullable": True},
                "enterprise_id": {"type": "integer", "nullable": True},
                "teacher_id": {"type": "integer", "nullable": True},
                "file_name": _nullable_text,
                "file_size": {"type": "integer", "nullable": True},
                "file_sha256": _nullable_text,
                "activated_at": {"type": "string", "format": "date-time", "nullable": True},
                "parties": {
                    "type": "array",
                    "items": _schema(
                        {
                            "party": {"type": "string", "enum": list(AGREEMENT_PARTIES)},
                            "confirmed_at": {
                                "type": "string",
                                "format": "date-time",
                                "nullable": True,
                            },
                        }
                    ),
                },
            },
            ["id", "state", "version"],
        ),
        "AgreementList": _list("Agreement"),
        "ProposeOffer": _schema(PROPOSE_OFFER_INPUT, ["offer_id"]),
        "ProposeMajor": _schema(PROPOSE_MAJOR_INPUT, ["school_major_id"]),
        "Proposal": _schema(
            {
                "id": _integer,
                "direction": {"type": "string", "enum": ["to_request", "to_offer"]},
                "status": {"type": "string", "enum": ["pending", "accepted", "declined"]},
                "offer_id": _integer,
                **_host,
                "mode": {"type": "string", "enum": list(MODES)},
                "school_major_id": _integer,
                "school_id": _integer,
                "school_name": _string,
                "major_name": _string,
                "pairing_request_id": {"type": "integer", "nullable": True},
                "note": _nullable_text,
                "decision_reason": _nullable_text,
                "decided_at": {"type": "string", "format": "date-time", "nullable": True},
                "pairing_id": {"type": "integer", "nullable": True},
                "created_at": {"type": "string", "format": "date-time", "nullable": True},
            },
            ["id", "status", "direction"],
        ),
        "ProposalList": _list("Proposal"),
        "PairingRequestList": _list("PairingRequest"),
        "ApplicationCreate": _schema(APPLICATION_INPUT, ["placement_ids", "starts_on", "ends_on"]),
        "Application": _schema(
            {
                "id": _integer,
                "status": _status,
                "teacher_id": _integer,
                "teacher_name": _string,
                "school_id": _integer,
                **APPLICATION_INPUT,
                "note": _nullable_text,
                "endorsed_at": {"type": "string", "format": "date-time", "nullable": True},
            },
            ["id", "status"],
        ),
        "ApplicationList": _list("Application"),
        "ReasonRequest": _schema(REASON_INPUT, ["reason"]),
        "Pairing": _schema(
            {
                "id": _integer,
                "status": _status,
                "school_major_id": _integer,
                "school_id": _integer,
                "school_name": _string,
                "major_name": _string,
                "offer_id": _integer,
                **_host,
                "pairing_request_id": {"type": "integer", "nullable": True},
                "started_on": DATE,
                "ended_on": {**DATE, "nullable": True},
            },
            ["id", "status"],
        ),
        "PairingList": _list("Pairing"),
        "PracticeEntryCreate": _schema(ENTRY_INPUT, ["on_date", "description"]),
        "Practice": _schema(
            {
                "id": _integer,
                "status": _status,
                "teacher_id": _integer,
                "placement_id": _integer,
                "application_id": {"type": "integer", "nullable": True},
                "started_on": DATE,
                "ended_on": {**DATE, "nullable": True},
                "days_logged": _integer,
                "days_confirmed": _integer,
                "entries": {
                    "type": "array",
                    "items": _schema(
                        {
                            "on_date": DATE,
                            "description": _nullable_text,
                            "confirmed": {"type": "boolean"},
                        }
                    ),
                },
            },
            ["id", "status"],
        ),
        "PracticeList": _list("Practice"),
        "Ledger": _schema(
            {
                "teacher_id": _integer,
                "since": DATE,
                "until": DATE,
                "years": _integer,
                "required_days": _integer,
                "days": _integer,
                "shortfall": _integer,
                "stints": {
                    "type": "array",
                    "items": _schema(
                        {"practice_id": _integer, "status": _status, "days_in_window": _integer}
                    ),
                },
            },
            ["days", "required_days", "shortfall"],
        ),
        "ComplianceRow": _schema(
            {
                "teacher_id": _integer,
                "name": _string,
                "school_id": _integer,
                "school_name": _string,
                "days": _integer,
                "shortfall": _integer,
            }
        ),
        "ComplianceList": _list("ComplianceRow"),
    }
)
QUERY_PARAMETERS.update(
    {
        "starts_on": {
            "schema": {"type": "string", "format": "date"},
            "description": "Only postings still running on or after this date.",
        },
        "ends_on": {
            "schema": {"type": "string", "format": "date"},
            "description": "Only postings starting on or before this date.",
        },
        "free_only": {
            "schema": {"type": "boolean"},
            "description": "Only postings with free seats or slots.",
        },
        "mode": {"schema": {"type": "string", "enum": list(MODES)}, "description": "Mode."},
        "state": {
            "schema": {"type": "string", "enum": ["active", "ended"]},
            "description": "Pairings: active (default) or ended.",
        },
        "school_id": {"schema": {"type": "integer", "minimum": 1}, "description": "One school."},
        "agreement_state": {
            "schema": {"type": "string", "enum": list(AGREEMENT_STATES)},
            "description": "Agreements: only those in this state.",
        },
        "when": {
            "schema": {"type": "string", "enum": ["ending", "ended"]},
            "description": "Agreements: ending within 30 days, or already ended.",
        },
        "box": {
            "schema": {"type": "string", "enum": ["sent", "received"]},
            "description": "Proposals: only those sent, or only those received.",
        },
    }
)
