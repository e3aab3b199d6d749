"""Round benchmark: a round run end to end the way the worker runs it, timed by stage.

`flask --app wsgi rounds bench` opens a round on the configured database, runs it through
the job function (committed progress, bulk store), publishes it, prints each stage's time and
the process's peak memory, and removes the round and its notifications again unless told to
keep them.
"""

import os
import resource
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, text

from app.auth.models import User
from app.common.time import utcnow
from app.extensions import db
from app.notifications.models import Notification
from app.rounds import jobs, services
from app.rounds.models import Match, MatchRound


def peak_rss_mib() -> float:
    """This process's peak resident memory so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def database_cpu_seconds() -> float | None:
    """CPU time the session's PostgreSQL backend has used so far, when that server runs on this
    machine and its process is readable; otherwise None."""
    if db.session.get_bind().dialect.name != "postgresql":
        return None
    pid = db.session.scalar(text("SELECT pg_backend_pid()"))
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds() -> float:
    """CPU time (user + system) this process has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class StageClock:
    """Records (stage, wall seconds, this process's CPU seconds, peak RSS MiB) per stage."""

    stages: list[tuple[str, float, float, float | None, float]] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    cpu_started: float = field(default_factory=cpu_seconds)
    last: float = 0.0
    last_cpu: float = 0.0
    last_db: float | None = None
    db_total: float | None = None

    def __post_init__(self) -> None:
        self.last, self.last_cpu = self.started, self.cpu_started
        self.last_db = database_cpu_seconds()

    def __call__(self, stage: str) -> None:
        now, cpu, db_cpu = time.perf_counter(), cpu_seconds(), database_cpu_seconds()
        spent = None
        if db_cpu is not None and self.last_db is not None and db_cpu >= self.last_db:
            spent = db_cpu - self.last_db  # None when the backend changed in between
            self.db_total = (self.db_total or 0.0) + spent
        self.stages.append((stage, now - self.last, cpu - self.last_cpu, spent, peak_rss_mib()))
        self.last, self.last_cpu, self.last_db = now, cpu, db_cpu

    @property
    def total(self) -> float:
        return self.last - self.started

    @property
    def cpu_total(self) -> float:
        return self.last_cpu - self.cpu_started


def bench_actor(actor_id: int | None) -> User:
    """The given account, or the first active region administrator."""
    if actor_id is not None:
        user = db.session.get(User, actor_id)
    else:
        user = db.session.scalar(
            select(User)
            .where(User.role == "region_admin", User.active.is_(True))
            .order_by(User.id)
            .limit(1)
        )
    if user is None:
        raise LookupError("no region administrator: give --actor")
    return user


def run_bench(
    actor: User,
    kind: str,
    mode: str,
    region_code: str | None = None,
    publish: bool = True,
    keep: bool = False,
    progress_log: list[tuple[str, int]] | None = None,
) -> dict[str, Any]:
    """Open, run (as the worker does) and publish a round; returns its figures.

    `progress_log` (if given) receives (stage, progress stored on the round) as each stage ends.
    """
    round_ = services.create_round(
        actor, kind, region_code, mode, {}, utcnow() + timedelta(days=14)
    )
    services.mark_running(round_)
    db.session.commit()
    round_id = round_.id
    first_notice = db.session.scalar(select(func.max(Notification.id))) or 0
    clock = StageClock()

    def observe(stage: str) -> None:
        clock(stage)
        if progress_log is not None:
            stored = db.session.scalar(select(MatchRound.progress).where(MatchRound.id == round_id))
            progress_log.append((stage, stored))

    try:
        count = jobs.run_round_job_or_raise(round_id, actor.id, observe=observe)
        round_ = db.session.get(MatchRound, round_id)
        figures: dict[str, Any] = {
            "round_id": round_id,
            "kind": kind,
            "mode": mode,
            "applicants": round_.metrics["applicants"],
            "hosts": round_.metrics["hosts"],
            "edges": round_.metrics["edges"],
            "matched": round_.metrics[mode]["matched"],
            "preview_rows": count,
            "unmatched": len(round_.analysis["unmatched"]),
            "stages": clock.stages,
            "run_total": clock.total,
            "run_cpu": clock.cpu_total,
            "run_db_cpu": clock.db_total,
            "run_peak_rss_mib": peak_rss_mib(),
        }
        if publish:
            db.session.expire_all()
            publish_clock = StageClock()
            services.publish_round(actor, db.session.get(MatchRound, round_id))
            db.session.flush()
            publish_clock("publish")
            db.session.commit()
            figures["publish"] = time.perf_counter() - publish_clock.started
            figures["publish_cpu"] = cpu_seconds() - publish_clock.cpu_started
            figures["publish_db_cpu"] = publish_clock.db_total
            figures["notifications"] = db.session.scalar(
                select(func.count(Notification.id)).where(Notification.id > first_notice)
            )
            figures["peak_rss_mib"] = peak_rss_mib()
    finally:
        if not keep:
            remove_bench_round(round_id, first_notice)
    return figures


def remove_bench_round(round_id: int, first_notice: int) -> None:
    """Delete a benchmark round (its matches go with it) and the proposals' notifications."""
    db.session.rollback()
    db.session.execute(
        delete(Notification).where(
            Notification.id > first_notice, Notification.kind == "match_proposed"
        )
    )
    db.session.execute(delete(Match).where(Match.round_id == round_id))
    db.session.execute(delete(MatchRound).where(MatchRound.id == round_id))
    db.session.commit()


def format_figures(figures: dict[str, Any]) -> str:
    """The benchmark's figures as lines of text."""
    lines = [
        f"round {figures['round_id']}: {figures['kind']} / {figures['mode']} (+ comparison), "
        f"{figures['applicants']:,} applicants × {figures['hosts']:,} hosts, "
        f"{figures['edges']:,} edges → {figures['matched']:,} matched, "
        f"{figures['unmatched']:,} unmatched"
    ]
    for stage, seconds, cpu, db_cpu, rss in figures["stages"]:
        lines.append(_line(stage, seconds, cpu, db_cpu, rss))
    lines.append(
        _line(
            "total",
            figures["run_total"],
            figures["run_cpu"],
            figures["run_db_cpu"],
            figures["run_peak_rss_mib"],
        )
    )
    if "publish" in figures:
        lines.append(
            _line(
                "publish",
                figures["publish"],
                figures["publish_cpu"],
                figures["publish_db_cpu"],
                figures["peak_rss_mib"],
            )
            + f"   ({figures['notifications']:,} notifications)"
        )
    return "\n".join(lines)


def _line(stage: str, seconds: float, cpu: float, db_cpu: float | None, rss: float) -> str:
    database = f", database {db_cpu:6.2f} s" if db_cpu is not None else ""
    return f"  {stage:<10} {seconds:8.2f} s  (cpu {cpu:7.2f} s{database})   peak RSS {rss:6.0f} MiB"
