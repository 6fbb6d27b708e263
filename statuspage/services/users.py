"""Team accounts: create users, check passwords."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import ROLES, User
from . import ServiceError
from .audit import record

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def create_user(email: str, password: str, role: str, *, by: User | None = None) -> User:
    """Create a team member with a hashed password."""
    email = (email or "").strip().lower()
    if not _EMAIL.match(email):
        raise ServiceError(f"“{email}” is not an e-mail address.")
    if role not in ROLES:
        raise ServiceError(f"Unknown role “{role}” (owner or editor).")
    if len(password) < 10:
        raise ServiceError("The password is too short (10 characters at least).")
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
    """Return the user whose e-mail and password match, or None."""
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user and check_password_hash(user.password_hash, password or ""):
        return user
    return None
