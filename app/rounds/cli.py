"""`flask --app wsgi rounds expire|remind|worker`: deadlines and background runs."""

import click
from flask import current_app

from app.extensions import db
from app.rounds import jobs, services
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
