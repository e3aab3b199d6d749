"""Programme in the JSON API: batches and selection, the targets dashboard, the audit log."""

from typing import Any

from flask import url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from app.api import bp
from app.api.auth import api_login_required, api_roles
from app.api.docs import operation
from app.api.helpers import (
    MAX_ID,
    api_user,
    arg,
    get_or_404,
    json_object,
    page_or_file,
    validated,
    writable,
)
from app.api.openapi import EXTRA_SCHEMAS, QUERY_PARAMETERS
from app.api.schemas import INTEGER, STRING, _text
from app.common.errors import Forbidden, NotFound, ValidationFailed
from app.common.privacy import audit_actor, audit_values
from app.common.time import local_today
from app.extensions import db
from app.programme import exports, queries, services
from app.programme.forms import AnswerForm, BatchForm, DecisionForm, RecommendForm
from app.programme.models import (
    APPLICATION_STATUSES,
    OBJECTION_STATUSES,
    Batch,
    BatchApplication,
    Objection,
    Phase,
)
from app.registry.models import SchoolMajor

ADMINS = ("league_admin", "region_admin")
MEMBERS = ("school", *ADMINS)
DATE = {"type": STRING, "format": "date"}
BATCH_INPUT: dict[str, dict] = {
    "name": _text(100),
    "phase": {
        "type": INTEGER,
        "description": "The phase's number (1, 2, 3 …) or, when no phase has that number, its id.",
    },
    "opens_on": {**DATE, "description": "ISO date (YYYY-MM-DD)."},
    "closes_on": {**DATE, "description": "ISO date, not before opens_on."},
    "limit_technician_college": {
        "type": INTEGER,
        "minimum": 0,
        "maximum": 50,
        "description": "Majors a technician college may apply "
        "(default: the BATCH_LIMIT_TECHNICIAN_COLLEGE setting, 3).",
    },
    "limit_other": {
        "type": INTEGER,
        "minimum": 0,
        "maximum": 50,
        "description": "Majors any other technical school may apply "
        "(default: the BATCH_LIMIT_OTHER_SCHOOL setting, 2).",
    },
    "demonstration_threshold": {
        "type": "number",
        "minimum": 0,
        "maximum": 100,
        "nullable": True,
        "description": "Mean assessment score a major needs to become a demonstration major "
        "(not set: none can).",
    },
}
APPLY_INPUT: dict[str, dict] = {"school_major_id": {"type": INTEGER}}
DECISION_INPUT: dict[str, dict] = {
    "decision": _text(enum=["select", "reject"]),
    "reason": _text(2000, "Required when rejecting; the school sees it.", nullable=True),
}

RECOMMEND_INPUT: dict[str, dict] = {
    "decision": _text(enum=["recommend", "return"]),
    "reason": _text(2000, "Required when returning; the school sees it.", nullable=True),
}
NOTICE_INPUT: dict[str, dict] = {
    "days": {
        "type": INTEGER,
        "minimum": 1,
        "maximum": 30,
        "description": "Working days the notice lasts, from today (default 5).",
    },
}
OBJECTION_INPUT: dict[str, dict] = {"reason": _text(2000, "Why the selection is objected to.")}
ANSWER_INPUT: dict[str, dict] = {
    "outcome": _text(enum=["upheld", "dismissed"]),
    "answer": _text(2000, "The answer; an upheld objection withdraws the selection with it."),
}


def _schemas() -> dict[str, dict]:
    integer, text = {"type": INTEGER}, {"type": STRING}
    nullable_text = {"type": STRING, "nullable": True}
    figure = {"type": "object", "properties": {"target": integer, "actual": integer}}

    def listing(name: str) -> dict:
        return {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}},
                "page": integer,
                "per_page": integer,
                "pages": integer,
                "total": integer,
            },
            "required": ["items", "page", "pages", "total"],
        }

    return {
        "BatchCreate": {
            "type": "object",
            "properties": BATCH_INPUT,
            "required": ["name", "phase", "opens_on", "closes_on"],
        },
        "Batch": {
            "type": "object",
            "properties": {
                "id": integer,
                "name": text,
                "phase_id": integer,
                "phase_number": integer,
                "opens_on": DATE,
                "closes_on": DATE,
                "limit_technician_college": integer,
                "limit_other": integer,
                "demonstration_threshold": {"type": "number", "nullable": True},
                "open": {"type": "boolean"},
                "notice_starts_on": {**DATE, "nullable": True},
                "notice_ends_on": {**DATE, "nullable": True},
                "selection_final": {"type": "boolean"},
            },
            "required": ["id", "name", "phase_id"],
        },
        "BatchList": listing("Batch"),
        "BatchApplicationCreate": {
            "type": "object",
            "properties": APPLY_INPUT,
            "required": ["school_major_id"],
        },
        "BatchApplication": {
            "type": "object",
            "properties": {
                "id": integer,
                "batch_id": integer,
                "school_id": integer,
                "school_major_id": integer,
                "major": text,
                "level": text,
                "status": {"type": "string", "enum": list(APPLICATION_STATUSES)},
                "reason": nullable_text,
                "recommendation_reason": nullable_text,
                "decided_at": {"type": "string", "format": "date-time", "nullable": True},
            },
            "required": ["id", "batch_id", "status"],
        },
        "RecommendRequest": {
            "type": "object",
            "properties": RECOMMEND_INPUT,
            "required": ["decision"],
        },
        "NoticeRequest": {"type": "object", "properties": NOTICE_INPUT},
        "ObjectionCreate": {
            "type": "object",
            "properties": OBJECTION_INPUT,
            "required": ["reason"],
        },
        "ObjectionAnswer": {
            "type": "object",
            "properties": ANSWER_INPUT,
            "required": ["outcome", "answer"],
        },
        "Objection": {
            "type": "object",
            "properties": {
                "id": integer,
                "batch_id": integer,
                "application_id": integer,
                "reason": text,
                "status": {"type": "string", "enum": list(OBJECTION_STATUSES)},
                "answer": nullable_text,
                "answered_at": {"type": "string", "format": "date-time", "nullable": True},
            },
            "required": ["id", "batch_id", "application_id", "status"],
        },
        "BatchApplicationList": listing("BatchApplication"),
        "DecisionRequest": {
            "type": "object",
            "properties": DECISION_INPUT,
            "required": ["decision"],
        },
        "Dashboard": {
            "type": "object",
            "properties": {
                "scope": nullable_text,
                "targets": {
                    "type": "object",
                    "properties": {"majors": figure, "schools": figure, "teachers": figure},
                },
                "by_league": {"type": "array", "items": {"type": "object"}},
                "by_phase": {"type": "array", "items": {"type": "object"}},
                "pairing": {"type": "object"},
                "placements": {"type": "object"},
                "practice_rule": {"type": "object"},
                "rounds": {"type": "array", "items": {"type": "object"}},
                "outcomes": {
                    "type": "object",
                    "description": "Graduate outcomes of the latest year (`year`) against the "
                    "previous year, by league (`by_league`) and by catalogue major (`by_major`).",
                },
            },
            "required": ["targets"],
        },
        "AuditEvent": {
            "type": "object",
            "properties": {
                "id": integer,
                "at": {"type": "string", "format": "date-time"},
                "actor": nullable_text,
                "action": text,
                "target": text,
                "region_code": nullable_text,
                "before": {"type": "object", "nullable": True},
                "after": {"type": "object", "nullable": True},
            },
            "required": ["id", "at", "actor", "action", "target"],
        },
        "AuditEventList": listing("AuditEvent"),
    }


EXTRA_SCHEMAS.update(_schemas())
QUERY_PARAMETERS.setdefault(
    "format",
    {
        "schema": {"type": "string", "enum": ["json", "csv", "xlsx"]},
        "description": "csv or xlsx: every matching row (not only one page) as a download.",
    },
)
for _name, _description in (
    ("batch", "Only this batch (id)."),
    ("phase", "Only this phase (id)."),
    ("actor", "Actor's email contains this."),
    ("action", "Action contains this, e.g. batch_application."),
    ("target", "Target type (and :id), e.g. School:12."),
    ("from", "From this day (Asia/Shanghai), YYYY-MM-DD."),
    ("to", "Up to this day (Asia/Shanghai), YYYY-MM-DD."),
):
    QUERY_PARAMETERS.setdefault(_name, {"schema": {"type": "string"}, "description": _description})
QUERY_PARAMETERS.setdefault(
    "application_status",
    {
        "schema": {"type": "string", "enum": [*APPLICATION_STATUSES, "selected_all"]},
        "description": "Application status (selected_all: selected or any later stage).",
    },
)


def batch_json(batch: Batch) -> dict[str, Any]:
    """A batch with its phase and limits."""
    return {
        "id": batch.id,
        "name": batch.name,
        "phase_id": batch.phase_id,
        "phase_number": batch.phase.number,
        "opens_on": batch.opens_on.isoformat(),
        "closes_on": batch.closes_on.isoformat(),
        "limit_technician_college": batch.limit_technician_college,
        "limit_other": batch.limit_other,
        "demonstration_threshold": batch.demonstration_threshold,
        "open": batch.is_open(local_today()),
        "notice_starts_on": batch.notice_starts_on.isoformat() if batch.notice_starts_on else None,
        "notice_ends_on": batch.notice_ends_on.isoformat() if batch.notice_ends_on else None,
        "selection_final": services.selection_final(batch, local_today()),
    }


def application_json(application: BatchApplication) -> dict[str, Any]:
    """A batch application and its status."""
    return {
        "id": application.id,
        "batch_id": application.batch_id,
        "school_id": application.school_id,
        "school_major_id": application.school_major_id,
        "major": application.school_major.major.name,
        "level": application.school_major.level,
        "status": application.status,
        "reason": application.reason,
        "recommendation_reason": application.recommendation_reason,
        "decided_at": application.decided_at.isoformat() if application.decided_at else None,
    }


def objection_json(objection: Objection) -> dict[str, Any]:
    """An objection to a selection and its answer."""
    return {
        "id": objection.id,
        "batch_id": objection.batch_id,
        "application_id": objection.application_id,
        "reason": objection.reason,
        "status": objection.status,
        "answer": objection.answer,
        "answered_at": objection.answered_at.isoformat() if objection.answered_at else None,
    }


def audit_json(event) -> dict[str, Any]:
    """An audit event (the trail never holds passwords or tokens)."""
    return {
        "id": event.id,
        "at": event.at.isoformat(),
        "actor": audit_actor(event),
        "action": event.action,
        "target": f"{event.target_type}:{event.target_id}",
        "region_code": event.region_code,
        "before": audit_values(event, event.before),
        "after": audit_values(event, event.after),
    }


def _int_arg(name: str) -> int | None:
    value = arg(name)
    if value is None:
        return None
    if not value.isdigit() or not 0 < int(value) <= MAX_ID:
        message = _("Expected a whole number.")
        raise ValidationFailed(message, {name: message})
    return int(value)


def _phase_id(value: Any) -> int:
    """The id of the phase given by number (first) or id; ValidationFailed when unknown."""
    phase = None
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
        phase = db.session.scalar(select(Phase).where(Phase.number == value))
        phase = phase or db.session.get(Phase, value)
    if phase is None:
        message = _("Give an existing phase's number or id.")
        raise ValidationFailed(message, {"phase": message})
    return phase.id


@bp.get("/batches")
@operation(
    "Batches, newest first",
    tag="programme",
    responses={200: "BatchList"},
    query=("page", "per_page", "phase", "format"),
)
@api_roles(*MEMBERS)
def batch_list() -> ResponseReturnValue:
    """Every batch with its phase and limits."""
    return page_or_file(queries.batches(_int_arg("phase")), batch_json, exports.BATCHES, "batches")


@bp.post("/batches")
@operation(
    "Open a batch in a phase (region administrator)",
    tag="programme",
    body="BatchCreate",
    responses={201: "Batch", 409: None},
)
@api_roles("region_admin")
def create_batch() -> ResponseReturnValue:
    """Create a batch; `phase` is the phase's number or id; limits default to the settings."""
    body = writable(json_object(), BATCH_INPUT)
    phases = [(p, "") for p in db.session.scalars(select(Phase.id))]
    if "phase" in body:
        body["phase"] = _phase_id(body["phase"])
    data = validated(BatchForm, body, phases=phases)
    batch = services.save_batch(
        api_user(),
        {
            "phase_id": data["phase"],
            "name": data["name"].strip(),
            "opens_on": data["opens_on"],
            "closes_on": data["closes_on"],
            "limit_technician_college": data["limit_technician_college"],
            "limit_other": data["limit_other"],
            "demonstration_threshold": data["demonstration_threshold"],
        },
    )
    db.session.commit()
    return batch_json(batch), 201, {"Location": url_for("api.batch_list")}


@bp.get("/batches/<int:id>/applications")
@operation(
    "Applications to a batch",
    tag="programme",
    responses={200: "BatchApplicationList"},
    query=("page", "per_page", "format"),
)
@api_roles(*MEMBERS)
def batch_applications(id: int) -> ResponseReturnValue:
    """A school sees its own applications; administrators those of their league."""
    batch = get_or_404(Batch, id)
    stmt = queries.applications(api_user(), queries.ApplicationFilters(batch_id=batch.id))
    return page_or_file(stmt, application_json, exports.APPLICATIONS, "batch-applications")


@bp.post("/batches/<int:id>/applications")
@operation(
    "Apply an integrated major to an open batch (school)",
    tag="programme",
    body="BatchApplicationCreate",
    responses={201: "BatchApplication", 409: None},
)
@api_roles("school")
def apply_to_batch(id: int) -> ResponseReturnValue:
    """Within the limit per school and batch; a breach is 422 with code `batch_limit`."""
    batch = get_or_404(Batch, id)
    body = writable(json_object(), APPLY_INPUT)
    major_id = body.get("school_major_id")
    if major_id is None:
        message = _("This field is required.")
        raise ValidationFailed(message, {"school_major_id": message})
    major = db.session.get(SchoolMajor, major_id) if 0 < major_id <= MAX_ID else None
    if major is None or not major.can_edit(api_user()):
        message = _("Choose one of your school's integrated majors.")
        raise ValidationFailed(message, {"school_major_id": message})
    application = services.apply_major(api_user(), batch, major, local_today())
    db.session.commit()
    return application_json(application), 201


@bp.get("/batch-applications")
@operation(
    "Batch applications with filters",
    tag="programme",
    responses={200: "BatchApplicationList"},
    query=("page", "per_page", "batch", "phase", "application_status", "region_code", "format"),
)
@api_roles(*MEMBERS)
def batch_application_list() -> ResponseReturnValue:
    """A school sees its own; administrators those of their league."""
    filters = queries.ApplicationFilters(
        batch_id=_int_arg("batch"),
        phase_id=_int_arg("phase"),
        status=arg("application_status"),
        region_code=arg("region_code"),
    )
    stmt = queries.applications(api_user(), filters)
    return page_or_file(stmt, application_json, exports.APPLICATIONS, "batch-applications")


def _visible_application(id: int) -> BatchApplication:
    application = get_or_404(BatchApplication, id)
    if not application.can_view(api_user()):
        raise NotFound(_("Not found."))
    return application


def _decidable(id: int) -> BatchApplication:
    application = _visible_application(id)
    if not application.can_decide(api_user()):
        raise Forbidden(_("Only the region administrator selects."))
    return application


@bp.post("/batch-applications/<int:id>/recommend")
@operation(
    "The league recommends an application to the region, or returns it with a reason",
    tag="programme",
    body="RecommendRequest",
    responses={200: "BatchApplication", 409: None},
)
@api_roles(*ADMINS)
def recommend_application(id: int) -> ResponseReturnValue:
    """Administrators of the school's league (or the region); 409 once recommended or returned."""
    application = _visible_application(id)
    data = validated(RecommendForm, writable(json_object(), RECOMMEND_INPUT))
    services.recommend(api_user(), application, data["decision"], data["reason"])
    db.session.commit()
    return application_json(application)


@bp.post("/batch-applications/<int:id>/decision")
@operation(
    "Select, or reject with a reason (region administrator; recommended applications only)",
    tag="programme",
    body="DecisionRequest",
    responses={200: "BatchApplication", 409: None},
)
@api_roles(*ADMINS)
def decide_application(id: int) -> ResponseReturnValue:
    """A league administrator gets 403; an application not recommended (or decided) gets 409."""
    application = _decidable(id)
    data = validated(DecisionForm, writable(json_object(), DECISION_INPUT))
    services.decide(api_user(), application, data["decision"], data["reason"])
    db.session.commit()
    return application_json(application)


@bp.post("/batches/<int:id>/notice")
@operation(
    "Publish the batch's selection for public notice (region administrator)",
    tag="programme",
    body="NoticeRequest",
    responses={200: "Batch", 409: None},
)
@api_roles("region_admin")
def publish_notice(id: int) -> ResponseReturnValue:
    """From today for `days` working days (default 5); 409 when nothing is selected or the
    notice was published already."""
    batch = get_or_404(Batch, id)
    body = writable(json_object(), NOTICE_INPUT)
    services.publish_notice(api_user(), batch, body.get("days"), local_today())
    db.session.commit()
    return batch_json(batch)


@bp.post("/batch-applications/<int:id>/objections")
@operation(
    "Object to a selected major while its notice runs (any signed-in user)",
    tag="programme",
    body="ObjectionCreate",
    responses={201: "Objection", 409: None},
)
@api_login_required
def lodge_objection(id: int) -> ResponseReturnValue:
    """409 outside the notice period or when the major is not selected."""
    application = get_or_404(BatchApplication, id)
    body = writable(json_object(), OBJECTION_INPUT)
    objection = services.lodge_objection(api_user(), application, body.get("reason"), local_today())
    db.session.commit()
    return objection_json(objection), 201


@bp.post("/objections/<int:id>/answer")
@operation(
    "Answer an objection: upheld (the selection is withdrawn) or dismissed",
    tag="programme",
    body="ObjectionAnswer",
    responses={200: "Objection", 409: None},
)
@api_roles("region_admin")
def answer_objection(id: int) -> ResponseReturnValue:
    """409 once answered."""
    objection = get_or_404(Objection, id)
    data = validated(AnswerForm, writable(json_object(), ANSWER_INPUT))
    services.answer_objection(api_user(), objection, data["outcome"], data["answer"])
    db.session.commit()
    return objection_json(objection)


@bp.post("/batch-applications/<int:id>/advance")
@operation(
    "Move a selected major to its next stage",
    tag="programme",
    responses={200: "BatchApplication", 409: None},
)
@api_roles(*ADMINS)
def advance_application(id: int) -> ResponseReturnValue:
    """selected → under_construction → assessed → demonstration, once the selection is final
    (409 before that and at the end)."""
    application = _visible_application(id)
    services.advance_stage(api_user(), application, local_today())
    db.session.commit()
    return application_json(application)


@bp.get("/dashboard")
@operation("The targets dashboard's figures", tag="programme", responses={200: "Dashboard"})
@api_roles(*ADMINS)
def dashboard() -> ResponseReturnValue:
    """Targets and progress; a league administrator's figures cover its league."""
    return queries.dashboard(api_user())


@bp.get("/audit")
@operation(
    "The audit log",
    tag="programme",
    responses={200: "AuditEventList"},
    query=("page", "per_page", "actor", "action", "target", "from", "to", "format"),
)
@api_roles("region_admin")
def audit() -> ResponseReturnValue:
    """Every administrator action and state change, newest first."""
    from datetime import date

    def day(name: str):
        value = arg(name)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            message = _("Use the form YYYY-MM-DD.")
            raise ValidationFailed(message, {name: message}) from exc

    filters = queries.AuditFilters(
        actor=arg("actor"),
        action=arg("action"),
        target=arg("target"),
        date_from=day("from"),
        date_to=day("to"),
    )
    return page_or_file(queries.audit_events(filters), audit_json, exports.AUDIT, "audit-log")
