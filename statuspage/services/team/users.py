"""Team accounts: create users, check passwords, change roles, remove members, end sessions.

A session carries the account's `session_generation`; raising it (`end_sessions`) ends every session
of that member at once, on every device: at logout, at a password change or reset, at removal.
"""

from __future__ import annotations

import re
import secrets
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from statuspage.extensions import db
from statuspage.models import User, utcnow
from statuspage.models.api import ApiToken
from statuspage.services import ServiceError
from statuspage.services.audit import record
from statuspage.services.safe_text import valid_address
from statuspage.services.team.passwords import check_password
from statuspage.vocabulary import ROLES

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def create_user(email: str, password: str, role: str, *, by: User | None = None) -> User:
    """Create a team member with a hashed password (a former member's account comes back)."""
    email = normal_email(email)
    if role not in ROLES:
        raise ServiceError(_("Unknown role “%(role)s” (owner or editor).", role=role))
    check_password(password, email)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None and user.removed_at is None:
        raise ServiceError(_("There is already an account for %(email)s.", email=email))
    if user is None:
        user = User(email=email, role=role, password_hash=generate_password_hash(password))
        db.session.add(user)
    else:  # a former member comes back: a fresh start, nothing of the old account's access
        user.role, user.password_hash, user.removed_at = (
            role,
            generate_password_hash(password),
            None,
        )
        user.totp_secret, user.totp_last_step = None, None
        end_sessions(user)
    db.session.flush()
    record(by, "user.create", f"user {email}", None, {"email": email, "role": role})
    return user


def normal_email(email: str) -> str:
    """Return an e-mail address trimmed and lower-cased, or refuse one that is not an address."""
    email = (email or "").strip().lower()
    if not _EMAIL.match(email) or not valid_address(email):
        raise ServiceError(
            _("“%(address)s” is not an e-mail address.", address=email), field="email"
        )
    return email


def generate_password() -> str:
    """Return a strong random password."""
    return secrets.token_urlsafe(15)


def authenticate(email: str, password: str) -> User | None:
    """Return the member whose e-mail and password match, or None (equally slow either way)."""
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    matches = check_password_hash(user.password_hash if user else _dummy_hash(), password or "")
    return user if user and matches and user.removed_at is None else None


def set_password(user: User, password: str, *, by: User | None = None) -> None:
    """Give a team member a new password; every session of theirs ends."""
    check_password(password, user.email)
    user.password_hash = generate_password_hash(password)
    end_sessions(user)
    record(by, "user.password", f"user {user.email}", None, None)


def end_sessions(user: User) -> None:
    """End every session of a member, on every device (the session loader compares the number)."""
    user.session_generation = (user.session_generation or 0) + 1


def revoke_tokens(user: User, *, by: User | None) -> int:
    """Revoke every active API token of a member; return how many there were."""
    count = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if count:
        record(by, "token.revoke_all", f"API tokens of {user.email}", None, {"revoked": count})
    return count


def team() -> list[User]:
    """List the team's current members by e-mail."""
    return list(
        db.session.scalars(select(User).where(User.removed_at.is_(None)).order_by(User.email))
    )


def find_member(user_id: int) -> User | None:
    """Find a current member by id (None once removed)."""
    user = db.session.get(User, user_id)
    return user if user is not None and user.removed_at is None else None


def change_role(user: User, role: str, *, by: User) -> None:
    """Make a member an owner or an editor; the last owner stays an owner."""
    if role not in ROLES:
        raise ServiceError(_("Unknown role “%(role)s” (owner or editor).", role=role))
    if role == user.role:
        raise ServiceError(
            _("%(email)s is already an owner.", email=user.email)
            if role == "owner"
            else _("%(email)s is already an editor.", email=user.email)
        )
    if user.role == "owner":
        _keep_an_owner(user, _("Make someone else an owner first: the team needs one."))
    before = user.role
    user.role = role
    record(by, "user.role", f"user {user.email}", {"role": before}, {"role": role})


def remove_member(user: User, *, by: User) -> None:
    """Remove a member: they can no longer log in; their sessions and API tokens end at once."""
    if user.removed_at is not None:
        raise ServiceError(_("%(email)s is no longer on the team.", email=user.email))
    if user.role == "owner":
        _keep_an_owner(
            user, _("The last owner cannot be removed: make someone else an owner first.")
        )
    user.removed_at = utcnow()
    end_sessions(user)
    revoke_tokens(user, by=by)
    record(by, "user.remove", f"user {user.email}", {"email": user.email, "role": user.role}, None)


def _keep_an_owner(leaving: User, message: str) -> None:
    """Refuse when `leaving` is the only current owner."""
    others = db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == "owner", User.removed_at.is_(None), User.id != leaving.id)
    )
    if not others:
        raise ServiceError(message)


def change_password(user: User, current: str, new: str) -> None:
    """Let a team member change their own password after proving they know the current one."""
    if not check_password_hash(user.password_hash, current or ""):
        raise ServiceError(_("The current password is wrong."), field="current")
    if current == new:
        raise ServiceError(_("The new password must differ from the current one."), field="new")
    try:
        set_password(user, new, by=user)
    except ServiceError as error:
        raise ServiceError(str(error), field="new") from None


def set_language(user: User, language: str | None, allowed: tuple[str, ...]) -> None:
    """Choose the language the admin speaks to this member (None: the browser's)."""
    if language and language not in allowed:
        raise ServiceError(
            _("The admin is not translated into “%(language)s”.", language=language),
            field="language",
        )
    before = user.language
    user.language = language or None
    record(
        user,
        "user.language",
        f"user {user.email}",
        {"language": before},
        {"language": user.language},
    )


@cache
def _dummy_hash() -> str:
    """Return a hash to check against when the account does not exist (no timing difference)."""
    return generate_password_hash(secrets.token_hex(16))
