"""Log in and out."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import SQLAlchemyError
from wtforms import PasswordField, StringField
from wtforms.validators import EqualTo, Length

from statuspage.extensions import db, login_manager
from statuspage.forms import REQUIRED, LoginForm, role_name
from statuspage.models import User
from statuspage.security import login_attempts
from statuspage.services import ServiceError
from statuspage.services.team import invitations, twofactor
from statuspage.services.team.passwords import MAX_LENGTH
from statuspage.services.team.users import authenticate, end_sessions
from statuspage.views.common import run_or_explain

PENDING_SECONDS = 300  # time to type the second factor after the password


class CodeForm(FlaskForm):
    """Type the six-digit code from the authenticator app."""

    code = StringField(
        _l("Code from your authenticator app"), validators=[REQUIRED, Length(max=12)]
    )


bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the logged-in member from the session: refused once their sessions were ended
    (logout, password change or reset, removal) or SESSION_MAX_HOURS after logging in."""
    since = session.get("since")
    max_age = float(current_app.config["SESSION_MAX_HOURS"]) * 3600
    if not isinstance(since, int | float) or time.time() - since > max_age:
        return None
    return _member(user_id)


def _member(user_id: str) -> User | None:
    """Find the member a session id names, if that session has not been ended."""
    number, _, _ = user_id.partition(":")
    user = db.session.get(User, int(number)) if number.isdigit() and len(number) < 10 else None
    if user is None or user.removed_at is not None or user.get_id() != user_id:
        return None
    return user


@bp.route("/login", methods=["GET", "POST"])
@login_attempts
def login():
    """Log a team member in (then ask for the second factor when they use one)."""
    if current_user.is_authenticated:
        return redirect(url_for("admin.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user and user.totp_secret:
            session["pending_2fa"] = {
                "user": user.get_id(),
                "email": user.email,
                "until": time.time() + PENDING_SECONDS,
                "next": _safe_next(request.args.get("next")),
            }
            return redirect(url_for(".login_2fa"))
        if user:
            return _start_session(user, _safe_next(request.args.get("next")))
        flash(_("Wrong e-mail or password."), "error")
    return render_template("admin/login.html", form=form), 200 if not form.errors else 400


@bp.route("/login/2fa", methods=["GET", "POST"])
@login_attempts
def login_2fa():
    """Ask for the code from the authenticator app, the second step of logging in."""
    pending = session.get("pending_2fa") or {}
    user = _member(str(pending.get("user", "")))
    if user is None or not user.totp_secret or pending.get("until", 0) < time.time():
        session.pop("pending_2fa", None)
        flash(_("Please log in again."), "error")
        return redirect(url_for(".login"))
    form = CodeForm()
    if form.validate_on_submit():
        if twofactor.accept_code(user, form.code.data):
            db.session.commit()
            session.pop("pending_2fa", None)
            return _start_session(user, pending.get("next") or url_for("admin.dashboard"))
        flash(_("That code is not right. Codes change every 30 seconds."), "error")
    return render_template("admin/login_2fa.html", form=form), 200 if not form.errors else 400


def _start_session(user: User, target: str):
    """Log the member in with a fresh session (nothing of the previous one carries over) that ends
    after PERMANENT_SESSION_LIFETIME without activity, or SESSION_MAX_HOURS after now."""
    session.clear()
    login_user(user)
    session["since"] = time.time()
    session.permanent = True
    return redirect(target)


@bp.post("/logout")
@login_required
def logout():
    """Log out: every session of this member ends, here and on any other device."""
    user = current_user._get_current_object()
    logout_user()
    session.clear()
    try:
        end_sessions(user)
        db.session.commit()
    except (
        SQLAlchemyError
    ):  # a busy database must not keep anyone logged in here: the cookie is gone
        db.session.rollback()
    flash(_("You are logged out."), "info")
    return redirect(url_for("public.index"))


def _safe_next(target: str | None) -> str:
    """Follow ?next= only to a path on this site (no open redirect)."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
        and not any(c == "\\" or ord(c) < 32 for c in target)  # browsers read /\x as //x
    ):
        return target
    return url_for("admin.dashboard")


class JoinForm(FlaskForm):
    """Choose a password to join the team through an invitation."""

    password = PasswordField(_l("Choose a password"), validators=[REQUIRED, Length(max=MAX_LENGTH)])
    repeat = PasswordField(
        _l("The same password again"),
        validators=[REQUIRED, EqualTo("password", _l("The two passwords do not match."))],
    )


@bp.route("/join/<secret>", methods=["GET", "POST"])
def join(secret: str):
    """Join the team through an invitation link: choose a password, then start working."""
    try:
        invitation = invitations.find_open(secret)
    except ServiceError as error:
        return render_template("admin/join.html", problem=str(error), form=None), 404
    form = JoinForm()
    if form.validate_on_submit():
        joined: list[User] = []
        if run_or_explain(
            lambda: joined.append(invitations.accept(secret, form.password.data)), form
        ):
            flash(_("Welcome to the team. You are logged in."), "info")
            return _start_session(joined[-1], url_for("admin.dashboard"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "admin/join.html", form=form, invitation=invitation, role_name=role_name
    ), status
