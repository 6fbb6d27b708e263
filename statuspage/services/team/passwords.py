"""Password rules: long enough, not a well-known password, not built from the account's e-mail."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from statuspage.services import ServiceError

MIN_LENGTH = 10
MAX_LENGTH = 200

# Words at the heart of the most common leaked passwords (checked after removing digits and symbols
# at the ends, so "Password2024!" and "qwerty123456" are refused too).
_COMMON_WORDS = frozenset(
    """
    password passw0rd p@ssw0rd letmein welcome qwerty qwertyuiop asdfgh asdfghjkl zxcvbnm
    qazwsx qwertz azerty abc abcdef abcdefg abcdefgh iloveyou admin administrator root
    changeme default secret monkey dragon football baseball sunshine princess shadow master
    superman batman trustno login starwars whatever freedom hello hellohello candor status
    statuspage shop onlineshop welcomeback youwillneverguess
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
# Whole passwords from the top of the public leak lists that are at least ten characters long.
_COMMON_PASSWORDS = frozenset(
    """
    1234567890 0987654321 1111111111 0000000000 1234512345 1122334455 1q2w3e4r5t 1qaz2wsx3edc
    qwertyuiop asdfghjkl; zaq12wsx123 q1w2e3r4t5 a1b2c3d4e5 iloveyou12 password12 abcd123456
    123456789a 12345qwert qwerty1234 1234qwerty correcthorsebatterystaple
    """.split()  # noqa: SIM905
)
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")


def check_password(password: str, email: str = "") -> None:
    """Refuse a password that is short, well known, or made from the account's e-mail address."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        raise ServiceError(
            _("The password is too short (%(count)s characters at least).", count=MIN_LENGTH),
            field="password",
        )
    if len(password) > MAX_LENGTH:
        raise ServiceError(
            _("The password is too long (%(count)s characters at most).", count=MAX_LENGTH),
            field="password",
        )
    lowered = password.lower()
    core = _EDGES.sub("", lowered)
    if lowered in _COMMON_PASSWORDS or core in _COMMON_WORDS or len(set(lowered)) < 4:
        raise ServiceError(
            _("This password is too common; choose one that is hard to guess."), field="password"
        )
    email = (email or "").strip().lower()
    local = email.partition("@")[0]
    if email and (email in lowered or (len(local) >= 4 and local in lowered)):
        raise ServiceError(
            _("The password must not contain your e-mail address or its name part."),
            field="password",
        )
