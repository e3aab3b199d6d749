"""Running a round: inline, or in the background with RQ on Redis for large rounds.

The job function owns the transactions: progress is committed between the read-only phases,
the preview is written and committed at the end, and a failure is recorded on its own after a
rollback, so a failed run leaves no preview rows.
"""

from flask import current_app, has_app_context

from app.auth.models import User
from app.common.errors import ServiceError
from app.extensions import db
from app.rounds import services
from app.rounds.models import MatchRound

QUEUE_NAME = "rounds"
JOB_TIMEOUT = 3600


def run_now(round_id: int, actor_id: int, commit_progress: bool = False) -> MatchRound:
    """Run the round, commit the preview; on failure roll back, record it, raise ServiceError."""
    round_ = db.session.get(MatchRound, round_id)
    actor = db.session.get(User, actor_id)
    progress = _committing_progress(round_id) if commit_progress else None
    try:
        services.run_round(actor, round_, progress=progress, queued=commit_progress)
        db.session.commit()
    except services.RoundFailed as exc:
        db.session.rollback()
        services.mark_failed(round_id, exc.message)
        db.session.commit()
        raise
    except ServiceError:
        db.session.rollback()
        raise
    except Exception as exc:
        db.session.rollback()
        services.mark_failed(round_id, str(exc) or type(exc).__name__)
        db.session.commit()
        raise
    return round_


def _committing_progress(round_id: int):
    def step(percent: int) -> None:
        services.set_progress(round_id, min(percent, 99))
        db.session.commit()

    return step


def run_round_job(round_id: int, actor_id: int) -> int:
    """RQ entry point: run the round in an app context; returns the number of preview rows."""
    if has_app_context():
        return _job(round_id, actor_id)
    from app import create_app

    with create_app().app_context():
        return _job(round_id, actor_id)


def _job(round_id: int, actor_id: int) -> int:
    try:
        round_ = run_now(round_id, actor_id, commit_progress=True)
    except ServiceError as exc:
        current_app.logger.warning("round %s failed: %s", round_id, exc.message)
        return 0
    return sum(1 for m in round_.matches if m.status == "preview")


def background_wanted(round_: MatchRound) -> bool:
    """True when the round is large and Redis is configured."""
    threshold = current_app.config["ROUND_BACKGROUND_THRESHOLD"]
    if not current_app.config.get("REDIS_URL"):
        return False
    return services.count_applicants(round_) > threshold


def queue(connection=None):
    """The RQ queue of round runs."""
    from redis import Redis
    from rq import Queue

    connection = connection or Redis.from_url(current_app.config["REDIS_URL"])
    return Queue(QUEUE_NAME, connection=connection)


def enqueue(round_: MatchRound, actor: User, connection=None):
    """Mark the round running, commit, and queue its job; returns the RQ job."""
    services.mark_running(round_)
    db.session.commit()
    return queue(connection).enqueue(run_round_job, round_.id, actor.id, job_timeout=JOB_TIMEOUT)


def start(round_: MatchRound, actor: User) -> bool:
    """Run inline, or queue when large; returns True when queued. Raises ServiceError."""
    services.check_runnable(actor, round_)
    if background_wanted(round_):
        enqueue(round_, actor)
        return True
    run_now(round_.id, actor.id)
    return False
