"""Command-line tools: flask --app wsgi init | create-user | demo."""

from __future__ import annotations

from functools import wraps

import click
from flask import Flask, current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_migrate import upgrade
from sqlalchemy import func, select

from statuspage.extensions import db
from statuspage.i18n import terminal_language
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
    """Add the commands to the app's CLI, each speaking the terminal's language."""
    for command in (
        init, create_user_command, demo, playbooks, export_command, scheduler_cli,
        create_token_command, reset_password_command, backup,
    ):  # fmt: skip
        app.cli.add_command(in_terminal_language(command))


def in_terminal_language(command: click.Command) -> click.Command:
    """Make a command (and a group's commands) write in LC_ALL/LC_MESSAGES/LANG's language, else English.

    Only what the command prints is affected: jobs it runs open app contexts of their own.
    """
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            in_terminal_language(sub)
    callback = command.callback
    if callback is None or getattr(callback, "speaks_terminal_language", False):
        return command

    @wraps(callback)
    def run(*args, **kwargs):
        with force_locale(terminal_language()):
            return callback(*args, **kwargs)

    run.speaks_terminal_language = True
    command.callback = run
    return command


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
        click.echo(_("Loaded the demo shop."))
    if not db.session.scalar(select(func.count()).select_from(User)):
        password = generate_password()
        create_user(owner, password, "owner")
        db.session.commit()
        click.echo(
            _(
                "Created the owner account. Log in at /login as %(email)s with password %(password)s",
                email=owner,
                password=password,
            )
        )
        click.echo(_("This password is shown only once."))
    click.echo(_("Database ready."))


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
    click.echo(
        _(
            "Created %(role)s %(email)s with password %(password)s",
            role=role,
            email=email.strip().lower(),
            password=password,
        )
    )


@click.command()
def demo() -> None:
    """Load the demo shop into an empty database."""
    if db.session.scalar(select(func.count()).select_from(Incident)):
        raise click.ClickException(
            _("The database already holds incidents; the demo needs an empty one.")
        )
    load_demo()
    db.session.commit()
    click.echo(_("Loaded the demo shop."))


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
        raise click.ClickException(
            ngettext(
                "%(num)s problem in the playbooks under %(folder)s.",
                "%(num)s problems in the playbooks under %(folder)s.",
                len(problems),
                folder=folder,
            )
        )
    click.echo(
        ngettext(
            "%(num)s playbook is valid in every language.",
            "%(num)s playbooks are valid in every language.",
            count,
        )
    )


@click.command("create-token")
@click.argument("email")
@click.option("--name", default="command line", show_default=True,
              help="What will use the token, e.g. helpdesk or monitoring.")  # fmt: skip
def create_token_command(email: str, name: str) -> None:
    """Create an API token for a team member and print it (only this once)."""
    try:
        secret = create_token(find_user(email), name)[1]
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(secret)
    click.echo(
        _("This token is shown only once; use it as “Authorization: Bearer <token>”."), err=True
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
    click.echo(_("New password for %(email)s: %(password)s", email=user.email, password=password))
    click.echo(_("Every session of theirs has ended."))
    if keep_tokens:
        click.echo(_("Their API tokens still work (--keep-tokens); revoke them under API tokens."))
    else:
        click.echo(
            _(
                "API tokens revoked: %(count)s. They can create new ones under API tokens.",
                count=revoked,
            )
        )
    if reset_2fa:
        click.echo(_("Two-factor login is off; they can turn it on again under Account."))


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
    click.echo(
        _(
            "Backed up the database to %(path)s (%(size)s bytes).",
            path=written,
            size=written.stat().st_size,
        )
    )


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
            click.echo(_("Exported %(count)s files to %(folder)s.", count=count, folder=directory))
            last = next_change()
        if not watch:
            return
        db.session.remove()  # see other processes' commits on the next check
        time.sleep(interval)
