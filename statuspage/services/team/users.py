"""Team accounts: create users, check passwords."""

from __future__ import annotations

import re
import secrets
from functools import cache

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from statuspage.extensions import db
from statuspage.models import User
from statuspage.services import ServiceError
from statuspage.services.audit import record
from statuspage.services.team.passwords import check_password
from statuspage.services.text import valid_address
from statuspage.vocabulary import ROLES

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def create_user(email: str, password: str, role: str, *, by: User | None = None) -> User:
    """Create a team member with a hashed password."""
    email = (email or "").strip().lower()
    if not _EMAIL.match(email) or not valid_address(email):
        raise ServiceError(f"“{email}” is not an e-mail address.")
    if role not in ROLES:
        raise ServiceError(f"Unknown role “{role}” (owner or editor).")
    check_password(password, email)
    if db.session.scalar(select(User).where(User.email == email)):
        raise ServiceError(f"There is already an account for {email}.")
    user = User(email=email, role=role, password_hash=generate_password_hash(password))
    db.session.add(user)
    db.session.flush()
    record(by, "user.create", f"user {email}", None, {"email": email, "role": role})
    return user


def generate_password() -> str:
    """Return a strong random password."""
    return secrets.token_urlsafe(15)


def authenticate(email: str, password: str) -> User | None:
    """Return the user whose e-mail and password match, or None (equally slow either way)."""
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    matches = check_password_hash(user.password_hash if user else _dummy_hash(), password or "")
    return user if user and matches else None


def set_password(user: User, password: str, *, by: User | None = None) -> None:
    """Give a team member a new password; every session opened with the old one ends."""
    check_password(password, user.email)
    user.password_hash = generate_password_hash(password)
    record(by, "user.password", f"user {user.email}", None, None)


def change_password(user: User, current: str, new: str) -> None:
    """Let a team member change their own password after proving they know the current one."""
    if not check_password_hash(user.password_hash, current or ""):
        raise ServiceError("The current password is wrong.")
    if current == new:
        raise ServiceError("The new password must differ from the current one.")
    set_password(user, new, by=user)


@cache
def _dummy_hash() -> str:
    """Return a hash to check against when the account does not exist (no timing difference)."""
    return generate_password_hash(secrets.token_hex(16))
