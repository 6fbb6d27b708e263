"""E-mail header values: one short line each, and ids that stay the same when a message is sent again.

Titles, the shop's name and component names are refused at input when they hold line breaks or control
characters (`services/safe_text.py`); this is the second line of defence for rows written before that rule,
so one bad value can never make a message unsendable ("Header values may not contain linefeed").

A message that went out just before its sender was killed is sent again once its lease expires. It
carries the same `Message-ID` (derived from the outbox row's key: one per update and subscriber) and
the same `X-Candor-Event-Id`, so mail systems and receivers can recognise the repeat. Both stay short
enough never to be folded onto a continuation line.
"""

from __future__ import annotations

import hashlib
import re

from flask import current_app

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_ID_SAFE = re.compile(r"^[\x21-\x7e]{1,56}$")


def one_line(value: str) -> str:
    """Fold line breaks and control characters into single spaces."""
    return " ".join(_CONTROL.sub(" ", value or "").split())


def event_id(key: str) -> str:
    """Return the X-Candor-Event-Id for an outbox key: the key itself, or its digest when long."""
    if _ID_SAFE.match(key):
        return key
    return "sha256-" + hashlib.sha256(key.encode()).hexdigest()[:40]


def message_id(key: str) -> str:
    """Return the stable Message-ID of the message an outbox row stands for."""
    domain = current_app.config["SMTP_FROM"].rpartition("@")[2].strip(" >") or "candor.invalid"
    secret = current_app.config["SECRET_KEY"].encode()  # ids of one installation, unguessable
    digest = hashlib.sha256(secret + b"\0" + key.encode()).hexdigest()[:32]
    return f"<{digest}@{one_line(domain).replace(' ', '')}>"


def safe_address(address: str) -> bool:
    """Tell whether an address can go into a header and RCPT TO as it is (no controls or spaces)."""
    return bool(address) and not _CONTROL.search(address) and " " not in address
