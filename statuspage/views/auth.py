"""Log in and out."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from statuspage.extensions import db, login_manager
from statuspage.forms import LoginForm
from statuspage.models import User
from statuspage.security import login_attempts
from statuspage.services.team import twofactor
from statuspage.services.team.users import authenticate

PENDING_SECONDS = 300  # time to type the second factor after the password


class CodeForm(FlaskForm):
    """Type the six-digit code from the authenticator app."""

    code = StringField(
        "Code from your authenticator app", validators=[DataRequired(), Length(max=12)]
    )


bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the logged-in user from the session (gone when the password changed since)."""
    number, _, _ = user_id.partition(":")
    user = db.session.get(User, int(number)) if number.isdigit() else None
    return user if user is not None and user.get_id() == user_id else None


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
        flash("Wrong e-mail or password.", "error")
    return render_template("admin/login.html", form=form), 200 if not form.errors else 400


@bp.route("/login/2fa", methods=["GET", "POST"])
@login_attempts
def login_2fa():
    """Ask for the code from the authenticator app, the second step of logging in."""
    pending = session.get("pending_2fa") or {}
    user = load_user(str(pending.get("user", "")))
    if user is None or not user.totp_secret or pending.get("until", 0) < time.time():
        session.pop("pending_2fa", None)
        flash("Please log in again.", "error")
        return redirect(url_for(".login"))
    form = CodeForm()
    if form.validate_on_submit():
        if twofactor.accept_code(user, form.code.data):
            db.session.commit()
            session.pop("pending_2fa", None)
            return _start_session(user, pending.get("next") or url_for("admin.dashboard"))
        flash("That code is not right. Codes change every 30 seconds.", "error")
    return render_template("admin/login_2fa.html", form=form), 200 if not form.errors else 400


def _start_session(user: User, target: str):
    """Log the user in with a session that ends after PERMANENT_SESSION_LIFETIME without activity."""
    login_user(user)
    session.permanent = True
    return redirect(target)


@bp.post("/logout")
@login_required
def logout():
    """Log out."""
    logout_user()
    flash("You are logged out.", "info")
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
