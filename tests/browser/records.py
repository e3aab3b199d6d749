"""Records the browser stories need but do not create through the pages (run via in_live_db)."""

from sqlalchemy import select

from app.extensions import db
from app.rounds import services as rounds
from app.rounds.models import Match
from tests.helpers import make_user
from tests.rounds.factories import make_round


def published_round(kind: str, region_code: str) -> int:
    """A round of kind over one league, run and published by a fresh region admin; its id."""
    admin = make_user("region_admin")
    round_ = make_round(admin, kind=kind, region_code=region_code)
    rounds.run_round(admin, round_)
    rounds.publish_round(admin, round_)
    return round_.id


def host_accepts(round_id: int) -> None:
    """The host side (enterprise staff) accepts every proposal of the round."""
    for match in db.session.scalars(select(Match).where(Match.round_id == round_id)):
        user = rounds.host_users(match)[0]
        rounds.accept_match(user, match)


def match_statuses(round_id: int) -> list[str]:
    """Statuses of the round's matches, sorted."""
    return sorted(db.session.scalars(select(Match.status).where(Match.round_id == round_id)))
