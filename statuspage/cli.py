"""Command-line tools: flask --app wsgi init | create-user | demo."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask_migrate import upgrade
from sqlalchemy import func, select

from .extensions import db
from .models import Incident, User
from .services import ServiceError
from .services.demo import load_demo
from .services.playbook_check import check_directory
from .services.users import create_user, generate_password


def register(app: Flask) -> None:
    """Add the commands to the app's CLI."""
    app.cli.add_command(init)
    app.cli.add_command(create_user_command)
    app.cli.add_command(demo)
    app.cli.add_command(playbooks)


@click.command()
@click.option(
    "--demo/--no-demo", default=False, help="Load the demo shop when the database is empty."
)
@click.option("--owner", default="owner@example.com", show_default=True,
              help="E-mail of the owner account created when there is no account yet.")  # fmt: skip
def init(demo: bool, owner: str) -> None:
    """Migrate the database; optionally load the demo; create an owner if there is none."""
    upgrade()
    if demo and not db.session.scalar(select(func.count()).select_from(Incident)):
        load_demo()
        db.session.commit()
        click.echo("Loaded the demo shop.")
    if not db.session.scalar(select(func.count()).select_from(User)):
        password = generate_password()
        create_user(owner, password, "owner")
        db.session.commit()
        click.echo(
            f"Created the owner account. Log in at /login as {owner} with password {password}"
        )
        click.echo("This password is shown only once.")
    click.echo("Database ready.")


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(["owner", "editor"]), default="editor", show_default=True,
              help="owner: everything; editor: incidents and updates.")  # fmt: skip
@click.option("--password", help="Password to set (default: generate and print one).")
def create_user_command(email: str, role: str, password: str | None) -> None:
    """Create a team member account."""
    password = password or generate_password()
    try:
        create_user(email, password, role)
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {role} {email.strip().lower()} with password {password}")


@click.command()
def demo() -> None:
    """Load the demo shop into an empty database."""
    if db.session.scalar(select(func.count()).select_from(Incident)):
        raise click.ClickException(
            "The database already holds incidents; the demo needs an empty one."
        )
    load_demo()
    db.session.commit()
    click.echo("Loaded the demo shop.")


@click.group()
def playbooks() -> None:
    """Work with the crisis playbooks under incidents/."""


@playbooks.command("check")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False),
    help="Folder to check (default: the configured one).",
)
def playbooks_check(directory: str | None) -> None:
    """Validate every playbook: schema, templates, variables, rendering, transparency."""
    folder = directory or current_app.config["PLAYBOOKS_DIR"]
    count, problems = check_directory(folder)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in the playbooks under {folder}.")
    click.echo(f"{count} playbooks are valid in every language.")
