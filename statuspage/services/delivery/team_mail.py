"""E-mail to one team member (an invitation to join), in the language they will read the admin in."""

from __future__ import annotations

import secrets
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from statuspage.extensions import db
from statuspage.models import User, utcnow
from statuspage.models.delivery import MailDelivery
from statuspage.models.team import Invitation
from statuspage.services.links import public_url
from statuspage.services.shop import get_shop


def queue_invitation_mail(
    invitation: Invitation, secret: str, by: User, language: str | None
) -> None:
    """Queue the invitation e-mail (sent by the scheduler like every other message)."""
    db.session.add(
        MailDelivery(
            key=f"invite:{invitation.id}:{secrets.token_hex(8)}",
            kind="invite",
            payload={
                "invitation_id": invitation.id,
                "token": secret,
                "language": language or by.language or get_shop().default_language,
                "from": by.email,
            },
            next_try_at=utcnow(),
        )
    )


def invitation_message(payload: dict) -> tuple[str, str, str, str] | None:
    """Render an invitation: (recipient, subject, text, html); None once the link no longer works."""
    invitation = db.session.get(Invitation, payload.get("invitation_id"))
    if invitation is None or not invitation.is_open(utcnow()):
        return None
    shop, lang = get_shop(), payload.get("language") or "en"
    context = {
        "shop": shop,
        "lang": lang,
        "inviter": payload.get("from", ""),
        "role": invitation.role,
        "hours": current_app.config["INVITE_HOURS"],
        "join_url": public_url(f"/join/{payload['token']}"),
    }
    with force_locale(lang):
        subject = _("Join the %(shop)s team on its status page", shop=shop.name)
        text = render_template("email/invite.txt", **context)
        html = render_template("email/invite.html", **context)
    return invitation.email, subject, text, html


def build(row: MailDelivery, assemble) -> EmailMessage | None:
    """Build a team member's message with the mailer's `assemble(to, subject, text, html, key)`."""
    rendered = invitation_message(row.payload) if row.kind == "invite" else None
    return assemble(*rendered, row.key) if rendered else None
