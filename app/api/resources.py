"""Resources API: resource packages and their review, venues and bookings, training
programmes, skill certifications and supervision visits."""

from datetime import date
from typing import Any

from flask import request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.api import bp
from app.api.auth import api_login_required, api_public, api_roles
from app.api.docs import operation
from app.api.errors import BadRequest
from app.api.helpers import (
    api_user,
    arg,
    get_or_404,
    json_object,
    page_of,
    validated,
    visible_or_404,
    writable,
)
from app.api.openapi import EXTRA_SCHEMAS, QUERY_PARAMETERS
from app.api.schemas import ARRAY, INTEGER, STRING
from app.common.errors import Forbidden, NotFound, ValidationFailed
from app.common.privacy import review_actor_name
from app.extensions import db
from app.reference.queries import occupation_choices, region_choices
from app.registry.models import Host, School, SchoolMajor
from app.resources import forms as f
from app.resources import queries, services, storage
from app.resources.models import (
    CERT_OUTCOMES,
    RESOURCE_KINDS,
    RESOURCE_STATUSES,
    SKILL_LEVELS,
    TRAINEE_OUTCOMES,
    TRAINING_KINDS,
    VENUE_KINDS,
    Booking,
    Certification,
    ResourceFile,
    ResourceItem,
    SupervisionAction,
    SupervisionVisit,
    TrainingProgramme,
    Venue,
)
from app.resources.views import send_stored

ADMINS = ("league_admin", "region_admin")
ORGS = ("school", "enterprise", *ADMINS)
PAGE = ("page", "per_page")
UPLOAD_ENDPOINT = "api.resource_file_upload"


@bp.before_request
def _upload_limit() -> None:
    """Raise the body limit for the upload route only."""
    if request.endpoint == UPLOAD_ENDPOINT:
        request.max_content_length = storage.request_limit()


def _text(n: int | None = None, **extra) -> dict:
    spec: dict[str, Any] = {"type": STRING, **extra}
    if n:
        spec["maxLength"] = n
    return spec


_int = {"type": INTEGER}
_date = _text(format="date")
_datetime = _text(format="date-time")
RESOURCE_INPUT = {
    "school_major_id": _int,
    "kind": _text(enum=list(RESOURCE_KINDS)),
    "title": _text(200),
    "origin": _text(enum=["written", "selected"], nullable=True),
    "authors": _text(500, nullable=True, description="Free-text author names."),
    "version": _text(20, nullable=True),
    "description": _text(5000, nullable=True),
    "share": {"type": "boolean", "description": "Share beyond the school (needs review)."},
    "partner_enterprise_ids": {"type": ARRAY, "items": _int},
}
RESOURCE_REVIEW_INPUT = {
    "decision": _text(enum=["approve", "revise", "reject"]),
    "comment": _text(5000, nullable=True),
}
VENUE_INPUT = {
    "name": _text(200),
    "kind": _text(enum=list(VENUE_KINDS)),
    "region_code": _text(6),
    "equipment": _text(5000, nullable=True),
    "capacity": {"type": INTEGER, "minimum": 1},
    "address": _text(300, nullable=True),
    "description": _text(5000, nullable=True),
    "host_id": {"type": INTEGER, "nullable": True},
}
BOOKING_INPUT = {
    "starts_at": _text(description="ISO 8601; without an offset, Asia/Shanghai time."),
    "ends_at": _text(description="ISO 8601; without an offset, Asia/Shanghai time."),
    "purpose": _text(300),
    "headcount": {"type": INTEGER, "minimum": 1},
}
DECLINE_INPUT = {"reason": _text(500, nullable=True)}
TRAINING_INPUT = {
    "host_id": _int,
    "kind": _text(enum=list(TRAINING_KINDS)),
    "title": _text(200),
    "occupation_code": _text(10),
    "starts_on": _date,
    "ends_on": _date,
    "partner_school_id": {"type": INTEGER, "nullable": True},
    "masters": _text(300, nullable=True),
    "description": _text(5000, nullable=True),
}
TRAINEE_INPUT = {
    "name": _text(50),
    "outcome": _text(enum=list(TRAINEE_OUTCOMES)),
    "level": _text(enum=list(SKILL_LEVELS), nullable=True),
    "note": _text(300, nullable=True),
}
CERT_INPUT = {
    "school_major_id": _int,
    "graduate_name": _text(50),
    "occupation_code": _text(10),
    "level": _text(enum=list(SKILL_LEVELS)),
    "outcome": _text(enum=list(CERT_OUTCOMES)),
    "basis": _text(
        enum=["examination", "route"],
        description="route (视同认定) only for a finally selected major; default examination.",
    ),
    "certified_on": _date,
    "certificate_no": _text(50, nullable=True),
}
VISIT_INPUT = {
    "school_id": _int,
    "visited_on": _date,
    "findings": _text(10000),
    "actions": {
        "type": ARRAY,
        "items": {
            "type": "object",
            "properties": {"description": _text(2000), "due_on": _date},
            "required": ["description", "due_on"],
        },
    },
}
ANSWER_INPUT = {"answer": _text(5000)}


def _object(properties: dict, required: list[str] | None = None) -> dict:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _list(name: str) -> dict:
    return _object(
        {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}},
            "page": _int,
            "per_page": _int,
            "pages": _int,
            "total": _int,
        },
        ["items", "page", "pages", "total"],
    )


def _nullable(spec: dict) -> dict:
    return {**spec, "nullable": True}


# --- serializers ---------------------------------------------------------------------------


def _time(value) -> str | None:
    return services.as_utc(value).isoformat() if value else None


def file_json(row: ResourceFile) -> dict[str, Any]:
    """A stored file version."""
    return {
        "id": row.id,
        "number": row.number,
        "name": row.original_name,
        "type": row.file_type,
        "size": row.size,
        "sha256": row.sha256,
        "created_at": _time(row.created_at),
        "url": url_for("api.resource_file", id=row.item_id, file_id=row.id),
    }


def resource_json(item: ResourceItem) -> dict[str, Any]:
    """A resource item with its files and review history."""
    return {
        "id": item.id,
        "school_major_id": item.school_major_id,
        "school_id": item.school_major.school_id,
        "kind": item.kind,
        "title": item.title,
        "origin": item.origin,
        "authors": item.authors,
        "version": item.version,
        "description": item.description,
        "share": item.share,
        "status": item.status,
        "needs_review": item.needs_review,
        "partner_enterprise_ids": [e.id for e in item.partners],
        "files": [file_json(r) for r in item.files],
        "history": [
            {
                "action": r.action,
                "actor_name": review_actor_name(r, item),
                "comment": r.comment,
                "from_status": r.from_status,
                "to_status": r.to_status,
                "at": _time(r.created_at),
            }
            for r in item.reviews
        ],
    }


def venue_json(venue: Venue) -> dict[str, Any]:
    """A venue."""
    return {
        "id": venue.id,
        "name": venue.name,
        "kind": venue.kind,
        "owner_kind": venue.owner_kind,
        "enterprise_id": venue.enterprise_id,
        "school_id": venue.school_id,
        "host_id": venue.host_id,
        "region_code": venue.region_code,
        "equipment": venue.equipment,
        "capacity": venue.capacity,
        "address": venue.address,
        "description": venue.description,
    }


def booking_json(booking: Booking) -> dict[str, Any]:
    """A booking."""
    return {
        "id": booking.id,
        "venue_id": booking.venue_id,
        "school_id": booking.school_id,
        "starts_at": _time(booking.starts_at),
        "ends_at": _time(booking.ends_at),
        "purpose": booking.purpose,
        "headcount": booking.headcount,
        "status": booking.status,
        "reason": booking.reason,
    }


def training_json(programme: TrainingProgramme, trainees: bool = False) -> dict[str, Any]:
    """A programme (trainees only for those who may see them)."""
    body = {
        "id": programme.id,
        "host_id": programme.host_id,
        "kind": programme.kind,
        "title": programme.title,
        "occupation_code": programme.occupation_code,
        "starts_on": programme.starts_on.isoformat(),
        "ends_on": programme.ends_on.isoformat(),
        "partner_school_id": programme.partner_school_id,
        "masters": programme.masters,
        "description": programme.description,
        "trainee_count": len(programme.trainees),
        "trainees": None,
    }
    if trainees:
        body["trainees"] = [
            {"id": t.id, "name": t.name, "outcome": t.outcome, "level": t.level}
            for t in programme.trainees
        ]
    return body


def certification_json(cert: Certification) -> dict[str, Any]:
    """A certification record."""
    return {
        "id": cert.id,
        "school_major_id": cert.school_major_id,
        "graduate_name": cert.graduate_name,
        "occupation_code": cert.occupation_code,
        "level": cert.level,
        "outcome": cert.outcome,
        "basis": cert.basis,
        "certified_on": cert.certified_on.isoformat(),
        "certificate_no": cert.certificate_no,
        "certifier_kind": cert.certifier_kind,
        "enterprise_id": cert.enterprise_id,
    }


def action_json(action: SupervisionAction) -> dict[str, Any]:
    """A required action."""
    return {
        "id": action.id,
        "description": action.description,
        "due_on": action.due_on.isoformat(),
        "status": action.status,
        "answer": action.answer,
    }


def visit_json(visit: SupervisionVisit) -> dict[str, Any]:
    """A supervision visit with its actions."""
    return {
        "id": visit.id,
        "school_id": visit.school_id,
        "visited_on": visit.visited_on.isoformat(),
        "findings": visit.findings,
        "actions": [action_json(a) for a in visit.actions],
    }


_file = _object(
    {
        "id": _int,
        "number": _int,
        "name": _text(),
        "type": _text(),
        "size": _int,
        "sha256": _text(),
        "created_at": _datetime,
        "url": _text(),
    }
)
_history = _object(
    {
        "action": _text(),
        "actor_name": _nullable(_text()),
        "comment": _nullable(_text()),
        "from_status": _text(),
        "to_status": _text(),
        "at": _datetime,
    }
)
EXTRA_SCHEMAS.update(
    {
        "ResourceCreate": _object(RESOURCE_INPUT, ["school_major_id", "kind", "title"]),
        "ResourceReviewRequest": _object(RESOURCE_REVIEW_INPUT, ["decision"]),
        "ResourceSubmit": _object({"comment": _text(5000, nullable=True)}),
        "ResourceFile": _file,
        "Resource": _object(
            {
                "id": _int,
                "school_id": _int,
                **RESOURCE_INPUT,
                "status": _text(enum=list(RESOURCE_STATUSES)),
                "needs_review": {"type": "boolean"},
                "files": {"type": "array", "items": _file},
                "history": {"type": "array", "items": _history},
            },
            ["id", "status"],
        ),
        "ResourceList": _list("Resource"),
        "VenueCreate": _object(VENUE_INPUT, ["name", "kind", "region_code", "capacity"]),
        "Venue": _object(
            {
                "id": _int,
                "owner_kind": _text(),
                "enterprise_id": _nullable(_int),
                "school_id": _nullable(_int),
                **VENUE_INPUT,
            },
            ["id", "kind", "capacity"],
        ),
        "VenueList": _list("Venue"),
        "BookingCreate": _object(BOOKING_INPUT, ["starts_at", "ends_at", "purpose", "headcount"]),
        "BookingDecline": _object(DECLINE_INPUT),
        "Booking": _object(
            {
                "id": _int,
                "venue_id": _int,
                "school_id": _int,
                "starts_at": _datetime,
                "ends_at": _datetime,
                "purpose": _text(),
                "headcount": _int,
                "status": _text(enum=["pending", "confirmed", "declined", "cancelled"]),
                "reason": _nullable(_text()),
            },
            ["id", "status"],
        ),
        "BookingList": _list("Booking"),
        "TrainingCreate": _object(
            TRAINING_INPUT, ["host_id", "kind", "title", "occupation_code", "starts_on", "ends_on"]
        ),
        "TraineeCreate": _object(TRAINEE_INPUT, ["name"]),
        "Training": _object(
            {
                "id": _int,
                **TRAINING_INPUT,
                "trainee_count": _int,
                "trainees": {
                    "type": "array",
                    "nullable": True,
                    "items": _object(
                        {"id": _int, "name": _text(), "outcome": _text(), "level": _text()}
                    ),
                },
            },
            ["id", "kind"],
        ),
        "TrainingList": _list("Training"),
        "CertificationCreate": _object(
            CERT_INPUT,
            ["school_major_id", "graduate_name", "occupation_code", "level", "outcome"],
        ),
        "Certification": _object(
            {
                "id": _int,
                **CERT_INPUT,
                "certifier_kind": _text(enum=["school", "enterprise"]),
                "enterprise_id": _nullable(_int),
            },
            ["id", "certifier_kind"],
        ),
        "CertificationList": _list("Certification"),
        "SupervisionCreate": _object(VISIT_INPUT, ["school_id", "visited_on", "findings"]),
        "SupervisionAnswer": _object(ANSWER_INPUT, ["answer"]),
        "SupervisionAction": _object(
            {
                "id": _int,
                "description": _text(),
                "due_on": _date,
                "status": _text(enum=["open", "answered", "closed"]),
                "answer": _nullable(_text()),
            }
        ),
        "Supervision": _object(
            {
                "id": _int,
                "school_id": _int,
                "visited_on": _date,
                "findings": _text(),
                "actions": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/SupervisionAction"},
                },
            },
            ["id", "school_id"],
        ),
        "SupervisionList": _list("Supervision"),
    }
)
QUERY_PARAMETERS.update(
    {
        "resource_kind": {
            "schema": {"type": "string", "enum": list(RESOURCE_KINDS)},
            "description": "Only items of this kind.",
        },
        "resource_status": {
            "schema": {"type": "string", "enum": list(RESOURCE_STATUSES)},
            "description": "Only items in this review state.",
        },
        "venue_kind": {
            "schema": {"type": "string", "enum": list(VENUE_KINDS)},
            "description": "Only venues of this kind.",
        },
        "training_kind": {
            "schema": {"type": "string", "enum": list(TRAINING_KINDS)},
            "description": "Only programmes of this kind.",
        },
        "skill_level": {
            "schema": {"type": "string", "enum": list(SKILL_LEVELS)},
            "description": "Only certifications at this level.",
        },
    }
)


def _enum_arg(name: str, allowed: tuple[str, ...]) -> str | None:
    value = arg(name)
    if value is not None and value not in allowed:
        message = _("Unknown value.")
        raise BadRequest(message, {name: message})
    return value


def _int_field(payload: dict, name: str) -> int:
    value = payload.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        message = _("Give the id of a record.")
        raise ValidationFailed(message, {name: message})
    return value


# --- resource packages ---------------------------------------------------------------------


@bp.get("/resources")
@operation(
    "Resource items the caller may see",
    tag="resources",
    responses={200: "ResourceList"},
    query=(*PAGE, "q", "resource_kind", "resource_status"),
)
@api_login_required
def resources_list() -> ResponseReturnValue:
    """Approved items, and the caller's school's, partners', league's or review's others."""
    stmt = queries.visible_items(
        api_user(),
        q=arg("q"),
        kind=_enum_arg("resource_kind", RESOURCE_KINDS),
        status=_enum_arg("resource_status", RESOURCE_STATUSES),
    )
    return page_of(stmt, resource_json)


@bp.post("/resources")
@operation(
    "Add a resource item to a school major's package (a draft)",
    tag="resources",
    body="ResourceCreate",
    responses={201: "Resource"},
)
@api_roles("school")
def resource_create() -> ResponseReturnValue:
    """The school's staff add an item; partner enterprises are credited as co-authors."""
    body = writable(
        json_object(), {k: v for k, v in RESOURCE_INPUT.items() if k != "partner_enterprise_ids"}
    )
    partners = json_object().get("partner_enterprise_ids") or []
    if not isinstance(partners, list) or not all(
        isinstance(p, int) and not isinstance(p, bool) for p in partners
    ):
        message = _("Give a list of enterprise ids.")
        raise ValidationFailed(message, {"partner_enterprise_ids": message})
    major_id = _int_field(body, "school_major_id")
    major = db.session.get(SchoolMajor, major_id)
    if major is None or not major.can_view(api_user()):
        raise NotFound(_("Not found."))
    form_data = {k: v for k, v in body.items() if k != "school_major_id"}
    data = validated(f.ResourceItemForm, {**form_data, "school_major_id": major_id})
    data["partner_enterprise_ids"] = partners
    data["origin"] = data.get("origin") or None
    data["share"] = bool(body.get("share"))
    item = services.create_item(api_user(), major, data)
    db.session.commit()
    return resource_json(item), 201, {"Location": url_for("api.resource", id=item.id)}


@bp.get("/resources/<int:id>")
@operation("A resource item", tag="resources", responses={200: "Resource"})
@api_login_required
def resource(id: int) -> ResponseReturnValue:
    """An item visible to the caller (404 otherwise)."""
    return resource_json(visible_or_404(ResourceItem, id))


@bp.post("/resources/<int:id>/files")
@operation(
    "Upload a file (multipart field `file`) as the item's next version",
    tag="resources",
    responses={201: "ResourceFile", 400: None, 409: None, 413: None, 422: None},
)
@api_roles("school", "enterprise")
def resource_file_upload(id: int) -> ResponseReturnValue:
    """PDF, Office, PNG/JPEG/GIF/WebP or MP4, checked by content and name; 413 when too large."""
    item = visible_or_404(ResourceItem, id)
    if not item.can_contribute(api_user()):
        raise Forbidden(_("You may not change this."))
    upload = request.files.get("file")
    if upload is None:
        message = _("Send the file as multipart field `file`.")
        raise ValidationFailed(message, {"file": message})
    row = services.add_file(api_user(), item, upload.stream, upload.filename)
    db.session.commit()
    return file_json(row), 201


@bp.get("/resources/<int:id>/files/<int:file_id>")
@operation("Download a file (as an attachment)", tag="resources", responses={200: "object"})
@api_login_required
def resource_file(id: int, file_id: int) -> ResponseReturnValue:
    """The stored bytes, only for callers who may see the item."""
    item = visible_or_404(ResourceItem, id)
    row = get_or_404(ResourceFile, file_id)
    if row.item_id != item.id:
        raise NotFound(_("Not found."))
    return send_stored(row)


@bp.post("/resources/<int:id>/submit")
@operation(
    "Submit the item for review",
    tag="resources",
    body="ResourceSubmit",
    responses={200: "Resource", 409: None},
)
@api_roles("school")
def resource_submit(id: int) -> ResponseReturnValue:
    """Drafts and returned items go to the review panel (a file is required)."""
    item = visible_or_404(ResourceItem, id)
    if not item.can_edit(api_user()):
        raise Forbidden(_("You may not change this."))
    raw = request.get_data(cache=True)
    comment = (
        writable(json_object(), {"comment": _text(5000)}).get("comment") if raw.strip() else None
    )
    services.submit_item(api_user(), item, comment)
    db.session.commit()
    return resource_json(item)


@bp.post("/resources/<int:id>/review")
@operation(
    "Approve, return for revision or reject",
    tag="resources",
    body="ResourceReviewRequest",
    responses={200: "Resource", 409: None},
)
@api_login_required
def resource_review(id: int) -> ResponseReturnValue:
    """Region administrators and panel members decide; a comment is required unless approving."""
    item = visible_or_404(ResourceItem, id)
    if not item.can_review(api_user()):
        raise Forbidden(_("Only the review panel reviews resources."))
    data = validated(f.ReviewDecisionForm, writable(json_object(), RESOURCE_REVIEW_INPUT))
    services.review_item(api_user(), item, data["decision"], data.get("comment"))
    db.session.commit()
    return resource_json(item)


# --- venues and bookings -------------------------------------------------------------------


@bp.get("/venues")
@operation(
    "Shared venues",
    tag="venues",
    responses={200: "VenueList"},
    query=(*PAGE, "q", "venue_kind", "region_code"),
)
@api_public
def venues_list() -> ResponseReturnValue:
    """Active venues with search and filters."""
    stmt = queries.venues(
        q=arg("q"), kind=_enum_arg("venue_kind", VENUE_KINDS), region_code=arg("region_code")
    )
    return page_of(stmt, venue_json)


@bp.post("/venues")
@operation("List a venue", tag="venues", body="VenueCreate", responses={201: "Venue"})
@api_roles(*ORGS)
def venue_create() -> ResponseReturnValue:
    """Owned by the caller's organisation; administrators list region-owned venues."""
    body = writable(json_object(), VENUE_INPUT)
    host = None
    if body.get("host_id") is not None:
        host = db.session.get(Host, _int_field(body, "host_id"))
        if host is None:
            message = _("Choose one of your own hosts.")
            raise ValidationFailed(message, {"host_id": message})
    form_body = {k: v for k, v in body.items() if k != "host_id"}
    data = validated(f.VenueForm, form_body, regions=region_choices())
    data = {k: data.get(k) for k in services.VENUE_FIELDS}
    venue = services.create_venue(api_user(), data, host)
    db.session.commit()
    return venue_json(venue), 201, {"Location": url_for("api.venue", id=venue.id)}


@bp.get("/venues/<int:id>")
@operation("A venue", tag="venues", responses={200: "Venue"})
@api_public
def venue(id: int) -> ResponseReturnValue:
    """A venue."""
    return venue_json(visible_or_404(Venue, id))


@bp.post("/venues/<int:id>/bookings")
@operation(
    "Book a time slot (an overlap is 409)",
    tag="venues",
    body="BookingCreate",
    responses={201: "Booking", 409: None},
)
@api_roles("school")
def venue_booking_create(id: int) -> ResponseReturnValue:
    """Ask for [starts_at, ends_at); the venue's owner confirms or declines."""
    venue = visible_or_404(Venue, id)
    data = validated(f.BookingForm, writable(json_object(), BOOKING_INPUT))
    booking = services.book(api_user(), venue, data)
    db.session.commit()
    return booking_json(booking), 201


@bp.get("/bookings")
@operation(
    "Bookings the caller made or must decide on",
    tag="venues",
    responses={200: "BookingList"},
    query=PAGE,
)
@api_login_required
def bookings_list() -> ResponseReturnValue:
    """A school's bookings; venue owners' incoming bookings."""
    return page_of(queries.bookings_for(api_user()), booking_json)


def _decidable(booking_id: int) -> Booking:
    booking = get_or_404(Booking, booking_id)
    if not booking.can_view(api_user()):
        raise NotFound(_("Not found."))
    if not booking.can_decide(api_user()):
        raise Forbidden(_("Only the venue's owner decides on bookings."))
    return booking


@bp.post("/bookings/<int:id>/confirm")
@operation("Confirm a pending booking", tag="venues", responses={200: "Booking", 409: None})
@api_roles(*ORGS)
def booking_confirm(id: int) -> ResponseReturnValue:
    """The venue's owner confirms."""
    booking = _decidable(id)
    services.decide_booking(api_user(), booking, True)
    db.session.commit()
    return booking_json(booking)


@bp.post("/bookings/<int:id>/decline")
@operation(
    "Decline a pending booking",
    tag="venues",
    body="BookingDecline",
    responses={200: "Booking", 409: None},
)
@api_roles(*ORGS)
def booking_decline(id: int) -> ResponseReturnValue:
    """The venue's owner declines, with an optional reason."""
    booking = _decidable(id)
    raw = request.get_data(cache=True)
    reason = writable(json_object(), DECLINE_INPUT).get("reason") if raw.strip() else None
    services.decide_booking(api_user(), booking, False, reason)
    db.session.commit()
    return booking_json(booking)


# --- training programmes -------------------------------------------------------------------


@bp.get("/trainings")
@operation(
    "Training programmes",
    tag="trainings",
    responses={200: "TrainingList"},
    query=(*PAGE, "q", "training_kind"),
)
@api_public
def trainings_list() -> ResponseReturnValue:
    """Programmes at training stations and master studios of approved enterprises."""
    user = api_user()
    stmt = queries.trainings(user, q=arg("q"), kind=_enum_arg("training_kind", TRAINING_KINDS))
    return page_of(stmt, lambda p: training_json(p, p.can_see_trainees(user)))


@bp.post("/trainings")
@operation(
    "Record a training programme",
    tag="trainings",
    body="TrainingCreate",
    responses={201: "Training"},
)
@api_roles("enterprise", *ADMINS)
def training_create() -> ResponseReturnValue:
    """At a training station or master studio the caller manages; apprenticeships last 1–2
    years."""
    body = writable(json_object(), TRAINING_INPUT)
    host = db.session.get(Host, _int_field(body, "host_id"))
    if host is None or not host.can_view(api_user()):
        raise NotFound(_("Not found."))
    if body.get("partner_school_id") is not None:
        _int_field(body, "partner_school_id")
    form_body = {k: v for k, v in body.items() if k not in ("host_id",)}
    data = validated(
        f.TrainingForm, {**form_body, "host_id": host.id}, occupations=occupation_choices()
    )
    data = {k: data.get(k) for k in services.TRAINING_FIELDS}
    programme = services.create_training(api_user(), host, data)
    db.session.commit()
    return training_json(programme, True), 201


@bp.post("/trainings/<int:id>/trainees")
@operation(
    "Add a trainee (no national ID number)",
    tag="trainings",
    body="TraineeCreate",
    responses={201: "Training"},
)
@api_roles("enterprise", *ADMINS)
def training_trainee_create(id: int) -> ResponseReturnValue:
    """Add a trainee with an outcome."""
    programme = visible_or_404(TrainingProgramme, id)
    if not programme.can_edit(api_user()):
        raise Forbidden(_("You may not change this."))
    data = validated(f.TraineeForm, writable(json_object(), TRAINEE_INPUT))
    services.add_trainee(api_user(), programme, data)
    db.session.commit()
    db.session.refresh(programme)
    return training_json(programme, True), 201


# --- certifications ------------------------------------------------------------------------


@bp.get("/certifications")
@operation(
    "Skill certifications the caller may see",
    tag="certifications",
    responses={200: "CertificationList"},
    query=(*PAGE, "q", "skill_level"),
)
@api_roles(*ORGS)
def certifications_list() -> ResponseReturnValue:
    """The school's, the certifying enterprise's, or the league's records."""
    stmt = queries.certifications(
        api_user(), q=arg("q"), level=_enum_arg("skill_level", SKILL_LEVELS)
    )
    return page_of(stmt, certification_json)


@bp.post("/certifications")
@operation(
    "Record a certification",
    tag="certifications",
    body="CertificationCreate",
    responses={201: "Certification"},
)
@api_roles("school", "enterprise")
def certification_create() -> ResponseReturnValue:
    """By the major's school, or by an enterprise with an active pairing with the major."""
    body = writable(json_object(), CERT_INPUT)
    major = db.session.get(SchoolMajor, _int_field(body, "school_major_id"))
    if major is None:
        raise NotFound(_("Not found."))
    data = validated(f.CertificationForm, body, occupations=occupation_choices())
    data = {k: data.get(k) for k in services.CERT_FIELDS}
    cert = services.certify(api_user(), major, data)
    db.session.commit()
    return certification_json(cert), 201


# --- supervision ---------------------------------------------------------------------------


@bp.get("/supervisions")
@operation("Supervision visits", tag="supervision", responses={200: "SupervisionList"}, query=PAGE)
@api_roles("school", *ADMINS)
def supervisions_list() -> ResponseReturnValue:
    """Administrators: their league's; schools: their own."""
    return page_of(queries.visits(api_user()), visit_json)


def _actions(value: Any) -> list[dict[str, Any]]:
    """Validated actions of a visit body; ValidationFailed naming the bad entry."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 20:
        message = _("Give a list of at most 20 actions.")
        raise ValidationFailed(message, {"actions": message})
    rows = []
    for index, entry in enumerate(value):
        description = entry.get("description") if isinstance(entry, dict) else None
        due = entry.get("due_on") if isinstance(entry, dict) else None
        try:
            due_on = date.fromisoformat(due) if isinstance(due, str) else None
        except ValueError:
            due_on = None
        if not isinstance(description, str) or not description.strip() or due_on is None:
            message = _("Each action needs a description and a due date (YYYY-MM-DD).")
            raise ValidationFailed(message, {f"actions.{index}": message})
        rows.append({"description": description.strip()[:2000], "due_on": due_on})
    return rows


@bp.post("/supervisions")
@operation(
    "Record a supervision visit",
    tag="supervision",
    body="SupervisionCreate",
    responses={201: "Supervision"},
)
@api_roles(*ADMINS)
def supervision_create() -> ResponseReturnValue:
    """A visit to a school of the caller's league, with required actions."""
    payload = json_object()
    actions = _actions(payload.get("actions"))
    body = writable(payload, {k: v for k, v in VISIT_INPUT.items() if k != "actions"})
    school = db.session.get(School, _int_field(body, "school_id"))
    if school is None:
        raise NotFound(_("Not found."))
    data = validated(f.VisitForm, body)
    visit = services.record_visit(api_user(), school, data["visited_on"], data["findings"], actions)
    db.session.commit()
    return visit_json(visit), 201


def _action(action_id: int) -> SupervisionAction:
    action = get_or_404(SupervisionAction, action_id)
    if not action.can_view(api_user()):
        raise NotFound(_("Not found."))
    return action


@bp.post("/supervision-actions/<int:id>/answer")
@operation(
    "The school answers a required action",
    tag="supervision",
    body="SupervisionAnswer",
    responses={200: "SupervisionAction", 409: None},
)
@api_roles("school")
def supervision_action_answer(id: int) -> ResponseReturnValue:
    """Answer (again) until the action is closed."""
    action = _action(id)
    data = validated(f.AnswerForm, writable(json_object(), ANSWER_INPUT))
    services.answer_action(api_user(), action, data["answer"])
    db.session.commit()
    return action_json(action)


@bp.post("/supervision-actions/<int:id>/close")
@operation(
    "An administrator closes a required action",
    tag="supervision",
    responses={200: "SupervisionAction", 409: None},
)
@api_roles(*ADMINS)
def supervision_action_close(id: int) -> ResponseReturnValue:
    """Close an open or answered action."""
    action = _action(id)
    services.close_action(api_user(), action)
    db.session.commit()
    return action_json(action)
