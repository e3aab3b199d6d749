"""Permission rows: match rounds (pages and API) and answering proposed matches."""

from datetime import timedelta

from app.common.time import utcnow
from app.extensions import db
from app.rounds.models import Match, MatchRound
from tests.helpers import HOHHOT
from tests.permissions.common import (
    LEAGUE_ADMINS,
    Row,
    api_login,
    api_only,
    only,
)

ADMINS_404 = {"league_admin_other": 404}
SIDES_PAGE = {
    "teacher": 200,
    "enterprise": 200,
    "enterprise_other": 200,
    "school": 200,
    "school_other": 200,
}


def _round(world, status: str = "draft") -> MatchRound:
    round_ = MatchRound(
        kind="placement",
        region_code=HOHHOT,
        mode="optimal",
        weights={},
        deadline=utcnow() + timedelta(days=7),
        status=status,
        created_by_id=world.users["region_admin"].id,
    )
    db.session.add(round_)
    db.session.commit()
    return round_


def _match(world, status: str) -> Match:
    """A match of the world's teacher with a placement of the world's (Hohhot) host."""
    from app.registry.models import Teacher
    from tests.rounds.factories import make_application, make_placement, make_teacher

    placement = make_placement(world.host)
    user = world.users["teacher"]
    teacher = db.session.scalar(db.select(Teacher).where(Teacher.user_id == user.id))
    teacher = teacher or make_teacher(world.school, user=user)
    application = make_application(teacher, [placement])
    round_ = _round(world, "previewed" if status == "preview" else "published")
    match = Match(
        round_id=round_.id,
        application_id=application.id,
        placement_id=placement.id,
        score=70,
        breakdown=[],
        status=status,
    )
    db.session.add(match)
    db.session.commit()
    return match


def _round_url(suffix: str = "", api: bool = False):
    prefix = "/api/v1/rounds" if api else "/rounds"
    return lambda w: f"{prefix}/{_round(w).id}{suffix}"


def _preview_url(action: str, api: bool = False):
    prefix = "/api/v1/rounds" if api else "/rounds"

    def url(w):
        m = _match(w, "preview")
        return f"{prefix}/{m.round_id}/matches/{m.id}/{action}"

    return url


def _proposed_url(action: str = "", api: bool = False):
    prefix = "/api/v1/matches" if api else "/rounds/matches"
    return lambda w: f"{prefix}/{_match(w, 'proposed').id}{action}"


ADMIN_ONLY = only({**LEAGUE_ADMINS, "league_admin_other": 200})
ADMIN_ACTED = only({"league_admin": 302, "region_admin": 302})
ANSWER_PAGE = only(
    {
        "teacher": 302,
        "enterprise": 302,
        "school": 404,
        "school_other": 404,
        "enterprise_other": 404,
    },
)
ROWS: dict[str, Row] = {
    "GET rounds.index": Row("GET", "/rounds/", ADMIN_ONLY),
    "GET rounds.create": Row("GET", "/rounds/new", ADMIN_ONLY),
    "POST rounds.create": Row("POST", "/rounds/new", ADMIN_ONLY),
    "GET rounds.detail": Row("GET", _round_url(), {**ADMIN_ONLY, **ADMINS_404}),
    "POST rounds.run": Row("POST", _round_url("/run"), {**ADMIN_ACTED, **ADMINS_404}),
    "POST rounds.publish": Row("POST", _round_url("/publish"), {**ADMIN_ACTED, **ADMINS_404}),
    "POST rounds.lock": Row("POST", _preview_url("lock"), {**ADMIN_ACTED, **ADMINS_404}),
    "POST rounds.exclude": Row("POST", _preview_url("exclude"), {**ADMIN_ACTED, **ADMINS_404}),
    "GET rounds.my_matches": Row("GET", "/rounds/matches/mine", only(SIDES_PAGE)),
    "GET rounds.match_detail": Row(
        "GET",
        _proposed_url(),
        only(
            {
                "teacher": 200,
                "enterprise": 200,
                "league_admin": 200,
                "region_admin": 200,
                "school": 404,
                "school_other": 404,
                "enterprise_other": 404,
                "league_admin_other": 404,
            }
        ),
    ),
    "POST rounds.accept": Row("POST", _proposed_url("/accept"), ANSWER_PAGE),
    "POST rounds.decline": Row("POST", _proposed_url("/decline"), ANSWER_PAGE),
    # API
    "POST api.create_round": Row(
        "POST",
        "/api/v1/rounds",
        api_only({"league_admin": 422, "league_admin_other": 422, "region_admin": 422}),
        data={"kind": "teachers"},
    ),
    "GET api.round_list": Row(
        "GET", "/api/v1/rounds", api_only({**LEAGUE_ADMINS, "league_admin_other": 200})
    ),
    "GET api.round_detail": Row(
        "GET", _round_url(api=True), api_only({**LEAGUE_ADMINS, **ADMINS_404})
    ),
    "POST api.run_round": Row(
        "POST", _round_url("/run", api=True), api_only({**LEAGUE_ADMINS, **ADMINS_404})
    ),
    "POST api.publish_round": Row(
        "POST",
        _round_url("/publish", api=True),
        api_only({"league_admin": 409, "region_admin": 409, **ADMINS_404}),
    ),
    "POST api.lock_match": Row(
        "POST",
        _preview_url("lock", api=True),
        api_only({"league_admin": 422, "region_admin": 422, **ADMINS_404}),
        data={"reason": ""},
    ),
    "POST api.exclude_match": Row(
        "POST",
        _preview_url("exclude", api=True),
        api_only({"league_admin": 422, "region_admin": 422, **ADMINS_404}),
        data={"reason": ""},
    ),
    "GET api.match_list": Row("GET", "/api/v1/matches", api_login(200)),
    "POST api.accept_match": Row(
        "POST",
        _proposed_url("/accept", api=True),
        api_only(
            {
                "teacher": 200,
                "enterprise": 200,
                "school": 404,
                "school_other": 404,
                "enterprise_other": 404,
            }
        ),
    ),
    "POST api.decline_match": Row(
        "POST",
        _proposed_url("/decline", api=True),
        api_only(
            {
                "teacher": 422,
                "enterprise": 422,
                "school": 404,
                "school_other": 404,
                "enterprise_other": 404,
            }
        ),
        data={"reason": ""},
    ),
}
