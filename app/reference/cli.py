"""`flask reference load`."""

import click
from flask.cli import AppGroup

from app.extensions import db
from app.reference.services import load_reference

reference_cli = AppGroup(
    "reference", help="Reference data: leagues, industries, occupations, majors."
)


@reference_cli.command("load")
@click.option(
    "--update", is_flag=True, help="Also overwrite occupations and majors edited in the UI."
)
def load_command(update: bool) -> None:
    """Load the reference data files; running it twice changes nothing."""
    inserted = load_reference(update_editable=update)
    db.session.commit()
    click.echo("reference data loaded: " + ", ".join(f"{k} +{v}" for k, v in inserted.items()))
