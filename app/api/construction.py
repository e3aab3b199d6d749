"""Construction of selected integrated majors in the JSON API: the progress list, one major's
milestones, recording a milestone (JSON, or multipart with evidence files) and downloading
evidence. The dashboard's `construction` figures come with GET /dashboard."""

from datetime import date
from typing import Any

from flask import request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.api import bp
from app.api import programme as _programme  # noqa: F401  (defines the Dashboard schema first)
from app.api.auth import api_roles
from app.api.docs import operation
from app.api.helpers import api_user, arg, json_object, wants_file, writable
from app.api.openapi import EXTRA_SCHEMAS, QUERY_PARAMETERS
from app.api.schemas import INTEGER, STRING, _text
from app.common.errors import NotFound, ValidationFailed
from app.common.exports import export_response
from app.common.time import local_today
from app.extensions import db
from app.programme import construction
from app.programme.models import MILESTONE_KINDS, SELECTED_STATUSES, BatchApplication, Milestone
from app.programme.views import RowPagination
from app.resources import storage
from app.resources.views import send_stored

MEMBERS = ("school", "league_admin", "region_admin")
UPLOAD_ENDPOINT = "api.record_milestone"
MILESTONE_INPUT: dict[str, dict] = {
    "kind": _text(enum=list(MILESTONE_KINDS)),
    "achieved_on": {
        "type": STRING,
        "format": "date",
        "description": "The Beijing day the milestone was reached (YYYY-MM-DD), not in the future.",
    },
    "note": _text(construction.NOTE_MAX, nullable=True),
}


@bp.before_request
def _evidence_upload_limit() -> None:
    """Raise the body limit for the milestone route only (evidence files)."""
    if request.endpoint == UPLOAD_ENDPOINT:
        request.max_content_length = storage.request_limit()


def _schemas() -> dict[str, dict]:
    integer, text = {"type": INTEGER}, {"type": STRING}
    day = {"type": STRING, "format": "date", "nullable": True}
    evidence = {
        "type": "object",
        "properties": {
            "id": integer,
            "name": text,
            "content_type": text,
            "size": integer,
            "url": text,
        },
    }
    milestone = {
        "type": "object",
        "properties": {
            "kind": {"type": STRING, "enum": list(MILESTONE_KINDS)},
            "label": text,
            "done": {"type": "boolean"},
            "achieved_on": day,
            "note": {"type": STRING, "nullable": True},
            "files": {"type": "array", "items": evidence},
        },
        "required": ["kind", "done"],
    }
    progress = {
        "type": "object",
        "properties": {
            "application_id": integer,
            "school_id": integer,
            "school": text,
            "region_code": text,
            "major": text,
            "batch_id": integer,
            "phase_id": integer,
            "status": {"type": STRING, "enum": list(SELECTED_STATUSES)},
            "done": integer,
            "total": integer,
        },
        "required": ["application_id", "done", "total"],
    }
    return {
        "MilestoneRecord": {
            "type": "object",
            "properties": MILESTONE_INPUT,
            "required": ["kind", "achieved_on"],
            "description": "Also accepted as multipart/form-data with the same fields and the "
            "evidence files as repeated field `files`.",
        },
        "Milestone": milestone,
        "MajorMilestones": {
            "type": "object",
            "properties": {
                **progress["properties"],
                "status": text,
                "accepts_milestones": {"type": "boolean"},
                "milestones": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/Milestone"},
                },
            },
            "required": ["application_id", "done", "total", "milestones"],
        },
        "ConstructionProgress": {
            **progress,
            "properties": {
                **progress["properties"],
                **{k: day for k in MILESTONE_KINDS},
            },
        },
        "ConstructionProgressList": {
            "type": "object",
            "properties": {
                "items": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/ConstructionProgress"},
                },
                "page": integer,
                "per_page": integer,
                "pages": integer,
                "total": integer,
            },
            "required": ["items", "page", "pages", "total"],
        },
    }


EXTRA_SCHEMAS.update(_schemas())
EXTRA_SCHEMAS["Dashboard"]["properties"]["construction"] = {
    "type": "object",
    "description": "Construction progress of finally selected majors: `total`, `by_league` and "
    "`by_phase`, each with `majors`, `milestones` (done, five per major) and `complete` "
    "(majors with all five done).",
}
QUERY_PARAMETERS.setdefault(
    "construction_status",
    {
        "schema": {"type": "string", "enum": list(SELECTED_STATUSES)},
        "description": "Stage of the selected major.",
    },
)
QUERY_PARAMETERS.setdefault(
    "progress",
    {
        "schema": {"type": "string", "enum": list(construction.PROGRESS_LABELS)},
        "description": "none: no milestone yet; partial: some; complete: all five.",
    },
)


def _day(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def progress_json(row) -> dict[str, Any]:
    """A finally selected major with its milestones done and the day of each."""
    application = row[0]
    return {
        "application_id": application.id,
        "school_id": application.school_id,
        "school": application.school.name,
        "region_code": application.school.region_code,
        "major": application.school_major.major.name,
        "batch_id": application.batch_id,
        "phase_id": application.batch.phase_id,
        "status": application.status,
        "done": int(row.done),
        "total": len(MILESTONE_KINDS),
        **{k: _day(getattr(row, k)) for k in MILESTONE_KINDS},
    }


def milestone_json(application: BatchApplication, kind: str, m: Milestone | None) -> dict:
    """One of the five milestones: done or not, its day, note and evidence files."""
    return {
        "kind": kind,
        "label": construction.milestone_label(kind),
        "done": m is not None,
        "achieved_on": m.achieved_on.isoformat() if m else None,
        "note": m.note if m else None,
        "files": [
            {
                "id": f.id,
                "name": f.original_name,
                "content_type": f.content_type,
                "size": f.size,
                "url": url_for("api.milestone_file", id=application.id, file_id=f.id),
            }
            for f in (m.files if m else [])
        ],
    }


def major_json(application: BatchApplication) -> dict[str, Any]:
    """The major's construction: every milestone, done or not."""
    recorded = construction.milestones_of(application)
    return {
        "application_id": application.id,
        "school_id": application.school_id,
        "school": application.school.name,
        "region_code": application.school.region_code,
        "major": application.school_major.major.name,
        "batch_id": application.batch_id,
        "phase_id": application.batch.phase_id,
        "status": application.status,
        "accepts_milestones": construction.accepts_milestones(application, local_today()),
        "done": len(recorded),
        "total": len(MILESTONE_KINDS),
        "milestones": [milestone_json(application, k, recorded.get(k)) for k in MILESTONE_KINDS],
    }


def _visible(id: int) -> BatchApplication:
    application = db.session.get(BatchApplication, id) if 0 < id < 2**31 else None
    if application is None or not application.can_view(api_user()):
        raise NotFound(_("Not found."))
    return application


def _int(name: str) -> int | None:
    value = arg(name)
    if value is None:
        return None
    if not value.isdigit() or not 0 < int(value) < 2**31:
        message = _("Expected a whole number.")
        raise ValidationFailed(message, {name: message})
    return int(value)


def _enum(name: str, allowed) -> str | None:
    value = arg(name)
    if value is not None and value not in allowed:
        message = _("Not a valid choice.")
        raise ValidationFailed(message, {name: message})
    return value


@bp.get("/construction")
@operation(
    "Finally selected majors with their construction progress",
    tag="programme",
    responses={200: "ConstructionProgressList"},
    query=(
        "page",
        "per_page",
        "region_code",
        "phase",
        "batch",
        "construction_status",
        "progress",
        "format",
    ),
)
@api_roles(*MEMBERS)
def construction_list() -> ResponseReturnValue:
    """A school sees its own majors; a league administrator its league's; the region all."""
    from app.api.helpers import page_args

    filters = construction.ConstructionFilters(
        region_code=arg("region_code"),
        phase_id=_int("phase"),
        batch_id=_int("batch"),
        status=_enum("construction_status", SELECTED_STATUSES),
        progress=_enum("progress", construction.PROGRESS_LABELS),
    )
    stmt = construction.progress_list(api_user(), filters, local_today())
    fmt = wants_file()
    if fmt:
        return export_response(stmt, construction.PROGRESS_COLUMNS, "construction-progress", fmt)
    page, per_page = page_args()
    result = RowPagination(stmt, page, per_page)
    return {
        "items": [progress_json(row) for row in result.items],
        "page": page,
        "per_page": per_page,
        "pages": result.pages,
        "total": result.total,
    }


@bp.get("/batch-applications/<int:id>/milestones")
@operation(
    "A selected major's construction milestones, done or not, with evidence",
    tag="programme",
    responses={200: "MajorMilestones"},
)
@api_roles(*MEMBERS)
def milestones(id: int) -> ResponseReturnValue:
    """The school's staff, its league's administrators and the region administrator."""
    return major_json(_visible(id))


def _record_input() -> tuple[dict[str, Any], list[construction.Upload]]:
    """The milestone's fields (JSON or multipart form) and its evidence uploads."""
    if request.mimetype == "multipart/form-data":
        body = {k: request.form.get(k) for k in MILESTONE_INPUT if k in request.form}
        uploads = [
            construction.Upload(f.stream, f.filename) for f in request.files.getlist("files")
        ]
    else:
        body, uploads = json_object(), []
    body = writable(body, MILESTONE_INPUT)
    raw = body.get("achieved_on")
    try:
        body["achieved_on"] = date.fromisoformat(raw) if raw else None
    except ValueError:
        message = _("Use the form YYYY-MM-DD.")
        raise ValidationFailed(message, {"achieved_on": message}) from None
    return body, uploads


@bp.post("/batch-applications/<int:id>/milestones")
@operation(
    "Record a construction milestone of a selected major (the school's staff)",
    tag="programme",
    body="MilestoneRecord",
    responses={200: "MajorMilestones", 201: "MajorMilestones", 409: None, 413: None},
)
@api_roles("school")
def record_milestone(id: int) -> ResponseReturnValue:
    """201 when recorded, 200 when an existing milestone's day or note is corrected (new files
    are added); 409 when the major is not finally selected; 413 when a file is too large."""
    application = _visible(id)
    data, uploads = _record_input()
    _milestone, created = construction.record_milestone(
        api_user(), application, data, uploads, local_today()
    )
    db.session.commit()
    return major_json(application), 201 if created else 200


@bp.get("/batch-applications/<int:id>/milestones/files/<int:file_id>")
@operation(
    "Download an evidence file (as an attachment)", tag="programme", responses={200: "object"}
)
@api_roles(*MEMBERS)
def milestone_file(id: int, file_id: int) -> ResponseReturnValue:
    """Only to those who may see the major's construction; another major's file id is 404."""
    application = _visible(id)
    row = construction.evidence_file(application, file_id)
    if row is None:
        raise NotFound(_("Not found."))
    return send_stored(row)
