"""Admin: API tokens for the write API (create — the secret is shown once — and revoke)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from statuspage.extensions import db
from statuspage.forms import REQUIRED, ConfirmForm
from statuspage.models.api import ApiToken
from statuspage.services.team.tokens import create_token, revoke_token, tokens_for
from statuspage.views.admin._base import attempt, bp, submitted


class TokenForm(FlaskForm):
    """Name a new API token after what will use it."""

    name = StringField(_l("Token name"), validators=[REQUIRED, Length(max=80)])


@bp.route("/tokens", methods=["GET", "POST"])
def tokens():
    """List API tokens and create one; a new token's secret is shown on this page once."""
    form, secret = TokenForm(), []
    if request.method == "POST" and submitted(form):
        attempt(
            lambda: secret.append(create_token(current_user, form.name.data)[1]),
            _("Token created. Copy it now: it is not shown again."),
            form=form,
        )
    status = 400 if request.method == "POST" and not secret else 200
    return render_template(
        "admin/tokens.html",
        form=TokenForm(formdata=None) if secret else form,
        confirm_form=ConfirmForm(),
        tokens=tokens_for(current_user),
        secret=secret[-1] if secret else None,
    ), status


@bp.post("/tokens/<int:token_id>/revoke", endpoint="revoke_token")
def revoke(token_id: int):
    """Revoke an API token (one's own; an owner may revoke anyone's)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != current_user.id and not current_user.is_owner):
        abort(404)
    if submitted(ConfirmForm()):
        attempt(lambda: revoke_token(token, by=current_user), _("Token revoked."))
    return redirect(url_for(".tokens"))
