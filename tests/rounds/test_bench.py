"""`flask rounds bench`: runs a round the worker's way, prints every stage, cleans up."""

import re

from sqlalchemy import func, select

from app.extensions import db
from app.notifications.models import Notification
from app.rounds.models import Match, MatchRound
from tests.rounds.factories import placement_setup


def _count(column) -> int:
    return db.session.scalar(select(func.count(column)))


def test_bench_prints_each_stage_and_removes_its_round(app, world):
    placement_setup(world, teachers=3, seats=2)
    notices = _count(Notification.id)
    result = app.test_cli_runner().invoke(args=["rounds", "bench", "--applications", "3"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "3 applicants × 1 hosts, 3 edges → 2 matched, 1 unmatched" in out
    for stage in ("read", "build", "solve", "compare", "analyse", "store", "commit", "total"):
        line = rf"^  {stage}\s+[\d.]+ s  \(cpu\s+[\d.]+ s(, database\s+[\d.]+ s)?\)"
        assert re.search(line + r"\s+peak RSS\s+\d+ MiB", out, re.M), stage
    assert re.search(r"^  publish\s+[\d.]+ s .*\(\d+ notifications\)", out, re.M)
    assert (
        "progress stored: read 10%, build 30%, solve 50%, compare 70%, analyse 85%, "
        "store 100%, commit 100%" in out
    )
    db.session.expire_all()
    assert _count(MatchRound.id) == 0 and _count(Match.id) == 0
    assert _count(Notification.id) == notices


def test_bench_keeps_the_published_round_when_asked(app, world):
    placement_setup(world, teachers=2, seats=1)
    result = app.test_cli_runner().invoke(args=["rounds", "bench", "--mode", "stable", "--keep"])
    assert result.exit_code == 0, result.output
    round_ = db.session.scalars(select(MatchRound)).one()
    assert round_.status == "published" and round_.mode == "stable"
    statuses = set(db.session.scalars(select(Match.status).where(Match.round_id == round_.id)))
    assert statuses == {"proposed"}


def test_bench_refuses_a_database_with_too_few_applications(app, world):
    placement_setup(world, teachers=2)
    result = app.test_cli_runner().invoke(args=["rounds", "bench", "--applications", "100000"])
    assert result.exit_code != 0
    assert "fewer than 100,000" in result.output
    assert _count(MatchRound.id) == 0
