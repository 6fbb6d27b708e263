"""Admin: the team — invite by e-mail, change roles, remove members, withdraw invitations (owners only)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from statuspage.extensions import db
from statuspage.forms import ConfirmForm, InviteForm, RoleForm, role_name
from statuspage.models import utcnow
from statuspage.models.team import Invitation
from statuspage.services.links import public_url
from statuspage.services.team import invitations
from statuspage.services.team.users import change_role, find_member, remove_member, team
from statuspage.views.admin._base import attempt, bp, owner_required, submitted


@bp.route("/users", methods=["GET", "POST"])
@owner_required
def users():
    """List the team and pending invitations; invite someone (the link is shown once to copy)."""
    form, made = InviteForm(), []
    if request.method == "POST" and submitted(form):
        attempt(
            lambda: made.append(
                # The invitee has no language yet: write in the one the inviting member reads now.
                invitations.invite(
                    form.email.data, form.role.data, by=current_user, language=str(get_locale())
                )
            ),
            "",
            form=form,
        )
    link = None
    if made:
        invitation, secret = made[-1]
        link = {"url": public_url(f"/join/{secret}"), "email": invitation.email}
        form = InviteForm(formdata=None)
    status = 400 if request.method == "POST" and not made else 200
    return _page(form=form, link=link), status


@bp.post("/users/<int:user_id>/role")
@owner_required
def user_role(user_id: int):
    """Change a member's role (the last owner stays an owner)."""
    member, form = find_member(user_id) or abort(404), RoleForm()
    if submitted(form) and attempt(
        lambda: change_role(member, form.role.data, by=current_user),
        _("%(email)s is now: %(role)s.", email=member.email, role=role_name(form.role.data)),
    ):
        return redirect(url_for(".users"))
    return _page(), 400


@bp.post("/users/<int:user_id>/remove")
@owner_required
def user_remove(user_id: int):
    """Remove a member: their sessions and API tokens end at once."""
    member, form = find_member(user_id) or abort(404), ConfirmForm()
    if not (submitted(form) and form.confirm.data):
        return _page(
            problem=_("Tick “Yes, I am sure” to remove %(email)s.", email=member.email)
        ), 400
    if attempt(
        lambda: remove_member(member, by=current_user),
        _("%(email)s is no longer on the team; their sessions and API tokens have ended.",
          email=member.email),
    ):  # fmt: skip
        return redirect(url_for(".users"))
    return _page(), 400


@bp.post("/invitations/<int:invitation_id>/withdraw")
@owner_required
def withdraw_invitation(invitation_id: int):
    """Withdraw an invitation: its link stops working."""
    invitation = db.session.get(Invitation, invitation_id) or abort(404)
    if submitted(ConfirmForm()):
        attempt(
            lambda: invitations.withdraw(invitation, by=current_user),
            _("The invitation to %(email)s is withdrawn.", email=invitation.email),
        )
    return redirect(url_for(".users"))


def _page(form: InviteForm | None = None, link: dict | None = None, problem: str | None = None):
    """Render the team page."""
    if problem:
        flash(problem, "error")
    members = team()
    config = current_app.config
    return render_template(
        "admin/users.html",
        users=members,
        role_forms={m.id: RoleForm(formdata=None, role=m.role) for m in members},
        invitations=invitations.pending(utcnow()),
        form=form or InviteForm(formdata=None),
        confirm_form=ConfirmForm(),
        link=link,
        role_name=role_name,
        hours=int(config["INVITE_HOURS"]),
        smtp=bool(config["SMTP_HOST"]),
    )
