"""Admin: one's own account — change the password, turn two-factor login on or off."""

from __future__ import annotations

from flask import redirect, render_template, session, url_for
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from statuspage.services.shop import get_shop
from statuspage.services.team import twofactor
from statuspage.services.team.users import change_password
from statuspage.views.admin._base import attempt, bp, submitted


class PasswordChangeForm(FlaskForm):
    """Change one's password: the current one, then the new one twice."""

    current = PasswordField("Current password", validators=[DataRequired()])
    new = PasswordField("New password", validators=[DataRequired(), Length(max=200)])
    repeat = PasswordField(
        "New password again", validators=[DataRequired(), EqualTo("new", "The two do not match.")]
    )


class TwoFactorForm(FlaskForm):
    """Prove the password and a current code from the authenticator app."""

    password = PasswordField("Password", validators=[DataRequired()])
    code = StringField("Code from the app", validators=[DataRequired(), Length(max=12)])


@bp.get("/account")
def account():
    """Show one's account: password change and two-factor login."""
    return _page()


@bp.post("/account/password")
def account_password():
    """Change one's own password; other sessions end, this one goes on."""
    form = PasswordChangeForm()
    if submitted(form) and attempt(
        lambda: change_password(current_user, form.current.data, form.new.data),
        "Password changed. Other sessions have been logged out.",
    ):
        # The session is bound to the password: bind it to the new one.
        login_user(current_user._get_current_object())
        session.permanent = True
        return redirect(url_for(".account"))
    return _page(password_form=form), 400


@bp.post("/account/2fa/enable")
def account_2fa_enable():
    """Turn two-factor login on with the key shown on the account page."""
    form = TwoFactorForm()
    if submitted(form) and attempt(
        lambda: twofactor.enable(
            current_user, session.get("totp_setup", ""), form.code.data, form.password.data
        ),
        "Two-factor login is on. You will be asked for a code at every login.",
    ):
        session.pop("totp_setup", None)
        return redirect(url_for(".account"))
    return _page(twofactor_form=form), 400


@bp.post("/account/2fa/disable")
def account_2fa_disable():
    """Turn two-factor login off, with the password and a current code."""
    form = TwoFactorForm()
    if submitted(form) and attempt(
        lambda: twofactor.disable(current_user, form.code.data, form.password.data),
        "Two-factor login is off.",
    ):
        return redirect(url_for(".account"))
    return _page(twofactor_form=form), 400


def _page(password_form=None, twofactor_form=None):
    """Render the account page, with a key ready for enrolment while two-factor login is off."""
    setup = None
    if not current_user.totp_secret:
        secret = session.get("totp_setup") or twofactor.new_secret()
        session["totp_setup"] = secret
        setup = {
            "key": twofactor.grouped(secret),
            "uri": twofactor.provisioning_uri(current_user.email, secret, get_shop().name),
        }
    return render_template(
        "admin/account.html",
        password_form=password_form or PasswordChangeForm(formdata=None),
        twofactor_form=twofactor_form or TwoFactorForm(formdata=None),
        setup=setup,
    )
