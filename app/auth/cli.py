"""`flask users create-admin`."""

import click
from flask.cli import AppGroup

from app.auth import services
from app.common.errors import ServiceError
from app.extensions import db

users_cli = AppGroup("users", help="Accounts.")


@users_cli.command("create-admin")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name", default="管理员", show_default=True)
@click.option("--league", default=None, help="GB/T 2260 code: creates a league administrator.")
def create_admin_command(email: str, password: str, name: str, league: str | None) -> None:
    """Create a region administrator, or a league administrator with --league."""
    try:
        user = services.create_admin(email, password, name, league)
    except ServiceError as exc:
        db.session.rollback()
        detail = "; ".join(f"{k}: {v}" for k, v in exc.fields.items()) or exc.message
        raise click.ClickException(detail) from exc
    db.session.commit()
    click.echo(f"created {user.role} {user.email}")
