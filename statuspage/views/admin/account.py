"""Admin: one's own account — the admin's language, the password, two-factor login on or off."""

from __future__ import annotations

from flask import redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import EqualTo, Length

from statuspage.forms import REQUIRED
from statuspage.i18n import ADMIN_LANGUAGES, NAMES
from statuspage.services.shop import get_shop
from statuspage.services.team import twofactor
from statuspage.services.team.users import change_password, set_language
from statuspage.views.admin._base import attempt, bp, submitted


class LanguageForm(FlaskForm):
    """Choose the language the admin speaks to you."""

    language = SelectField(
        _l("Language of the admin"),
        choices=lambda: (
            [("", _("Your browser's language"))] + [(code, NAMES[code]) for code in ADMIN_LANGUAGES]
        ),
    )


class PasswordChangeForm(FlaskForm):
    """Change one's password: the current one, then the new one twice."""

    current = PasswordField(_l("Current password"), validators=[REQUIRED])
    new = PasswordField(_l("New password"), validators=[REQUIRED, Length(max=200)])
    repeat = PasswordField(
        _l("New password again"),
        validators=[REQUIRED, EqualTo("new", _l("The two do not match."))],
    )


class TwoFactorForm(FlaskForm):
    """Prove the password and a current code from the authenticator app."""

    password = PasswordField(_l("Password"), validators=[REQUIRED])
    code = StringField(_l("Code from the app"), validators=[REQUIRED, Length(max=12)])


@bp.get("/account")
def account():
    """Show one's account: password change and two-factor login."""
    return _page()


@bp.post("/account/language")
def account_language():
    """Choose the admin's language for oneself (empty: the browser's)."""
    form = LanguageForm()
    if submitted(form) and attempt(
        lambda: set_language(current_user, form.language.data, ADMIN_LANGUAGES),
        "",
        form=form,
    ):
        return redirect(url_for(".account"))
    return _page(language_form=form), 400


@bp.post("/account/password")
def account_password():
    """Change one's own password; other sessions end, this one goes on."""
    form = PasswordChangeForm()
    if submitted(form) and attempt(
        lambda: change_password(current_user, form.current.data, form.new.data),
        _("Password changed. Other sessions have been logged out."),
        form=form,
    ):
        # Changing the password ended every session of this member: carry this one over.
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
        _("Two-factor login is on. You will be asked for a code at every login."),
        form=form,
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
        _("Two-factor login is off."),
        form=form,
    ):
        return redirect(url_for(".account"))
    return _page(twofactor_form=form), 400


def _page(password_form=None, twofactor_form=None, language_form=None):
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
        language_form=language_form
        or LanguageForm(formdata=None, language=current_user.language or ""),
        password_form=password_form or PasswordChangeForm(formdata=None),
        twofactor_form=twofactor_form or TwoFactorForm(formdata=None),
        setup=setup,
    )
