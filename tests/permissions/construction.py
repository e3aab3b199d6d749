"""Permission rows: construction of selected integrated majors (pages and JSON API)."""

from tests.permissions.common import Row, api_only, only
from tests.programme.construction_factories import make_final_selection, make_milestone
from tests.programme.factories import today

MEMBERS = {
    "school": 200,
    "school_other": 200,
    "league_admin": 200,
    "league_admin_other": 200,
    "region_admin": 200,
}
#: The Hohhot school's major: its members and the Hohhot and region administrators.
HOHHOT = {
    "school": 200,
    "school_other": 404,
    "league_admin": 200,
    "league_admin_other": 404,
    "region_admin": 200,
}


def _selected(world) -> int:
    return make_final_selection(world.school).id


def _file(world) -> str:
    application = make_final_selection(world.school)
    milestone = make_milestone(application, "venue", file=True)
    return f"{application.id}/files/{milestone.files[0].id}"


def _record(world) -> dict:
    return {"kind": "curriculum", "achieved_on": today().isoformat(), "note": "按国家标准"}


ROWS: dict[str, Row] = {
    "GET programme.construction_list": Row("GET", "/programme/construction", only(MEMBERS)),
    "GET programme.construction_detail": Row(
        "GET", lambda w: f"/programme/construction/{_selected(w)}", only(HOHHOT)
    ),
    "POST programme.construction_record": Row(
        "POST",
        lambda w: f"/programme/construction/{_selected(w)}/milestones",
        only({"school": 302, "school_other": 404}),
        data=_record,
    ),
    "GET programme.construction_file": Row(
        "GET", lambda w: f"/programme/construction/{_file(w)}", only(HOHHOT)
    ),
    # JSON API
    "GET api.construction_list": Row("GET", "/api/v1/construction", api_only(MEMBERS)),
    "GET api.milestones": Row(
        "GET", lambda w: f"/api/v1/batch-applications/{_selected(w)}/milestones", api_only(HOHHOT)
    ),
    "POST api.record_milestone": Row(
        "POST",
        lambda w: f"/api/v1/batch-applications/{_selected(w)}/milestones",
        api_only({"school": 201, "school_other": 404}),
        data=_record,
    ),
    "GET api.milestone_file": Row(
        "GET",
        lambda w: f"/api/v1/batch-applications/{_file(w)}".replace("/files/", "/milestones/files/"),
        api_only(HOHHOT),
    ),
}
