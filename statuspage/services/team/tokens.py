"""API tokens: create (shown once), look up by hash, revoke. A token acts as its user, with the user's role."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from statuspage.extensions import db
from statuspage.models import User, utcnow
from statuspage.models.api import ApiToken
from statuspage.services import ServiceError
from statuspage.services.audit import record

PREFIX = "candor_"
# Record last use at most this often, so a polling integration does not write on every request.
_TOUCH_EVERY = timedelta(minutes=1)


def hash_token(secret: str) -> str:
    """Return the SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, name: str, *, by: User | None = None) -> tuple[ApiToken, str]:
    """Create a named token for a user; return it and its secret (the only time the secret exists)."""
    name = (name or "").strip()
    if not name:
        raise ServiceError(
            _("Name the token after what uses it, e.g. “helpdesk” or “monitoring”."), field="name"
        )
    if len(name) > 80:
        raise ServiceError(
            _("The token name is too long (%(count)s characters at most).", count=80), field="name"
        )
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_token(secret))
    db.session.add(token)
    db.session.flush()
    record(by or user, "token.create", f"API token {name} of {user.email}", None, {"name": name})
    return token, secret


def revoke_token(token: ApiToken, *, by: User) -> None:
    """Revoke a token for good; only its owner or a shop owner may."""
    if token.user_id != by.id and not by.is_owner:
        raise ServiceError(_("You can only revoke your own tokens."))
    if token.revoked_at is not None:
        raise ServiceError(_("This token is already revoked."))
    token.revoked_at = utcnow()
    record(by, "token.revoke", f"API token {token.name} of {token.user.email}", None, None)


def authenticate_token(secret: str | None) -> User | None:
    """Return the user behind an active token, noting when it was last used; None if unknown."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == hash_token(secret), ApiToken.revoked_at.is_(None))
        .options(selectinload(ApiToken.user))
    )
    if token is None or token.user.removed_at is not None:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > _TOUCH_EVERY:
        token.last_used_at = now
    return token.user


def tokens_for(user: User) -> list[ApiToken]:
    """List the tokens a user may see: their own, or everyone's for an owner; newest first."""
    query = select(ApiToken).options(selectinload(ApiToken.user)).order_by(ApiToken.id.desc())
    if not user.is_owner:
        query = query.where(ApiToken.user_id == user.id)
    return list(db.session.scalars(query))


def find_user(email: str) -> User:
    """Find a team member by e-mail for the command line."""
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        raise ServiceError(
            _("There is no account for %(email)s; create it with create-user first.", email=email)
        )
    return user
