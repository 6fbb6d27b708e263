"""Command-line tools: flask --app wsgi init | create-user | demo."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask_migrate import upgrade
from sqlalchemy import func, select

from statuspage.extensions import db
from statuspage.models import Incident, User
from statuspage.scheduler import scheduler_cli
from statuspage.services import ServiceError
from statuspage.services.backup import backup_sqlite
from statuspage.services.demo import load_demo
from statuspage.services.playbooks.check import check_directory
from statuspage.services.team import twofactor
from statuspage.services.team.tokens import create_token, find_user
from statuspage.services.team.users import (
    create_user,
    generate_password,
    revoke_tokens,
    set_password,
)


def register(app: Flask) -> None:
    """Add the commands to the app's CLI."""
    app.cli.add_command(init)
    app.cli.add_command(create_user_command)
    app.cli.add_command(demo)
    app.cli.add_command(playbooks)
    app.cli.add_command(export_command)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(create_token_command)
    app.cli.add_command(reset_password_command)
    app.cli.add_command(backup)


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


@click.command("create-token")
@click.argument("email")
@click.option("--name", default="command line", show_default=True,
              help="What will use the token, e.g. helpdesk or monitoring.")  # fmt: skip
def create_token_command(email: str, name: str) -> None:
    """Create an API token for a team member and print it (only this once)."""
    try:
        _, secret = create_token(find_user(email), name)
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(secret)
    click.echo(
        "This token is shown only once; use it as “Authorization: Bearer <token>”.", err=True
    )


@click.command("reset-password")
@click.argument("email")
@click.option("--password", help="Password to set (default: generate and print one).")
@click.option("--reset-2fa", is_flag=True, help="Also turn two-factor login off (a lost phone).")
@click.option("--keep-tokens", is_flag=True,
              help="Leave their API tokens working (by default they are revoked with the password).")  # fmt: skip
def reset_password_command(
    email: str, password: str | None, reset_2fa: bool, keep_tokens: bool
) -> None:
    """Set a new password for a team member; their sessions end and their API tokens are revoked."""
    password = password or generate_password()
    try:
        user = find_user(email)
        set_password(user, password)
        revoked = 0 if keep_tokens else revoke_tokens(user, by=None)
        if reset_2fa:
            twofactor.reset(user, by=None)
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"New password for {user.email}: {password}")
    click.echo("Every session of theirs has ended.")
    if keep_tokens:
        click.echo("Their API tokens still work (--keep-tokens); revoke them under API tokens.")
    else:
        click.echo(f"API tokens revoked: {revoked}. They can create new ones under API tokens.")
    if reset_2fa:
        click.echo("Two-factor login is off; they can turn it on again under Account.")


@click.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite PATH when it exists.")
def backup(path: str, force: bool) -> None:
    """Copy the SQLite database to PATH while the app runs (PostgreSQL: prints the pg_dump to run)."""
    try:
        written = backup_sqlite(
            current_app.config["SQLALCHEMY_DATABASE_URI"], path, overwrite=force
        )
    except ServiceError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up the database to {written} ({written.stat().st_size} bytes).")


@click.command("export")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option(
    "--watch", is_flag=True, help="Keep running: export again whenever something changes."
)
@click.option(
    "--interval", default=5.0, show_default=True, help="Seconds between checks with --watch."
)
@click.option(
    "--force", is_flag=True, help="Replace the folder even if it is not an earlier export."
)
def export_command(directory: str, watch: bool, interval: float, force: bool) -> None:
    """Write the whole public site as static files (the fallback for when the shop's servers are down)."""
    import time
    from pathlib import Path

    from statuspage.export import NotAnExport, check_target, export_site, next_change
    from statuspage.models import utcnow

    try:
        check_target(Path(directory), force)
    except NotAnExport as refused:
        raise click.ClickException(str(refused)) from None
    last = None
    while True:
        state = next_change()
        due = state[1] is not None and state[1] <= utcnow()
        if state != last or due:
            count = export_site(current_app, directory, force=force)
            force = False  # from now on the folder is an export
            click.echo(f"Exported {count} files to {directory}.")
            last = next_change()
        if not watch:
            return
        db.session.remove()  # see other processes' commits on the next check
        time.sleep(interval)
