"""Invitations: an owner invites by e-mail; the link (single use, expiring) lets the member set a password.

The link's secret exists only in the link (and, with SMTP set, in the queued e-mail until it is sent);
the database keeps its SHA-256 hash, like API tokens. The owner always sees the link once, to copy into
a chat when there is no SMTP server or the mail is slow.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from statuspage.extensions import db
from statuspage.models import User, utcnow
from statuspage.models.team import Invitation
from statuspage.services import ServiceError
from statuspage.services.audit import record
from statuspage.services.delivery.team_mail import queue_invitation_mail
from statuspage.services.team.users import create_user, normal_email
from statuspage.vocabulary import ROLES

_MAX_SECRET = 100


def _hash(secret: str) -> str:
    """Return the SHA-256 hex digest under which an invitation is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def invite(
    email: str, role: str, *, by: User, language: str | None = None
) -> tuple[Invitation, str]:
    """Invite someone to the team; return the invitation and its secret (put it in a link, once)."""
    email = normal_email(email)
    if role not in ROLES:
        raise ServiceError(_("Unknown role “%(role)s” (owner or editor).", role=role))
    member = db.session.scalar(select(User).where(User.email == email, User.removed_at.is_(None)))
    if member is not None:
        raise ServiceError(_("%(email)s is already on the team.", email=email))
    now = utcnow()
    for earlier in db.session.scalars(select(Invitation).where(Invitation.email == email)):
        if earlier.is_open(now):  # one working link per person: the newest
            earlier.revoked_at = now
    secret = secrets.token_urlsafe(32)
    hours = int(current_app.config["INVITE_HOURS"])
    invitation = Invitation(
        email=email, role=role, token_hash=_hash(secret), invited_by_id=by.id,
        created_at=now, expires_at=now + timedelta(hours=hours),
    )  # fmt: skip
    db.session.add(invitation)
    db.session.flush()
    if current_app.config["SMTP_HOST"]:
        queue_invitation_mail(invitation, secret, by, language)
    record(by, "user.invite", f"user {email}", None, {"email": email, "role": role})
    return invitation, secret


def pending(now=None) -> list[Invitation]:
    """List the invitations whose links still work, newest first."""
    now = now or utcnow()
    rows = db.session.scalars(
        select(Invitation)
        .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .where(Invitation.expires_at > now)
        .order_by(Invitation.id.desc())
    )
    return list(rows)


def withdraw(invitation: Invitation, *, by: User) -> None:
    """Withdraw an invitation: its link stops working."""
    if not invitation.is_open(utcnow()):
        raise ServiceError(_("This invitation was already used, withdrawn or has expired."))
    invitation.revoked_at = utcnow()
    record(by, "user.invite_withdraw", f"user {invitation.email}", None, None)


def find_open(secret: str | None) -> Invitation:
    """Return the invitation behind a link, or say why the link no longer works."""
    found = None
    if secret and len(secret) <= _MAX_SECRET:
        found = db.session.scalar(select(Invitation).where(Invitation.token_hash == _hash(secret)))
    if found is None or not found.is_open(utcnow()):
        raise ServiceError(
            _(
                "This invitation link does not work any more (used, withdrawn or expired). "
                "Ask an owner of the team for a new one."
            )
        )
    return found


def accept(secret: str, password: str) -> User:
    """Join the team through an invitation link with a password of one's own (the link works once)."""
    invitation = find_open(secret)
    user = create_user(invitation.email, password, invitation.role, by=invitation.invited_by)
    invitation.accepted_at = utcnow()
    record(user, "user.join", f"user {user.email}", None, {"role": user.role})
    return user
