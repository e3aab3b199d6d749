"""Running a round: small rounds inline; large ones in the background, never inside a request:
on the RQ worker when Redis is configured, otherwise in a process of their own
(`flask --app wsgi rounds run <id>`) that the app starts.

The job function owns the transactions: progress is committed between the read-only phases,
the preview is written and committed at the end, and a failure is recorded on its own after a
rollback, so a failed run leaves no preview rows.
"""

import os
import subprocess
import sys
import threading
from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from app.auth.models import User
from app.common.errors import InvalidState, ServiceError
from app.extensions import db
from app.rounds import services
from app.rounds.models import MatchRound

QUEUE_NAME = "rounds"
JOB_TIMEOUT = 3600


def run_now(
    round_id: int,
    actor_id: int,
    commit_progress: bool = False,
    observe: services.Observer | None = None,
) -> MatchRound:
    """Run the round, commit the preview; on failure roll back, record it, raise ServiceError.

    `observe` (if given) is called with each stage's name when it has finished (`commit`
    last, once the preview is committed).
    """
    round_ = db.session.get(MatchRound, round_id)
    actor = db.session.get(User, actor_id)
    progress = _committing_progress(round_id) if commit_progress else None
    try:
        services.run_round(
            actor, round_, progress=progress, queued=commit_progress, observe=observe
        )
        db.session.commit()
        if observe is not None:
            observe("commit")
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
        return run_round_job_or_raise(round_id, actor_id)
    except ServiceError as exc:
        current_app.logger.warning("round %s failed: %s", round_id, exc.message)
        return 0


def run_round_job_or_raise(
    round_id: int, actor_id: int, observe: services.Observer | None = None
) -> int:
    """Run with committed progress; the number of preview rows. Raises ServiceError."""
    run_now(round_id, actor_id, commit_progress=True, observe=observe)
    return services.count_preview(round_id)


def background_wanted(round_: MatchRound) -> bool:
    """True when the round is large (more applicants than ROUND_BACKGROUND_THRESHOLD)."""
    threshold = current_app.config["ROUND_BACKGROUND_THRESHOLD"]
    return services.count_applicants(round_) > threshold


def run_command(round_id: int, actor_id: int) -> list[str]:
    """The command line of a background run in a process of its own."""
    return [
        sys.executable,
        "-m",
        "flask",
        "--app",
        "wsgi",
        "rounds",
        "run",
        str(round_id),
        "--actor",
        str(actor_id),
    ]


def _child_environment() -> dict[str, str]:
    """The environment of a run process: this one, on the same database as this app."""
    env = dict(os.environ)
    env["DATABASE_URL"] = db.engine.url.render_as_string(hide_password=False)
    if current_app.config.get("ENV_NAME") != "production":
        env["GONGXUE_ENV"] = "development"
    if current_app.config.get("REDIS_URL"):
        env["REDIS_URL"] = current_app.config["REDIS_URL"]
    else:
        env.pop("REDIS_URL", None)
    return env


def spawn(round_: MatchRound, actor: User) -> subprocess.Popen:
    """Mark the round running, commit, and start its run in a separate process."""
    if db.engine.url.get_backend_name() == "sqlite" and db.engine.url.database in (
        None,
        "",
        ":memory:",
    ):
        raise InvalidState(str(_l("An in-memory database cannot be shared with a run process.")))
    services.mark_running(round_)
    db.session.commit()
    logs = Path(current_app.instance_path) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with open(logs / f"round-{round_.id}.log", "ab") as log:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            run_command(round_.id, actor.id),
            cwd=Path(current_app.root_path).parent,
            env=_child_environment(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    threading.Thread(target=process.wait, daemon=True).start()  # reap it when it ends
    return process


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
    """Run inline, or in the background when large; True when it runs in the background.

    In the background means on the RQ worker when REDIS_URL is set, otherwise in a process
    of its own. Raises ServiceError.
    """
    services.check_runnable(actor, round_)
    if background_wanted(round_):
        if current_app.config.get("REDIS_URL"):
            enqueue(round_, actor)
        else:
            spawn(round_, actor)
        return True
    run_now(round_.id, actor.id)
    return False
