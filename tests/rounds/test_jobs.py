"""Background runs: the job function itself, and the RQ path with a SimpleWorker."""

import os

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.rounds import jobs
from app.rounds.models import Match, MatchRound
from tests.rounds.factories import make_round, placement_setup

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis():
    """A Redis connection, or skip (fail under CI=true) when none answers."""
    from redis import Redis
    from redis.exceptions import RedisError

    connection = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except RedisError as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")
    return connection


def test_job_function_runs_a_queued_round(world):
    admin = world.users["region_admin"]
    placement_setup(world, teachers=3, seats=2)
    round_ = make_round(admin)
    round_.status = "running"
    db.session.commit()
    assert jobs.run_round_job(round_.id, admin.id) == 2
    db.session.expire_all()
    round_ = db.session.get(MatchRound, round_.id)
    assert round_.status == "previewed" and round_.progress == 100
    assert round_.metrics["optimal"]["matched"] == 2


def test_job_commits_progress_after_every_stage(world, monkeypatch):
    from app.rounds import services

    admin = world.users["region_admin"]
    placement_setup(world, teachers=3, seats=2)
    round_ = make_round(admin)
    round_.status = "running"
    db.session.commit()
    seen = []  # (stage finished, progress stored in the database at that moment)
    real = services.set_progress
    monkeypatch.setattr(services, "set_progress", lambda r, p: (seen.append(p), real(r, p)))

    def observe(stage):
        stored = db.session.execute(
            select(MatchRound.progress).where(MatchRound.id == round_.id)
        ).scalar_one()
        seen.append((stage, stored))

    assert jobs.run_round_job_or_raise(round_.id, admin.id, observe=observe) == 2
    assert seen == [
        10, ("read", 10),
        30, ("build", 30),
        50, ("solve", 50),
        70, ("compare", 70),
        85, ("analyse", 85),
        ("store", 100),
        ("commit", 100),
    ]  # fmt: skip


def test_job_function_records_a_failure(world, monkeypatch):
    from app.rounds import services

    admin = world.users["region_admin"]
    placement_setup(world, teachers=1)
    round_ = make_round(admin)
    progress = []
    real = services.set_progress
    monkeypatch.setattr(services, "set_progress", lambda r, p: (progress.append(p), real(r, p)))
    monkeypatch.setattr(services, "bottlenecks", lambda *a, **k: 1 / 0)
    assert jobs.run_round_job(round_.id, admin.id) == 0
    db.session.expire_all()
    round_ = db.session.get(MatchRound, round_.id)
    assert progress == [10, 30, 50, 70]  # committed after each read-only stage before analyse
    assert round_.status == "failed" and "division by zero" in round_.error
    assert db.session.scalar(select(func.count(Match.id))) == 0


def test_small_rounds_run_inline(app, world, monkeypatch):
    admin = world.users["region_admin"]
    placement_setup(world, teachers=1)
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    monkeypatch.setitem(app.config, "ROUND_BACKGROUND_THRESHOLD", 1)
    monkeypatch.setattr(jobs, "spawn", lambda *a: pytest.fail("a small round was spawned"))
    round_ = make_round(admin)
    assert jobs.start(round_, admin) is False
    assert round_.status == "previewed"


def test_large_rounds_without_redis_go_to_a_process(app, world, monkeypatch):
    admin = world.users["region_admin"]
    placement_setup(world, teachers=2)
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    monkeypatch.setitem(app.config, "ROUND_BACKGROUND_THRESHOLD", 1)
    spawned = []
    monkeypatch.setattr(jobs, "spawn", lambda r, a: spawned.append((r.id, a.id)))
    monkeypatch.setattr(jobs, "run_now", lambda *a, **k: pytest.fail("ran inside the request"))
    round_ = make_round(admin)
    assert jobs.start(round_, admin) is True
    assert spawned == [(round_.id, admin.id)]
    assert jobs.run_command(round_.id, admin.id)[-5:] == [
        "rounds",
        "run",
        str(round_.id),
        "--actor",
        str(admin.id),
    ]


def test_run_command_runs_a_round_and_reports(app, world):
    admin = world.users["region_admin"]
    placement_setup(world, teachers=3, seats=2)
    round_ = make_round(admin)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["rounds", "run", str(round_.id)])
    assert result.exit_code == 0, result.output
    assert "2 proposed pair(s)" in result.output
    db.session.expire_all()
    round_ = db.session.get(MatchRound, round_.id)
    assert round_.status == "previewed" and round_.progress == 100
    published = make_round(admin)
    published.status = "published"
    db.session.commit()
    result = runner.invoke(args=["rounds", "run", str(published.id)])
    assert result.exit_code != 0 and "read-only" in result.output
    assert runner.invoke(args=["rounds", "run", "99999"]).exit_code != 0


def test_a_large_round_runs_in_a_separate_process(tmp_path):
    """The real path without Redis: the app starts `flask rounds run` and the page follows it."""
    import time

    from app import create_app
    from tests.helpers import build_world, login_en, reset_database

    other = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'gongxue.db'}",
            "REDIS_URL": None,
            "ROUND_BACKGROUND_THRESHOLD": 1,
        },
    )
    other.instance_path = str(tmp_path / "instance")
    with other.app_context():
        db.create_all()
        reset_database()
        world = build_world()
        admin = world.users["region_admin"]
        placement_setup(world, teachers=3, seats=2)
        round_ = make_round(admin)
        client = other.test_client()
        login_en(client, admin)
        response = client.post(f"/rounds/{round_.id}/run", follow_redirects=True)
        page = response.get_data(as_text=True)
        assert "runs in the background" in page
        assert 'http-equiv="refresh"' in page and "<progress" in page
        for _ in range(600):  # poll until the process has finished (at most a minute)
            db.session.expire_all()
            if db.session.get(MatchRound, round_.id).status != "running":
                break
            time.sleep(0.1)
        round_ = db.session.get(MatchRound, round_.id)
        log_file = tmp_path / "instance" / "logs" / f"round-{round_.id}.log"
        for _ in range(600):  # the process reports after its commit
            if "pair(s)" in log_file.read_text() or "failed" in log_file.read_text():
                break
            time.sleep(0.1)
        log = log_file.read_text()
        assert round_.status == "previewed", log
        assert round_.progress == 100 and round_.metrics["optimal"]["matched"] == 2
        assert db.session.scalar(select(func.count(Match.id))) == 2
        assert "2 proposed pair(s)" in log
        page = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
        assert 'http-equiv="refresh"' not in page and page.count('id="match-') == 2
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def test_large_rounds_run_with_rq(app, world, monkeypatch):
    from rq import SimpleWorker

    connection = _redis()
    queue = jobs.queue(connection)
    queue.empty()
    admin = world.users["region_admin"]
    placement_setup(world, teachers=3, seats=2)
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "ROUND_BACKGROUND_THRESHOLD", 2)
    round_ = make_round(admin)
    monkeypatch.setattr(jobs, "queue", lambda connection=None: queue)
    assert jobs.start(round_, admin) is True
    db.session.expire_all()
    assert db.session.get(MatchRound, round_.id).status == "running"
    assert queue.count == 1
    SimpleWorker([queue], connection=connection).work(burst=True)
    db.session.expire_all()
    round_ = db.session.get(MatchRound, round_.id)
    assert round_.status == "previewed" and round_.progress == 100
    assert db.session.scalar(select(func.count(Match.id))) == 2
    assert queue.count == 0
