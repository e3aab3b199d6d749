"""Permission rows: teaching resources, venues and bookings, training, certification,
supervision, and their JSON API."""

from tests.permissions.common import Row, api_login, api_only, both, everyone, logged_in, only
from tests.resources import factories as fx

SCHOOLS = {"school": 200, "school_other": 200}
ADMINS = {"league_admin": 200, "league_admin_other": 200, "region_admin": 200}
ORGS = {**SCHOOLS, "enterprise": 200, "enterprise_other": 200, **ADMINS}
ORG_ROLES = {**ORGS}


def _item(w, status="draft"):
    return fx.make_item(w.school, status=status, partners=[w.enterprise])


def _item_url(w, suffix="", status="draft"):
    return f"/resources/{_item(w, status).id}{suffix}"


def _file_url(w, prefix="/resources"):
    item = _item(w)
    row = fx.add_pdf(item, w.users["school"])
    return f"{prefix}/{item.id}/files/{row.id}"


def _venue(w):
    return fx.make_venue(w.enterprise)


def _booking_url(w, action, prefix="/resources"):
    booking = fx.make_booking(_venue(w), w.school)
    return f"{prefix}/bookings/{booking.id}/{action}"


def _visit(w):
    return fx.make_visit(w.school)


def _item_json(w):
    return {
        "school_major_id": fx.make_school_major(w.school).id,
        "kind": "workbook",
        "title": "工作页",
    }


ITEM_VIEWERS = {"school": 200, "teacher": 200, "league_admin": 200, "region_admin": 200}
FILE_VIEWERS = {**ITEM_VIEWERS, "enterprise": 200}
REVIEW_PAGE = {
    "*": 404,
    "anonymous": 302,
    "school": 403,
    "teacher": 403,
    "enterprise": 403,
    "league_admin": 403,
    "region_admin": 302,
}
VENUE_EDITORS = {"enterprise": 200, "league_admin": 200, "region_admin": 200}
DECIDE = {
    "*": 404,
    "anonymous": 302,
    "school": 403,
    "teacher": 403,
    "enterprise": 302,
    "league_admin": 302,
    "region_admin": 302,
}
TRAINING_EDIT = {
    "*": 403,
    "anonymous": 302,
    "enterprise": 302,
    "league_admin": 302,
    "region_admin": 302,
}

ROWS: dict[str, Row] = {
    # resource packages
    "GET resources.packages": Row("GET", "/resources/", logged_in()),
    **both("resources.item_new", "/resources/new", only(SCHOOLS)),
    "GET resources.item_detail": Row(
        "GET", _item_url, {"*": 404, "anonymous": 302, **ITEM_VIEWERS, "enterprise": 200}
    ),
    **both(
        "resources.item_edit",
        lambda w: _item_url(w, "/edit"),
        {"*": 403, "anonymous": 302, "school": 200, "school_other": 404},
        {"*": 403, "anonymous": 302, "school": 302, "school_other": 404},  # saved unchanged
    ),
    "POST resources.item_upload": Row(
        "POST",
        lambda w: _item_url(w, "/files"),
        {
            "*": 403,
            "anonymous": 302,
            "school": 302,
            "enterprise": 302,
            "school_other": 404,
            "enterprise_other": 404,
        },
    ),
    "GET resources.file_download": Row(
        "GET", _file_url, {"*": 404, "anonymous": 302, **FILE_VIEWERS}
    ),
    "POST resources.item_submit": Row(
        "POST",
        lambda w: _item_url(w, "/submit"),
        {"*": 403, "anonymous": 302, "school": 302, "school_other": 404},
    ),
    "POST resources.item_take": Row(
        "POST", lambda w: _item_url(w, "/take", "submitted"), REVIEW_PAGE
    ),
    "POST resources.item_review": Row(
        "POST", lambda w: _item_url(w, "/review", "submitted"), REVIEW_PAGE
    ),
    "POST resources.item_comment": Row(
        "POST", lambda w: _item_url(w, "/comment", "submitted"), REVIEW_PAGE
    ),
    "GET resources.review_queue": Row(
        "GET", "/resources/reviews", {"*": 403, "anonymous": 302, "region_admin": 200}
    ),
    **both("resources.panel", "/resources/panel", only({"region_admin": 200})),
    "POST resources.panel_remove": Row(
        "POST",
        lambda w: f"/resources/panel/{_member(w)}/remove",
        only({"region_admin": 302}),
    ),
    # venues and bookings
    "GET resources.venues": Row("GET", "/resources/venues", everyone()),
    **both("resources.venue_new", "/resources/venues/new", only(ORGS)),
    "GET resources.venue_detail": Row(
        "GET", lambda w: f"/resources/venues/{_venue(w).id}", everyone()
    ),
    **both(
        "resources.venue_edit",
        lambda w: f"/resources/venues/{_venue(w).id}/edit",
        only(VENUE_EDITORS),
    ),
    **both(
        "resources.venue_book", lambda w: f"/resources/venues/{_venue(w).id}/book", only(SCHOOLS)
    ),
    "GET resources.bookings": Row("GET", "/resources/bookings", logged_in()),
    "POST resources.booking_confirm": Row("POST", lambda w: _booking_url(w, "confirm"), DECIDE),
    "POST resources.booking_decline": Row("POST", lambda w: _booking_url(w, "decline"), DECIDE),
    "POST resources.booking_cancel": Row(
        "POST",
        lambda w: _booking_url(w, "cancel"),
        {"*": 403, "anonymous": 302, "school": 302, "school_other": 404},
    ),
    # training
    "GET resources.trainings": Row("GET", "/resources/trainings", everyone()),
    **both(
        "resources.training_new",
        "/resources/trainings/new",
        only({"enterprise": 200, "enterprise_other": 200, **ADMINS}),
    ),
    "GET resources.training_detail": Row(
        "GET", lambda w: f"/resources/trainings/{fx.make_programme(w.enterprise).id}", everyone()
    ),
    "POST resources.trainee_add": Row(
        "POST",
        lambda w: f"/resources/trainings/{fx.make_programme(w.enterprise).id}/trainees",
        TRAINING_EDIT,
    ),
    "POST resources.trainee_outcome": Row(
        "POST",
        lambda w: (
            f"/resources/trainees/{fx.make_trainee(fx.make_programme(w.enterprise)).id}/outcome"
        ),
        TRAINING_EDIT,
    ),
    # certification
    "GET resources.certifications": Row("GET", "/resources/certifications", only(ORGS)),
    **both(
        "resources.certification_new",
        "/resources/certifications/new",
        only({**SCHOOLS, "enterprise": 200, "enterprise_other": 200}),
    ),
    # supervision
    "GET resources.supervision": Row("GET", "/resources/supervision", only({**SCHOOLS, **ADMINS})),
    **both("resources.visit_new", "/resources/supervision/new", only(ADMINS)),
    "GET resources.supervision_detail": Row(
        "GET",
        lambda w: f"/resources/supervision/{_visit(w).id}",
        {
            "*": 403,
            "anonymous": 302,
            "school": 200,
            "school_other": 404,
            "league_admin": 200,
            "league_admin_other": 404,
            "region_admin": 200,
        },
    ),
    "POST resources.action_answer": Row(
        "POST",
        lambda w: f"/resources/supervision/actions/{_visit(w).actions[0].id}/answer",
        {"*": 403, "anonymous": 302, "school": 302, "school_other": 404},
    ),
    "POST resources.action_close": Row(
        "POST",
        lambda w: f"/resources/supervision/actions/{_visit(w).actions[0].id}/close",
        {
            "*": 403,
            "anonymous": 302,
            "league_admin": 302,
            "league_admin_other": 404,
            "region_admin": 302,
        },
    ),
    # API
    "GET api.resources_list": Row("GET", "/api/v1/resources", api_login(200)),
    "POST api.resource_create": Row(
        "POST", "/api/v1/resources", api_only({"school": 201}), data=_item_json
    ),
    "GET api.resource": Row(
        "GET",
        lambda w: f"/api/v1/resources/{_item(w).id}",
        {"*": 404, "anonymous": 401, **ITEM_VIEWERS, "enterprise": 200},
    ),
    "POST api.resource_file_upload": Row(
        "POST",
        lambda w: f"/api/v1/resources/{_item(w).id}/files",
        {
            "*": 403,
            "anonymous": 401,
            "school": 422,
            "enterprise": 422,
            "school_other": 404,
            "enterprise_other": 404,
        },
    ),
    "GET api.resource_file": Row(
        "GET",
        lambda w: _file_url(w, "/api/v1/resources"),
        {"*": 404, "anonymous": 401, **FILE_VIEWERS},
    ),
    "POST api.resource_submit": Row(
        "POST",
        lambda w: f"/api/v1/resources/{_item(w).id}/submit",
        {"*": 403, "anonymous": 401, "school": 422, "school_other": 404},
    ),
    "POST api.resource_review": Row(
        "POST",
        lambda w: f"/api/v1/resources/{_item(w, 'submitted').id}/review",
        {**REVIEW_PAGE, "anonymous": 401, "region_admin": 400},
    ),
    "GET api.venues_list": Row("GET", "/api/v1/venues", everyone()),
    "POST api.venue_create": Row("POST", "/api/v1/venues", api_only({k: 400 for k in ORGS})),
    "GET api.venue": Row("GET", lambda w: f"/api/v1/venues/{_venue(w).id}", everyone()),
    "POST api.venue_booking_create": Row(
        "POST",
        lambda w: f"/api/v1/venues/{_venue(w).id}/bookings",
        api_only({"school": 400, "school_other": 400}),
    ),
    "GET api.bookings_list": Row("GET", "/api/v1/bookings", api_login(200)),
    "POST api.booking_confirm": Row(
        "POST",
        lambda w: _booking_url(w, "confirm", "/api/v1"),
        {**DECIDE, "anonymous": 401, "enterprise": 200, "league_admin": 200, "region_admin": 200},
    ),
    "POST api.booking_decline": Row(
        "POST",
        lambda w: _booking_url(w, "decline", "/api/v1"),
        {**DECIDE, "anonymous": 401, "enterprise": 200, "league_admin": 200, "region_admin": 200},
    ),
    "GET api.trainings_list": Row("GET", "/api/v1/trainings", everyone()),
    "POST api.training_create": Row(
        "POST",
        "/api/v1/trainings",
        api_only({"enterprise": 400, "enterprise_other": 400, **{k: 400 for k in ADMINS}}),
    ),
    "POST api.training_trainee_create": Row(
        "POST",
        lambda w: f"/api/v1/trainings/{fx.make_programme(w.enterprise).id}/trainees",
        api_only({"enterprise": 400, "league_admin": 400, "region_admin": 400}),
    ),
    "GET api.certifications_list": Row("GET", "/api/v1/certifications", api_only(ORGS)),
    "POST api.certification_create": Row(
        "POST",
        "/api/v1/certifications",
        api_only({"school": 400, "school_other": 400, "enterprise": 400, "enterprise_other": 400}),
    ),
    "GET api.supervisions_list": Row(
        "GET", "/api/v1/supervisions", api_only({**SCHOOLS, **ADMINS})
    ),
    "POST api.supervision_create": Row(
        "POST", "/api/v1/supervisions", api_only({k: 400 for k in ADMINS})
    ),
    "POST api.supervision_action_answer": Row(
        "POST",
        lambda w: f"/api/v1/supervision-actions/{_visit(w).actions[0].id}/answer",
        {"*": 403, "anonymous": 401, "school": 400, "school_other": 404},
    ),
    "POST api.supervision_action_close": Row(
        "POST",
        lambda w: f"/api/v1/supervision-actions/{_visit(w).actions[0].id}/close",
        {
            "*": 403,
            "anonymous": 401,
            "league_admin": 200,
            "league_admin_other": 404,
            "region_admin": 200,
        },
    ),
}


def _member(w) -> int:
    from app.extensions import db
    from app.resources.models import ReviewPanelMember

    user_id = w.users["teacher"].id
    member = db.session.scalar(db.select(ReviewPanelMember).filter_by(user_id=user_id))
    if member is None:
        member = ReviewPanelMember(user_id=user_id)
        db.session.add(member)
        db.session.commit()
    return member.id
