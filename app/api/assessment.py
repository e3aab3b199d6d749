"""Assessment of construction (考核验收) and the graduate-outcomes summary in the JSON API."""

from typing import Any

from flask import url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from app.api import bp
from app.api.auth import api_login_required, api_roles
from app.api.docs import operation
from app.api.helpers import MAX_ID, api_user, arg, get_or_404, json_object, page_of, wants_file
from app.api.openapi import EXTRA_SCHEMAS, QUERY_PARAMETERS
from app.api.schemas import INTEGER, STRING, _text
from app.auth.models import User
from app.common.errors import Forbidden, NotFound, ValidationFailed
from app.common.exports import export_response
from app.common.time import local_today
from app.extensions import db
from app.programme import assessment as service
from app.programme import exports, outcome_summary
from app.programme.models import (
    ASSESSMENT_RESULTS,
    ASSESSMENT_STATUSES,
    MIN_ASSESSORS,
    Assessment,
    BatchApplication,
)

MAX_PANEL = 30
NUMBER = {"type": "number", "nullable": True}
OPEN_INPUT: dict[str, dict] = {
    "assessor_ids": {
        "type": "array",
        "items": {"type": INTEGER},
        "minItems": MIN_ASSESSORS,
        "maxItems": MAX_PANEL,
        "description": "Account ids of the panel: at least three, nobody from the school or "
        "from an enterprise in an active partnership with it.",
    },
}
SCORES_INPUT: dict[str, dict] = {
    "scores": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"indicator_id": {"type": INTEGER}, "score": {"type": INTEGER}},
            "required": ["indicator_id", "score"],
        },
        "description": "One entry per published demonstration-major indicator: whole points "
        "from 0 to the indicator's weight.",
    },
}
CONCLUSION_INPUT: dict[str, dict] = {
    "result": _text(enum=list(ASSESSMENT_RESULTS)),
    "note": _text(2000, "Why; the school sees it."),
}


def _schemas() -> dict[str, dict]:
    integer, text = {"type": INTEGER}, {"type": STRING}
    when = {"type": STRING, "format": "date-time", "nullable": True}
    figures = {"type": "object", "additionalProperties": {"type": INTEGER}}
    group = {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "key": {"type": STRING},
                "name": text,
                "year": figures,
                "previous": figures,
            },
        },
    }
    return {
        "AssessmentOpen": {
            "type": "object",
            "properties": OPEN_INPUT,
            "required": ["assessor_ids"],
        },
        "DemonstrationThreshold": {
            "type": "object",
            "properties": {
                "demonstration_threshold": {
                    "type": "number",
                    "minimum": 0,
                    "maximum": 100,
                    "nullable": True,
                }
            },
            "required": ["demonstration_threshold"],
        },
        "AssessmentScores": {"type": "object", "properties": SCORES_INPUT, "required": ["scores"]},
        "AssessmentConclusion": {
            "type": "object",
            "properties": CONCLUSION_INPUT,
            "required": ["result", "note"],
        },
        "Assessment": {
            "type": "object",
            "properties": {
                "id": integer,
                "application_id": integer,
                "batch_id": integer,
                "school_id": integer,
                "school": text,
                "major": text,
                "status": {"type": STRING, "enum": list(ASSESSMENT_STATUSES)},
                "assessors": integer,
                "submitted": integer,
                "mean_score": NUMBER,
                "result": {"type": STRING, "enum": list(ASSESSMENT_RESULTS), "nullable": True},
                "note": {"type": STRING, "nullable": True},
                "opened_at": {"type": STRING, "format": "date-time"},
                "concluded_at": when,
                "panel": {
                    "type": "array",
                    "description": "The panel: names, and for the league's administrators each "
                    "assessor's total and scores; an assessor sees its own.",
                    "items": {"type": "object"},
                },
            },
            "required": ["id", "application_id", "status"],
        },
        "AssessmentList": {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Assessment"}},
                "page": integer,
                "per_page": integer,
                "pages": integer,
                "total": integer,
            },
            "required": ["items", "page", "pages", "total"],
        },
        "OutcomeSummary": {
            "type": "object",
            "properties": {
                "year": integer,
                "previous_year": integer,
                "by_league": group,
                "by_major": group,
            },
            "required": ["year", "previous_year", "by_league", "by_major"],
        },
    }


EXTRA_SCHEMAS.update(_schemas())
QUERY_PARAMETERS.setdefault(
    "assessment_status",
    {
        "schema": {"type": "string", "enum": list(ASSESSMENT_STATUSES)},
        "description": "Only assessments in this status.",
    },
)
QUERY_PARAMETERS.setdefault(
    "result",
    {
        "schema": {"type": "string", "enum": list(ASSESSMENT_RESULTS)},
        "description": "Only concluded assessments with this result.",
    },
)
QUERY_PARAMETERS.setdefault(
    "mine",
    {"schema": {"type": "boolean"}, "description": "Only assessments you sit on as assessor."},
)
QUERY_PARAMETERS.setdefault(
    "year",
    {
        "schema": {"type": "integer", "minimum": 2000, "maximum": 2100},
        "description": "Graduating year (default: the latest with figures).",
    },
)


def _seat_json(seat, full: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "user_id": seat.user_id,
        "name": seat.user.name,
        "submitted": seat.submitted_at is not None,
    }
    if full:
        row["total"] = seat.total
        row["scores"] = [{"indicator_id": s.indicator_id, "score": s.score} for s in seat.scores]
    return row


def assessment_json(assessment: Assessment) -> dict[str, Any]:
    """An assessment as the caller may see it (scores: the league's administrators; an
    assessor its own)."""
    user = api_user()
    application = assessment.application
    see_all = assessment.can_see_scores(user)
    seat = assessment.assessor_of(user)
    panel = None
    if see_all or seat is not None:
        panel = [_seat_json(a, see_all or a is seat) for a in assessment.assessors]
    return {
        "id": assessment.id,
        "application_id": application.id,
        "batch_id": application.batch_id,
        "school_id": application.school_id,
        "school": application.school.name,
        "major": application.school_major.major.name,
        "status": assessment.status,
        "assessors": len(assessment.assessors),
        "submitted": service.submitted_count(assessment),
        "mean_score": assessment.mean_score,
        "result": assessment.result,
        "note": assessment.note,
        "opened_at": assessment.created_at.isoformat() if assessment.created_at else None,
        "concluded_at": assessment.concluded_at.isoformat() if assessment.concluded_at else None,
        "panel": panel,
    }


def _visible(id: int) -> Assessment:
    assessment = get_or_404(Assessment, id)
    if not assessment.can_view(api_user()):
        raise NotFound(_("Not found."))
    return assessment


def _ids(value: Any) -> list[int]:
    """A list of account ids; ValidationFailed naming assessor_ids otherwise."""
    ok = isinstance(value, list) and all(
        isinstance(v, int) and not isinstance(v, bool) and 0 < v <= MAX_ID for v in value
    )
    if not ok:
        message = _("Give a list of account ids.")
        raise ValidationFailed(message, {"assessor_ids": message})
    if len(value) > MAX_PANEL:
        message = _("At most %(n)s assessors.", n=MAX_PANEL)
        raise ValidationFailed(message, {"assessor_ids": message})
    return value


# --- assessment operations ----------------------------------------------------------------


@bp.post("/batch-applications/<int:id>/assessments")
@operation(
    "Open an assessment of a selected major and appoint its panel (region administrator)",
    tag="assessment",
    body="AssessmentOpen",
    responses={201: "Assessment", 409: None},
)
@api_roles("league_admin", "region_admin")
def open_assessment(id: int) -> ResponseReturnValue:
    """Each assessor is notified; 422 naming `assessor_ids` for fewer than three, an unknown
    or a conflicted account; 409 outside construction or with an assessment in progress."""
    application = get_or_404(BatchApplication, id)
    if not application.can_view(api_user()):
        raise NotFound(_("Not found."))
    if not api_user().is_region_admin:
        raise Forbidden(_("Only the region administrator organises assessments."))
    ids = _ids(json_object().get("assessor_ids"))
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    unknown = [i for i in ids if i not in users]
    if unknown:
        message = _("No account has the id %(id)s.", id=unknown[0])
        raise ValidationFailed(message, {"assessor_ids": message})
    try:
        assessment = service.open_assessment(
            api_user(), application, [users[i] for i in ids], local_today()
        )
    except ValidationFailed as exc:  # the form's field is "assessors"; here it is the ids
        fields = {("assessor_ids" if k == "assessors" else k): v for k, v in exc.fields.items()}
        raise ValidationFailed(exc.message, fields) from exc
    db.session.commit()
    location = url_for("api.assessment_detail", id=assessment.id)
    return assessment_json(assessment), 201, {"Location": location}


@bp.get("/assessments")
@operation(
    "Assessments you may see, newest first",
    tag="assessment",
    responses={200: "AssessmentList"},
    query=("page", "per_page", "assessment_status", "result", "region_code", "q", "mine", "format"),
)
@api_login_required
def assessment_list() -> ResponseReturnValue:
    """The region all; a league administrator its league's; an assessor those it sits on; a
    school its own concluded ones."""
    status, result = arg("assessment_status"), arg("result")
    for name, value, allowed in (
        ("assessment_status", status, ASSESSMENT_STATUSES),
        ("result", result, ASSESSMENT_RESULTS),
    ):
        if value is not None and value not in allowed:
            message = _("Not a valid choice.")
            raise ValidationFailed(message, {name: message})
    filters = service.AssessmentFilters(
        status=status, result=result, region_code=arg("region_code"), q=arg("q")
    )
    mine = (arg("mine") or "").lower() in ("1", "true", "yes")
    stmt = service.assessments(api_user(), filters, mine=mine)
    fmt = wants_file()
    if fmt:
        return export_response(stmt, exports.ASSESSMENTS, "assessments", fmt)
    return page_of(stmt, assessment_json)


@bp.get("/assessments/<int:id>")
@operation(
    "One assessment: panel, mean and conclusion",
    tag="assessment",
    responses={200: "Assessment"},
)
@api_login_required
def assessment_detail(id: int) -> ResponseReturnValue:
    """404 unless you administer its league, sit on its panel, or belong to the school and it
    is concluded."""
    return assessment_json(_visible(id))


@bp.post("/assessments/<int:id>/scores")
@operation(
    "Submit (or change) your scores as an assessor",
    tag="assessment",
    body="AssessmentScores",
    responses={200: "Assessment", 409: None},
)
@api_login_required
def submit_assessment_scores(id: int) -> ResponseReturnValue:
    """Every published indicator, whole points from 0 to its weight (422 naming
    `indicator_<id>`); 409 once concluded. The mean is computed from three submissions."""
    assessment = _visible(id)
    if assessment.assessor_of(api_user()) is None:
        raise Forbidden(_("Only the assessment's panel scores it."))
    entries = json_object().get("scores")
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        message = _("Give a list of {indicator_id, score} objects.")
        raise ValidationFailed(message, {"scores": message})
    raw: dict[int, Any] = {}
    for entry in entries:
        key = entry.get("indicator_id")
        if not isinstance(key, int) or isinstance(key, bool) or not 0 < key <= MAX_ID:
            message = _("Give a list of {indicator_id, score} objects.")
            raise ValidationFailed(message, {"scores": message})
        raw[key] = entry.get("score")
    service.submit_scores(api_user(), assessment, raw)
    db.session.commit()
    return assessment_json(assessment)


@bp.post("/assessments/<int:id>/conclusion")
@operation(
    "Conclude an assessment as passed or not passed, with a note (region administrator)",
    tag="assessment",
    body="AssessmentConclusion",
    responses={200: "Assessment", 409: None},
)
@api_roles("league_admin", "region_admin")
def conclude_assessment(id: int) -> ResponseReturnValue:
    """Every member of the school is notified; 409 before three assessors have submitted or
    once concluded."""
    assessment = _visible(id)
    if not assessment.can_manage(api_user()):
        raise Forbidden(_("Only the region administrator organises assessments."))
    body = json_object()
    result, note = body.get("result"), body.get("note")
    if note is not None and not isinstance(note, str):
        message = _("Expected text.")
        raise ValidationFailed(message, {"note": message})
    if isinstance(note, str) and "\x00" in note:
        message = _("Text may not contain NUL characters.")
        raise ValidationFailed(message, {"note": message})
    service.conclude(api_user(), assessment, result if isinstance(result, str) else None, note)
    db.session.commit()
    return assessment_json(assessment)


@bp.post("/batches/<int:id>/demonstration-threshold")
@operation(
    "Set or clear a batch's demonstration threshold (region administrator)",
    tag="assessment",
    body="DemonstrationThreshold",
    responses={200: "Batch"},
)
@api_roles("region_admin")
def set_demonstration_threshold(id: int) -> ResponseReturnValue:
    """A number from 0 to 100, or null to clear it (then no major of the batch can become a
    demonstration major); 422 naming `demonstration_threshold` otherwise."""
    from app.api.programme import batch_json
    from app.programme.models import Batch

    batch = get_or_404(Batch, id)
    body = json_object()
    if "demonstration_threshold" not in body:
        message = _("This field is required.")
        raise ValidationFailed(message, {"demonstration_threshold": message})
    service.set_threshold(api_user(), batch, body["demonstration_threshold"])
    db.session.commit()
    return batch_json(batch)


# --- graduate-outcomes summary ------------------------------------------------------------


@bp.get("/outcomes/summary")
@operation(
    "Graduate outcomes of a year against the year before, by league and by major",
    tag="programme",
    responses={200: "OutcomeSummary", 404: None},
    query=("year", "format"),
)
@api_roles("league_admin", "region_admin")
def outcome_summary_view() -> ResponseReturnValue:
    """A league administrator's figures cover its league; format=csv|xlsx downloads both
    groupings as one table."""
    value = arg("year")
    if value is None:
        year = outcome_summary.latest_year()
        if year is None:
            raise NotFound(_("No figures returned yet."))
    elif value.isdigit() and 2000 <= int(value) <= 2100:
        year = int(value)
    else:
        message = _("Give a graduating year from 2000 to 2100.")
        raise ValidationFailed(message, {"year": message})
    data = outcome_summary.summary(api_user(), year)
    fmt = wants_file()
    if fmt:
        return export_response(
            outcome_summary.summary_rows(data),
            outcome_summary.summary_columns(year),
            f"graduate-outcomes-summary-{year}",
            fmt,
        )
    return data
