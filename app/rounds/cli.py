"""`flask --app wsgi rounds expire|remind|worker|run`: deadlines and background runs."""

import click
from flask import current_app

from app.common.errors import ServiceError
from app.extensions import db
from app.rounds import jobs, services
from app.rounds.models import MatchRound
from app.rounds.views import bp


@bp.cli.command("expire")
def expire_command() -> None:
    """Expire proposals whose round deadline has passed."""
    count = services.expire_overdue()
    db.session.commit()
    click.echo(f"expired {count} match(es)")


@bp.cli.command("remind")
def remind_command() -> None:
    """Remind both sides of proposals whose deadline is within 3 days (once per match), and
    send the programme's reminders (batches closing, supervision actions, objections,
    teachers behind the practice rule) and tell both parties of agreements ending within 30
    days, each occasion once."""
    from app.common.time import local_today
    from app.cooperation.services import remind_agreements_ending
    from app.programme.reminders import send_reminders

    count = services.remind_deadlines()
    programme = send_reminders(local_today())
    agreements = remind_agreements_ending(local_today())
    db.session.commit()
    click.echo(f"reminded {count} match(es)")
    click.echo("programme reminders: " + ", ".join(f"{k} {v}" for k, v in programme.items()))
    click.echo(f"reminded {agreements} agreement(s) ending soon")


@bp.cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run an RQ worker for background round runs (needs REDIS_URL)."""
    from rq import Worker

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set.")
    queue = jobs.queue()
    Worker([queue], connection=queue.connection).work(burst=burst)


@bp.cli.command("run")
@click.argument("round_id", type=int)
@click.option("--actor", "actor_id", type=int, help="Account that runs it (default: its creator).")
def run_command(round_id: int, actor_id: int | None) -> None:
    """Run a round here, storing its progress on the round (the app starts this without Redis)."""
    round_ = db.session.get(MatchRound, round_id)
    if round_ is None:
        raise click.ClickException(f"round {round_id} does not exist")
    actor_id = actor_id or round_.created_by_id
    if actor_id is None:
        raise click.ClickException("give --actor: the round has no creator")
    try:
        count = jobs.run_round_job_or_raise(round_id, actor_id)
    except ServiceError as exc:
        raise click.ClickException(f"round {round_id} failed: {exc.message}") from exc
    click.echo(f"round {round_id}: {count} proposed pair(s) in the preview")


@bp.cli.command("bench")
@click.option("--kind", type=click.Choice(["placement", "pairing"]), default="placement")
@click.option("--mode", type=click.Choice(["optimal", "stable"]), default="optimal")
@click.option("--league", "region_code", help="Scope of the round (default: every league).")
@click.option(
    "--actor", "actor_id", type=int, help="Account that runs it (default: a region admin)."
)
@click.option("--applications", type=int, help="Fail unless the round has at least this many.")
@click.option("--publish/--no-publish", default=True, help="Also publish and time it.")
@click.option("--keep", is_flag=True, help="Keep the round and its notifications afterwards.")
@click.option("--profile", "profile_path", help="Write cProfile statistics of the run here.")
def bench_command(
    kind: str,
    mode: str,
    region_code: str | None,
    actor_id: int | None,
    applications: int | None,
    publish: bool,
    keep: bool,
    profile_path: str | None,
) -> None:
    """Run a round end to end as the worker does and print each stage's time and peak memory."""
    from app.rounds.bench import bench_actor, format_figures, run_bench

    try:
        actor = bench_actor(actor_id)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from exc
    probe = MatchRound(kind=kind, region_code=region_code)
    available = services.count_applicants(probe)
    if applications and available < applications:
        raise click.ClickException(
            f"the database holds {available:,} {kind} applicants, fewer than {applications:,}"
        )
    progress: list[tuple[str, int]] = []
    args = (actor, kind, mode, region_code, publish, keep, progress)
    if profile_path:
        import cProfile

        profiler = cProfile.Profile()
        figures = profiler.runcall(run_bench, *args)
        profiler.dump_stats(profile_path)
    else:
        figures = run_bench(*args)
    click.echo(format_figures(figures))
    click.echo("  progress stored: " + ", ".join(f"{s} {p}%" for s, p in progress))
