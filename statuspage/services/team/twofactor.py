"""Optional two-factor login with time-based one-time codes (TOTP, RFC 6238, any authenticator app).

A code is accepted once: the time step it belongs to is stored, so a code seen over someone's
shoulder cannot be used again. One step of clock drift either way is tolerated.
"""

from __future__ import annotations

import hmac
import time

import pyotp
from flask_babel import gettext as _
from werkzeug.security import check_password_hash

from statuspage.models import User
from statuspage.services import ServiceError
from statuspage.services.audit import record

STEP_SECONDS = 30
DRIFT_STEPS = 1


def new_secret() -> str:
    """Return a fresh random TOTP secret (base32, 160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(email: str, secret: str, issuer: str) -> str:
    """Return the otpauth:// URI an authenticator app reads (as a QR code or pasted)."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer or "Candor")


def grouped(secret: str) -> str:
    """Return the secret in groups of four, for typing it by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """Return the time step whose code this is (within the allowed drift), or None."""
    code = "".join((code or "").split())
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now_step = int((time.time() if at is None else at) // STEP_SECONDS)
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def accept_code(user: User, code: str) -> bool:
    """Check a login code for the user, refusing one already used; remember the step when it fits."""
    if not user.totp_secret:
        return False
    step = matching_step(user.totp_secret, code)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def enable(user: User, secret: str, code: str, password: str) -> None:
    """Turn two-factor login on once the user proves the app shows the right codes."""
    _check_password(user, password)
    if user.totp_secret:
        raise ServiceError(_("Two-factor login is already on."))
    step = matching_step(secret, code)
    if not secret or step is None:
        raise ServiceError(
            _("That code does not match; check the key in your app and try again."), field="code"
        )
    user.totp_secret, user.totp_last_step = secret, step
    record(user, "user.2fa_on", f"user {user.email}")


def disable(user: User, code: str, password: str) -> None:
    """Turn two-factor login off, with the password and a current code."""
    _check_password(user, password)
    if not accept_code(user, code):
        raise ServiceError(
            _("That code is not right. Codes change every 30 seconds."), field="code"
        )
    reset(user, by=user)


def reset(user: User, *, by: User | None) -> None:
    """Turn two-factor login off without a code (an owner or the command line helps a locked-out user)."""
    user.totp_secret, user.totp_last_step = None, None
    record(by, "user.2fa_off", f"user {user.email}")


def _check_password(user: User, password: str) -> None:
    """Refuse unless the password is the user's."""
    if not check_password_hash(user.password_hash, password or ""):
        raise ServiceError(_("The password is wrong."), field="password")
