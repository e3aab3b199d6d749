"""Permission rows: assessment of construction (pages and API) and the outcomes summary.

The assessments used belong to the Hohhot school; the Baotou enterprise's owner
(``enterprise_other``) sits on their panel, so it is the one actor that may score them."""

from app.extensions import db
from app.programme.models import Batch
from tests.permissions.common import REGION, Row, api_login, api_only, both, only
from tests.programme.assessment_factories import (
    make_assessment,
    make_assessors,
    make_built,
    make_indicators,
    make_outcome,
)
from tests.programme.factories import make_batch, make_major

ADMINS = {"league_admin": 200, "league_admin_other": 200, "region_admin": 200}
#: Who sees an open assessment of the Hohhot school: its league, the region, the panel.
VIEWERS = {"league_admin": 200, "region_admin": 200, "enterprise_other": 200}


def _assessment(world) -> int:
    application = make_built(world.school)
    panel = [world.users["enterprise_other"], *make_assessors(2)]
    return make_assessment(application, panel).id


def _scorable(world) -> int:
    make_indicators()
    return _assessment(world)


def _built(world) -> int:
    return make_built(world.school).id


def _with_outcome(url: str):
    def build(world) -> str:
        make_outcome(make_major(world.school), 2025, employed=30)
        return url

    return build


def _batch(world) -> int:
    batch = make_batch()
    return db.session.get(Batch, batch.id).id


ROWS: dict[str, Row] = {
    "GET programme.assessments": Row("GET", "/programme/assessments", only(ADMINS)),
    "GET programme.my_assessments": Row(
        "GET",
        lambda w: _assessment(w) and "/programme/my-assessments",
        only({"enterprise_other": 200}),
    ),
    **both(
        "programme.assessment_new",
        lambda w: f"/programme/applications/{_built(w)}/assessments/new",
        only(REGION),
    ),
    "GET programme.assessment_detail": Row(
        "GET",
        lambda w: f"/programme/assessments/{_assessment(w)}",
        only(VIEWERS, others=404),
    ),
    "POST programme.assessment_conclude": Row(
        "POST",
        lambda w: f"/programme/assessments/{_assessment(w)}/conclusion",
        only({"region_admin": 422}),
    ),
    **both(
        "programme.assessment_score",
        lambda w: f"/programme/assessments/{_scorable(w)}/score",
        only({"enterprise_other": 200, "league_admin": 403, "region_admin": 403}, others=404),
        only({"enterprise_other": 422, "league_admin": 403, "region_admin": 403}, others=404),
    ),
    "GET programme.outcomes_summary_export": Row(
        "GET", _with_outcome("/programme/outcomes/summary/csv?year=2025"), only(ADMINS)
    ),
    # JSON API
    "POST api.open_assessment": Row(
        "POST",
        lambda w: f"/api/v1/batch-applications/{_built(w)}/assessments",
        api_only({"league_admin": 403, "league_admin_other": 404, "region_admin": 400}),
    ),
    "GET api.assessment_list": Row("GET", "/api/v1/assessments", api_login(200)),
    "GET api.assessment_detail": Row(
        "GET",
        lambda w: f"/api/v1/assessments/{_assessment(w)}",
        {"*": 404, "anonymous": 401, **VIEWERS},
    ),
    "POST api.submit_assessment_scores": Row(
        "POST",
        lambda w: f"/api/v1/assessments/{_assessment(w)}/scores",
        {
            "*": 404,
            "anonymous": 401,
            "enterprise_other": 400,
            "league_admin": 403,
            "region_admin": 403,
        },
    ),
    "POST api.conclude_assessment": Row(
        "POST",
        lambda w: f"/api/v1/assessments/{_assessment(w)}/conclusion",
        api_only({"league_admin": 403, "league_admin_other": 404, "region_admin": 400}),
    ),
    "POST api.set_demonstration_threshold": Row(
        "POST",
        lambda w: f"/api/v1/batches/{_batch(w)}/demonstration-threshold",
        api_only({"region_admin": 400}),
    ),
    "GET api.outcome_summary_view": Row(
        "GET", _with_outcome("/api/v1/outcomes/summary?year=2025"), api_only(ADMINS)
    ),
}
